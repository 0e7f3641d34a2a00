// Whole-graph access to an ONNX model through ONNX's own protobuf classes (libonnx), for the tools
// that must change a graph (quantize). Internal: protobuf types stay inside src/. Everything that
// only reads or rewrites metadata uses the streaming scanner/writer (onnx_file.h) instead.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace modelexport::format {

// Parses the model from its file descriptor in small reads (the file is not held in memory beside
// the parse). Throws FormatError for a file over 2 GB (protobuf's limit) or one protobuf cannot parse.
onnx::ModelProto load_model_proto(const std::filesystem::path& path);

// Bytes per element of a TensorProto data type with whole-byte elements (onnx.proto's DataType, ONNX
// 1.12): 8 for DOUBLE, INT64, UINT64, COMPLEX64; 16 for COMPLEX128; 4 for FLOAT, INT32, UINT32; 2 for
// FLOAT16, BFLOAT16, INT16, UINT16; 1 for INT8, UINT8, BOOL; 0 for STRING, UNDEFINED and any other.
//   element_size(onnx::TensorProto::FLOAT16) == 2
size_t element_size(int32_t data_type);

// The bytes an external-data tensor names (location, offset, length) in model_dir. Throws
// FormatError when the file is missing or too short.
std::string external_bytes(const onnx::TensorProto& tensor, const std::filesystem::path& model_dir);
// A float32 tensor's values from raw_data, float_data or external data in model_dir. Throws
// FormatError when the data does not hold as many floats as the dims say.
std::vector<float> float_values(const onnx::TensorProto& tensor, const std::filesystem::path& model_dir);
// Reads every external-data initializer (all graphs) into raw_data.
void inline_external_data(onnx::ModelProto& model, const std::filesystem::path& model_dir);
// Makes the external data files `model` names (model_dir/LOCATION, all graphs) appear in `dir` under
// the same names as hard links, so a copy of the model saved into `dir` loads its weights without
// copying them. Returns false, removing what it linked, when a location is absolute or leaves
// model_dir, or a link cannot be made (another file system): the caller then inlines the data.
bool link_external_data(const onnx::ModelProto& model, const std::filesystem::path& model_dir,
                        const std::filesystem::path& dir);

// The model file plus the external data files its initializers name.
uint64_t size_with_external_data(const std::filesystem::path& model, const onnx::ModelProto& proto);

// Writes the model through atomic files. Tensors of 1 KB or more go to OUT.onnx_data beside it
// (offsets 4 KB aligned, as transformers.js and ONNX Runtime load them) when `external_data` is set
// or the model would exceed protobuf's 2 GB. Throws IoError; then nothing is written.
void save_model_proto(onnx::ModelProto& model, const std::filesystem::path& output, bool external_data);

}  // namespace modelexport::format
