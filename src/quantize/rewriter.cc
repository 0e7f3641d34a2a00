#include "quantize/rewriter.h"

#include <fnmatch.h>

#include <cstring>
#include <map>
#include <set>

#include "format/model_proto.h"
#include "modelexport/common/error.h"
#include "modelexport/common/files.h"
#include "modelexport/common/progress.h"
#include "modelexport/quantize/blockwise.h"
#include "quantize/float16.h"
#include "quantize/targets.h"

namespace modelexport::quantize {

namespace fs = std::filesystem;

namespace {

bool matches(const std::vector<std::string>& patterns, const std::string& a, const std::string& b) {
  for (const auto& p : patterns)
    if (fnmatch(p.c_str(), a.c_str(), 0) == 0 || fnmatch(p.c_str(), b.c_str(), 0) == 0) return true;
  return false;
}

// Every graph of the model, outer first, with its parent (for initializer scope).
void collect_graphs(onnx::GraphProto* g, onnx::GraphProto* parent, std::vector<std::pair<onnx::GraphProto*, onnx::GraphProto*>>& out) {
  out.emplace_back(g, parent);
  for (auto& node : *g->mutable_node())
    for (auto& attr : *node.mutable_attribute()) {
      if (attr.has_g()) collect_graphs(attr.mutable_g(), g, out);
      for (auto& sub : *attr.mutable_graphs()) collect_graphs(&sub, g, out);
    }
}

class Rewriter {
 public:
  Rewriter(onnx::ModelProto& model, const fs::path& dir, const QuantizeOptions& o, bool half_target)
      : model_(model), dir_(dir), o_(o), half_target_(half_target) {
    collect_graphs(model_.mutable_graph(), nullptr, graphs_);
    for (auto& [g, parent] : graphs_) {
      parent_[g] = parent;
      for (int i = 0; i < g->initializer_size(); ++i) initializers_[g][g->initializer(i).name()] = i;
    }
  }

  bool uses_signed_weights() const { return signed_weights(); }

