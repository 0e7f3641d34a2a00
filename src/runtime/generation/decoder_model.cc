#include "runtime/generation/decoder_model.h"

#include <onnxruntime_cxx_api.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>

#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "runtime/auto_model_access.h"

namespace modelexport::runtime::generation {

namespace {

struct ElemType {
  ONNXTensorElementDataType ort = ONNX_TENSOR_ELEMENT_DATA_TYPE_UNDEFINED;
  size_t size = 0;
};

ElemType elem_type(const TensorDesc& d) {
  if (d.elem_type == "float32") return {ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, 4};
  if (d.elem_type == "float16") return {ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16, 2};
  if (d.elem_type == "bfloat16") return {ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16, 2};
  if (d.elem_type == "int64") return {ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64, 8};
  if (d.elem_type == "int32") return {ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32, 4};
  if (d.elem_type == "bool") return {ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL, 1};
  return {};
}

size_t product(const std::vector<int64_t>& dims, size_t from, size_t to) {
  size_t n = 1;
  for (size_t i = from; i < to; ++i) n *= static_cast<size_t>(dims[i]);
  return n;
}

// The present output that carries a past input forward: Optimum's past_key_values.N.key →
// present.N.key, genai's past_N → present_N, LFM2's past_conv.N → present_conv.N.
std::string present_name(const std::string& past) {
  static const std::string optimum = "past_key_values";
  if (past.rfind(optimum, 0) == 0) return "present" + past.substr(optimum.size());
  if (past.rfind("past", 0) == 0) return "present" + past.substr(4);
  return "";
}

bool is_cache_input(const std::string& name) { return name.rfind("past", 0) == 0; }

// Integer tensor data in the graph's element type (int64 or int32).
struct IntBuffer {
  ElemType type;
  std::vector<int64_t> i64;
  std::vector<int32_t> i32;
  void assign(const std::vector<int64_t>& v) {
    if (type.ort == ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32) i32.assign(v.begin(), v.end());
    else i64 = v;
  }
  void* data() { return type.ort == ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 ? static_cast<void*>(i32.data()) : i64.data(); }
  size_t bytes() const { return type.ort == ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 ? i32.size() * 4 : i64.size() * 8; }
};

}  // namespace

// One past input and the present output that follows it.
struct CacheEntry {
  std::string past, present;
  ElemType type;
  std::vector<int64_t> dims;  // batch and sequence dims are overwritten per use
  size_t batch_axis = 0;
  int seq_axis = -1;  // -1: a fixed-size state (LFM2's convolution cache)
  std::vector<std::byte> buffer[2];
  int current = 0;  // buffer[current] holds the past

  std::vector<int64_t> shape(size_t rows, size_t length) const {
    std::vector<int64_t> s = dims;
    s[batch_axis] = static_cast<int64_t>(rows);
    if (seq_axis >= 0) s[static_cast<size_t>(seq_axis)] = static_cast<int64_t>(length);
    return s;
  }
  size_t bytes(size_t rows, size_t length) const {
    auto s = shape(rows, length);
    return product(s, 0, s.size()) * type.size;
  }
};

struct DecoderModel::Impl {
  const AutoModel* model = nullptr;
  Ort::Session* session = nullptr;
  // The two-file layout's prompt-step session (no past inputs), and the optional inputs it takes.
  Ort::Session* first_session = nullptr;
  bool first_has_positions = false, first_has_logits_to_keep = false;
  std::vector<int64_t> first_logits_to_keep_shape;
  Settings settings;
  std::vector<std::string> notes;

  std::string input_ids, attention_mask, position_ids, logits_name;
  IntBuffer ids, mask_data, positions;
  bool has_positions = false, has_logits_to_keep = false, has_cache_branch = false;
  std::vector<int64_t> logits_to_keep_shape;
  ElemType logits_type;
  size_t vocab = 0;
  std::vector<CacheEntry> cache;
  bool shared = false;  // past and present in one buffer of max length (GroupQueryAttention)

