#include "runtime/generation/encoder_decoder_model.h"

#include <onnxruntime_cxx_api.h>

#include <cstring>
#include <optional>

#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "runtime/auto_model_access.h"

namespace modelexport::runtime::generation {

namespace {

constexpr std::string_view kPastPrefix = "past_key_values.", kPresentPrefix = "present.";

size_t element_size(ONNXTensorElementDataType t) {
  switch (t) {
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT:
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32:
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT32: return 4;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16:
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_BFLOAT16:
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT16:
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT16: return 2;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE:
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64:
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT64: return 8;
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8:
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8:
    case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL: return 1;
    default: throw RuntimeError("encoder-decoder runner: a cache or encoder tensor of an unsupported element type");
  }
}

ONNXTensorElementDataType type_of(const std::string& t) {
  if (t == "float32") return ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
  if (t == "float16") return ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16;
  if (t == "int64") return ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64;
  if (t == "int32") return ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32;
  if (t == "bool") return ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL;
  throw UnsuitableModelError("encoder-decoder runner: element type " + t + " is not supported for this input");
}

Ort::AllocatorWithDefaultOptions& allocator() {
  static Ort::AllocatorWithDefaultOptions a;
  return a;
}

Ort::Value int_value(ONNXTensorElementDataType type, const std::vector<int64_t>& shape,
                     const std::vector<int64_t>& data) {
  Ort::Value v = Ort::Value::CreateTensor(allocator(), shape.data(), shape.size(), type);
  void* p = v.GetTensorMutableRawData();
  for (size_t i = 0; i < data.size(); ++i) {
    switch (type) {
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64: static_cast<int64_t*>(p)[i] = data[i]; break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32: static_cast<int32_t*>(p)[i] = static_cast<int32_t>(data[i]); break;
      case ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL: static_cast<bool*>(p)[i] = data[i] != 0; break;
      default: throw RuntimeError("encoder-decoder runner: integer tensor of an unsupported element type");
    }
  }
  return v;
}

Ort::Value float_value(ONNXTensorElementDataType type, const std::vector<int64_t>& shape,
                       const std::vector<float>& data) {
  Ort::Value v = Ort::Value::CreateTensor(allocator(), shape.data(), shape.size(), type);
  if (type == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT) {
    std::memcpy(v.GetTensorMutableRawData(), data.data(), data.size() * sizeof(float));
  } else if (type == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16) {
    auto* p = v.GetTensorMutableData<Ort::Float16_t>();
    for (size_t i = 0; i < data.size(); ++i) p[i] = Ort::Float16_t(data[i]);
  } else {
    throw RuntimeError("encoder-decoder runner: float tensor of an unsupported element type");
  }
  return v;
}

// Rows `rows` of a [rows, ...] tensor, gathered into a new tensor (rows may repeat).
Ort::Value gather_rows(const Ort::Value& v, const std::vector<size_t>& rows) {
  Ort::TensorTypeAndShapeInfo info = v.GetTensorTypeAndShapeInfo();
  std::vector<int64_t> shape = info.GetShape();
  const ONNXTensorElementDataType type = info.GetElementType();
  size_t row_bytes = element_size(type);
  for (size_t d = 1; d < shape.size(); ++d) row_bytes *= static_cast<size_t>(shape[d]);
  const size_t old_rows = static_cast<size_t>(shape[0]);
  shape[0] = static_cast<int64_t>(rows.size());
  Ort::Value out = Ort::Value::CreateTensor(allocator(), shape.data(), shape.size(), type);
  const auto* src = static_cast<const char*>(v.GetTensorRawData());
  auto* dst = static_cast<char*>(out.GetTensorMutableRawData());
  for (size_t r = 0; r < rows.size(); ++r) {
    if (rows[r] >= old_rows)
      throw RuntimeError("select_rows: row " + std::to_string(rows[r]) + " of " + std::to_string(old_rows));
    if (row_bytes) std::memcpy(dst + r * row_bytes, src + rows[r] * row_bytes, row_bytes);
  }
  return out;
}

const TensorDesc* find(const std::vector<TensorDesc>& list, std::string_view name) {
  for (const auto& d : list)
    if (d.name == name) return &d;
  return nullptr;
}

std::string present_name(const std::string& past) {
  return std::string(kPresentPrefix) + past.substr(kPastPrefix.size());
}

size_t config_size(const Json& c, std::initializer_list<const char*> keys) {
  for (const char* k : keys) {
    if (!c.contains(k) || c[k].is_null()) continue;
    if (!c[k].is_number_unsigned() && !c[k].is_number_integer())
      throw MetadataReadError(std::string("config.json: '") + k + "' must be a non-negative integer");
    return c[k].get<size_t>();
  }
  return 0;
}

}  // namespace

EncoderDecoderModel::Settings EncoderDecoderModel::Settings::from_config(std::string_view config_json) {
  Settings s;
  if (config_json.empty()) return s;
  Json c = parse_json_object(config_json, "config.json");
  s.vocab_size = config_size(c, {"vocab_size"});
  s.decoder_heads = config_size(c, {"num_heads", "decoder_attention_heads", "num_attention_heads"});
  s.head_dim = config_size(c, {"d_kv", "head_dim"});
  if (!s.head_dim && s.decoder_heads) {
    size_t d_model = config_size(c, {"d_model", "hidden_size"});
    if (d_model) s.head_dim = d_model / s.decoder_heads;
  }
  return s;
}

struct Cache {
  std::string past, present;
  bool cross = false;  // past_key_values.N.encoder.*: computed on the first step, then reused
  ONNXTensorElementDataType type = ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT;
  int64_t heads = 0, head_dim = 0;
};

struct EncoderDecoderModel::Impl {
  const AutoModel* encoder = nullptr;
  const AutoModel* first = nullptr;  // the merged decoder, or the first-step decoder
  const AutoModel* with_past = nullptr;
  Settings settings;
  size_t vocab = 0;
  std::vector<Cache> caches;
  std::vector<Ort::Value> values;  // the current past of each cache (empty before the first step)
  Ort::Value hidden{nullptr}, mask{nullptr};
  size_t rows = 0;
  bool started = false;
  Ort::MemoryInfo cpu = Ort::MemoryInfo::CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);