  QuantizeReport run() {
    QuantizeReport report;
    std::vector<std::pair<onnx::GraphProto*, onnx::NodeProto*>> todo;
    uint64_t total = 0;
    for (auto& [g, parent] : graphs_)
      for (auto& node : *g->mutable_node()) {
        if (node.op_type() != "MatMul" || !(node.domain().empty() || node.domain() == "ai.onnx")) continue;
        NodeReport r;
        r.node = node.name().empty() ? "(unnamed, output " + (node.output_size() ? node.output(0) : std::string()) + ")" : node.name();
        r.weight = node.input_size() > 1 ? node.input(1) : "";
        auto [owner, tensor] = find_initializer(g, r.weight);
        if (!tensor) r.reason = "the weight is not a constant initializer";
        else if (!is_float_weight(*tensor)) r.reason = "the weight is not float32 or float16";
        else if (tensor->dims_size() != 2) r.reason = "the weight is not 2-D";
        else if (matches(o_.exclude, r.node, r.weight)) r.reason = "excluded";
        if (tensor && tensor->dims_size() == 2) r.K = tensor->dims(0), r.N = tensor->dims(1);
        if (r.reason.empty() && o_.dtype == "q4")
          r.reason = target_limitation(o_.targets, "MatMulNBits", r.K, o_.block_size);
        r.quantized = r.reason.empty();
        if (r.quantized) {
          todo.emplace_back(g, &node);
          if (!first_user_.count(r.weight)) total += static_cast<uint64_t>(r.K * r.N * 4), first_user_[r.weight] = r.node;
          else r.reason = "weight shared with " + first_user_[r.weight] + ", quantized once";
        }
        report.nodes.push_back(r);
      }
    // Embedding tables (Gather on axis 0 over a 2-D float32 initializer) → GatherBlockQuantized.
    std::vector<std::pair<onnx::GraphProto*, onnx::NodeProto*>> gathers;
    if (o_.quantize_embeddings && o_.dtype == "q4")
      for (auto& [g, parent] : graphs_)
        for (auto& node : *g->mutable_node()) {
          if (node.op_type() != "Gather" || !(node.domain().empty() || node.domain() == "ai.onnx")) continue;
          NodeReport r;
          r.op = "Gather";
          r.node = node.name().empty() ? "(unnamed, output " + node.output(0) + ")" : node.name();
          r.weight = node.input(0);
          auto [owner, tensor] = find_initializer(g, r.weight);
          int64_t axis = 0;
          for (const auto& a : node.attribute())
            if (a.name() == "axis") axis = a.i();
          if (!tensor || !is_float_weight(*tensor) || tensor->dims_size() != 2) continue;  // not a table
          r.K = tensor->dims(1), r.N = tensor->dims(0);
          if (axis != 0) r.reason = "gathers along axis " + std::to_string(axis) + ", not rows";
          else if (r.K % o_.block_size != 0) r.reason = "row length " + std::to_string(r.K) + " is not a multiple of the block size";
          else if (matches(o_.exclude, r.node, r.weight)) r.reason = "excluded";
          else r.reason = target_limitation(o_.targets, "GatherBlockQuantized", r.K, o_.block_size);
          r.quantized = r.reason.empty();
          if (r.quantized) {
            gathers.emplace_back(g, &node);
            total += static_cast<uint64_t>(r.K * r.N * 4);
          }
          report.nodes.push_back(r);
        }
    for (const auto& n : report.nodes) (n.quantized ? report.quantized : report.skipped)++;
    // A weight whose every use is a MatMul being quantized can drop its float data as soon as it is
    // quantized: peak memory stays near the model's size.
    std::map<std::string, size_t> uses, quantized_uses;
    for (auto& [g, parent] : graphs_) {
      for (const auto& n : g->node())
        for (const auto& in : n.input()) uses[in]++;
      for (const auto& out : g->output()) uses[out.name()] += 2;
    }
    for (auto& [g, node] : todo) quantized_uses[node->input(1)]++;
    for (auto& [g, node] : gathers) quantized_uses[node->input(0)]++;
    for (const auto& [w, count] : quantized_uses)
      if (uses[w] == count) releasable_.insert(w);
    report.weight_bytes = total;
    Progress bar("quantizing", o_.show_progress ? total : 0);
    if (o_.dtype == "q4") {
      for (auto& [g, node] : todo) replace(g, *node, bar);
      for (auto& [g, node] : gathers) replace_gather(g, *node, bar);
    } else {
      std::set<const onnx::NodeProto*> chosen;
      for (auto& [g, node] : todo) chosen.insert(node);
      // Inner graphs first: rebuilding an outer graph moves the nodes that hold them.
      for (auto it = graphs_.rbegin(); it != graphs_.rend(); ++it) replace_dynamic(it->first, chosen, bar);
    }
    bar.finish();
    finish_casts();
    drop_unused_weights();
    return report;
  }

 private:
  std::pair<onnx::GraphProto*, onnx::TensorProto*> find_initializer(onnx::GraphProto* g, const std::string& name) {
    for (; g; g = parent_[g]) {
      auto it = initializers_[g].find(name);
      if (it != initializers_[g].end()) return {g, g->mutable_initializer(it->second)};
    }
    return {nullptr, nullptr};
  }