  // Generation state.
  bool started = false;
  size_t rows = 0, past = 0;  // rows and tokens in the cache (padding included)
  size_t row_capacity = 0, length_capacity = 0;
  std::vector<std::vector<int64_t>> mask;    // per row, past + current tokens
  std::vector<std::vector<int64_t>> tokens;  // per row, every token fed (full recompute only)
  std::vector<int64_t> next_position;
  std::vector<std::byte> logits_buffer;
  // Reused every step, so a decode step allocates nothing of ours but the OrtValues' headers: the
  // step's ids, positions and flattened mask, the values bound this step, one IoBinding per session.
  std::vector<int64_t> step_ids, step_positions, step_mask;
  std::vector<Ort::Value> bound;
  std::optional<Ort::IoBinding> binding, first_binding;

  Ort::MemoryInfo cpu = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);

  void ensure_capacity(size_t need_rows, size_t need_length);
  void run(size_t n, size_t fed, std::vector<float>& out);
};

DecoderModel::Settings DecoderModel::Settings::from_configs(std::string_view config_json, std::string_view genai_json) {
  Settings s;
  if (!config_json.empty()) {
    Json config = parse_json_object(config_json, "config.json");
    JsonReader r(config, "config.json");
    for (const char* key : {"max_position_embeddings", "n_positions", "n_ctx"})
      if (auto v = r.integer(key); v && *v > 0 && s.context_length == 0) s.context_length = static_cast<size_t>(*v);
    int64_t heads = r.integer("num_attention_heads").value_or(r.integer("n_head").value_or(0));
    int64_t kv = r.integer("num_key_value_heads").value_or(heads);
    int64_t hidden = r.integer("hidden_size").value_or(r.integer("n_embd").value_or(0));
    if (kv > 0) s.kv_heads = static_cast<size_t>(kv);
    if (auto hd = r.integer("head_dim")) s.head_dim = static_cast<size_t>(*hd);
    else if (heads > 0 && hidden > 0) s.head_dim = static_cast<size_t>(hidden / heads);
    if (auto v = r.integer("vocab_size")) s.vocab_size = static_cast<size_t>(*v);
    if (auto pad = r.integer("pad_token_id")) s.pad_token_id = *pad;
  }
  if (!genai_json.empty()) {
    Json genai = parse_json_object(genai_json, "genai_config.json");
    JsonReader r(genai, "genai_config.json");
    if (auto model = r.object("model")) {
      if (auto v = model->integer("context_length"); v && *v > 0) s.context_length = static_cast<size_t>(*v);
      if (auto v = model->integer("vocab_size")) s.vocab_size = static_cast<size_t>(*v);
      if (auto v = model->integer("pad_token_id")) s.pad_token_id = *v;
      if (auto decoder = model->object("decoder")) {
        if (auto v = decoder->integer("num_key_value_heads")) s.kv_heads = static_cast<size_t>(*v);
        if (auto v = decoder->integer("head_size")) s.head_dim = static_cast<size_t>(*v);
      }
    }
    if (auto search = r.object("search")) s.share_buffer = search->boolean_or("past_present_share_buffer", false);
  }
  return s;
}

