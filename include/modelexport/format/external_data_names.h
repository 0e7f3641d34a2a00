// Renaming a model's external data files: every TensorProto `location` (initializers, sparse
// initializers, Constant/attribute tensors, subgraphs, model-local functions) is rewritten at the
// wire level; everything else is copied byte for byte. Used where a layout needs the data file named
// after the model file (transformers.js looks for `onnx/NAME.onnx_data`, `NAME.onnx_data_1`, ...).
//
//   std::map<std::string, std::string> renames = {{"ext.onnx_data", "model.onnx_data"}};
//   std::string bytes = rename_external_data(file.bytes(), renames, "model.onnx");   // throws FormatError
//
// Pure function; the result is a complete ModelProto (no graph parse, no generated classes).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace modelexport::format {

// `name` is the file name for error messages.
std::string rename_external_data(std::string_view model_bytes, const std::map<std::string, std::string>& renames,
                                 std::string_view name);

// The names transformers.js loads for a model file's external data: MODEL_data, MODEL_data_1, ...
// (transformers.js 4.3.1 getExternalDataChunkNames), for `count` files.
std::vector<std::string> transformers_js_data_names(const std::string& model_file_name, size_t count);

}  // namespace modelexport::format