  void replace(onnx::GraphProto* g, onnx::NodeProto& node, Progress& bar) {
    std::string weight = node.input(1);
    auto [owner, tensor] = find_initializer(g, weight);
    int64_t K = tensor->dims(0), N = tensor->dims(1);
    auto it = done_.find(weight);
    if (it == done_.end()) {
      Q4Weights q;
      if (tensor->data_type() == onnx::TensorProto::FLOAT && tensor->data_location() != onnx::TensorProto::EXTERNAL &&
          tensor->raw_data().size() == static_cast<size_t>(K * N * 4)) {
        // raw_data is little-endian float32 in a heap buffer (aligned for float).
        q = quantize_q4(reinterpret_cast<const float*>(tensor->raw_data().data()), K, N, o_.block_size, o_.symmetric,
                        o_.threads, "initializer '" + weight + "'");
      } else {
        std::vector<float> values = weight_values(*tensor);
        q = quantize_q4(values.data(), K, N, o_.block_size, o_.symmetric, o_.threads, "initializer '" + weight + "'");
      }
      std::string base = weight;
      add_tensor(owner, base + "_Q4", onnx::TensorProto::UINT8, {N, q.k_blocks, o_.block_size / 2}, q.data.data(), q.data.size());
      add_scales(owner, base + "_scales", {N, q.k_blocks}, q.scales, half_scales(*tensor));
      if (!o_.symmetric)
        add_tensor(owner, base + "_zero_points", onnx::TensorProto::UINT8, {N, (q.k_blocks + 1) / 2}, q.zero_points.data(), q.zero_points.size());
      it = done_.emplace(weight, base).first;
      if (releasable_.count(weight)) {
        tensor->clear_raw_data();
        tensor->clear_float_data();
      }
      bar.advance(static_cast<uint64_t>(K * N * 4));
    }
    const std::string& base = it->second;
    std::vector<std::string> inputs = {node.input(0), base + "_Q4", base + "_scales"};
    if (!o_.symmetric) inputs.push_back(base + "_zero_points");
    std::vector<std::pair<const char*, int64_t>> attrs = {{"K", K}, {"N", N}, {"bits", 4}, {"block_size", o_.block_size}};
    if (o_.accuracy_level > 0) attrs.emplace_back("accuracy_level", o_.accuracy_level);
    const bool cast_around = tensor->data_type() == onnx::TensorProto::FLOAT16 && !half_scales(*tensor);
    become(node, "MatMulNBits", inputs, attrs);
    if (!node.name().empty()) node.set_name(node.name() + "_Q4");
    // MatMulNBits takes A and scales of one type (its T1): float32 scales for a float16 activation
    // mean a Cast to float32 before and back to float16 after.
    if (cast_around) cast_through_float32(g, node);
  }

  // A float16 weight keeps float16 scales for q4f16 (straight from fp16); q4 has float32 scales.
  bool half_scales(const onnx::TensorProto& weight) const {
    return weight.data_type() == onnx::TensorProto::FLOAT16 && half_target_;
  }

  static bool is_float_weight(const onnx::TensorProto& t) {
    return t.data_type() == onnx::TensorProto::FLOAT || t.data_type() == onnx::TensorProto::FLOAT16;
  }

  // A float32 or float16 weight's values as float32.
  std::vector<float> weight_values(const onnx::TensorProto& t) const {
    if (t.data_type() == onnx::TensorProto::FLOAT) return format::float_values(t, dir_);
    size_t count = 1;
    for (auto d : t.dims()) count *= static_cast<size_t>(d);
    std::vector<float> out(count);
    if (t.data_location() == onnx::TensorProto::EXTERNAL || !t.raw_data().empty()) {
      std::string external =
          t.data_location() == onnx::TensorProto::EXTERNAL ? format::external_bytes(t, dir_) : std::string();
      const std::string& raw = t.data_location() == onnx::TensorProto::EXTERNAL ? external : t.raw_data();
      if (raw.size() != count * 2)
        throw FormatError("initializer '" + t.name() + "': its data does not hold " + std::to_string(count) +
                          " float16 values");
      for (size_t i = 0; i < count; ++i) {
        uint16_t h;
        std::memcpy(&h, raw.data() + 2 * i, 2);
        out[i] = half_to_float(h);
      }
    } else {
      // ONNX keeps float16 values in int32_data, one per element (onnx.proto TensorProto).
      if (static_cast<size_t>(t.int32_data_size()) != count)
        throw FormatError("initializer '" + t.name() + "': int32_data does not match its dims");
      for (size_t i = 0; i < count; ++i)
        out[i] = half_to_float(static_cast<uint16_t>(t.int32_data(static_cast<int>(i))));
    }
    return out;
  }

