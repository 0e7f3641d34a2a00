// One Python exception class per C++ error class (include/modelexport/common/error.h), same names and
// the same tree, raised with the C++ message unchanged. Where Python has a matching built-in the class
// also derives from it, so `except ValueError` / `except OSError` / `except RuntimeError` work too.
#include <exception>
#include <string>

#include "binding.h"
#include "modelexport/common/error.h"
#include "modelexport/processors/chat_template.h"

namespace py = pybind11;

namespace modelexport::python {
namespace {

struct ErrorClasses {
  PyObject *error, *usage, *io, *format, *metadata, *read, *embedding, *validation, *processor, *task, *unsuitable,
      *runtime, *image_decode, *audio_decode, *template_error;
};
ErrorClasses classes;  // created once at import; owned by the module (never freed: modules are not unloaded)

PyObject* make_class(py::module_& m, const char* name, const char* doc, std::initializer_list<PyObject*> bases) {
  py::tuple base_tuple(bases.size());
  size_t i = 0;
  for (PyObject* b : bases) base_tuple[i++] = py::reinterpret_borrow<py::object>(b);
  std::string qualified = std::string("modelexport.") + name;
  PyObject* cls = PyErr_NewExceptionWithDoc(qualified.c_str(), doc, base_tuple.ptr(), nullptr);
  if (!cls) throw py::error_already_set();
  m.attr(name) = py::reinterpret_borrow<py::object>(cls);
  return cls;
}

}  // namespace

void bind_errors(py::module_& m) {
  auto& c = classes;
  c.error = make_class(m, "Error", "Base of every error modelexport raises.", {PyExc_Exception});
  c.usage = make_class(m, "UsageError", "Invalid arguments or options (unknown task, level, layout, ...).",
                       {c.error, PyExc_ValueError});
  c.io = make_class(m, "IoError", "A file system operation failed; names the path.", {c.error, PyExc_OSError});
  c.format = make_class(m, "FormatError", "The bytes are not a (complete) ONNX model.", {c.error});
  c.metadata = make_class(m, "MetadataError", "Base of the metadata errors (the seed design's names).", {c.error});
  c.read = make_class(m, "MetadataReadError", "A metadata source or value cannot be read.", {c.metadata});
  c.embedding = make_class(m, "MetadataEmbeddingError", "Writing metadata into a model failed.", {c.metadata});
  c.validation = make_class(m, "MetadataValidationError", "Metadata is present but breaks the schema.", {c.metadata});
  c.processor =
      make_class(m, "ProcessorReconstructionError", "A processor cannot be rebuilt from its config.", {c.metadata});
  c.task = make_class(m, "TaskDetectionError", "The task cannot be determined from the configuration.", {c.metadata});
  c.unsuitable =
      make_class(m, "UnsuitableModelError", "The model cannot do what was asked (outputs, quantized, ...).", {c.error});
  c.runtime = make_class(m, "RuntimeError", "ONNX Runtime refused something (session creation, run).",
                         {c.error, PyExc_RuntimeError});
  c.image_decode = make_class(m, "ImageDecodeError", "An image cannot be decoded (not an image, truncated, too large).",
                              {c.error, PyExc_ValueError});
  c.audio_decode = make_class(m, "AudioDecodeError", "An audio input cannot be decoded (not audio, no samples).",
                              {c.error, PyExc_ValueError});
  c.template_error =
      make_class(m, "TemplateError", "A chat template cannot be parsed or rendered; names the place.", {c.processor});

  // Most derived first: a C++ exception is raised as the Python class of its own C++ class.
  py::register_exception_translator([](std::exception_ptr p) {
    const auto& k = classes;
    try {
      if (p) std::rethrow_exception(p);
    } catch (const processors::TemplateError& e) {
      PyErr_SetString(k.template_error, e.what());
    } catch (const MetadataReadError& e) {
      PyErr_SetString(k.read, e.what());
    } catch (const MetadataEmbeddingError& e) {
      PyErr_SetString(k.embedding, e.what());
    } catch (const MetadataValidationError& e) {
      PyErr_SetString(k.validation, e.what());
    } catch (const ProcessorReconstructionError& e) {
      PyErr_SetString(k.processor, e.what());
    } catch (const TaskDetectionError& e) { PyErr_SetString(k.task, e.what()); } catch (const MetadataError& e) {
      PyErr_SetString(k.metadata, e.what());
    } catch (const UsageError& e) { PyErr_SetString(k.usage, e.what()); } catch (const IoError& e) {
      PyErr_SetString(k.io, e.what());
    } catch (const FormatError& e) { PyErr_SetString(k.format, e.what()); } catch (const UnsuitableModelError& e) {
      PyErr_SetString(k.unsuitable, e.what());
    } catch (const RuntimeError& e) { PyErr_SetString(k.runtime, e.what()); } catch (const ImageDecodeError& e) {
      PyErr_SetString(k.image_decode, e.what());
    } catch (const AudioDecodeError& e) { PyErr_SetString(k.audio_decode, e.what()); } catch (const Error& e) {
      PyErr_SetString(k.error, e.what());
    }
  });
}

}  // namespace modelexport::python
