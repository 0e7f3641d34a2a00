// The ONNX Runtime layer's first piece: open a session on a model and report what ORT sees.
// Later issues grow this into AutoModel; for now it proves the runtime is wired in and lets tests
// cross-check the format layer's graph summary against ORT.
//
//   auto io = modelexport::runtime::describe_session("model.onnx");   // throws RuntimeError
//   for (const auto& in : io.inputs) std::cout << in.name << "\n";
//
// Thread-safety: one process-wide ORT environment, created on first use; calls may come from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace modelexport::runtime {

struct TensorDesc {
  std::string name;
  std::string elem_type;      // "float32", "int64", ...
  std::vector<int64_t> shape; // -1 for dynamic dims
  std::vector<std::string> symbolic;  // dim names ("" when static or unnamed)
};

struct SessionIo {
  std::vector<TensorDesc> inputs, outputs;
  std::vector<std::pair<std::string, std::string>> custom_metadata;  // ORT's view of metadata_props
};

SessionIo describe_session(const std::filesystem::path& model);
// The ONNX Runtime version actually loaded, e.g. "1.29.0".
std::string onnxruntime_version();

}  // namespace modelexport::runtime
