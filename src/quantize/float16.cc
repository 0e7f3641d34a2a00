#include "quantize/float16.h"

#include <cmath>
#include <cstring>
#include <map>
#include <vector>

#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include "format/model_proto.h"
#include "modelexport/common/error.h"

namespace modelexport::quantize {

namespace {

constexpr int kFloat = onnx::TensorProto::FLOAT, kHalf = onnx::TensorProto::FLOAT16, kUnknown = 0;

// transformers.js' convert_np_to_float16 clamp.
float clamp_for_half(float x) {
  constexpr float kMinPositive = 1e-7f, kMaxFinite = 1e4f;
  if (x > 0 && x < kMinPositive) return kMinPositive;
  if (x < 0 && x > -kMinPositive) return -kMinPositive;
  if (x > kMaxFinite && std::isfinite(x)) return kMaxFinite;
  if (x < -kMaxFinite && std::isfinite(x)) return -kMaxFinite;
  return x;
}

void tensor_to_half(onnx::TensorProto& t, const std::function<void(uint64_t)>& progress = {}) {
  if (t.data_type() != kFloat) return;
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    throw FormatError("tensor '" + t.name() + "' keeps its data outside the model; fp16 conversion needs it inline");
  std::vector<float> v = format::float_values(t, {});  // inline data only: external data was refused above
  std::string raw(v.size() * 2, '\0');
  for (size_t i = 0; i < v.size(); ++i) {
    uint16_t h = float_to_half(clamp_for_half(v[i]));
    std::memcpy(&raw[i * 2], &h, 2);
  }
  t.clear_float_data();
  t.set_raw_data(raw);
  t.set_data_type(kHalf);
  if (progress) progress(v.size() * 4);
}

int attr_int(const onnx::NodeProto& n, const char* name, int fallback) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return static_cast<int>(a.i());
  return fallback;
}

// Element types of a node's outputs from its inputs' types, by op, for what ONNX's type inference
// left unknown (the contrib ops quantize writes, e.g. MatMulNBits; anything else takes its first
// input's type).
std::vector<int> output_types(const onnx::NodeProto& n, const std::vector<int>& in) {
  const std::string& op = n.op_type();
  auto first = in.empty() ? kUnknown : in[0];
  std::vector<int> out(static_cast<size_t>(n.output_size()), first);
  auto all = [&](int t) { std::fill(out.begin(), out.end(), t); };
  if (op == "Cast") all(attr_int(n, "to", kUnknown));
  else if (op == "Shape" || op == "Size" || op == "ArgMax" || op == "ArgMin" || op == "NonZero") all(onnx::TensorProto::INT64);
  else if (op == "Equal" || op == "Less" || op == "Greater" || op == "LessOrEqual" || op == "GreaterOrEqual" || op == "And" ||
           op == "Or" || op == "Xor" || op == "Not" || op == "IsNaN" || op == "IsInf")
    all(onnx::TensorProto::BOOL);
  else if (op == "ConstantOfShape") {
    int t = kFloat;
    for (const auto& a : n.attribute())
      if (a.name() == "value") t = a.t().data_type();
    all(t);
  } else if (op == "Constant") {
    int t = kUnknown;
    for (const auto& a : n.attribute()) {
      if (a.name() == "value") t = a.t().data_type();
      if (a.name() == "value_float" || a.name() == "value_floats") t = kFloat;
      if (a.name() == "value_int" || a.name() == "value_ints") t = onnx::TensorProto::INT64;
    }
    all(t);
  } else if (op == "RandomNormal" || op == "RandomUniform") all(attr_int(n, "dtype", kFloat));
  else if (op == "RandomNormalLike" || op == "RandomUniformLike" || op == "EyeLike") all(attr_int(n, "dtype", first));
  else if (op == "DynamicQuantizeLinear") out = {onnx::TensorProto::UINT8, kFloat, onnx::TensorProto::UINT8};
  else if (op == "MatMulInteger" || op == "ConvInteger") all(onnx::TensorProto::INT32);
  else if (op == "QuantizeLinear") all(in.size() > 2 ? in[2] : onnx::TensorProto::UINT8);
  else if (op == "DequantizeLinear") all(in.size() > 1 ? in[1] : kFloat);
  else if (op == "Where") all(in.size() > 1 ? in[1] : kUnknown);
  else if (op == "OneHot") all(in.size() > 2 ? in[2] : kUnknown);
  else if (op == "TopK" && out.size() == 2) out[1] = onnx::TensorProto::INT64;
  else if ((op == "LayerNormalization" || op == "SkipLayerNormalization" || op == "SimplifiedLayerNormalization") && out.size() > 1)
    for (size_t i = 1; i < out.size(); ++i) out[i] = kFloat;
  else if (op == "GatherBlockQuantized") all(in.size() > 2 ? in[2] : kUnknown);
  return out;
}

// A value's element type, and whether it is a plain tensor (sequences, optionals and maps are not:
// Cast cannot convert them, so float values inside them stay float32 and so do their ops).
struct ValueType {
  int elem = kUnknown;
  bool tensor = true;
  bool is_float_tensor() const { return tensor && elem == kFloat; }
  bool holds_float() const { return elem == kFloat; }
};

ValueType type_of(const onnx::TypeProto& t) {
  if (t.has_tensor_type()) return {t.tensor_type().elem_type(), true};
  if (t.has_sequence_type()) return {type_of(t.sequence_type().elem_type()).elem, false};
  if (t.has_optional_type()) return {type_of(t.optional_type().elem_type()).elem, false};
  if (t.has_map_type()) return {type_of(t.map_type().value_type()).elem, false};
  if (t.has_sparse_tensor_type()) return {t.sparse_tensor_type().elem_type(), false};
  return {};
}

// Whether an op of the default domain may compute in float16 at the model's opset, decided by ONNX's
// operator schemas (libonnx 1.12's registry: each op version's formal inputs/outputs and type
// constraints): every type constraint that binds a float32 value must allow tensor(float16), no
// float32 value may sit in a parameter fixed to tensor(float), and an op defined by a function body
// (which ONNX Runtime expands when it has no float16 kernel) must type-check with float16 inputs.
class SchemaRules {
 public:
  explicit SchemaRules(int opset) : opset_(opset) {}

