// The float16 range check (fp16_range.h): each model copied with its main graph's node outputs as
// extra graph outputs (types left to ONNX Runtime's inference), run on the check inputs, every float
// tensor reduced to counts.
#include "modelexport/runtime/fp16_range.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "format/model_proto.h"
#include "modelexport/common/error.h"
#include "modelexport/common/files.h"
#include "runtime/sample_inputs.h"
#include "runtime/session_memory.h"

namespace modelexport::runtime {

namespace {

namespace fs = std::filesystem;

struct Producer {
  std::string node, op;
  std::vector<std::string> inputs;
};

struct Stats {
  std::string type;
  size_t elements = 0, past_range = 0, nonfinite = 0;
  double max_abs = 0;
};

Stats stats_of(const std::string& type, const Tensor& t) {
  Stats s;
  s.type = type;
  s.elements = t.f32.size();
  for (float x : t.f32) {
    if (!std::isfinite(x)) {
      ++s.nonfinite, ++s.past_range;
      continue;
    }
    double a = std::fabs(static_cast<double>(x));
    s.max_abs = std::max(s.max_abs, a);
    s.past_range += a > kFloat16Max;
  }
  return s;
}

bool is_float(const std::string& type) {
  return type == "float32" || type == "float16" || type == "float64" || type == "bfloat16";
}

struct Scan {
  std::map<std::string, Producer> producers;  // tensor → its node
  std::vector<std::string> order;             // exposed tensors in graph order
  std::map<std::string, Stats> stats;         // every float tensor scanned, graph inputs included
};

// The optimization level a scan runs at: none, so every node output is the graph's own; all (ONNX
// Runtime's constant folding then holds one float32 copy of each float16 weight instead of both,
// session_memory.h) when only that fits in memory (graph outputs survive its fusions); -1 with
// `why` set when neither fits.
int scan_level(const fs::path& path, std::string& why, std::string& note) {
  SessionMemory need = estimate_session_memory(path);
  const std::string what = "the float16 range check of '" + path.filename().string() + "'";
  std::string plain = memory_shortfall(need, 0, what);
  if (plain.empty()) return 0;
  why = memory_shortfall(need, 99, what);
  if (!why.empty()) return -1;
  note += (note.empty() ? "" : "; ") + plain + ": scanned with ONNX Runtime's optimizations on";
  return 99;
}

// Runs `path` with every main-graph node output exposed at optimization `level`; `staging` holds the
// exposed copy.
Scan scan_model(const fs::path& path, const fs::path& staging, const std::map<std::string, Tensor>& inputs,
                const SessionOptions& session, int level) {
  Scan scan;
  onnx::ModelProto model = format::load_model_proto(path);
  // The exposed copy shares the weights' files through hard links (a 4B float16 decoder's 7.9 GB
  // are not read into memory and written again); inlined only where no link can be made.
  fs::path model_dir = fs::absolute(path).parent_path();
  if (!format::link_external_data(model, model_dir, staging)) format::inline_external_data(model, model_dir);
  auto* g = model.mutable_graph();
  std::set<std::string> declared;
  for (const auto& o : g->output()) declared.insert(o.name());
  for (const auto& i : g->input()) declared.insert(i.name());
  for (const auto& node : g->node()) {
    Producer p{node.name(), node.op_type(), {node.input().begin(), node.input().end()}};
    for (const auto& y : node.output()) {
      if (y.empty()) continue;
      scan.producers[y] = p;
      scan.order.push_back(y);
      // A graph output without a type: ONNX Runtime takes the type its inference gives the tensor.
      if (declared.insert(y).second) g->add_output()->set_name(y);
    }
  }
  fs::path exposed = staging / (path.stem().string() + ".exposed.onnx");
  format::save_model_proto(model, exposed, false);
  model.Clear();
  SessionOptions plain = session;
  plain.graph_optimization_level = level;
  AutoModel m = AutoModel::from_model(exposed, plain);
  for (const auto& d : m.inputs())
    if (auto it = inputs.find(d.name); it != inputs.end() && is_float(d.elem_type))
      scan.stats[d.name] = stats_of(d.elem_type, it->second);
  std::map<std::string, std::string> types;
  for (const auto& d : m.outputs()) types[d.name] = d.elem_type;
  std::vector<std::string> wanted;
  for (const auto& y : scan.order)
    if (is_float(types[y])) wanted.push_back(y);
  for (size_t i = 0; i < wanted.size(); i += kOutputsPerRun) {
    std::vector<std::string> names(
        wanted.begin() + static_cast<std::ptrdiff_t>(i),
        wanted.begin() + static_cast<std::ptrdiff_t>(std::min(wanted.size(), i + kOutputsPerRun)));
    auto out = m.run(inputs, names);
    for (const auto& [name, t] : out) scan.stats[name] = stats_of(types[name], t);
  }
  return scan;
}

size_t scanned(const Scan& s) {
  size_t n = 0;
  for (const auto& y : s.order) n += s.stats.count(y);
  return n;
}

// Tensors with `bad` values whose node has no float input with `bad` values: the producers.
template <typename Bad, typename Keep>
std::vector<Fp16RangeFinding> producers_of(const Scan& s, Bad bad, Keep keep, size_t& carried) {
  std::vector<Fp16RangeFinding> found;
  for (const auto& y : s.order) {
    auto it = s.stats.find(y);
    if (it == s.stats.end() || !bad(it->second)) continue;
    const Producer& p = s.producers.at(y);
    bool inherited = false;
    for (const auto& x : p.inputs)
      if (auto in = s.stats.find(x); in != s.stats.end()) inherited |= bad(in->second);
    if (inherited || !keep(y)) {
      carried += inherited;
      continue;
    }
    const Stats& st = it->second;
    found.push_back(
        {p.node, p.op, y, st.max_abs, bad(st) ? (st.nonfinite ? st.nonfinite : st.past_range) : 0, st.elements, ""});
  }
  return found;
}

}  // namespace

Fp16RangeReport check_float16_range(const fs::path& source, const fs::path& result, const SessionOptions& session) {
  Fp16RangeReport report;
  const int source_level = scan_level(source, report.skipped, report.note);
  const int result_level = source_level < 0 ? -1 : scan_level(result, report.skipped, report.note);
  if (source_level < 0 || result_level < 0) return report;
  CheckInputs samples;
  {
    AutoModel m = AutoModel::from_model(source, session);
    samples = check_inputs(source, m);
  }
  report.inputs = samples.description;
  if (!samples.skipped.empty()) {
    report.skipped = samples.skipped;
    return report;
  }
  samples.outputs.clear();
  TemporaryFolder staging(fs::absolute(result).parent_path(), result.filename().string(), "range-check");
  Scan src = scan_model(source, staging.path(), samples.tensors, session, source_level);
  Scan half = scan_model(result, staging.path(), samples.tensors, session, result_level);
  report.source_tensors = scanned(src);
  report.result_tensors = scanned(half);
  report.source = producers_of(
      src, [](const Stats& s) { return s.past_range > 0; }, [](const std::string&) { return true; },
      report.source_carried);
  for (auto& f : report.source) {
    f.out_of_range = src.stats.at(f.output).past_range;
    if (auto it = half.stats.find(f.output); it != half.stats.end()) f.result_type = it->second.type;
  }
  report.result = producers_of(
      half, [](const Stats& s) { return s.nonfinite > 0; },
      [&](const std::string& y) {
        auto it = src.stats.find(y);
        return it == src.stats.end() || it->second.nonfinite == 0;
      },
      report.result_carried);
  return report;
}

}  // namespace modelexport::runtime