DecoderModel::DecoderModel(const AutoModel& model, Settings settings) : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.model = &model;
  m.session = &AutoModelAccess::session(model);
  m.settings = settings;
  const TensorDesc* ids = nullptr;
  std::map<std::string, const TensorDesc*> outputs;
  for (const auto& o : model.outputs()) outputs[o.name] = &o;
  for (const auto& in : model.inputs()) {
    if (in.name == "input_ids") ids = &in;
  }
  if (!ids) throw UnsuitableModelError("the model has no 'input_ids' input, which a decoder-only LM reads");
  auto logits = outputs.find("logits");
  if (logits == outputs.end())
    throw UnsuitableModelError("the model has no 'logits' output, which text generation reads");
  m.logits_name = "logits";
  m.logits_type = elem_type(*logits->second);
  if (m.logits_type.ort != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT &&
      m.logits_type.ort != ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16)
    throw UnsuitableModelError("output 'logits' is " + logits->second->elem_type + "; expected float32 or float16");
  const auto& lshape = logits->second->shape;
  if (lshape.size() != 3)
    throw UnsuitableModelError("output 'logits' has rank " + std::to_string(lshape.size()) +
                               "; expected [batch, sequence, vocabulary]");
  m.vocab = lshape[2] > 0 ? static_cast<size_t>(lshape[2]) : settings.vocab_size;
  if (m.vocab == 0)
    throw UnsuitableModelError("output 'logits' has a symbolic vocabulary dim and config.json gives no vocab_size");
  const std::string batch_symbol = ids->symbolic.empty() ? "" : ids->symbolic[0];
  for (const auto& in : model.inputs()) {
    ElemType t = elem_type(in);
    auto integer = [&](IntBuffer& b) {
      if (t.ort != ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 && t.ort != ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32)
        throw UnsuitableModelError("input '" + in.name + "' is " + in.elem_type + "; expected int64 or int32");
      b.type = t;
    };
    if (in.name == "input_ids") {
      m.input_ids = in.name;
      integer(m.ids);
    } else if (in.name == "attention_mask") {
      m.attention_mask = in.name;
      integer(m.mask_data);
    } else if (in.name == "position_ids") {
      m.position_ids = in.name;
      integer(m.positions);
      m.has_positions = true;
    } else if (in.name == "num_logits_to_keep" || in.name == "logits_to_keep") {
      m.has_logits_to_keep = true;
      m.logits_to_keep_shape.assign(in.shape.size(), 1);
    } else if (in.name == "use_cache_branch") m.has_cache_branch = true;
    else if (is_cache_input(in.name)) {
      CacheEntry e;
      e.past = in.name;
      e.present = present_name(in.name);
      if (!outputs.count(e.present))
        throw UnsuitableModelError("cache input '" + in.name + "' has no matching output '" + e.present +
                                   "' to carry it to the next step");
      e.type = t;
      if (t.size == 0 || t.ort == ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64 || t.ort == ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32 ||
          t.ort == ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL)
        throw UnsuitableModelError("cache input '" + in.name + "' is " + in.elem_type + "; expected a float tensor");
      e.dims = in.shape;
      const size_t rank = in.shape.size();
      // The batch axis is named like input_ids' batch dim; the sequence axis is the other named dim.
      bool found_batch = false;
      for (size_t a = 0; a < rank; ++a)
        if (!batch_symbol.empty() && a < in.symbolic.size() && in.symbolic[a] == batch_symbol) {
          e.batch_axis = a;
          found_batch = true;
          break;
        }
      if (!found_batch) e.batch_axis = 0;
      std::vector<size_t> dynamic;
      for (size_t a = 0; a < rank; ++a)
        if (a != e.batch_axis && in.shape[a] <= 0) dynamic.push_back(a);
      if (dynamic.size() == 1) {
        e.seq_axis = static_cast<int>(dynamic[0]);
      } else if (dynamic.size() > 1 && rank == 4 && e.batch_axis == 0 && settings.kv_heads && settings.head_dim) {
        // [batch, kv_heads, past, head_dim] with symbolic heads or head size: sized from the config.
        e.seq_axis = 2;
        e.dims[1] = static_cast<int64_t>(settings.kv_heads);
        e.dims[3] = static_cast<int64_t>(settings.head_dim);
      } else if (dynamic.size() > 1) {
        throw UnsuitableModelError("cache input '" + in.name +
                                   "' has several dynamic dims besides the batch and the config gives no "
                                   "num_key_value_heads / head_dim to size them");
      }
      m.cache.push_back(std::move(e));
    } else {
      throw UnsuitableModelError(
          "the model has an input '" + in.name + "' (" + in.elem_type +
          ") that decoder-only generation cannot feed; it feeds input_ids, attention_mask, position_ids, "
          "num_logits_to_keep, use_cache_branch and past_* cache tensors");
    }
  }
  if (m.attention_mask.empty())
    throw UnsuitableModelError("the model has no 'attention_mask' input, which decoder-only generation feeds");
  if (m.cache.empty())
    m.notes.push_back("the model has no KV-cache inputs: every step recomputes the whole sequence (slow)");
  bool any_growing = false;
  for (const auto& e : m.cache) any_growing |= e.seq_axis >= 0;
  m.shared = settings.share_buffer && any_growing;
}