  // Empty when the node may run in float16, else why not. fp32_outputs (one per output) marks the
  // float32 outputs that stay float32 when the node runs in float16: their type constraint has no
  // float16 and binds no input (LayerNormalization's Mean/InvStdDev, U = stash type), or their type
  // is fixed to tensor(float).
  std::string why_not_half(const onnx::NodeProto& n, const std::vector<ValueType>& in,
                           const std::vector<ValueType>& out, std::vector<char>& fp32_outputs) {
    fp32_outputs.assign(out.size(), 0);
    const onnx::OpSchema* s = onnx::OpSchemaRegistry::Schema(n.op_type(), opset_, "");
    if (!s) return n.op_type() + " has no ONNX schema at opset " + std::to_string(opset_);
    std::string why = check_params(*s, s->inputs(), in, "input", nullptr);
    if (why.empty()) why = check_params(*s, s->outputs(), out, "output", &fp32_outputs);
    if (why.empty() && (s->HasFunction() || s->HasContextDependentFunction()) && !function_body_accepts_half(*s, n, in))
      why = n.op_type() + "-" + std::to_string(s->SinceVersion()) + "'s function body does not type-check in float16";
    return why;
  }

 private:
  // outputs_kept: null for inputs; for outputs, where the outputs that may stay float32 are marked.
  static std::string check_params(const onnx::OpSchema& s, const std::vector<onnx::OpSchema::FormalParameter>& formal,
                                  const std::vector<ValueType>& actual, const char* kind,
                                  std::vector<char>* outputs_kept) {
    for (size_t k = 0; k < actual.size(); ++k) {
      if (!actual[k].is_float_tensor() || formal.empty()) continue;
      const auto& f = k < formal.size() ? formal[k] : formal.back();
      if (k >= formal.size() && f.GetOption() != onnx::OpSchema::Variadic) continue;
      const std::string& ts = f.GetTypeStr();
      bool allowed = ts == "tensor(float16)";
      bool constraint = false;
      for (const auto& c : s.typeConstraintParams())
        if (c.type_param_str == ts) {
          constraint = true;
          for (const auto& t : c.allowed_type_strs) allowed |= t == "tensor(float16)";
        }
      if (allowed) continue;
      if (outputs_kept) {
        bool bound_by_input = false;
        for (const auto& i : s.inputs()) bound_by_input |= constraint && i.GetTypeStr() == ts;
        if (!bound_by_input) {
          (*outputs_kept)[k] = 1;
          continue;
        }
      }
      return s.Name() + "-" + std::to_string(s.SinceVersion()) + " has no float16 for " + kind + " '" + f.GetName() +
             "' (" + (constraint ? "type constraint " + ts : "fixed type " + ts) + ")";
    }
    return "";
  }

