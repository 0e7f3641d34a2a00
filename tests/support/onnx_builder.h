// Small ONNX models built in tests with ONNX's own protobuf classes (and one, over 2 GB, written by
// hand as a sparse file because protobuf cannot serialize it).
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace modelexport::test {

struct InputSpec {
  std::string name;
  int elem_type;                   // onnx::TensorProto_DataType
  std::vector<std::string> dims;   // "3" static, "batch" symbolic
};

// Identity of the first input to "output" plus a float initializer; every input is declared.
onnx::ModelProto make_model(const std::vector<InputSpec>& inputs);
void save_model(const onnx::ModelProto& model, const std::filesystem::path& path);
onnx::ModelProto load_model(const std::filesystem::path& path);
// y = x + w, with w (4 floats) stored in external data file `data_name` beside `path`. Runs in ORT.
void write_external_data_model(const std::filesystem::path& path, const std::string& data_name);
// The same model with w's external_data entries (key, value) as given and `data` written to
// `data_file` beside `path` (no data file when `data_file` is empty): for external data that is wrong.
void write_external_data_model(const std::filesystem::path& path,
                               const std::vector<std::pair<std::string, std::string>>& external_data,
                               const std::string& data_file, const std::string& data);
// A valid ModelProto larger than 2 GB: one initializer whose raw_data is `payload` zero bytes,
// written sparsely. Returns the file size.
uint64_t write_large_sparse_model(const std::filesystem::path& path, uint64_t payload);

}  // namespace modelexport::test