namespace {

// The prompt-step decoder of the two-file layout takes what the generation feeds without a past and
// gives logits and every present output the with-past decoder's cache needs.
void check_first_step(const AutoModel& first, const AutoModel& with_past) {
  for (const auto& in : first.inputs()) {
    if (is_cache_input(in.name))
      throw UnsuitableModelError("the two-file decoder's decoder_model takes the cache input '" + in.name +
                                 "'; it runs the prompt step, which has no past (give decoder_model_merged.onnx "
                                 "or model.onnx alone instead)");
    if (in.name != "input_ids" && in.name != "attention_mask" && in.name != "position_ids" &&
        in.name != "num_logits_to_keep" && in.name != "logits_to_keep")
      throw UnsuitableModelError("the two-file decoder's decoder_model has an input '" + in.name + "' (" +
                                 in.elem_type + ") that the prompt step cannot feed");
  }
  std::map<std::string, const TensorDesc*> outputs;
  for (const auto& o : first.outputs()) outputs[o.name] = &o;
  if (!outputs.count("logits"))
    throw UnsuitableModelError(
        "the two-file decoder's decoder_model has no 'logits' output, which text generation "
        "reads");
  for (const auto& in : with_past.inputs())
    if (is_cache_input(in.name)) {
      const std::string present = present_name(in.name);
      auto it = outputs.find(present);
      if (it == outputs.end())
        throw UnsuitableModelError("the two-file decoder's decoder_model has no output '" + present +
                                   "', which starts decoder_with_past_model's cache input '" + in.name + "'");
      if (it->second->elem_type != in.elem_type)
        throw UnsuitableModelError("the two-file decoder's files disagree: decoder_model's '" + present + "' is " +
                                   it->second->elem_type + ", decoder_with_past_model's '" + in.name + "' is " +
                                   in.elem_type);
    }
  for (const auto& o : with_past.outputs())
    if (o.name == "logits" && outputs["logits"]->elem_type != o.elem_type)
      throw UnsuitableModelError("the two-file decoder's files disagree: 'logits' is " + outputs["logits"]->elem_type +
                                 " in decoder_model and " + o.elem_type + " in decoder_with_past_model");
}

}  // namespace

DecoderModel::DecoderModel(const AutoModel& first_step, const AutoModel& with_past, Settings settings)
    : DecoderModel(with_past, settings) {
  check_first_step(first_step, with_past);
  Impl& m = *impl_;
  m.first_session = &AutoModelAccess::session(first_step);
  m.shared = false;
  if (m.cache.empty())
    throw UnsuitableModelError(
        "the two-file decoder's decoder_with_past_model has no past inputs (past_key_values.N.key/value), which "
        "every step after the prompt feeds");
  for (const auto& in : first_step.inputs()) {
    if (in.name == "position_ids") m.first_has_positions = true;
    if (in.name == "num_logits_to_keep" || in.name == "logits_to_keep") {
      m.first_has_logits_to_keep = true;
      m.first_logits_to_keep_shape.assign(in.shape.size(), 1);
    }
  }
  if (m.first_has_positions != m.has_positions)
    throw UnsuitableModelError(std::string("the two-file decoder's files disagree: ") +
                               (m.has_positions ? "decoder_with_past_model" : "decoder_model") +
                               " takes 'position_ids' and the other does not");
}

DecoderModel::~DecoderModel() = default;