  // The op's function body (static, or built for this node) as a graph with float16 in place of its
  // float32 inputs, through ONNX's type inference with type checks on.
  bool function_body_accepts_half(const onnx::OpSchema& s, const onnx::NodeProto& n, const std::vector<ValueType>& in) {
    std::string key = s.Name() + "/" + std::to_string(s.SinceVersion()) + "/";
    for (const auto& t : in) key += std::to_string(t.elem) + (t.tensor ? "t" : "s") + ",";
    if (s.HasContextDependentFunction())  // the body depends on the attributes (and types), not on names
      for (const auto& a : n.attribute()) key += a.SerializeAsString();
    auto cached = cache_.find(key);
    if (cached != cache_.end()) return cached->second;
    std::vector<onnx::TypeProto> types;
    for (const auto& t : in) {
      onnx::TypeProto tp;
      if (t.tensor && t.elem != kUnknown) tp.mutable_tensor_type()->set_elem_type(t.elem == kFloat ? kHalf : t.elem);
      types.push_back(tp);
    }
    onnx::FunctionProto body;
    bool ok = true;
    try {
      if (s.HasFunction()) body = *s.GetFunction();
      else if (!s.BuildContextDependentFunction(onnx::FunctionBodyBuildContextImpl(n, types), body))
        return cache_[key] = true;
      onnx::ModelProto m;
      m.set_ir_version(8);
      for (const auto& o : body.opset_import()) *m.add_opset_import() = o;
      if (body.opset_import_size() == 0) {
        auto* o = m.add_opset_import();
        o->set_domain("");
        o->set_version(opset_);
      }
      auto* g = m.mutable_graph();
      g->set_name(s.Name());
      for (int k = 0; k < body.input_size() && k < n.input_size(); ++k) {
        if (n.input(k).empty() || types[static_cast<size_t>(k)].value_case() == onnx::TypeProto::VALUE_NOT_SET)
          continue;
        auto* vi = g->add_input();
        vi->set_name(body.input(k));
        *vi->mutable_type() = types[static_cast<size_t>(k)];
      }
      for (const auto& bn : body.node()) *g->add_node() = with_attributes_resolved(bn, n, s);
      for (const auto& o : body.output()) g->add_output()->set_name(o);
      onnx::shape_inference::InferShapes(m, onnx::OpSchemaRegistry::Instance(),
                                         onnx::ShapeInferenceOptions(true, 1, false));
    } catch (const std::exception&) {  // a type error: the body does not accept float16
      ok = false;
    }
    return cache_[key] = ok;
  }

