#include "runtime/sample_inputs.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cctype>
#include <functional>
#include <limits>
#include <optional>
#include <random>
#include <set>

#include "common/json_util.h"
#include "format/model_proto.h"
#include "modelexport/common/error.h"
#include "modelexport/metadata/model_files.h"
#include "modelexport/runtime/auto_processor.h"

namespace modelexport::runtime {

namespace {

constexpr int64_t kBatch = 1, kSequence = 8, kPast = 4, kImage = 224, kSmallInt = 8, kDefaultIds = 100;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
bool has(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

// Upper bounds (exclusive) of the graph inputs that index a table, from the ops they feed.
std::map<std::string, int64_t> index_bounds(const onnx::ModelProto& model) {
  std::map<std::string, std::vector<int64_t>> dims;  // initializer / value dims (static only)
  std::map<std::string, std::vector<std::pair<const onnx::NodeProto*, int>>> consumers;
  std::function<void(const onnx::GraphProto&)> scan = [&](const onnx::GraphProto& g) {
    for (const auto& t : g.initializer()) dims[t.name()] = {t.dims().begin(), t.dims().end()};
    auto value_dims = [&](const onnx::ValueInfoProto& v) {
      if (dims.count(v.name()) || !v.type().has_tensor_type() || !v.type().tensor_type().has_shape()) return;
      std::vector<int64_t> d;
      for (const auto& x : v.type().tensor_type().shape().dim()) d.push_back(x.has_dim_value() ? x.dim_value() : -1);
      dims[v.name()] = d;
    };
    for (const auto& v : g.input()) value_dims(v);
    for (const auto& v : g.value_info()) value_dims(v);
    for (const auto& n : g.node()) {
      for (int i = 0; i < n.input_size(); ++i) consumers[n.input(i)].emplace_back(&n, i);
      for (const auto& a : n.attribute()) {
        if (a.has_g()) scan(a.g());
        for (const auto& sub : a.graphs()) scan(sub);
      }
    }
  };
  scan(model.graph());
  auto dim_of = [&](const std::string& name, int64_t axis) -> int64_t {
    auto it = dims.find(name);
    if (it == dims.end()) return -1;
    const auto& d = it->second;
    if (axis < 0) axis += static_cast<int64_t>(d.size());
    return axis >= 0 && axis < static_cast<int64_t>(d.size()) ? d[axis] : -1;
  };
  auto int_attr = [](const onnx::NodeProto& n, const char* name, int64_t fallback) {
    for (const auto& a : n.attribute())
      if (a.name() == name) return a.i();
    return fallback;
  };
  static const std::set<std::string> pass_through = {"Cast",    "Reshape",  "Unsqueeze", "Squeeze",
                                                     "Flatten", "Identity", "Expand"};
  std::map<std::string, int64_t> out;
  for (const auto& input : model.graph().input()) {
    int64_t bound = std::numeric_limits<int64_t>::max();
    std::vector<std::string> values = {input.name()};
    std::set<std::string> seen;
    while (!values.empty()) {
      std::string v = values.back();
      values.pop_back();
      if (!seen.insert(v).second) continue;
      for (const auto& [n, slot] : consumers[v]) {
        const std::string& op = n->op_type();
        int64_t b = -1;
        if (pass_through.count(op) && slot == 0) {
          for (const auto& y : n->output()) values.push_back(y);
        } else if ((op == "Gather" || op == "GatherElements") && slot == 1) {
          b = dim_of(n->input(0), int_attr(*n, "axis", 0));
        } else if (op == "GatherBlockQuantized" && slot == 1) {
          b = dim_of(n->input(0), int_attr(*n, "gather_axis", 0));
        } else if (op == "EmbedLayerNormalization") {
          // inputs: input_ids, segment_ids, word_embedding, position_embedding, segment_embedding,
          // gamma, beta, mask, position_ids (com.microsoft contrib op schema).
          int table = slot == 0 ? 2 : slot == 1 ? 4 : slot == 8 ? 3 : -1;
          if (table >= 0 && table < n->input_size()) b = dim_of(n->input(table), 0);
        }
        if (b > 0) bound = std::min(bound, b);
      }
    }
    if (bound != std::numeric_limits<int64_t>::max()) out[input.name()] = bound;
  }
  return out;
}

// Image height and width from preprocessor_config.json, as image processors read it: crop_size when
// center-cropping, else size ({height, width} or shortest_edge), else image_size.
std::optional<std::pair<int64_t, int64_t>> processor_image_size(const metadata::ModelFiles& files) {
  const std::string* text = files.get("preprocessor_config.json");
  if (!text) return std::nullopt;
  Json c = Json::parse(*text, nullptr, false);
  if (!c.is_object()) return std::nullopt;
  auto read = [](const Json& v) -> std::optional<std::pair<int64_t, int64_t>> {
    if (v.is_number_integer()) return std::make_pair(v.get<int64_t>(), v.get<int64_t>());
    if (!v.is_object()) return std::nullopt;
    if (v.contains("height") && v.contains("width") && v["height"].is_number_integer() &&
        v["width"].is_number_integer())
      return std::make_pair(v["height"].get<int64_t>(), v["width"].get<int64_t>());
    if (v.contains("shortest_edge") && v["shortest_edge"].is_number_integer())
      return std::make_pair(v["shortest_edge"].get<int64_t>(), v["shortest_edge"].get<int64_t>());
    return std::nullopt;
  };
  if (c.value("do_center_crop", false) && c.contains("crop_size"))
    if (auto s = read(c["crop_size"])) return s;
  if (c.contains("size"))
    if (auto s = read(c["size"])) return s;
  if (c.contains("image_size"))
    if (auto s = read(c["image_size"])) return s;
  return std::nullopt;
}

std::optional<int64_t> config_vocab_size(const metadata::ModelFiles& files) {
  const std::string* text = files.get("config.json");
  if (!text) return std::nullopt;
  Json c = Json::parse(*text, nullptr, false);
  if (!c.is_object()) return std::nullopt;
  for (const Json* scope : {&c, c.contains("text_config") ? &c["text_config"] : nullptr})
    if (scope && scope->is_object() && scope->contains("vocab_size") && (*scope)["vocab_size"].is_number_integer())
      return (*scope)["vocab_size"].get<int64_t>();
  return std::nullopt;
}

bool is_image(const TensorDesc& d) {
  std::string n = lower(d.name);
  return d.shape.size() == 4 && (has(n, "pixel") || has(n, "image") || d.shape[1] == 3 || d.shape[1] == 1);
}

}  // namespace

SampleInputs synthetic_inputs(const std::filesystem::path& model_path, const std::vector<TensorDesc>& descs) {
  SampleInputs result;
  static const std::set<std::string> floats = {"float32", "float16", "float64", "bfloat16"};
  static const std::set<std::string> ints = {"int8",   "uint8", "int16",  "uint16", "int32",
                                             "uint32", "int64", "uint64", "bool"};
  for (const auto& d : descs)
    if (!floats.count(d.elem_type) && !ints.count(d.elem_type) && d.elem_type != "string") {
      result.unfit = "input '" + d.name + "' has type " + d.elem_type + ", for which no sample can be made";
      return result;
    }

  metadata::ModelFiles files;
  try {
    files = metadata::ModelFiles::from_model(model_path);
  } catch (const Error&) {}
  std::map<std::string, int64_t> bounds;
  try {
    bounds = index_bounds(format::load_model_proto(model_path));
  } catch (const Error&) {}
  const auto image = processor_image_size(files);
  const auto vocab = config_vocab_size(files);

  bool any_past = false;
  for (const auto& d : descs)
    for (const auto& s : d.symbolic) any_past |= has(lower(s), "past");
  // One value per symbolic dim name, across all inputs.
  std::map<std::string, int64_t> bound_dims;
  auto dim_value = [&](const TensorDesc& d, size_t axis) -> int64_t {
    if (d.shape[axis] >= 0) return d.shape[axis];
    const std::string name = axis < d.symbolic.size() ? d.symbolic[axis] : "";
    if (name.empty())
      return is_image(d) && axis >= 2 ? (image ? (axis == 2 ? image->first : image->second) : kImage)
             : axis == 0              ? kBatch
                                      : kSequence;
    auto it = bound_dims.find(name);
    if (it != bound_dims.end()) return it->second;
    std::string n = lower(name);
    int64_t v = kSequence;
    if (has(n, "batch")) v = kBatch;
    else if (has(n, "past")) v = kPast;
    else if (has(n, "total")) v = (any_past ? kPast : 0) + kSequence;
    else if (is_image(d) && axis >= 2) v = image ? (axis == 2 ? image->first : image->second) : kImage;
    bound_dims[name] = v;
    return v;
  };

  std::mt19937 rng(0);
  std::string ranges;
  static const char* kTexts[] = {"The quick brown fox jumps over the lazy dog.", "Hello",
                                 "modelexport makes self-contained ONNX models."};
  for (const auto& d : descs) {
    std::vector<int64_t> shape;
    for (size_t i = 0; i < d.shape.size(); ++i) shape.push_back(dim_value(d, i));
    size_t count = 1;
    for (auto s : shape) count *= static_cast<size_t>(s);
    const std::string n = lower(d.name);
    if (floats.count(d.elem_type)) {
      std::uniform_real_distribution<float> u(-1.0f, 1.0f);
      std::vector<float> v(count);
      for (auto& x : v) x = u(rng);
      result.tensors[d.name] = Tensor::float32(shape, std::move(v));
    } else if (d.elem_type == "string") {
      std::vector<std::string> v(count);
      for (size_t i = 0; i < count; ++i) v[i] = kTexts[i % std::size(kTexts)];
      result.tensors[d.name] = Tensor::strings(shape, std::move(v));
    } else if (d.elem_type == "bool") {
      int64_t flag = any_past && has(n, "cache") ? 1 : 0;
      result.tensors[d.name] = Tensor::int64(shape, std::vector<int64_t>(count, flag));
    } else {
      auto b = bounds.find(d.name);
      int64_t limit = b != bounds.end() ? b->second : -1;
      const bool ids = has(n, "ids") || has(n, "input");
      if (ids && vocab && !has(n, "position") && !has(n, "type")) limit = limit > 0 ? std::min(limit, *vocab) : *vocab;
      std::vector<int64_t> v(count);
      const size_t last = shape.empty() ? 1 : static_cast<size_t>(std::max<int64_t>(shape.back(), 1));
      if (has(n, "mask")) {
        std::fill(v.begin(), v.end(), 1);
      } else if (has(n, "token_type") || has(n, "segment")) {
        std::fill(v.begin(), v.end(), 0);
      } else if (has(n, "position")) {
        const int64_t start = any_past ? kPast : 0;
        for (size_t i = 0; i < count; ++i)
          v[i] = std::min<int64_t>(start + static_cast<int64_t>(i % last), limit > 0 ? limit - 1 : INT64_MAX);
      } else if (shape.empty()) {
        v[0] = limit == 1 ? 0 : 1;  // a scalar count or index (num_logits_to_keep, ...)
        ranges += (ranges.empty() ? "" : ", ") + d.name + "=" + std::to_string(v[0]);
      } else {
        const int64_t range = limit > 0 ? limit : ids ? kDefaultIds : kSmallInt;
        for (auto& x : v) x = static_cast<int64_t>(rng() % static_cast<uint64_t>(range));
        ranges += (ranges.empty() ? "" : ", ") + d.name + " in [0, " + std::to_string(range) + ")";
      }
      result.tensors[d.name] = Tensor::int64(shape, std::move(v));
    }
  }
  std::string dims;
  for (const auto& [name, v] : bound_dims) dims += (dims.empty() ? "" : ", ") + name + "=" + std::to_string(v);
  result.description = "synthetic inputs";
  if (!dims.empty() || !ranges.empty())
    result.description += " (" + dims + (dims.empty() || ranges.empty() ? "" : "; ") + ranges + ")";
  return result;
}

CheckInputs check_inputs(const std::filesystem::path& path, const AutoModel& model) {
  CheckInputs r;
  try {
    AutoProcessor p = AutoProcessor::from_model(path, model.inputs());
    auto enc =
        p.encode({"The quick brown fox jumps over the lazy dog.", "modelexport makes self-contained ONNX models.",
                  "Quantized weights should give nearly the same answers.", "Hello"});
    std::vector<const processors::Encoding*> batch;
    for (const auto& e : enc) batch.push_back(&e);
    if (p.fixed_batch()) batch.resize(std::min(batch.size(), p.fixed_batch()));
    r.tensors = p.to_inputs(batch);
    r.outputs = model.run(r.tensors);
    r.description = "text samples";
    return r;
  } catch (const Error&) {
    // No tokenizer, inputs it cannot fill, or a model the text samples do not fit: synthetic inputs.
  }
  SampleInputs s = synthetic_inputs(path, model.inputs());
  r = {};
  r.description = s.description;
  if (!s.unfit.empty()) {
    r.skipped = "no sample input fits the graph: " + s.unfit;
    return r;
  }
  r.tensors = std::move(s.tensors);
  try {
    r.outputs = model.run(r.tensors);
  } catch (const RuntimeError& e) {
    r.skipped =
        "no sample input fits the graph: '" + path.string() + "' itself fails on " + r.description + ": " + e.what();
    r.tensors.clear();
  }
  return r;
}

}  // namespace modelexport::runtime
