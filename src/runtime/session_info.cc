#include "modelexport/runtime/session_info.h"

#include <onnxruntime_cxx_api.h>

#include "modelexport/common/error.h"
#include "modelexport/format/onnx_file.h"

namespace modelexport::runtime {
Ort::Env& ort_env();  // logging.cc: the process-wide environment, its log sent to our sink

namespace {

TensorDesc describe(const std::string& name, const Ort::TypeInfo& info) {
  TensorDesc d;
  d.name = name;
  if (info.GetONNXType() != ONNX_TYPE_TENSOR) {
    d.elem_type = "non-tensor";
    return d;
  }
  // The shape info borrows from `info`, which the caller keeps alive.
  auto shape_info = info.GetTensorTypeAndShapeInfo();
  d.elem_type = format::elem_type_name(static_cast<int64_t>(shape_info.GetElementType()));
  d.shape = shape_info.GetShape();
  std::vector<const char*> names(d.shape.size(), nullptr);
  shape_info.GetSymbolicDimensions(names.data(), names.size());
  for (const char* n : names) d.symbolic.emplace_back(n ? n : "");
  return d;
}

}  // namespace

// What an open session sees (auto_model.cc describes its own session with it).
SessionIo describe_open_session(const Ort::Session& session) {
  Ort::AllocatorWithDefaultOptions alloc;
  SessionIo io;
  for (size_t i = 0; i < session.GetInputCount(); ++i) {
    Ort::TypeInfo info = session.GetInputTypeInfo(i);
    io.inputs.push_back(describe(session.GetInputNameAllocated(i, alloc).get(), info));
  }
  for (size_t i = 0; i < session.GetOutputCount(); ++i) {
    Ort::TypeInfo info = session.GetOutputTypeInfo(i);
    io.outputs.push_back(describe(session.GetOutputNameAllocated(i, alloc).get(), info));
  }
  Ort::ModelMetadata meta = session.GetModelMetadata();
  for (const auto& key : meta.GetCustomMetadataMapKeysAllocated(alloc)) {
    auto value = meta.LookupCustomMetadataMapAllocated(key.get(), alloc);
    io.custom_metadata.emplace_back(key.get(), value ? value.get() : "");
  }
  return io;
}

SessionIo describe_session(const std::filesystem::path& model) {
  try {
    Ort::SessionOptions options;
    options.SetIntraOpNumThreads(1);
    options.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_DISABLE_ALL);
    Ort::Session session(ort_env(), model.c_str(), options);
    return describe_open_session(session);
  } catch (const Ort::Exception& e) {
    throw RuntimeError("ONNX Runtime cannot create a session for '" + model.string() + "': " + e.what());
  }
}

std::string onnxruntime_version() { return Ort::GetVersionString(); }

}  // namespace modelexport::runtime