  // A function body node with its attribute references (ref_attr_name) replaced by the calling
  // node's attributes, or the schema's defaults.
  static onnx::NodeProto with_attributes_resolved(const onnx::NodeProto& body_node, const onnx::NodeProto& caller,
                                                  const onnx::OpSchema& s) {
    onnx::NodeProto out = body_node;
    out.clear_attribute();
    for (const auto& a : body_node.attribute()) {
      if (a.ref_attr_name().empty()) {
        *out.add_attribute() = a;
        continue;
      }
      const onnx::AttributeProto* found = nullptr;
      for (const auto& ca : caller.attribute())
        if (ca.name() == a.ref_attr_name()) found = &ca;
      auto def = s.attributes().find(a.ref_attr_name());
      if (!found && def != s.attributes().end() && def->second.default_value.type() != onnx::AttributeProto::UNDEFINED)
        found = &def->second.default_value;
      if (!found) continue;
      auto* added = out.add_attribute();
      *added = *found;
      added->set_name(a.name());
    }
    return out;
  }

  int opset_;
  std::map<std::string, bool> cache_;
};

// What ONNX Runtime's CPU kernels refuse at run time although the schema allows float16 and the
// model loads (onnxruntime 1.30, core/providers/cpu/tensor/scatter*.cc: "MLFloat16 data type is not
// supported with ScatterND opset 16 when reduction is 'add'"): Scatter with a reduction.
std::string onnxruntime_refuses_half(const onnx::NodeProto& n) {
  if (n.op_type() != "ScatterND" && n.op_type() != "ScatterElements") return "";
  for (const auto& a : n.attribute())
    if (a.name() == "reduction" && a.s() != "none")
      return n.op_type() + " with reduction '" + a.s() + "' has no float16 kernel in ONNX Runtime";
  return "";
}

// Per graph: each value's type before conversion, whether a float32 value's name now holds float16,
// and the other precision's copy where one was made (outer scopes included; a copy made inside a
// subgraph is not visible outside it).
struct Scope {
  std::map<std::string, ValueType> types;
  std::map<std::string, bool> is_half;
  std::map<std::string, std::string> half_copy, fp32_copy;
};

// Names a graph reads but does not define (outer-scope references), its subgraphs included.
void outer_references(const onnx::GraphProto& g, std::set<std::string>& out) {
  std::set<std::string> defined;
  for (const auto& i : g.input()) defined.insert(i.name());
  for (const auto& t : g.initializer()) defined.insert(t.name());
  for (const auto& n : g.node())
    for (const auto& y : n.output()) defined.insert(y);
  std::set<std::string> used;
  for (const auto& n : g.node()) {
    for (const auto& x : n.input()) used.insert(x);
    for (const auto& a : n.attribute()) {
      if (a.has_g()) outer_references(a.g(), used);
      for (const auto& sub : a.graphs()) outer_references(sub, used);
    }
  }
  for (const auto& o : g.output()) used.insert(o.name());
  for (const auto& u : used)
    if (!u.empty() && !defined.count(u)) out.insert(u);
}

// Renames reads of `from` (node inputs, subgraph references and graph outputs of subgraphs).
void rename_reads(onnx::GraphProto& g, const std::string& from, const std::string& to, bool outputs_too) {
  for (auto& n : *g.mutable_node()) {
    for (int k = 0; k < n.input_size(); ++k)
      if (n.input(k) == from) n.set_input(k, to);
    for (auto& a : *n.mutable_attribute()) {
      if (a.has_g()) rename_reads(*a.mutable_g(), from, to, true);
      for (auto& sub : *a.mutable_graphs()) rename_reads(sub, from, to, true);
    }
  }
  if (outputs_too)
    for (auto& o : *g.mutable_output())
      if (o.name() == from) o.set_name(to);
}

void collect_names(const onnx::GraphProto& g, std::set<std::string>& names) {
  for (const auto& i : g.input()) names.insert(i.name());
  for (const auto& t : g.initializer()) names.insert(t.name());
  for (const auto& n : g.node()) {
    for (const auto& y : n.output()) names.insert(y);
    names.insert(n.name());
    for (const auto& a : n.attribute()) {
      if (a.has_g()) collect_names(a.g(), names);
      for (const auto& sub : a.graphs()) collect_names(sub, names);
    }
  }
}

struct Converter {
  const std::set<std::string>& block;
  std::function<void(uint64_t)> progress;
  int opset;
  SchemaRules rules;
  Float16Report report;
  std::set<std::string> names;  // every name in the model, so new ones are unique