size_t DecoderModel::vocab_size() const { return impl_->vocab; }
bool DecoderModel::has_cache() const { return !impl_->cache.empty(); }
size_t DecoderModel::context_length() const { return impl_->settings.context_length; }
const std::vector<std::string>& DecoderModel::notes() const { return impl_->notes; }

void DecoderModel::reset() {
  impl_->started = false;
  impl_->rows = impl_->past = 0;
}

void DecoderModel::reserve(size_t rows, size_t max_length) {
  reset();
  impl_->ensure_capacity(rows, max_length);
}

// Copies `rows` rows of a cache tensor from the layout (src_rows, src_length) to (dst_rows, dst_length),
// row r of the destination taken from row pick[r] of the source; the sequence is cut to `keep`.
static void copy_rows(const CacheEntry& e, const std::byte* src, size_t src_rows, size_t src_length, std::byte* dst,
                      size_t dst_length, const std::vector<size_t>& pick, size_t keep) {
  auto s = e.shape(src_rows, src_length);
  const size_t outer = product(s, 0, e.batch_axis);
  const size_t b = e.batch_axis;
  // Per row: the dims after the batch axis; the sequence axis (if after it) splits them further.
  if (e.seq_axis < 0 || static_cast<size_t>(e.seq_axis) < b) {
    // The sequence is outside the row block (or absent): rows are contiguous blocks of equal size
    // when the lengths agree. (Sequence-before-batch layouts are not used by any exporter we know.)
    const size_t row = product(s, b + 1, s.size()) * e.type.size;
    for (size_t o = 0; o < outer; ++o)
      for (size_t r = 0; r < pick.size(); ++r)
        std::memcpy(dst + (o * pick.size() + r) * row, src + (o * src_rows + pick[r]) * row, row);
    return;
  }
  const size_t sa = static_cast<size_t>(e.seq_axis);
  const size_t mid = product(s, b + 1, sa);                         // dims between batch and sequence
  const size_t inner = product(s, sa + 1, s.size()) * e.type.size;  // bytes per sequence position
  const size_t src_row = mid * src_length * inner, dst_row = mid * dst_length * inner;
  for (size_t o = 0; o < outer; ++o)
    for (size_t r = 0; r < pick.size(); ++r) {
      const std::byte* from = src + (o * src_rows + pick[r]) * src_row;
      std::byte* to = dst + (o * pick.size() + r) * dst_row;
      for (size_t k = 0; k < mid; ++k)
        std::memcpy(to + k * dst_length * inner, from + k * src_length * inner, keep * inner);
    }
}

void DecoderModel::Impl::ensure_capacity(size_t need_rows, size_t need_length) {
  if (need_rows <= row_capacity && need_length <= length_capacity) return;
  size_t new_rows = std::max(need_rows, row_capacity);
  size_t new_length = std::max(need_length, length_capacity);
  if (need_length > length_capacity && length_capacity) new_length = std::max(need_length, length_capacity * 2);
  if (settings.context_length) new_length = std::max(need_length, std::min(new_length, settings.context_length));
  for (auto& e : cache) {
    const size_t bytes = e.bytes(new_rows, e.seq_axis >= 0 ? new_length : 0);
    if (started && shared) {
      // The past lives at positions [0, past) of a buffer laid out for length_capacity.
      std::vector<std::byte> moved(bytes);
      std::vector<size_t> pick(rows);
      for (size_t r = 0; r < rows; ++r) pick[r] = r;
      copy_rows(e, e.buffer[e.current].data(), rows, length_capacity, moved.data(), new_length, pick, past);
      e.buffer[e.current] = std::move(moved);
      e.buffer[1 - e.current].clear();
      e.buffer[1 - e.current].shrink_to_fit();
      e.buffer[1 - e.current].resize(bytes);
    } else {
      // Contiguous layouts: the past occupies the prefix of the buffer, whatever the capacity.
      for (auto& b : e.buffer) b.resize(bytes);
    }
  }
  row_capacity = new_rows;
  length_capacity = new_length;
}

