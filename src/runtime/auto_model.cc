#include "modelexport/runtime/auto_model.h"

#include <onnxruntime_cxx_api.h>

#include <algorithm>

#include "modelexport/common/error.h"
#include "modelexport/format/onnx_file.h"

namespace modelexport::runtime {

Ort::Env& ort_env();                                       // logging.cc
SessionIo describe_open_session(const Ort::Session& session);  // session_info.cc

struct AutoModel::Impl {
  std::unique_ptr<Ort::Session> session;
  std::vector<TensorDesc> inputs, outputs;
  std::vector<std::string> output_names;
  bool batch_dependent = false;
};

AutoModel::AutoModel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AutoModel::~AutoModel() = default;
AutoModel::AutoModel(AutoModel&&) noexcept = default;
AutoModel& AutoModel::operator=(AutoModel&&) noexcept = default;

AutoModel AutoModel::from_model(const std::filesystem::path& path, const SessionOptions& o) {
  auto impl = std::make_unique<Impl>();
  try {
    Ort::SessionOptions so;
    if (o.intra_op_threads > 0) so.SetIntraOpNumThreads(o.intra_op_threads);
    if (o.inter_op_threads > 0) so.SetInterOpNumThreads(o.inter_op_threads);
    so.SetGraphOptimizationLevel(o.graph_optimization_level == 0   ? ORT_DISABLE_ALL
                                 : o.graph_optimization_level == 1 ? ORT_ENABLE_BASIC
                                 : o.graph_optimization_level == 2 ? ORT_ENABLE_EXTENDED
                                                                   : ORT_ENABLE_ALL);
    if (!o.optimized_model_path.empty()) so.SetOptimizedModelFilePath(o.optimized_model_path.c_str());
    auto available = available_execution_providers();
    for (const auto& ep : o.execution_providers) {
      if (ep == "CPUExecutionProvider") continue;
      if (std::find(available.begin(), available.end(), ep) == available.end()) {
        std::string list;
        for (const auto& a : available) list += (list.empty() ? "" : ", ") + a;
        throw RuntimeError("execution provider '" + ep + "' is not in this ONNX Runtime build; available: " + list);
      }
      so.AppendExecutionProvider(ep.substr(0, ep.find("ExecutionProvider")), {});
    }
    impl->session = std::make_unique<Ort::Session>(ort_env(), path.c_str(), so);
    // The IO as this session sees it (graph inputs and outputs do not change with optimization).
    SessionIo io = describe_open_session(*impl->session);
    impl->inputs = io.inputs;
    impl->outputs = io.outputs;
  } catch (const Ort::Exception& e) {
    throw RuntimeError("ONNX Runtime cannot create a session for '" + path.string() + "': " + e.what());
  }
  {
    format::OnnxFile file(path);
    const auto& ops = file.graph().op_types;
    impl->batch_dependent = std::find(ops.begin(), ops.end(), "DynamicQuantizeLinear") != ops.end();
  }
  for (const auto& out : impl->outputs) impl->output_names.push_back(out.name);
  return AutoModel(std::move(impl));
}

bool AutoModel::batch_dependent() const { return impl_->batch_dependent; }

std::vector<std::string> available_execution_providers() { return Ort::GetAvailableProviders(); }

const std::vector<TensorDesc>& AutoModel::inputs() const { return impl_->inputs; }
const std::vector<TensorDesc>& AutoModel::outputs() const { return impl_->outputs; }

bool AutoModel::has_input(const std::string& name) const {
  for (const auto& i : impl_->inputs)
    if (i.name == name) return true;
  return false;
}

std::map<std::string, Tensor> AutoModel::run(const std::map<std::string, Tensor>& given) const {
  Ort::MemoryInfo mem = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  std::vector<const char*> names;
  std::vector<Ort::Value> values;
  std::vector<std::vector<int32_t>> int32_copies;
  int32_copies.reserve(impl_->inputs.size());
  for (const auto& desc : impl_->inputs) {
    auto it = given.find(desc.name);
    if (it == given.end()) throw RuntimeError("the model needs input '" + desc.name + "' (" + desc.elem_type + "), which was not given");
    // ORT takes non-const data pointers for inputs but does not write to them.
    Tensor& t = const_cast<Tensor&>(it->second);
    size_t count = 1;
    for (int64_t d : t.shape) count *= static_cast<size_t>(d);
    names.push_back(desc.name.c_str());
    if (desc.elem_type == "float32") {
      if (t.f32.size() != count) throw RuntimeError("input '" + desc.name + "': expected float32 data matching its shape");
      values.push_back(Ort::Value::CreateTensor<float>(mem, t.f32.data(), count, t.shape.data(), t.shape.size()));
    } else if (desc.elem_type == "int64") {
      if (t.i64.size() != count) throw RuntimeError("input '" + desc.name + "': expected int64 data matching its shape");
      values.push_back(Ort::Value::CreateTensor<int64_t>(mem, t.i64.data(), count, t.shape.data(), t.shape.size()));
    } else if (desc.elem_type == "int32") {
      if (t.i64.size() != count) throw RuntimeError("input '" + desc.name + "': expected integer data matching its shape");
      int32_copies.emplace_back(t.i64.begin(), t.i64.end());
      values.push_back(Ort::Value::CreateTensor<int32_t>(mem, int32_copies.back().data(), count, t.shape.data(), t.shape.size()));
    } else {
      throw RuntimeError("input '" + desc.name + "' has type " + desc.elem_type + ", which run() does not feed yet");
    }
  }
  std::vector<const char*> out_names;
  for (const auto& n : impl_->output_names) out_names.push_back(n.c_str());
  std::vector<Ort::Value> results;
  try {
    results = impl_->session->Run(Ort::RunOptions{nullptr}, names.data(), values.data(), values.size(), out_names.data(),
                                  out_names.size());
  } catch (const Ort::Exception& e) {
    throw RuntimeError(std::string("ONNX Runtime run failed: ") + e.what());
  }
  std::map<std::string, Tensor> out;
  for (size_t i = 0; i < results.size(); ++i) {
    Ort::TensorTypeAndShapeInfo info = results[i].GetTensorTypeAndShapeInfo();
    Tensor t;
    t.shape = info.GetShape();
    size_t count = info.GetElementCount();
    switch (info.GetElementType()) {
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT: {
        const float* p = results[i].GetTensorData<float>();
        t.f32.assign(p, p + count);
        break;
      }
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64: {
        const int64_t* p = results[i].GetTensorData<int64_t>();
        t.i64.assign(p, p + count);
        break;
      }
      default:
        throw RuntimeError("output '" + impl_->output_names[i] + "' has a type run() does not read yet");
    }
    out[impl_->output_names[i]] = std::move(t);
  }
  return out;
}

}  // namespace modelexport::runtime