  std::string unique(const std::string& base) {
    std::string name = base;
    for (int k = 1; names.count(name); ++k) name = base + "_" + std::to_string(k);
    names.insert(name);
    return name;
  }

  // Cast-6 and later (`to` an int); convert_to_float16 refuses older opsets.
  onnx::NodeProto make_cast(const std::string& in, const std::string& out, int to) {
    onnx::NodeProto c;
    c.set_op_type("Cast");
    c.set_name(unique(out + "_Cast"));
    c.add_input(in);
    c.add_output(out);
    auto* a = c.add_attribute();
    a->set_name("to");
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(to);
    ++report.casts_added;
    return c;
  }

  // The name holding float32 value v in the wanted precision; a Cast is added to g when needed.
  std::string in_precision(onnx::GraphProto& g, Scope& sc, const std::string& v, bool half) {
    if (sc.is_half[v] == half) return v;
    auto& copies = half ? sc.half_copy : sc.fp32_copy;
    auto it = copies.find(v);
    if (it != copies.end()) return it->second;
    std::string name = unique(v + (half ? "_fp16" : "_fp32"));
    *g.add_node() = make_cast(v, name, half ? kHalf : kFloat);
    return copies[v] = name;
  }

  bool listed(const onnx::NodeProto& n) const { return block.count(n.op_type()) > 0 || n.domain() == "ai.onnx.ml"; }

  // Whether the node stays float32: transformers.js' block list (fidelity), ops whose schema has no
  // float16 at this opset, and ops over sequences/optionals of float (Cast cannot reach inside them).
  // fp32_outputs: see SchemaRules::why_not_half.
  bool stays_fp32(const onnx::NodeProto& n, const std::vector<ValueType>& in, const std::vector<ValueType>& out,
                  std::vector<char>& fp32_outputs) {
    fp32_outputs.assign(out.size(), 0);
    bool any_float = false, float_container = false;
    for (const auto* side : {&in, &out})
      for (const auto& t : *side) any_float |= t.holds_float(), float_container |= t.holds_float() && !t.tensor;
    if (!any_float) return false;  // nothing to convert either way
    if (listed(n) || float_container) return true;
    if (n.domain().empty() || n.domain() == "ai.onnx") {
      std::string why = rules.why_not_half(n, in, out, fp32_outputs);
      if (why.empty()) why = onnxruntime_refuses_half(n);
      if (!why.empty()) {
        ++report.kept_by_schema[why];
        return true;
      }
    }
    return false;
  }

  void convert_attributes(onnx::NodeProto& node) {
    bool has_value = false;
    for (auto& a : *node.mutable_attribute()) {
      has_value |= a.name() == "value";
      if (a.has_t() && a.t().data_type() == kFloat) tensor_to_half(*a.mutable_t());
      if (a.type() == onnx::AttributeProto::INT &&
          (a.name() == "dtype" || a.name() == "to" || a.name() == "output_datatype") && a.i() == kFloat)
        a.set_i(kHalf);
      // Constant's value_float / value_floats (opset 12+) become a float16 `value` tensor.
      if (node.op_type() == "Constant" && (a.name() == "value_float" || a.name() == "value_floats")) {
        onnx::TensorProto t;
        if (a.name() == "value_float") t.add_float_data(a.f());
        else {
          t.add_dims(a.floats_size());
          for (float f : a.floats()) t.add_float_data(f);
        }
        t.set_data_type(kFloat);
        tensor_to_half(t);
        a.Clear();
        a.set_name("value");
        a.set_type(onnx::AttributeProto::TENSOR);
        *a.mutable_t() = std::move(t);
      }
    }
    // ConstantOfShape without `value` makes float32 zeros.
    if (node.op_type() == "ConstantOfShape" && !has_value) {
      auto* a = node.add_attribute();
      a->set_name("value");
      a->set_type(onnx::AttributeProto::TENSOR);
      a->mutable_t()->set_data_type(kHalf);
      a->mutable_t()->add_dims(1);
      a->mutable_t()->set_raw_data(std::string(2, '\0'));
    }
  }

