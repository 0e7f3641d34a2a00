// Does ONNX Runtime load this model? quantize asks before it writes anything: a model ORT refuses
// (an op with no kernel for its types, a type-constraint mismatch, an invalid attribute) is an
// error that names the op and node ORT complains about, never a file left for the user to find out.
//
//   check_onnxruntime_loads(tmp_path);   // throws FormatError: "ONNX Runtime cannot load ...: op Celu, node 'c1': ..."
//
// The session is made on the CPU provider with ORT's default (full) graph optimization, as a user's
// session would be, and discarded. Thread-safe (ORT sessions are independent; the Env is shared).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace modelexport::quantize {

// model: an ONNX file (its external data beside it). Throws FormatError naming `what` (a file name
// or description used in the message), the op and node when ORT's message says them, and ORT's
// message itself.
void check_onnxruntime_loads(const std::filesystem::path& model);
// The same for a serialized ModelProto held in memory (no external data).
void check_onnxruntime_loads(std::string_view model_bytes, const std::string& what);

// The op type and node name ORT's load error names ("... operator (Celu) in node (c1) ...",
// "... for Celu(12) node with name 'c1'"); empty when it names none.
struct OrtComplaint {
  std::string op, node;
  bool named_node = false;  // the message names a node (possibly unnamed: node "")
};
OrtComplaint parse_onnxruntime_error(const std::string& message);

}  // namespace modelexport::quantize
