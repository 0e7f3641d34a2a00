// modelexport.inference's compiled half: Pipeline (runtime::pipeline; each result is the JSON text the
// CLI's `run --json` prints), Model (runtime::AutoModel on numpy arrays) and Processor
// (runtime::AutoProcessor: the pipeline's tokenization, as model input tensors). The GIL is released
// while ONNX Runtime runs and while batches are tokenized; every object is immutable, so one may be
// used from several Python threads at once.
#include <pybind11/stl.h>

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "binding.h"
#include "modelexport/common/error.h"
#include "modelexport/runtime/auto_model.h"
#include "modelexport/runtime/auto_processor.h"
#include "modelexport/runtime/pipeline.h"
#include "modelexport/runtime/session_info.h"
#include "tensors.h"

namespace py = pybind11;

namespace modelexport::python {
namespace {

using runtime::AutoModel;
using runtime::AutoProcessor;
using runtime::Pipeline;
using runtime::PipelineInput;
using runtime::PipelineOptions;
using runtime::SessionOptions;
using runtime::Tensor;
using runtime::TensorDesc;

py::list describe(const std::vector<TensorDesc>& descs) {
  py::list out;
  for (const auto& d : descs) {
    py::list shape;
    for (size_t i = 0; i < d.shape.size(); ++i) {
      if (d.shape[i] >= 0) shape.append(d.shape[i]);
      else if (i < d.symbolic.size() && !d.symbolic[i].empty()) shape.append(d.symbolic[i]);
      else shape.append(py::none());
    }
    py::dict io;
    io["name"] = d.name;
    io["type"] = d.elem_type;
    io["shape"] = shape;
    out.append(io);
  }
  return out;
}

py::dict to_numpy_map(std::map<std::string, Tensor>&& tensors, const std::vector<TensorDesc>& descs) {
  py::dict out;
  for (auto& [name, tensor] : tensors) {
    std::string type;
    for (const auto& d : descs)
      if (d.name == name) type = d.elem_type;
    out[py::str(name)] = to_numpy(std::move(tensor), type);
  }
  return out;
}

// Model input tensors for these texts (and pairs), as the pipelines make them.
py::dict encode(const AutoProcessor& p, const std::vector<std::string>& texts, const std::vector<std::string>& pairs) {
  std::map<std::string, Tensor> inputs;
  {
    py::gil_scoped_release unlocked;
    std::vector<processors::Encoding> encodings;
    if (pairs.empty()) {
      encodings = p.encode(texts);
    } else {
      if (pairs.size() != texts.size())
        throw UsageError("text_pair: " + std::to_string(pairs.size()) + " pairs for " + std::to_string(texts.size()) +
                         " texts (expected one pair per text)");
      std::vector<std::pair<std::string, std::string>> both;
      for (size_t i = 0; i < texts.size(); ++i) both.emplace_back(texts[i], pairs[i]);
      encodings = p.encode_pairs(both);
    }
    std::vector<const processors::Encoding*> batch;
    for (const auto& e : encodings) batch.push_back(&e);
    inputs = p.to_inputs(batch);
  }
  return to_numpy_map(std::move(inputs), {});
}

}  // namespace

void bind_inference(py::module_& m) {
  py::class_<SessionOptions>(m, "SessionOptions", "ONNX Runtime session settings (runtime/auto_model.h).")
      .def(py::init<>())
      .def_readwrite("intra_op_threads", &SessionOptions::intra_op_threads)
      .def_readwrite("inter_op_threads", &SessionOptions::inter_op_threads)
      .def_readwrite("graph_optimization_level", &SessionOptions::graph_optimization_level)
      .def_readwrite("optimized_model_path", &SessionOptions::optimized_model_path)
      .def_readwrite("execution_providers", &SessionOptions::execution_providers);
  m.def("available_execution_providers", &runtime::available_execution_providers);
  m.def("onnxruntime_version", &runtime::onnxruntime_version);

  py::class_<PipelineInput>(m, "PipelineInput")
      .def(py::init<std::string, std::string, std::string, std::string, std::vector<std::string>>(),
           py::arg("text") = "", py::arg("text_pair") = "", py::arg("question") = "", py::arg("context") = "",
           py::arg("labels") = std::vector<std::string>{});

  py::class_<PipelineOptions>(m, "PipelineOptions", "Task options (runtime/pipeline.h); defaults are transformers'.")
      .def(py::init<>())
      .def_readwrite("top_k", &PipelineOptions::top_k)
      .def_readwrite("batch_size", &PipelineOptions::batch_size)
      .def_readwrite("function_to_apply", &PipelineOptions::function_to_apply)
      .def_readwrite("pooling", &PipelineOptions::pooling)
      .def_readwrite("normalize", &PipelineOptions::normalize)
      .def_readwrite("aggregation_strategy", &PipelineOptions::aggregation_strategy)
      .def_readwrite("ignore_labels", &PipelineOptions::ignore_labels)
      .def_readwrite("targets", &PipelineOptions::targets)
      .def_readwrite("doc_stride", &PipelineOptions::doc_stride)
      .def_readwrite("max_answer_len", &PipelineOptions::max_answer_len)
      .def_readwrite("max_seq_len", &PipelineOptions::max_seq_len)
      .def_readwrite("handle_impossible_answer", &PipelineOptions::handle_impossible_answer)
      .def_readwrite("hypothesis_template", &PipelineOptions::hypothesis_template)
      .def_readwrite("multi_label", &PipelineOptions::multi_label);

  m.def("pipeline_tasks", &runtime::pipeline_tasks);
  py::class_<Pipeline, std::unique_ptr<Pipeline>>(m, "Pipeline")
      .def_static(
          "from_model",
          [](const std::string& model, const std::string& task, const SessionOptions& session) {
            py::gil_scoped_release unlocked;
            return runtime::pipeline(model, task, session);
          },
          py::arg("model"), py::arg("task"), py::arg("session"))
      .def_static(
          "from_parts",
          [](const std::string& model, const SessionOptions& session, const AutoProcessor& processor,
             const std::string& task) {
            py::gil_scoped_release unlocked;
            return runtime::pipeline(AutoModel::from_model(model, session), processor, task);
          },
          py::arg("model"), py::arg("session"), py::arg("processor"), py::arg("task"))
      .def_property_readonly("task", &Pipeline::task)
      .def_property_readonly("warnings", [](const Pipeline& p) { return p.processor().files().warnings; })
      .def(
          "run",
          [](const Pipeline& p, const std::vector<PipelineInput>& inputs, const PipelineOptions& options) {
            py::gil_scoped_release unlocked;
            return p.run(inputs, options);
          },
          py::arg("inputs"), py::arg("options"))
      .def(
          "run_texts",  // the same for {.text = ...} inputs, without a PipelineInput object per text
          [](const Pipeline& p, const std::vector<std::string>& texts, const PipelineOptions& options) {
            py::gil_scoped_release unlocked;
            std::vector<PipelineInput> inputs(texts.size());
            for (size_t i = 0; i < texts.size(); ++i) inputs[i].text = texts[i];
            return p.run(inputs, options);
          },
          py::arg("texts"), py::arg("options"));

  py::class_<AutoModel>(m, "Model")
      .def_static(
          "from_model",
          [](const std::string& model, const SessionOptions& session) {
            py::gil_scoped_release unlocked;
            return AutoModel::from_model(model, session);
          },
          py::arg("model"), py::arg("session"))
      .def_property_readonly("inputs", [](const AutoModel& a) { return describe(a.inputs()); })
      .def_property_readonly("outputs", [](const AutoModel& a) { return describe(a.outputs()); })
      .def(
          "run",
          [](const AutoModel& a, const py::dict& arrays) {
            std::map<std::string, Tensor> inputs;
            for (auto [name, value] : arrays) {
              std::string key = py::str(name);
              inputs.emplace(key, from_numpy(py::array::ensure(value), key));
            }
            std::map<std::string, Tensor> outputs;
            {
              py::gil_scoped_release unlocked;
              outputs = a.run(inputs);
            }
            return to_numpy_map(std::move(outputs), a.outputs());
          },
          py::arg("inputs"));

  py::class_<AutoProcessor>(m, "Processor")
      .def_static(
          "from_model",
          [](const std::string& model) {
            py::gil_scoped_release unlocked;
            return AutoProcessor::from_model(model, runtime::describe_session(model).inputs);
          },
          py::arg("model"))
      .def_property_readonly("modality",
                             [](const AutoProcessor& p) {
                               switch (p.modality()) {
                                 case runtime::Modality::kImage: return "image";
                                 case runtime::Modality::kAudio: return "audio";
                                 default: return "text";
                               }
                             })
      .def_property_readonly("warnings", [](const AutoProcessor& p) { return p.files().warnings; })
      .def_property_readonly("input_mapping", &AutoProcessor::input_mapping)
      .def_property_readonly("max_length", &AutoProcessor::max_length)
      .def("special_token_id", &AutoProcessor::special_token_id, py::arg("role"))
      .def_property_readonly("all_special_ids", &AutoProcessor::all_special_ids)
      .def("token_to_id", [](const AutoProcessor& p, const std::string& t) { return p.tokenizer().token_to_id(t); })
      .def("id_to_token", [](const AutoProcessor& p, int32_t id) { return p.tokenizer().id_to_token(id); })
      .def("encode", &encode, py::arg("texts"), py::arg("pairs"))
      .def(
          "decode",
          [](const AutoProcessor& p, const std::vector<int32_t>& ids, bool skip) {
            py::gil_scoped_release unlocked;
            return p.decode(ids, skip);
          },
          py::arg("ids"), py::arg("skip_special_tokens"));
}

}  // namespace modelexport::python