  // top_level: graph inputs/outputs keep float32; else (a converted node's subgraph) its float32
  // inputs/outputs become float16.
  void convert(onnx::GraphProto& g, Scope sc, bool top_level) {
    for (const auto& vi : g.value_info()) sc.types[vi.name()] = type_of(vi.type());
    for (const auto& vi : g.output()) sc.types[vi.name()] = type_of(vi.type());
    std::set<std::string> initializer_names;
    for (const auto& t : g.initializer()) {
      sc.types[t.name()] = {t.data_type(), true};
      initializer_names.insert(t.name());
    }
    for (auto& i : *g.mutable_input()) {
      sc.types[i.name()] = type_of(i.type());
      if (initializer_names.count(i.name())) continue;
      if (sc.types[i.name()].is_float_tensor()) {
        sc.is_half[i.name()] = !top_level;
        if (!top_level) i.mutable_type()->mutable_tensor_type()->set_elem_type(kHalf);
      }
    }
    // Types of every node's values (ONNX's inference, else the fallback rules), and which nodes stay float32.
    std::vector<char> fp32_node(static_cast<size_t>(g.node_size()), 0);
    std::vector<std::vector<ValueType>> in_types(fp32_node.size()), out_types(fp32_node.size());
    std::vector<std::vector<char>> kept_outputs(fp32_node.size());  // float32 outputs of float16 nodes
    for (int i = 0; i < g.node_size(); ++i) {
      const auto& node = g.node(i);
      auto& in = in_types[static_cast<size_t>(i)];
      auto& out = out_types[static_cast<size_t>(i)];
      std::vector<int> in_elems;
      for (const auto& x : node.input()) {
        in.push_back(x.empty() || !sc.types.count(x) ? ValueType{} : sc.types[x]);
        in_elems.push_back(in.back().elem);
      }
      std::vector<int> guessed = output_types(node, in_elems);
      for (int k = 0; k < node.output_size(); ++k) {
        const std::string& y = node.output(k);
        auto it = sc.types.find(y);
        if (it == sc.types.end() || it->second.elem == kUnknown) sc.types[y] = {guessed[static_cast<size_t>(k)], true};
        out.push_back(sc.types[y]);
      }
      fp32_node[static_cast<size_t>(i)] = stays_fp32(node, in, out, kept_outputs[static_cast<size_t>(i)]);
    }
    // Initializers: float16 unless only float32 nodes read them; read by both, a float16 copy is added.
    std::map<std::string, std::pair<int, int>> uses;  // name → (float32 readers, float16 readers)
    for (int i = 0; i < g.node_size(); ++i) {
      std::set<std::string> reads(g.node(i).input().begin(), g.node(i).input().end());
      for (const auto& a : g.node(i).attribute()) {
        if (a.has_g()) outer_references(a.g(), reads);
        for (const auto& sub : a.graphs()) outer_references(sub, reads);
      }
      for (const auto& x : reads) (fp32_node[static_cast<size_t>(i)] ? uses[x].first : uses[x].second)++;
    }
    std::vector<onnx::TensorProto> copies;
    for (auto& t : *g.mutable_initializer()) {
      if (t.data_type() != kFloat) continue;
      auto [b, c] = uses[t.name()];
      if (b == 0) {
        tensor_to_half(t, progress);
        sc.is_half[t.name()] = true;
        ++report.initializers_converted;
      } else {
        sc.is_half[t.name()] = false;
        ++report.initializers_kept;
        if (c > 0) {
          onnx::TensorProto copy = t;
          copy.set_name(unique(t.name() + "_fp16"));
          tensor_to_half(copy);
          sc.half_copy[t.name()] = copy.name();
          copies.push_back(std::move(copy));
        }
      }
    }
    for (auto& c : copies) *g.add_initializer() = std::move(c);
    // An initializer also listed as a graph input (IR < 4 models) is declared with its new type.
    for (auto& i : *g.mutable_input())
      if (initializer_names.count(i.name()) && sc.is_half[i.name()] && sc.types[i.name()].is_float_tensor())
        i.mutable_type()->mutable_tensor_type()->set_elem_type(kHalf);

    google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
    nodes.Swap(g.mutable_node());
    for (int i = 0; i < nodes.size(); ++i) {
      auto& node = nodes[i];
      const auto& in = in_types[static_cast<size_t>(i)];
      const auto& out = out_types[static_cast<size_t>(i)];
      bool fp32 = fp32_node[static_cast<size_t>(i)];
      if (fp32) ++report.blocked_nodes;
      for (int k = 0; k < node.input_size(); ++k)
        if (!node.input(k).empty() && in[static_cast<size_t>(k)].is_float_tensor())
          node.set_input(k, in_precision(g, sc, node.input(k), !fp32));
      for (auto& a : *node.mutable_attribute()) {
        std::vector<onnx::GraphProto*> subs;
        if (a.has_g()) subs.push_back(a.mutable_g());
        for (auto& sub : *a.mutable_graphs()) subs.push_back(&sub);
        for (auto* sub : subs) {
          if (!fp32) {
            convert(*sub, sc, false);
            continue;
          }
          // A float32 node's subgraph stays float32 and reads float32 copies of outer values.
          std::set<std::string> reads;
          outer_references(*sub, reads);
          for (const auto& x : reads)
            if (sc.types.count(x) && sc.types[x].is_float_tensor() && sc.is_half[x])
              rename_reads(*sub, x, in_precision(g, sc, x, false), true);
        }
      }
      if (!fp32) convert_attributes(node);
      for (int k = 0; k < node.output_size(); ++k)
        if (out[static_cast<size_t>(k)].is_float_tensor())
          sc.is_half[node.output(k)] = !fp32 && !kept_outputs[static_cast<size_t>(i)][static_cast<size_t>(k)];
      *g.add_node() = std::move(node);
    }
    // Outputs: the top level keeps float32 (a Cast from the float16 value); subgraphs return float16.
    for (auto& o : *g.mutable_output()) {
      if (!sc.types[o.name()].is_float_tensor()) continue;
      if (!top_level) {
        o.mutable_type()->mutable_tensor_type()->set_elem_type(kHalf);
        if (!sc.is_half[o.name()]) o.set_name(in_precision(g, sc, o.name(), true));
        continue;
      }
      if (!sc.is_half[o.name()]) continue;  // a float32 value already
      std::string y = o.name(), half = unique(y + "_fp16_out");
      for (auto& n : *g.mutable_node())
        for (int k = 0; k < n.output_size(); ++k)
          if (n.output(k) == y) n.set_output(k, half);
      for (auto& t : *g.mutable_initializer())
        if (t.name() == y) t.set_name(half);
      rename_reads(g, y, half, false);
      *g.add_node() = make_cast(half, y, kFloat);
    }
    // Declared intermediate types are stale now; ONNX Runtime infers them again.
    g.clear_value_info();
  }
};

}  // namespace

