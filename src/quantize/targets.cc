#include "quantize/targets.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <map>
#include <set>

#include "format/model_proto.h"
#include "modelexport/common/error.h"

namespace modelexport::quantize {

const std::vector<std::string>& known_targets() {
  static const std::vector<std::string> targets = {"cpu", "wasm", "webgpu"};
  return targets;
}

void check_targets(const std::vector<std::string>& targets) {
  for (const auto& t : targets)
    if (std::find(known_targets().begin(), known_targets().end(), t) == known_targets().end())
      throw UsageError("unknown --target '" + t + "'; expected cpu, wasm or webgpu");
}

std::string target_limitation(const std::vector<std::string>& targets, const std::string& op, int64_t K,
                              int64_t block_size) {
  auto has = [&](const char* t) { return std::find(targets.begin(), targets.end(), t) != targets.end(); };
  if (op == "GatherBlockQuantized" && has("wasm"))
    return "GatherBlockQuantized is not in onnxruntime-web's WASM kernels (target wasm)";
  if (op == "MatMulNBits" && has("webgpu") && K % block_size != 0)
    return "K " + std::to_string(K) + " is not a multiple of the block size " + std::to_string(block_size) +
           ": onnxruntime-web's WebGPU MatMulNBits computes it wrongly (target webgpu)";
  return "";
}

namespace {

// op → has a kernel, from a kernel list's lines ("domain:op", "!domain:op"; '#' comments).
std::map<std::string, bool> parse_kernel_list(std::string_view text) {
  std::map<std::string, bool> ops;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '!') ops[std::string(line.substr(1))] = false;
    else ops[std::string(line)] = true;
  }
  return ops;
}

void collect_ops(const onnx::GraphProto& g, std::vector<const onnx::NodeProto*>& nodes) {
  for (const auto& n : g.node()) {
    nodes.push_back(&n);
    for (const auto& a : n.attribute()) {
      if (a.has_g()) collect_ops(a.g(), nodes);
      for (const auto& sub : a.graphs()) collect_ops(sub, nodes);
    }
  }
}

}  // namespace

std::vector<TargetFinding> check_model_targets(const std::filesystem::path& model,
                                               const std::vector<std::string>& targets) {
  check_targets(targets);
  onnx::ModelProto proto = format::load_model_proto(model);
  std::vector<const onnx::NodeProto*> nodes;
  collect_ops(proto.graph(), nodes);
  std::set<std::string> ops;
  for (const auto* n : nodes) ops.insert((n->domain() == "ai.onnx" ? std::string() : n->domain()) + ":" + n->op_type());
  std::vector<TargetFinding> out;
  for (const auto& t : targets) {
    const auto list = parse_kernel_list(kernel_list_text(t));
    // WebGPU: what the WASM kernels have runs (onnxruntime-web falls back to them); WebGPU's own
    // kernels are measured only for the ops the browser suite runs there (tests/browser).
    static const std::set<std::string> webgpu_measured = {"com.microsoft:GatherBlockQuantized",
                                                          "com.microsoft:MatMulNBits"};
    for (const auto& op : ops) {
      auto it = list.find(op);
      if (it != list.end() && it->second) continue;
      if (t == "webgpu" && webgpu_measured.count(op)) continue;
      TargetFinding f{t, op, it != list.end() && t != "webgpu", ""};
      if (f.lacking) f.message = "target " + t + ": " + op + " has no kernel in its ONNX Runtime build (data/kernels)";
      else if (it != list.end())
        f.message = "target webgpu: " + op +
                    " is not in the WASM kernels WebGPU falls back to, and WebGPU's own are not measured; not judged";
      else
        f.message =
            "target " + t + ": " + op + " is not covered by the measured kernel list (data/kernels); not judged";
      out.push_back(f);
    }
    if (t != "webgpu") continue;
    for (const auto* n : nodes) {
      if (n->op_type() != "MatMulNBits") continue;
      int64_t K = 0, block = 0;
      for (const auto& a : n->attribute()) {
        if (a.name() == "K") K = a.i();
        if (a.name() == "block_size") block = a.i();
      }
      if (std::string why = block > 0 ? target_limitation({t}, "MatMulNBits", K, block) : ""; !why.empty())
        out.push_back({t, "com.microsoft:MatMulNBits", true,
                       "node '" + (n->name().empty() ? "(unnamed)" : n->name()) + "': " + why});
    }
  }
  return out;
}

}  // namespace modelexport::quantize