void DecoderModel::Impl::run(size_t n, size_t fed, std::vector<float>& out) {
  // n: new positions this step; fed: positions given to the graph (n with a cache, all without).
  const size_t total = past + n;
  // The two-file layout's prompt step: decoder_model.onnx, no past bound, present into the cache.
  const bool prompt_step = first_session && past == 0;
  const bool keep_one = prompt_step ? first_has_logits_to_keep : has_logits_to_keep;
  const size_t out_positions = keep_one ? 1 : fed;
  // The same names are bound every step, each replacing the last step's value.
  std::optional<Ort::IoBinding>& reused = prompt_step ? first_binding : binding;
  if (!reused) reused.emplace(prompt_step ? *first_session : *session);
  Ort::IoBinding& binding = *reused;
  std::vector<Ort::Value>& keep = bound;  // the OrtValues must outlive the run
  keep.clear();
  auto bind_in = [&](const std::string& name, void* data, size_t bytes, const std::vector<int64_t>& shape,
                     ONNXTensorElementDataType type) {
    keep.push_back(Ort::Value::CreateTensor(cpu, data, bytes, shape.data(), shape.size(), type));
    binding.BindInput(name.c_str(), keep.back());
  };
  bind_in(input_ids, ids.data(), ids.bytes(), {static_cast<int64_t>(rows), static_cast<int64_t>(fed)}, ids.type.ort);
  bind_in(attention_mask, mask_data.data(), mask_data.bytes(),
          {static_cast<int64_t>(rows), static_cast<int64_t>(total)}, mask_data.type.ort);
  if (has_positions)
    bind_in(position_ids, positions.data(), positions.bytes(), {static_cast<int64_t>(rows), static_cast<int64_t>(fed)},
            positions.type.ort);
  int64_t one = 1;
  if (keep_one)
    bind_in("num_logits_to_keep", &one, sizeof one, prompt_step ? first_logits_to_keep_shape : logits_to_keep_shape,
            ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64);
  bool use_cache = past > 0;
  if (has_cache_branch && !prompt_step)
    bind_in("use_cache_branch", &use_cache, 1, {1}, ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL);
  for (auto& e : cache) {
    const size_t past_len = shared ? length_capacity : past;
    const size_t present_len = shared ? length_capacity : total;
    std::byte* past_data = e.buffer[e.current].data();
    std::byte* present_data = shared ? past_data : e.buffer[1 - e.current].data();
    if (!prompt_step) bind_in(e.past, past_data, e.bytes(rows, past_len), e.shape(rows, past_len), e.type.ort);
    auto shape = e.shape(rows, present_len);
    keep.push_back(Ort::Value::CreateTensor(cpu, present_data, e.bytes(rows, present_len), shape.data(), shape.size(),
                                            e.type.ort));
    binding.BindOutput(e.present.c_str(), keep.back());
  }
  const size_t logits_count = rows * out_positions * vocab;
  // float32 logits of one position per row (every decode step) are written by ONNX Runtime straight
  // into the caller's vector: no copy of the logits rows. Several positions per row (a prompt step
  // without num_logits_to_keep, full recompute) go to ONNX Runtime's arena, which keeps its blocks
  // across runs and generations: a buffer of ours that size (rows × prompt × vocabulary, 50 MB for 8
  // rows of 32 tokens over 49152 ids) would be fresh memory every generation, zeroed and faulted in
  // on the time to first token. float16 rows of one position use our reused buffer.
  const bool direct = logits_type.ort == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT && out_positions == 1;
  const bool in_arena = out_positions > 1;
  if (direct) {
    out.resize(rows * vocab);
  } else if (!in_arena && logits_buffer.size() < logits_count * logits_type.size) {
    logits_buffer.resize(logits_count * logits_type.size);
  }
  if (in_arena) {
    // Binding by device also drops the value the last run left bound (its shape may differ now).
    binding.BindOutput(logits_name.c_str(), cpu);
  } else {
    void* logits_data = direct ? static_cast<void*>(out.data()) : logits_buffer.data();
    const std::vector<int64_t> lshape = {static_cast<int64_t>(rows), static_cast<int64_t>(out_positions),
                                         static_cast<int64_t>(vocab)};
    keep.push_back(Ort::Value::CreateTensor(cpu, logits_data, logits_count * logits_type.size, lshape.data(),
                                            lshape.size(), logits_type.ort));
    binding.BindOutput(logits_name.c_str(), keep.back());
  }
  try {
    (prompt_step ? first_session : session)->Run(Ort::RunOptions{nullptr}, binding);
  } catch (const Ort::Exception& e) { throw RuntimeError(std::string("ONNX Runtime run failed: ") + e.what()); }
  if (!shared)
    for (auto& e : cache) e.current = 1 - e.current;
  past = total;
  if (direct) return;
  const std::byte* logits = logits_buffer.data();
  std::vector<Ort::Value> outputs;  // holds the arena's logits while they are read
  if (in_arena) {
    const std::vector<std::string> names = binding.GetOutputNames();
    outputs = binding.GetOutputValues();
    logits = nullptr;
    for (size_t k = 0; k < names.size(); ++k) {
      if (names[k] != logits_name) continue;
      const std::vector<int64_t> got = outputs[k].GetTensorTypeAndShapeInfo().GetShape();
      const std::vector<int64_t> want = {static_cast<int64_t>(rows), static_cast<int64_t>(out_positions),
                                         static_cast<int64_t>(vocab)};
      if (got != want) {
        std::string dims;
        for (int64_t d : got) dims += (dims.empty() ? "" : ", ") + std::to_string(d);
        throw RuntimeError("output '" + logits_name + "' came back as [" + dims + "]; expected [" +
                           std::to_string(rows) + ", " + std::to_string(out_positions) + ", " + std::to_string(vocab) +
                           "] (rows, positions, vocabulary)");
      }
      logits = static_cast<const std::byte*>(outputs[k].GetTensorRawData());
    }
    if (!logits) throw RuntimeError("ONNX Runtime returned no '" + logits_name + "' output");
  }
  out.resize(rows * vocab);
  for (size_t r = 0; r < rows; ++r) {
    const size_t at = (r * out_positions + out_positions - 1) * vocab;
    if (logits_type.ort == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT) {
      std::memcpy(out.data() + r * vocab, logits + at * 4, vocab * 4);
    } else {
      const auto* h = reinterpret_cast<const Ort::Float16_t*>(logits) + at;
      for (size_t k = 0; k < vocab; ++k) out[r * vocab + k] = h[k].ToFloat();
    }
  }
}

