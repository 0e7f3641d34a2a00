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

// Graph building blocks: a K x N float matrix of N(0, 0.05) values from std::mt19937(seed), a float
// initializer (raw data), a declared tensor value, a one-output node.
std::vector<float> random_matrix(int64_t K, int64_t N, unsigned seed);
void add_float_initializer(onnx::GraphProto* g, const std::string& name, std::vector<int64_t> dims,
                           const std::vector<float>& values);
void set_value(onnx::ValueInfoProto* v, const std::string& name, int type, const std::vector<int64_t>& dims);
onnx::NodeProto* add_node(onnx::GraphProto* g, const std::string& op, const std::vector<std::string>& in,
                          const std::string& out, const std::string& name = "");
// The float16 range check's model: y = LayerNorm(|x| @ W), x [1, 8, 64], W [64, 16] between `scale`
// and ~2.5 `scale`. scale 4000: float16 holds W but the MatMul's sums pass 65504; scale 0.01: nothing
// leaves the range. The C++ quantize tests and the Python package's (CTest fixture fp16_range_models)
// use it.
onnx::ModelProto matmul_layernorm_model(float scale);

}  // namespace modelexport::test
