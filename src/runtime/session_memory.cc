// Estimate of an ONNX Runtime CPU session's memory from the model's initializers (session_memory.h).
#include "runtime/session_memory.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "format/model_proto.h"
#include "modelexport/common/error.h"

namespace modelexport::runtime {

namespace {

constexpr const char* kBudgetVariable = "MODELEXPORT_CHECK_MEMORY_BYTES";

// Ops whose onnxruntime 1.30 CPU kernels take float16 as it is (type-generic data movement); any
// other consumer of a float16 weight gets a Cast to float32 inserted before it.
const std::set<std::string>& float16_native_ops() {
  static const std::set<std::string> ops = {"Gather", "GatherElements", "GatherND",  "Reshape",   "Transpose",
                                            "Concat", "Slice",          "Squeeze",   "Unsqueeze", "Identity",
                                            "Shape",  "Size",           "Expand",    "Split",     "Flatten",
                                            "Tile",   "Cast",           "ScatterND", "Where",     "Pad"};
  return ops;
}

uint64_t tensor_bytes(const onnx::TensorProto& t) {
  uint64_t count = 1;
  for (auto d : t.dims()) count *= d > 0 ? static_cast<uint64_t>(d) : 0;
  // Strings and element types of under a byte count one byte an element (their payload below).
  uint64_t bytes = count * std::max<uint64_t>(1, format::element_size(t.data_type()));
  if (t.data_type() == onnx::TensorProto::STRING)
    for (const auto& s : t.string_data()) bytes += s.size();
  return bytes;
}

std::string human_size(uint64_t bytes) {
  if (bytes < 1'000'000) return std::to_string(bytes) + " bytes";
  char buf[32];
  std::snprintf(buf, sizeof buf, bytes < 1'000'000'000 ? "%.1f MB" : "%.1f GB",
                static_cast<double>(bytes) / (bytes < 1'000'000'000 ? 1e6 : 1e9));
  return buf;
}

// Every graph's nodes, subgraphs included: a name consumed by an op without a float16 kernel. Merged
// decoders keep their weights in the main graph and use them by name inside If branches.
void collect_cast_inputs(const onnx::GraphProto& g, std::set<std::string>& cast) {
  for (const auto& node : g.node()) {
    if (!float16_native_ops().count(node.op_type()))
      for (const auto& x : node.input()) cast.insert(x);
    for (const auto& a : node.attribute()) {
      if (a.has_g()) collect_cast_inputs(a.g(), cast);
      for (const auto& sub : a.graphs()) collect_cast_inputs(sub, cast);
    }
  }
}

void add_initializers(const onnx::GraphProto& g, const std::set<std::string>& cast, SessionMemory& m) {
  for (const auto& t : g.initializer()) {
    const uint64_t bytes = tensor_bytes(t);
    if (t.data_type() == onnx::TensorProto::FLOAT16 && cast.count(t.name())) {
      m.cast_float16_bytes += bytes;
      m.largest_cast_bytes = std::max(m.largest_cast_bytes, bytes);
    } else {
      m.plain_bytes += bytes;
    }
  }
  for (const auto& node : g.node())
    for (const auto& a : node.attribute()) {
      if (a.has_g()) add_initializers(a.g(), cast, m);
      for (const auto& sub : a.graphs()) add_initializers(sub, cast, m);
    }
}

}  // namespace

uint64_t SessionMemory::at_level(int graph_optimization_level) const {
  // Level 99 folds each Cast into a float32 initializer (4 bytes for 2; the largest one's two copies
  // twice while it is folded); below it both stay (6 for 2).
  if (graph_optimization_level >= 99) return plain_bytes + 2 * cast_float16_bytes + 2 * largest_cast_bytes;
  return plain_bytes + 3 * cast_float16_bytes;
}

SessionMemory estimate_session_memory(const std::filesystem::path& model) {
  onnx::ModelProto proto = format::load_model_proto(model);
  std::set<std::string> cast;
  collect_cast_inputs(proto.graph(), cast);
  SessionMemory m;
  add_initializers(proto.graph(), cast, m);
  return m;
}

uint64_t check_memory_budget() {
  if (const char* set = std::getenv(kBudgetVariable)) {
    char* end = nullptr;
    unsigned long long v = std::strtoull(set, &end, 10);
    if (*set == '\0' || *end != '\0' || v == 0 || *set == '-')
      throw UsageError(std::string(kBudgetVariable) + "='" + set + "' is not a positive number of bytes");
    return v;
  }
  std::ifstream meminfo("/proc/meminfo");
  std::string key;
  uint64_t kb = 0;
  std::string unit;
  while (meminfo >> key >> kb >> unit)
    if (key == "MemAvailable:") return kb * 1024;
  return 0;
}

std::string memory_shortfall(const SessionMemory& need, int graph_optimization_level, const std::string& what) {
  const uint64_t budget = check_memory_budget();
  const uint64_t bytes = need.at_level(graph_optimization_level);
  if (budget == 0 || bytes <= budget) return {};
  std::string why = what + " needs about " + human_size(bytes) + " in ONNX Runtime's CPU session";
  if (need.cast_float16_bytes > 0)
    why += " (" + human_size(need.cast_float16_bytes) + " of float16 weights cast to float32)";
  return why + ", " + human_size(budget) + " is available (" + kBudgetVariable + " overrides)";
}

}  // namespace modelexport::runtime