  void add_scales(onnx::GraphProto* g, const std::string& name, std::vector<int64_t> dims,
                  const std::vector<float>& scales, bool half) {
    if (!half) return add_tensor(g, name, onnx::TensorProto::FLOAT, std::move(dims), scales.data(), scales.size() * 4);
    // As ORT's MLAS quantizer for MLFloat16 weights: quantized with the float32 scale, stored rounded to float16.
    std::vector<uint16_t> h(scales.size());
    for (size_t i = 0; i < scales.size(); ++i) h[i] = float_to_half(scales[i]);
    add_tensor(g, name, onnx::TensorProto::FLOAT16, std::move(dims), h.data(), h.size() * 2);
  }

  // node(A float16) → Cast(A, float32) → node → Cast(float16) → the node's output; the Casts are
  // placed around the node when the graph's node list is rebuilt (finish_casts).
  void cast_through_float32(onnx::GraphProto* g, onnx::NodeProto& node) {
    const std::string a = node.input(0), y = node.output(0);
    node.set_input(0, a + "_fp32");
    node.set_output(0, y + "_fp32");
    pending_[g].before[&node] = {a, a + "_fp32"};
    pending_[g].after[&node] = {y + "_fp32", y};
  }

  static onnx::NodeProto make_cast(const std::string& from, const std::string& to, int type) {
    onnx::NodeProto n;
    n.set_op_type("Cast");
    n.set_name(to + "_Cast");
    n.add_input(from);
    n.add_output(to);
    auto* a = n.add_attribute();
    a->set_name("to");
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(type);
    return n;
  }

  // Rebuilds the node lists of graphs with pending Casts (inner graphs first), each Cast to float32
  // right before its first user (once per activation), each Cast back right after its node.
  void finish_casts() {
    for (auto it = graphs_.rbegin(); it != graphs_.rend(); ++it) {
      auto p = pending_.find(it->first);
      if (p == pending_.end()) continue;
      onnx::GraphProto* g = it->first;
      google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
      nodes.Swap(g->mutable_node());
      std::set<std::string> cast;
      for (auto& node : nodes) {
        auto before = p->second.before.find(&node);
        auto after = p->second.after.find(&node);
        if (before != p->second.before.end() && cast.insert(before->second.second).second)
          *g->add_node() = make_cast(before->second.first, before->second.second, onnx::TensorProto::FLOAT);
        std::pair<std::string, std::string> back;
        if (after != p->second.after.end()) back = after->second;
        *g->add_node() = std::move(node);
        if (!back.first.empty()) *g->add_node() = make_cast(back.first, back.second, onnx::TensorProto::FLOAT16);
      }
    }
    pending_.clear();
  }

  // Gather(table [V, H], ids) → com.microsoft GatherBlockQuantized(table_q [V, H/2] uint8, ids,
  // scales [V, H/block] (, zero points)), gather_axis 0, quantize_axis 1, bits 4: each row quantized
  // in blocks along H with the MatMulNBits numerics and packing (uint8 data, default zero point 8).
  void replace_gather(onnx::GraphProto* g, onnx::NodeProto& node, Progress& bar) {
    const std::string table = node.input(0), ids = node.input(1);
    auto [owner, tensor] = find_initializer(g, table);
    const int64_t V = tensor->dims(0), H = tensor->dims(1);
    std::vector<float> values = weight_values(*tensor), transposed(values.size());
    for (int64_t v = 0; v < V; ++v)
      for (int64_t h = 0; h < H; ++h) transposed[h * V + v] = values[v * H + h];
    values.clear();
    values.shrink_to_fit();
    Q4Weights q = quantize_q4(transposed.data(), H, V, o_.block_size, o_.symmetric, o_.threads,
                              "initializer '" + table + "' transposed");
    add_tensor(owner, table + "_Q4G", onnx::TensorProto::UINT8, {V, H / 2}, q.data.data(), q.data.size());
    // GatherBlockQuantized's output has the scales' type: a float16 table keeps float16 scales.
    add_scales(owner, table + "_scales_Q4G", {V, q.k_blocks}, q.scales,
               tensor->data_type() == onnx::TensorProto::FLOAT16);
    if (!o_.symmetric)
      add_tensor(owner, table + "_zero_points_Q4G", onnx::TensorProto::UINT8, {V, (q.k_blocks + 1) / 2}, q.zero_points.data(), q.zero_points.size());
    if (releasable_.count(table)) tensor->clear_raw_data(), tensor->clear_float_data();
    done_[table] = table;
    std::vector<std::string> inputs = {table + "_Q4G", ids, table + "_scales_Q4G"};
    if (!o_.symmetric) inputs.push_back(table + "_zero_points_Q4G");
    become(node, "GatherBlockQuantized", inputs, {{"gather_axis", 0}, {"quantize_axis", 1}, {"block_size", o_.block_size}, {"bits", 4}});
    bar.advance(static_cast<uint64_t>(V * H * 4));
  }