const std::set<std::string>& default_fp16_block_list() {
  static const std::set<std::string> ops = {
      "ArrayFeatureExtractor", "Binarizer", "CastMap", "CategoryMapper", "DictVectorizer", "FeatureVectorizer",
      "Imputer", "LabelEncoder", "LinearClassifier", "LinearRegressor", "Normalizer", "OneHotEncoder",
      "RandomUniformLike", "SVMClassifier", "SVMRegressor", "Scaler", "TreeEnsembleClassifier", "TreeEnsembleRegressor",
      "ZipMap", "NonMaxSuppression", "TopK", "RoiAlign", "Resize", "CumSum", "Min", "Max", "Upsample",
      "RandomNormalLike", "Cast",
      // Not in transformers.js' list: DynamicQuantizeLinear's input must be float32 (ONNX spec);
      // CastLike is Cast's opset-15 form (float → string must format the float32 value, not its
      // float16 rounding).
      "DynamicQuantizeLinear", "CastLike"};
  return ops;
}

Float16Report convert_to_float16(onnx::ModelProto& model, const std::set<std::string>& block_list,
                                 const std::function<void(uint64_t)>& progress) {
  int opset = 1;  // a model without a default-domain import (none in practice) is read as opset 1
  for (const auto& o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") opset = static_cast<int>(o.version());
  // Before opset 6 Cast takes `to` as a string, and ONNX Runtime (1.30) has no Cast kernel for it:
  // the Casts its CPU provider inserts around float16 values (InsertCastTransformer) are written
  // with an int `to` and fail the model's own checks, so no float16 value can run at all.
  if (opset < 6)
    throw UsageError("the model uses opset " + std::to_string(opset) +
                     "; float16 needs opset 6 or later (ONNX Runtime has no Cast before opset 6, and float16 values "
                     "need Casts); nothing written");
  // Element types of every intermediate value (value_info), from ONNX's own inference; values it
  // cannot type (contrib ops, inference errors) fall back to output_types.
  try {
    onnx::shape_inference::InferShapes(model);
  } catch (const std::exception&) {}
  Converter c{block_list, progress, opset, SchemaRules(opset), {}, {}};
  collect_names(model.graph(), c.names);
  c.convert(*model.mutable_graph(), {}, true);
  return c.report;
}

uint16_t float_to_half(float x) {
  uint32_t f;
  std::memcpy(&f, &x, 4);
  uint32_t sign = (f >> 16) & 0x8000u, abs = f & 0x7FFFFFFFu;
  if (abs >= 0x7F800000u) return static_cast<uint16_t>(sign | 0x7C00u | (abs > 0x7F800000u ? 0x200u : 0u));  // inf, nan
  if (abs >= 0x477FF000u) return static_cast<uint16_t>(sign | 0x7C00u);  // rounds past 65504: inf
  if (abs < 0x38800000u) {  // half subnormal (or zero): value / 2^-24, rounded to nearest even
    if (abs < 0x33000000u) return static_cast<uint16_t>(sign);  // below half the smallest subnormal
    uint32_t mant = (abs & 0x7FFFFFu) | 0x800000u;
    int shift = 126 - static_cast<int>(abs >> 23);  // 14 + (127 - 23) - exponent ... bits to drop
    uint32_t half = mant >> shift, rest = mant & ((1u << shift) - 1), mid = 1u << (shift - 1);
    if (rest > mid || (rest == mid && (half & 1u))) ++half;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t h = ((abs >> 13) - (112u << 10));  // rebias exponent 127 → 15
  uint32_t rest = abs & 0x1FFFu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) ++h;
  return static_cast<uint16_t>(sign | h);
}

float half_to_float(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1Fu, mant = h & 0x3FFu, f;
  if (exp == 0) {
    if (mant == 0) f = sign;
    else {
      float v = std::ldexp(static_cast<float>(mant), -24);
      std::memcpy(&f, &v, 4);
      f |= sign;
    }
  } else if (exp == 31) {
    f = sign | 0x7F800000u | (mant << 13);
  } else {
    f = sign | ((exp + 112u) << 23) | (mant << 13);
  }
  float out;
  std::memcpy(&out, &f, 4);
  return out;
}

}  // namespace modelexport::quantize