void DecoderModel::step(const std::vector<std::vector<int64_t>>& new_tokens, std::vector<float>& logits) {
  Impl& m = *impl_;
  if (new_tokens.empty()) throw RuntimeError("decoder step with no rows");
  std::vector<int64_t>& ids = m.step_ids;
  std::vector<int64_t>& positions = m.step_positions;
  ids.clear();
  positions.clear();
  size_t n = 0;
  if (!m.started) {
    // The prompts, left-padded to the longest; position ids cumsum(mask) - 1, 1 on padding
    // (transformers' prepare_inputs_for_generation: position_ids.masked_fill_(attention_mask == 0, 1)).
    m.rows = new_tokens.size();
    for (const auto& p : new_tokens) n = std::max(n, p.size());
    if (n == 0) throw UsageError("every prompt is empty: a decoder-only model needs at least one token to start from");
    m.ensure_capacity(m.rows, n + 1);
    for (auto& e : m.cache)
      if (e.seq_axis < 0) std::fill(e.buffer[e.current].begin(), e.buffer[e.current].end(), std::byte{0});
    if (m.shared)
      for (auto& e : m.cache) std::fill(e.buffer[e.current].begin(), e.buffer[e.current].end(), std::byte{0});
    m.mask.assign(m.rows, {});
    m.tokens.assign(m.rows, {});
    m.next_position.assign(m.rows, 0);
    for (size_t r = 0; r < m.rows; ++r) {
      const size_t pad = n - new_tokens[r].size();
      m.mask[r].assign(pad, 0);
      m.mask[r].resize(n, 1);
      for (size_t j = 0; j < n; ++j) {
        ids.push_back(j < pad ? m.settings.pad_token_id : new_tokens[r][j - pad]);
        positions.push_back(j < pad ? 1 : static_cast<int64_t>(j - pad));
      }
      m.next_position[r] = static_cast<int64_t>(new_tokens[r].size());
      if (m.cache.empty()) m.tokens[r].assign(ids.end() - static_cast<std::ptrdiff_t>(n), ids.end());
    }
    m.started = true;
    m.past = 0;
  } else {
    if (new_tokens.size() != m.rows)
      throw RuntimeError("decoder step with " + std::to_string(new_tokens.size()) + " rows; the cache holds " +
                         std::to_string(m.rows));
    n = new_tokens[0].size();
    for (const auto& t : new_tokens)
      if (t.size() != n || n == 0) throw RuntimeError("decoder step: every row must get the same number of new tokens");
    m.ensure_capacity(m.rows, m.past + n);
    for (size_t r = 0; r < m.rows; ++r) {
      m.mask[r].resize(m.mask[r].size() + n, 1);
      for (size_t j = 0; j < n; ++j) {
        ids.push_back(new_tokens[r][j]);
        positions.push_back(m.next_position[r]++);
      }
      if (m.cache.empty()) m.tokens[r].insert(m.tokens[r].end(), new_tokens[r].begin(), new_tokens[r].end());
    }
  }
  size_t fed = n;
  if (m.cache.empty()) {
    // Full recompute: the whole sequence every step, and the past counts nothing.
    ids.clear();
    positions.clear();
    for (size_t r = 0; r < m.rows; ++r) {
      ids.insert(ids.end(), m.tokens[r].begin(), m.tokens[r].end());
      int64_t pos = 0;
      for (int64_t k : m.mask[r]) positions.push_back(k ? pos++ : 1);
    }
    fed = m.tokens[0].size();
    m.past = fed - n;
  }
  std::vector<int64_t>& mask = m.step_mask;
  mask.clear();
  for (const auto& row : m.mask) mask.insert(mask.end(), row.begin(), row.end());
  m.ids.assign(ids);
  m.mask_data.assign(mask);
  if (m.has_positions) m.positions.assign(positions);
  m.run(n, fed, logits);
  if (m.cache.empty()) m.past = 0;
}