  const AutoModel& past_model() const { return with_past ? *with_past : *first; }
};

EncoderDecoderModel::EncoderDecoderModel(const AutoModel& encoder, const AutoModel& decoder,
                                         const AutoModel* decoder_with_past, Settings settings)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.encoder = &encoder;
  m.first = &decoder;
  m.with_past = decoder_with_past;
  m.settings = settings;
  if (!find(encoder.outputs(), "last_hidden_state"))
    throw UnsuitableModelError("the encoder has no output 'last_hidden_state'");
  for (const AutoModel* d : {m.first, m.with_past}) {
    if (!d) continue;
    if (!find(d->inputs(), "input_ids")) throw UnsuitableModelError("the decoder has no input 'input_ids'");
    const TensorDesc* logits = find(d->outputs(), "logits");
    if (!logits) throw UnsuitableModelError("the decoder has no output 'logits'");
    if (logits->shape.size() == 3 && logits->shape[2] > 0) m.vocab = static_cast<size_t>(logits->shape[2]);
  }
  if (!m.vocab) m.vocab = settings.vocab_size;
  if (!m.vocab) throw UnsuitableModelError("the decoder's logits width is symbolic and config.json has no vocab_size");
  const AutoModel& past = m.past_model();
  for (const auto& in : past.inputs()) {
    if (in.name.rfind(kPastPrefix, 0) != 0) continue;
    Cache c;
    c.past = in.name;
    c.present = present_name(in.name);
    c.cross = in.name.find(".encoder.") != std::string::npos;
    c.type = type_of(in.elem_type);
    c.heads = in.shape.size() == 4 && in.shape[1] > 0 ? in.shape[1] : static_cast<int64_t>(settings.decoder_heads);
    c.head_dim = in.shape.size() == 4 && in.shape[3] > 0 ? in.shape[3] : static_cast<int64_t>(settings.head_dim);
    if (!find(m.first->outputs(), c.present))
      throw UnsuitableModelError("the decoder has input '" + c.past + "' but no output '" + c.present + "'");
    if (!c.cross && !find(past.outputs(), c.present))
      throw UnsuitableModelError("the decoder with past has input '" + c.past + "' but no output '" + c.present + "'");
    if (c.heads <= 0 || c.head_dim <= 0)
      throw UnsuitableModelError("cache input '" + c.past + "' has symbolic heads or head size and config.json " +
                                 "does not give them (num_heads/d_kv or decoder_attention_heads/d_model)");
    m.caches.push_back(std::move(c));
  }
  if (m.with_past && m.caches.empty())
    throw UnsuitableModelError("the decoder with past has no past_key_values.* inputs");
}