  // 8-bit dynamic quantization (ORT quantize_dynamic's QOperator form): per MatMul
  //   A → DynamicQuantizeLinear (once per activation) → MatMulInteger(A_q, W_q, A_zp, W_zp) → Cast
  //   → Mul by (A_scale * W_scale) → the MatMul's output.
  // The graph's node list is rebuilt so every new node sits right before its first use.
  void replace_dynamic(onnx::GraphProto* g, const std::set<const onnx::NodeProto*>& chosen, Progress& bar) {
    bool any = false;
    for (const auto& n : g->node()) any |= chosen.count(&n) > 0;
    if (!any) return;
    const bool is_signed = signed_weights();
    google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
    nodes.Swap(g->mutable_node());
    std::set<std::string> activations, casts;
    auto add = [&](const std::string& op, const std::string& name, std::vector<std::string> in, std::vector<std::string> out) {
      auto* n = g->add_node();
      n->set_op_type(op);
      n->set_name(name);
      for (auto& i : in) n->add_input(i);
      for (auto& x : out) n->add_output(x);
      return n;
    };
    for (auto& node : nodes) {
      if (!chosen.count(&node)) {
        *g->add_node() = std::move(node);
        continue;
      }
      std::string a = node.input(0);
      const std::string w = node.input(1), final_y = node.output(0);
      const std::string base = node.name().empty() ? final_y : node.name();
      // DynamicQuantizeLinear takes float32 only: a float16 MatMul is quantized between Casts.
      const bool half = find_initializer(g, w).second->data_type() == onnx::TensorProto::FLOAT16;
      const std::string y = half ? final_y + "_fp32" : final_y;
      if (half) {
        if (casts.insert(a).second) *g->add_node() = make_cast(a, a + "_fp32", onnx::TensorProto::FLOAT);
        a += "_fp32";
      }
      if (activations.insert(a).second)
        add("DynamicQuantizeLinear", a + "_QuantizeLinear", {a}, {a + "_quantized", a + "_scale", a + "_zero_point"});
      if (!done_.count(w)) {
        auto [owner, tensor] = find_initializer(g, w);
        int64_t K = tensor->dims(0), N = tensor->dims(1);
        std::vector<float> values = weight_values(*tensor);
        Q8Weights q = quantize_q8(values.data(), values.size(), is_signed, "initializer '" + w + "'");
        int type = is_signed ? onnx::TensorProto::INT8 : onnx::TensorProto::UINT8;
        add_tensor(owner, w + "_quantized", type, {K, N}, q.data.data(), q.data.size());
        add_tensor(owner, w + "_scale", onnx::TensorProto::FLOAT, {}, &q.scale, 4);
        uint8_t zp = is_signed ? static_cast<uint8_t>(static_cast<int8_t>(q.zero_point)) : static_cast<uint8_t>(q.zero_point);
        add_tensor(owner, w + "_zero_point", type, {}, &zp, 1);
        done_[w] = w;
        if (releasable_.count(w)) tensor->clear_raw_data(), tensor->clear_float_data();
        bar.advance(static_cast<uint64_t>(K * N * 4));
      }
      add("MatMulInteger", base + "_quant", {a + "_quantized", w + "_quantized", a + "_zero_point", w + "_zero_point"}, {y + "_output_quantized"});
      auto* cast = add("Cast", base + "_quant_cast", {y + "_output_quantized"}, {y + "_output_quantized_cast_output"});
      auto* to = cast->add_attribute();
      to->set_name("to");
      to->set_type(onnx::AttributeProto::INT);
      to->set_i(onnx::TensorProto::FLOAT);
      add("Mul", base + "_quant_scales_mul", {a + "_scale", w + "_scale"}, {base + "_quant_scales_mul:0"});
      add("Mul", base + "_quant_output_scale_mul", {y + "_output_quantized_cast_output", base + "_quant_scales_mul:0"}, {y});
      if (half) *g->add_node() = make_cast(y, final_y, onnx::TensorProto::FLOAT16);
    }
  }