void DecoderModel::select_rows(const std::vector<size_t>& rows) {
  Impl& m = *impl_;
  for (size_t r : rows)
    if (r >= m.rows) throw RuntimeError("select_rows: row " + std::to_string(r) + " of " + std::to_string(m.rows));
  m.ensure_capacity(rows.size(), m.length_capacity);
  const size_t length = m.shared ? m.length_capacity : m.past;
  for (auto& e : m.cache) {
    // Gather into the other buffer, then make it the past (the shared mode has two buffers too).
    auto& other = e.buffer[1 - e.current];
    if (other.size() < e.buffer[e.current].size()) other.resize(e.buffer[e.current].size());
    copy_rows(e, e.buffer[e.current].data(), m.rows, length, other.data(), length, rows, e.seq_axis >= 0 ? length : 0);
    e.current = 1 - e.current;
  }
  std::vector<std::vector<int64_t>> mask, tokens;
  std::vector<int64_t> next;
  for (size_t r : rows) {
    mask.push_back(m.mask[r]);
    if (!m.tokens.empty()) tokens.push_back(m.tokens[r]);
    next.push_back(m.next_position[r]);
  }
  m.mask = std::move(mask);
  m.tokens = std::move(tokens);
  m.next_position = std::move(next);
  m.rows = rows.size();
}

}  // namespace modelexport::runtime::generation
