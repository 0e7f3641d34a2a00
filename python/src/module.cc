// modelexport._core: the compiled half of the Python package (python/modelexport wraps it).
#include "binding.h"
#include "modelexport/version.h"

PYBIND11_MODULE(_core, m) {
  m.doc() = "modelexport's C++ library (internal: use modelexport.metadata / modelexport.inference)";
  m.attr("__version__") = MODELEXPORT_VERSION_STRING;
  modelexport::python::bind_errors(m);
  modelexport::python::bind_metadata(m);
  modelexport::python::bind_inference(m);
  modelexport::python::bind_quantize(m);
}