  // int8 weights for int8; uint8 for uint8; q8 as transformers.js picks: int8 (faster on most CPUs)
  // unless the model has ops onnxruntime-web lacks int8 kernels for (Conv, GroupQueryAttention,
  // MultiHeadAttention), then uint8.
  bool signed_weights() const {
    if (o_.dtype != "q8") return o_.dtype == "int8";
    for (const auto& [g, parent] : graphs_)
      for (const auto& n : g->node())
        if (n.op_type() == "Conv" || n.op_type() == "GroupQueryAttention" || n.op_type() == "MultiHeadAttention") return false;
    return true;
  }

  // Turns `node` into the com.microsoft op `op` with these inputs and integer attributes.
  static void become(onnx::NodeProto& node, const char* op, const std::vector<std::string>& inputs,
                     const std::vector<std::pair<const char*, int64_t>>& attrs) {
    node.clear_input();
    for (const auto& i : inputs) node.add_input(i);
    node.set_op_type(op);
    node.set_domain("com.microsoft");
    node.clear_attribute();
    for (const auto& [name, value] : attrs) {
      auto* a = node.add_attribute();
      a->set_name(name);
      a->set_type(onnx::AttributeProto::INT);
      a->set_i(value);
    }
  }

  void add_tensor(onnx::GraphProto* g, const std::string& name, int type, std::vector<int64_t> dims, const void* data, size_t bytes) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    for (auto d : dims) t->add_dims(d);
    t->set_raw_data(data, bytes);
  }

  // Float weights no node, graph output or subgraph still names are removed.
  void drop_unused_weights() {
    std::set<std::string> used;
    for (auto& [g, parent] : graphs_) {
      for (const auto& n : g->node())
        for (const auto& in : n.input()) used.insert(in);
      for (const auto& out : g->output()) used.insert(out.name());
    }
    for (auto& [g, parent] : graphs_) {
      auto* inits = g->mutable_initializer();
      for (int i = inits->size() - 1; i >= 0; --i)
        if (done_.count(inits->Get(i).name()) && !used.count(inits->Get(i).name())) inits->DeleteSubrange(i, 1);
    }
  }

  onnx::ModelProto& model_;
  fs::path dir_;
  const QuantizeOptions& o_;
  std::vector<std::pair<onnx::GraphProto*, onnx::GraphProto*>> graphs_;
  std::map<onnx::GraphProto*, onnx::GraphProto*> parent_;
  std::map<onnx::GraphProto*, std::map<std::string, int>> initializers_;
  std::map<std::string, std::string> first_user_, done_;
  std::set<std::string> releasable_;
  bool half_target_ = false;
  struct PendingCasts {
    std::map<const onnx::NodeProto*, std::pair<std::string, std::string>> before, after;  // from → to
  };
  std::map<onnx::GraphProto*, PendingCasts> pending_;
};

}  // namespace

RewriteResult rewrite_weights(onnx::ModelProto& model, const fs::path& model_dir, const QuantizeOptions& options,
                              bool float16_target) {
  Rewriter rewriter(model, model_dir, options, float16_target);
  RewriteResult result;
  result.report = rewriter.run();
  result.signed_weights = rewriter.uses_signed_weights();
  return result;
}

}  // namespace modelexport::quantize
