#include "quantize/float16.h"

#include <cmath>
#include <cstring>
#include <map>
#include <vector>

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

// Element types of a node's outputs from its inputs' types, by op (ONNX and the contrib ops
// quantize writes); anything else takes its first input's type.
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

struct Converter {
  const std::set<std::string>& block;
  std::function<void(uint64_t)> progress;
  Float16Report report;
  // Names whose float32 values stay float32 after conversion (outer scopes included).
  std::set<std::string> kept_fp32;

  bool blocked(const onnx::NodeProto& n) const { return block.count(n.op_type()) > 0 || n.domain() == "ai.onnx.ml"; }

  onnx::NodeProto make_cast(const std::string& in, const std::string& out, int to) {
    onnx::NodeProto c;
    c.set_op_type("Cast");
    c.set_name(out + "_Cast" + std::to_string(report.casts_added));
    c.add_input(in);
    c.add_output(out);
    auto* a = c.add_attribute();
    a->set_name("to");
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(to);
    ++report.casts_added;
    return c;
  }

  static void count_uses(const onnx::GraphProto& g, const Converter& self, std::map<std::string, std::pair<int, int>>& uses) {
    for (const auto& n : g.node()) {
      bool b = self.blocked(n);
      for (const auto& in : n.input()) (b ? uses[in].first : uses[in].second)++;
      for (const auto& a : n.attribute()) {
        if (a.has_g()) count_uses(a.g(), self, uses);
        for (const auto& sub : a.graphs()) count_uses(sub, self, uses);
      }
    }
  }

  // types: element types visible in this graph (outer scopes included), before conversion.
  // renamed: outer-scope names converted nodes must read under another name (float16 copies).
  void convert(onnx::GraphProto& g, std::map<std::string, int> types, bool top_level, std::map<std::string, std::string> renamed = {}) {
    for (const auto& i : g.input()) types[i.name()] = i.type().tensor_type().elem_type();
    // Initializers: float16 unless only blocked nodes use them; both kinds of users get a float16 copy.
    std::map<std::string, std::pair<int, int>> uses;  // name → (blocked uses, converted uses)
    count_uses(g, *this, uses);
    std::vector<onnx::TensorProto> copies;
    for (auto& t : *g.mutable_initializer()) {
      types[t.name()] = t.data_type();
      if (t.data_type() != kFloat) continue;
      auto [b, c] = uses[t.name()];
      if (b == 0) {
        tensor_to_half(t, progress);
        ++report.initializers_converted;
      } else {
        kept_fp32.insert(t.name());
        ++report.initializers_kept;
        if (c > 0) {
          onnx::TensorProto copy = t;
          copy.set_name(t.name() + "_fp16");
          tensor_to_half(copy);
          renamed[t.name()] = copy.name();
          copies.push_back(std::move(copy));
        }
      }
    }
    for (auto& c : copies) *g.add_initializer() = std::move(c);

    google::protobuf::RepeatedPtrField<onnx::NodeProto> nodes;
    nodes.Swap(g.mutable_node());
    if (top_level)
      for (auto& i : *g.mutable_input())
        if (i.type().tensor_type().elem_type() == kFloat) {
          *g.add_node() = make_cast(i.name(), i.name() + "_fp16", kHalf);
          renamed[i.name()] = i.name() + "_fp16";
        }
    if (!top_level)
      for (auto& i : *g.mutable_input())
        if (i.type().tensor_type().elem_type() == kFloat) i.mutable_type()->mutable_tensor_type()->set_elem_type(kHalf);

    for (auto& node : nodes) {
      std::vector<int> in_types;
      for (const auto& i : node.input()) in_types.push_back(i.empty() ? kUnknown : (types.count(i) ? types[i] : kUnknown));
      std::vector<int> out_types = output_types(node, in_types);
      for (int k = 0; k < node.output_size(); ++k) types[node.output(k)] = out_types[static_cast<size_t>(k)];
      if (blocked(node)) {
        ++report.blocked_nodes;
        for (int k = 0; k < node.input_size(); ++k) {
          const std::string name = node.input(k);
          if (name.empty() || in_types[static_cast<size_t>(k)] != kFloat || kept_fp32.count(name)) continue;
          std::string source = renamed.count(name) ? renamed[name] : name;
          std::string cast = name + "_to_fp32_" + std::to_string(report.casts_added);
          *g.add_node() = make_cast(source, cast, kFloat);
          node.set_input(k, cast);
        }
        std::vector<onnx::NodeProto> after;
        for (int k = 0; k < node.output_size(); ++k) {
          if (out_types[static_cast<size_t>(k)] != kFloat || node.output(k).empty()) continue;
          std::string y = node.output(k), fp32 = y + "_fp32";
          node.set_output(k, fp32);
          after.push_back(make_cast(fp32, y, kHalf));
        }
        *g.add_node() = std::move(node);
        for (auto& c : after) *g.add_node() = std::move(c);
        continue;
      }
      for (int k = 0; k < node.input_size(); ++k)
        if (renamed.count(node.input(k))) node.set_input(k, renamed[node.input(k)]);
      for (auto& a : *node.mutable_attribute()) {
        if (a.has_t() && a.t().data_type() == kFloat) tensor_to_half(*a.mutable_t());
        if ((a.name() == "dtype" || a.name() == "to") && a.i() == kFloat && node.op_type() != "Cast") a.set_i(kHalf);
        if (a.has_g()) convert(*a.mutable_g(), types, false, renamed);
        for (auto& sub : *a.mutable_graphs()) convert(sub, types, false, renamed);
      }
      *g.add_node() = std::move(node);
    }
    // Outputs: top level keeps float32 through a Cast from the float16 producer; subgraphs turn float16.
    for (auto& o : *g.mutable_output()) {
      if (o.type().tensor_type().elem_type() != kFloat) continue;
      if (!top_level) {
        o.mutable_type()->mutable_tensor_type()->set_elem_type(kHalf);
        continue;
      }
      std::string y = o.name(), half = y + "_fp16_out";
      for (auto& n : *g.mutable_node()) {
        for (int k = 0; k < n.output_size(); ++k)
          if (n.output(k) == y) n.set_output(k, half);
        for (int k = 0; k < n.input_size(); ++k)
          if (n.input(k) == y) n.set_input(k, half);
      }
      *g.add_node() = make_cast(half, y, kFloat);
    }
    // Declared intermediate types are stale now; ONNX Runtime infers them again.
    g.clear_value_info();
  }
};

}  // namespace

const std::set<std::string>& default_fp16_block_list() {
  static const std::set<std::string> ops = {
      "ArrayFeatureExtractor", "Binarizer",     "CastMap",        "CategoryMapper",        "DictVectorizer", "FeatureVectorizer",
      "Imputer",               "LabelEncoder",  "LinearClassifier", "LinearRegressor",     "Normalizer",     "OneHotEncoder",
      "RandomUniformLike",     "SVMClassifier", "SVMRegressor",   "Scaler",                "TreeEnsembleClassifier",
      "TreeEnsembleRegressor", "ZipMap",        "NonMaxSuppression", "TopK",               "RoiAlign",       "Resize",
      "CumSum",                "Min",           "Max",            "Upsample",              "RandomNormalLike", "Cast",
      // Not in transformers.js' list: their inputs must be float32 by the ONNX spec.
      "DynamicQuantizeLinear"};
  return ops;
}

Float16Report convert_to_float16(onnx::ModelProto& model, const std::set<std::string>& block_list,
                                 const std::function<void(uint64_t)>& progress) {
  Converter c{block_list, progress, {}, {}};
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