EncoderDecoderModel::~EncoderDecoderModel() = default;

size_t EncoderDecoderModel::vocab_size() const { return impl_->vocab; }

void EncoderDecoderModel::encode(const std::map<std::string, Tensor>& encoder_inputs) {
  Impl& m = *impl_;
  std::map<std::string, Tensor> out = m.encoder->run(encoder_inputs);
  const Tensor& h = out.at("last_hidden_state");
  if (h.shape.size() != 3) throw RuntimeError("the encoder's last_hidden_state is not [batch, sequence, hidden]");
  const TensorDesc* hd = find(m.first->inputs(), "encoder_hidden_states");
  m.hidden = float_value(hd ? type_of(hd->elem_type) : ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, h.shape, h.f32);
  const int64_t batch = h.shape[0], length = h.shape[1];
  std::vector<int64_t> mask(static_cast<size_t>(batch * length), 1);
  auto given = encoder_inputs.find("attention_mask");
  if (given != encoder_inputs.end() && given->second.shape == std::vector<int64_t>{batch, length})
    mask = given->second.i64;
  const TensorDesc* md = find(m.first->inputs(), "encoder_attention_mask");
  m.mask = int_value(md ? type_of(md->elem_type) : ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64, {batch, length}, mask);
  m.rows = static_cast<size_t>(batch);
  m.values.clear();
  m.started = false;
}

std::vector<int64_t> EncoderDecoderModel::encoder_output_shape() const {
  if (!impl_->hidden) return {};
  return impl_->hidden.GetTensorTypeAndShapeInfo().GetShape();
}

