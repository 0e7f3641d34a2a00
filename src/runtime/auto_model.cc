#include "modelexport/runtime/auto_model.h"

#include <onnxruntime_cxx_api.h>

#include <algorithm>
#include <map>
#include <type_traits>

#include "modelexport/common/error.h"
#include "modelexport/format/onnx_file.h"
#include "runtime/auto_model_access.h"

namespace modelexport::runtime {

Ort::Env& ort_env();                                           // logging.cc
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
  auto session_options = [&](bool exact_int8) {
    Ort::SessionOptions so;
    if (o.intra_op_threads > 0) so.SetIntraOpNumThreads(o.intra_op_threads);
    if (o.inter_op_threads > 0) so.SetInterOpNumThreads(o.inter_op_threads);
    if (o.intra_op_spinning) so.AddConfigEntry("session.intra_op.allow_spinning", *o.intra_op_spinning ? "1" : "0");
    if (exact_int8) so.AddConfigEntry("session.x64quantprecision", "1");
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
    return so;
  };
  try {
    try {
      impl->session = std::make_unique<Ort::Session>(ort_env(), path.c_str(), session_options(o.exact_int8_matmul));
    } catch (const Ort::Exception& e) {
      // ONNX Runtime 1.30's exact mode converts each MatMulInteger's int8 weight to uint8 under its
      // own name and fails on one that two nodes share ("Attempt to replace the existing tensor"; a
      // weight tied across layers, Quantize.EightBitDynamicQuantizationHasQuantizeDynamicsForm): such a
      // model loads with ONNX Runtime's default kernels.
      if (!o.exact_int8_matmul || std::string(e.what()).find("replace the existing tensor") == std::string::npos) throw;
      impl->session = std::make_unique<Ort::Session>(ort_env(), path.c_str(), session_options(false));
    }
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

Ort::Session& AutoModelAccess::session(const AutoModel& model) { return *model.impl_->session; }

bool AutoModel::batch_dependent() const { return impl_->batch_dependent; }

std::vector<std::string> available_execution_providers() { return Ort::GetAvailableProviders(); }

const std::vector<TensorDesc>& AutoModel::inputs() const { return impl_->inputs; }
const std::vector<TensorDesc>& AutoModel::outputs() const { return impl_->outputs; }

bool AutoModel::has_input(const std::string& name) const {
  for (const auto& i : impl_->inputs)
    if (i.name == name) return true;
  return false;
}

namespace {

// Model element type → ORT's, for the tensor types run() converts to and from.
ONNXTensorElementDataType ort_type(const std::string& t) {
  static const std::map<std::string, ONNXTensorElementDataType> types = {
      {"float32", ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT},  {"float16", ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16},
      {"float64", ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE}, {"bfloat16", ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16},
      {"int8", ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8},      {"uint8", ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8},
      {"int16", ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16},    {"uint16", ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16},
      {"int32", ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32},    {"uint32", ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32},
      {"int64", ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64},    {"uint64", ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64},
      {"bool", ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL},      {"string", ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING}};
  auto it = types.find(t);
  return it == types.end() ? ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED : it->second;
}

template <typename T, typename From>
Ort::Value owned_tensor(Ort::AllocatorWithDefaultOptions& alloc, const Tensor& t, const std::vector<From>& from) {
  Ort::Value v = Ort::Value::CreateTensor<T>(alloc, t.shape.data(), t.shape.size());
  T* p = v.GetTensorMutableData<T>();
  for (size_t i = 0; i < from.size(); ++i) {
    if constexpr (std::is_same_v<T, Ort::Float16_t> || std::is_same_v<T, Ort::BFloat16_t>)
      p[i] = T(static_cast<float>(from[i]));
    else p[i] = static_cast<T>(from[i]);
  }
  return v;
}

template <typename T, typename To>
void read_values(const Ort::Value& v, size_t count, std::vector<To>& to) {
  const T* p = v.GetTensorData<T>();
  to.resize(count);
  for (size_t i = 0; i < count; ++i) {
    if constexpr (std::is_same_v<T, Ort::Float16_t> || std::is_same_v<T, Ort::BFloat16_t>)
      to[i] = static_cast<To>(p[i].ToFloat());
    else to[i] = static_cast<To>(p[i]);
  }
}

}  // namespace

std::map<std::string, Tensor> AutoModel::run(const std::map<std::string, Tensor>& given) const {
  return run(given, impl_->output_names);
}

std::map<std::string, Tensor> AutoModel::run(const std::map<std::string, Tensor>& given,
                                             const std::vector<std::string>& output_names) const {
  Ort::MemoryInfo mem = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
  Ort::AllocatorWithDefaultOptions alloc;
  std::vector<const char*> names;
  std::vector<Ort::Value> values;
  for (const auto& desc : impl_->inputs) {
    auto it = given.find(desc.name);
    if (it == given.end())
      throw RuntimeError("the model needs input '" + desc.name + "' (" + desc.elem_type + "), which was not given");
    // ORT takes non-const data pointers for inputs but does not write to them.
    Tensor& t = const_cast<Tensor&>(it->second);
    size_t count = 1;
    for (int64_t d : t.shape) count *= static_cast<size_t>(d);
    names.push_back(desc.name.c_str());
    const ONNXTensorElementDataType type = ort_type(desc.elem_type);
    const bool floating =
        type == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT || type == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16 ||
        type == ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE || type == ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16;
    if (type == ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED)
      throw RuntimeError("input '" + desc.name + "' has type " + desc.elem_type + ", which run() does not feed");
    if (type == ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING) {
      if (t.str.size() != count)
        throw RuntimeError("input '" + desc.name + "': expected string data matching its shape");
      Ort::Value v = Ort::Value::CreateTensor(alloc, t.shape.data(), t.shape.size(), type);
      std::vector<const char*> ptrs;
      for (const auto& x : t.str) ptrs.push_back(x.c_str());
      v.FillStringTensor(ptrs.data(), ptrs.size());
      values.push_back(std::move(v));
      continue;
    }
    if (floating ? t.f32.size() != count : t.i64.size() != count)
      throw RuntimeError("input '" + desc.name + "': expected " + std::string(floating ? "float" : "integer") +
                         " data matching its shape");
    switch (type) {
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT:
        values.push_back(Ort::Value::CreateTensor<float>(mem, t.f32.data(), count, t.shape.data(), t.shape.size()));
        break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64:
        values.push_back(Ort::Value::CreateTensor<int64_t>(mem, t.i64.data(), count, t.shape.data(), t.shape.size()));
        break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16:
        values.push_back(owned_tensor<Ort::Float16_t>(alloc, t, t.f32));
        break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16:
        values.push_back(owned_tensor<Ort::BFloat16_t>(alloc, t, t.f32));
        break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE: values.push_back(owned_tensor<double>(alloc, t, t.f32)); break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8: values.push_back(owned_tensor<int8_t>(alloc, t, t.i64)); break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8: values.push_back(owned_tensor<uint8_t>(alloc, t, t.i64)); break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16: values.push_back(owned_tensor<int16_t>(alloc, t, t.i64)); break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16: values.push_back(owned_tensor<uint16_t>(alloc, t, t.i64)); break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32: values.push_back(owned_tensor<int32_t>(alloc, t, t.i64)); break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32: values.push_back(owned_tensor<uint32_t>(alloc, t, t.i64)); break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64: values.push_back(owned_tensor<uint64_t>(alloc, t, t.i64)); break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL: values.push_back(owned_tensor<bool>(alloc, t, t.i64)); break;
      default: break;
    }
  }
  std::vector<const char*> out_names;
  for (const auto& n : output_names) out_names.push_back(n.c_str());
  std::vector<Ort::Value> results;
  try {
    results = impl_->session->Run(Ort::RunOptions{nullptr}, names.data(), values.data(), values.size(),
                                  out_names.data(), out_names.size());
  } catch (const Ort::Exception& e) { throw RuntimeError(std::string("ONNX Runtime run failed: ") + e.what()); }
  std::map<std::string, Tensor> out;
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].IsTensor())
      throw RuntimeError("output '" + output_names[i] + "' is not a tensor, which run() does not read");
    Ort::TensorTypeAndShapeInfo info = results[i].GetTensorTypeAndShapeInfo();
    Tensor t;
    t.shape = info.GetShape();
    size_t count = info.GetElementCount();
    switch (info.GetElementType()) {
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT: read_values<float>(results[i], count, t.f32); break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16: read_values<Ort::Float16_t>(results[i], count, t.f32); break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16: read_values<Ort::BFloat16_t>(results[i], count, t.f32); break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE: read_values<double>(results[i], count, t.f32); break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64: read_values<int64_t>(results[i], count, t.i64); break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32: read_values<int32_t>(results[i], count, t.i64); break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16: read_values<int16_t>(results[i], count, t.i64); break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8: read_values<int8_t>(results[i], count, t.i64); break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8: read_values<uint8_t>(results[i], count, t.i64); break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16: read_values<uint16_t>(results[i], count, t.i64); break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32: read_values<uint32_t>(results[i], count, t.i64); break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64: read_values<uint64_t>(results[i], count, t.i64); break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL: read_values<bool>(results[i], count, t.i64); break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_STRING:
        for (size_t k = 0; k < count; ++k) t.str.push_back(results[i].GetStringTensorElement(k));
        break;
      default: throw RuntimeError("output '" + output_names[i] + "' has a type run() does not read yet");
    }
    out[output_names[i]] = std::move(t);
  }
  return out;
}

}  // namespace modelexport::runtime
