#include "quantize/onnxruntime_check.h"

#include <onnxruntime_cxx_api.h>

#include <regex>

#include "modelexport/common/error.h"

namespace modelexport::quantize {

namespace {

Ort::Env& env() {
  // ORT keeps one environment per process; a second Ort::Env shares it (runtime/ has its own handle).
  static Ort::Env instance(ORT_LOGGING_LEVEL_ERROR, "modelexport-quantize");
  return instance;
}

Ort::SessionOptions options() {
  Ort::SessionOptions o;
  o.SetIntraOpNumThreads(1);
  o.SetInterOpNumThreads(1);
  o.SetGraphOptimizationLevel(GraphOptimizationLevel::ORT_ENABLE_ALL);
  return o;
}

[[noreturn]] void refuse(const std::string& what, const std::string& message) {
  OrtComplaint c = parse_onnxruntime_error(message);
  std::string where;
  if (!c.op.empty()) where += "op " + c.op;
  if (c.named_node)
    where += std::string(where.empty() ? "" : ", ") + (c.node.empty() ? "an unnamed node" : "node '" + c.node + "'");
  throw FormatError("ONNX Runtime cannot load " + what + (where.empty() ? "" : " (" + where + ")") + ": " + message);
}

}  // namespace

OrtComplaint parse_onnxruntime_error(const std::string& message) {
  // The forms ORT 1.30's loader uses (graph.cc type checks, the ONNX checker, kernel lookup).
  static const std::regex op_then_node(R"re(of operator \(([^)]*)\) in node \(([^)]*)\))re");
  static const std::regex no_kernel(R"re(implementation for (\w+)\(\d+\) node with name '([^']*)')re");
  static const std::regex no_kernel_ep(R"re(kernel for (\w+)\(\d+\) \(node:'([^']*)')re");
  static const std::regex checker(R"re(In Node, \("([^"]*)", (\w+),)re");
  static const std::regex node_then_op(R"re(Node \(([^)]*)\) Op \(([^)]*)\))re");
  static const std::regex op_only(R"re(Optype \((\w+)\)(?:.* in node \(([^)]*)\))?)re");
  static const std::regex node_only(R"re(of node \(([^)]*)\))re");
  std::smatch m;
  OrtComplaint c;
  if (std::regex_search(message, m, op_then_node) || std::regex_search(message, m, no_kernel) ||
      std::regex_search(message, m, no_kernel_ep))
    c = {m[1], m[2], true};
  else if (std::regex_search(message, m, checker) || std::regex_search(message, m, node_then_op))
    c = {m[2], m[1], true};
  else if (std::regex_search(message, m, op_only)) c = {m[1], m[2], m[2].matched};
  else if (std::regex_search(message, m, node_only)) c.node = m[1], c.named_node = true;
  return c;
}

void check_onnxruntime_loads(const std::filesystem::path& model) {
  try {
    Ort::Session session(env(), model.c_str(), options());
  } catch (const Ort::Exception& e) { refuse("'" + model.string() + "'", e.what()); }
}

void check_onnxruntime_loads(std::string_view model_bytes, const std::string& what) {
  try {
    Ort::Session session(env(), model_bytes.data(), model_bytes.size(), options());
  } catch (const Ort::Exception& e) { refuse(what, e.what()); }
}

}  // namespace modelexport::quantize