void EncoderDecoderModel::step(const std::vector<std::vector<int64_t>>& new_tokens, std::vector<float>& logits) {
  Impl& m = *impl_;
  if (!m.hidden) throw UsageError("EncoderDecoderModel::step before encode()");
  if (new_tokens.size() != m.rows)
    throw UsageError("EncoderDecoderModel::step: " + std::to_string(new_tokens.size()) + " rows given, the model has " +
                     std::to_string(m.rows));
  const size_t t = new_tokens.empty() ? 0 : new_tokens[0].size();
  std::vector<int64_t> ids;
  for (const auto& row : new_tokens) {
    if (row.size() != t || t == 0)
      throw UsageError("EncoderDecoderModel::step: every row needs the same number (> 0) of new tokens");
    ids.insert(ids.end(), row.begin(), row.end());
  }
  const bool first = !m.started;
  const AutoModel& model = (first || !m.with_past) ? *m.first : *m.with_past;
  Ort::Session& session = AutoModelAccess::session(model);
  Ort::IoBinding binding(session);
  const int64_t rows = static_cast<int64_t>(m.rows);
  std::vector<Ort::Value> owned;  // inputs made for this step; alive until Run returns
  const TensorDesc* ids_desc = find(model.inputs(), "input_ids");
  owned.push_back(int_value(type_of(ids_desc->elem_type), {rows, static_cast<int64_t>(t)}, ids));
  binding.BindInput("input_ids", owned.back());
  bool has_past_inputs = false;
  for (const auto& in : model.inputs()) {
    if (in.name == "input_ids") continue;
    if (in.name == "encoder_hidden_states") {
      binding.BindInput(in.name.c_str(), m.hidden);
    } else if (in.name == "encoder_attention_mask") {
      binding.BindInput(in.name.c_str(), m.mask);
    } else if (in.name == "use_cache_branch") {
      owned.push_back(int_value(ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL, {1}, {first ? 0 : 1}));
      binding.BindInput(in.name.c_str(), owned.back());
    } else if (in.name.rfind(kPastPrefix, 0) == 0) {
      has_past_inputs = true;
    } else {
      throw UnsuitableModelError("the decoder needs input '" + in.name +
                                 "', which the encoder-decoder runner does not know");
    }
  }
  if (has_past_inputs) {
    for (size_t i = 0; i < m.caches.size(); ++i) {
      const Cache& c = m.caches[i];
      if (first) {  // the empty past of the first step (the merged graph's no-cache branch ignores it)
        std::vector<int64_t> shape = {rows, c.heads, 0, c.head_dim};
        owned.push_back(Ort::Value::CreateTensor(allocator(), shape.data(), shape.size(), c.type));
        binding.BindInput(c.past.c_str(), owned.back());
      } else {
        binding.BindInput(c.past.c_str(), m.values[i]);
      }
    }
  }
  binding.BindOutput("logits", m.cpu);
  for (const auto& out : model.outputs())
    if (out.name.rfind(kPresentPrefix, 0) == 0) binding.BindOutput(out.name.c_str(), m.cpu);
  try {
    session.Run(Ort::RunOptions{nullptr}, binding);
  } catch (const Ort::Exception& e) { throw RuntimeError(std::string("ONNX Runtime decoder run failed: ") + e.what()); }
  std::vector<std::string> names = binding.GetOutputNames();
  std::vector<Ort::Value> values = binding.GetOutputValues();
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < names.size(); ++i) index[names[i]] = i;
  // Logits [rows, t, vocab]: the last position of each row.
  const Ort::Value& lv = values[index.at("logits")];
  Ort::TensorTypeAndShapeInfo info = lv.GetTensorTypeAndShapeInfo();
  std::vector<int64_t> shape = info.GetShape();
  if (shape.size() != 3 || shape[0] != rows || static_cast<size_t>(shape[2]) != m.vocab)
    throw RuntimeError("the decoder's logits are not [rows, sequence, " + std::to_string(m.vocab) + "]");
  const size_t v = m.vocab, seq = static_cast<size_t>(shape[1]);
  logits.resize(m.rows * v);
  for (size_t r = 0; r < m.rows; ++r) {
    const size_t offset = (r * seq + seq - 1) * v;
    if (info.GetElementType() == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT) {
      std::memcpy(logits.data() + r * v, lv.GetTensorData<float>() + offset, v * sizeof(float));
    } else if (info.GetElementType() == ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT16) {
      const Ort::Float16_t* p = lv.GetTensorData<Ort::Float16_t>() + offset;
      for (size_t k = 0; k < v; ++k) logits[r * v + k] = p[k].ToFloat();
    } else {
      throw RuntimeError("the decoder's logits are neither float32 nor float16");
    }
  }
  // The caches: present becomes the next past as ORT allocated it; the cross cache only from step one.
  if (first) m.values.resize(m.caches.size());
  for (size_t i = 0; i < m.caches.size(); ++i) {
    const Cache& c = m.caches[i];
    if (c.cross && !first) continue;
    auto it = index.find(c.present);
    if (it == index.end()) throw RuntimeError("the decoder did not return '" + c.present + "'");
    m.values[i] = std::move(values[it->second]);
  }
  m.started = true;
}

void EncoderDecoderModel::select_rows(const std::vector<size_t>& rows) {
  Impl& m = *impl_;
  bool identity = rows.size() == m.rows;
  for (size_t i = 0; identity && i < rows.size(); ++i) identity = rows[i] == i;
  if (identity) return;
  for (auto& v : m.values)
    if (v) v = gather_rows(v, rows);
  m.hidden = gather_rows(m.hidden, rows);
  m.mask = gather_rows(m.mask, rows);
  m.rows = rows.size();
}

}  // namespace modelexport::runtime::generation
