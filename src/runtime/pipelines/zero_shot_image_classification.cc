// zero-shot-image-classification as Python transformers' ZeroShotImageClassificationPipeline (v4.57,
// pipelines/zero_shot_image_classification.py): per image, the candidate labels put into the
// hypothesis template ("This is a photo of {}."), tokenized together with padding=True (SigLIP:
// "siglip" in config.json's model_type, padding="max_length", max_length=64, truncation), one model
// call with the image; logits_per_image[0] through softmax (sigmoid for SigLIP) in float32, as
// [{"score","label"}] sorted by score (Python's stable sorted: ties keep label order), top_k first
// when given. transformers.js 4.3.1 does the same except its default template "This is a photo of {}"
// (no period) and that it pads SigLIP to model_max_length.
//
// Models: one ONNX with both towers (Optimum: input_ids, pixel_values[, attention_mask] →
// logits_per_image), or transformers.js' two files text_model.onnx (→ text_embeds) and
// vision_model.onnx (→ image_embeds): logits = exp(logit_scale) · cos(image_embeds, text_embeds)
// (+ logit_bias), CLIPModel's formula. Those two files hold no trained logit_scale, so the scale is
// config.json's logit_scale_init_value (the ranking does not depend on it; a note says so); SigLIP's
// scale and bias are weights only, so a SigLIP pair is refused for this task.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "modelexport/common/error.h"
#include "modelexport/format/onnx_file.h"
#include "modelexport/metadata/reader.h"
#include "modelexport/metadata/schema.h"
#include "runtime/pipelines/image_pipeline.h"

namespace modelexport::runtime {
namespace {

namespace fs = std::filesystem;

// The rows `rows` of a [batch, ...] tensor.
Tensor slice_rows(const Tensor& t, const std::vector<size_t>& rows) {
  const size_t per_row = (t.is_float() ? t.f32.size() : t.i64.size()) / static_cast<size_t>(t.shape[0]);
  Tensor out;
  out.shape = t.shape;
  out.shape[0] = static_cast<int64_t>(rows.size());
  for (size_t r : rows) {
    if (t.is_float()) out.f32.insert(out.f32.end(), t.f32.begin() + r * per_row, t.f32.begin() + (r + 1) * per_row);
    else out.i64.insert(out.i64.end(), t.i64.begin() + r * per_row, t.i64.begin() + (r + 1) * per_row);
  }
  return out;
}

void l2_normalize(float* v, size_t n) {
  float sum = 0;
  for (size_t k = 0; k < n; ++k) sum += v[k] * v[k];
  const float norm = std::sqrt(sum);
  for (size_t k = 0; k < n; ++k) v[k] /= norm;
}

class ZeroShotImageClassification final : public ImagePipeline {
 public:
  // One file with both towers; with `text_model`, `model` is the vision tower and the text tower is apart.
  ZeroShotImageClassification(AutoModel m, AutoProcessor p, std::optional<AutoModel> text_model = std::nullopt,
                              std::optional<AutoProcessor> text_processor = std::nullopt)
      : ImagePipeline("zero-shot-image-classification", std::move(m), std::move(p)),
        text_model_(std::move(text_model)),
        text_processor_(std::move(text_processor)) {
    siglip_ = JsonReader(config_, "config.json").string_or("model_type", "").find("siglip") != std::string::npos;
    const AutoModel& text = text_model_ ? *text_model_ : model_;
    const AutoProcessor& tp = text_processor_ ? *text_processor_ : processor_;
    if (!tp.has_tokenizer())
      throw UnsuitableModelError("zero-shot-image-classification needs a text tower: a model taking input_ids and " +
                                 std::string(text_model_ ? "" : "pixel_values, ") + "with a tokenizer");
    auto has_output = [](const AutoModel& model, const std::string& name) {
      for (const auto& o : model.outputs())
        if (o.name == name) return true;
      return false;
    };
    if (!text_model_) {
      if (!has_output(model_, "logits_per_image"))
        throw UnsuitableModelError(
            "the zero-shot-image-classification pipeline needs an output 'logits_per_image' [images, texts] (or the "
            "text_model.onnx + vision_model.onnx pair); this model has none: the model is not made for this task");
      return;
    }
    if (!has_output(model_, "image_embeds") || !has_output(text, "text_embeds"))
      throw UnsuitableModelError(
          "a two-file zero-shot-image-classification set needs vision_model.onnx → image_embeds "
          "and text_model.onnx → text_embeds");
    if (siglip_)
      throw UnsuitableModelError(
          "a SigLIP text_model.onnx + vision_model.onnx pair holds no logit_scale and logit_bias (SiglipModel's "
          "trained weights), so its zero-shot scores cannot be computed; use the one-file export (logits_per_image)");
    // CLIPConfig's default when config.json does not say.
    logit_scale_ =
        static_cast<float>(JsonReader(config_, "config.json").number("logit_scale_init_value").value_or(2.6592));
  }

 private:
  std::vector<OJson> results(const std::vector<PipelineInput>& inputs, const PipelineOptions& o) const override {
    const std::string& templ = o.image_hypothesis_template;
    if (templ.find("{}") == std::string::npos)
      throw UsageError("hypothesis_template '" + templ + "' has no {} for the label");
    for (size_t i = 0; i < inputs.size(); ++i)
      if (inputs[i].labels.empty())
        throw UsageError("input " + std::to_string(i + 1) +
                         " has no candidate labels; zero-shot-image-classification needs \"labels\"");
    if (text_model_ && o.on_note)
      o.on_note(
          "scores use config.json's logit_scale_init_value (" + std::to_string(logit_scale_) +
          "): text_model.onnx and vision_model.onnx hold no trained logit_scale; the ranking does not depend on it");
    std::vector<OJson> out(inputs.size());
    image_batches(inputs, o, [&](ImageBatch& batch) {
      // Rows with the same candidate labels share one call (the labels' texts are encoded once).
      std::vector<bool> done(batch.rows.size(), false);
      for (size_t r = 0; r < batch.rows.size(); ++r) {
        if (done[r]) continue;
        const auto& labels = inputs[batch.rows[r]].labels;
        std::vector<size_t> group;
        for (size_t s = r; s < batch.rows.size(); ++s)
          if (!done[s] && inputs[batch.rows[s]].labels == labels) group.push_back(s), done[s] = true;
        std::map<std::string, Tensor> pixels;
        for (const auto& [name, t] : batch.inputs)
          pixels[name] = group.size() == batch.rows.size() ? t : slice_rows(t, group);
        std::vector<float> logits = logits_per_image(pixels, labels, templ);  // [group, labels]
        for (size_t g = 0; g < group.size(); ++g)
          out[batch.rows[group[g]]] = ranked(logits.data() + g * labels.size(), labels, o.top_k);
      }
    });
    return out;
  }

  // The text inputs for the labels' hypotheses, as Python's pipeline tokenizes them.
  std::map<std::string, Tensor> text_inputs(const std::vector<std::string>& labels, const std::string& templ) const {
    const AutoProcessor& tp = text_processor_ ? *text_processor_ : processor_;
    std::vector<std::string> texts;
    for (const auto& l : labels) {
      std::string h = templ;
      texts.push_back(h.replace(h.find("{}"), 2, l));
    }
    auto enc = tp.encode(texts);
    std::vector<const processors::Encoding*> ptrs;
    for (const auto& e : enc) ptrs.push_back(&e);
    auto in = tp.to_inputs(ptrs);
    if (siglip_) {
      // padding="max_length", max_length=64: every row to 64 tokens (encodings are at most
      // model_max_length; SigLIP's is 64), pad id and mask 0 beyond the text.
      const int64_t target = 64;
      const int64_t pad = tp.special_token_id("pad_token").value_or(0);
      for (auto& [name, t] : in) {
        const int64_t rows = t.shape[0], len = t.shape[1];
        if (len >= target) continue;
        const std::string role = std::find_if(tp.input_mapping().begin(), tp.input_mapping().end(), [&](const auto& m) {
                                   return m.first == name;
                                 })->second;
        std::vector<int64_t> wide(size_t(rows * target), role == "input_ids" ? pad : 0);
        for (int64_t r = 0; r < rows; ++r) std::copy_n(t.i64.begin() + r * len, len, wide.begin() + r * target);
        t = Tensor::int64({rows, target}, std::move(wide));
      }
    }
    return in;
  }

  std::vector<float> logits_per_image(std::map<std::string, Tensor> pixels, const std::vector<std::string>& labels,
                                      const std::string& templ) const {
    auto text = text_inputs(labels, templ);
    const size_t images = static_cast<size_t>(pixels.at(processor_.pixel_values_input()).shape[0]), n = labels.size();
    if (!text_model_) {
      for (auto& [name, t] : text) pixels[name] = std::move(t);
      auto outputs = model_.run(pixels);
      const Tensor& logits = output(outputs, "logits_per_image", 2);
      if (static_cast<size_t>(logits.shape[0]) != images || static_cast<size_t>(logits.shape[1]) != n)
        throw RuntimeError("logits_per_image should be [" + std::to_string(images) + ", " + std::to_string(n) + "]");
      return logits.f32;
    }
    // CLIPModel.forward: logit_scale.exp() * normalized image_embeds @ normalized text_embeds^T.
    auto vision_out = model_.run(pixels);
    auto text_out = text_model_->run(text);
    const Tensor& image_embeds = output(vision_out, "image_embeds", 2);
    Tensor text_embeds = text_out.at("text_embeds");
    Tensor img = image_embeds;
    const size_t dims = static_cast<size_t>(img.shape[1]);
    if (static_cast<size_t>(text_embeds.shape[1]) != dims)
      throw RuntimeError("image_embeds and text_embeds differ in width (" + std::to_string(dims) + " and " +
                         std::to_string(text_embeds.shape[1]) + ")");
    for (size_t i = 0; i < images; ++i) l2_normalize(img.f32.data() + i * dims, dims);
    for (size_t k = 0; k < n; ++k) l2_normalize(text_embeds.f32.data() + k * dims, dims);
    const float scale = std::exp(logit_scale_);
    std::vector<float> logits(images * n);
    for (size_t i = 0; i < images; ++i)
      for (size_t k = 0; k < n; ++k) {
        float dot = 0;
        for (size_t d = 0; d < dims; ++d) dot += img.f32[i * dims + d] * text_embeds.f32[k * dims + d];
        logits[i * n + k] = dot * scale;
      }
    return logits;
  }

  OJson ranked(const float* row, const std::vector<std::string>& labels, std::optional<size_t> top_k) const {
    const size_t n = labels.size();
    std::vector<float> p(row, row + n);
    if (siglip_) {
      for (auto& v : p) v = 1.0f / (1.0f + std::exp(-v));
    } else {
      const float mx = *std::max_element(p.begin(), p.end());
      float sum = 0;
      for (auto& v : p) sum += v = std::exp(v - mx);
      for (auto& v : p) v /= sum;
    }
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] > p[b]; });
    OJson list = OJson::array();
    for (size_t k = 0; k < std::min(top_k.value_or(n), n); ++k)
      list.push_back({{"score", static_cast<double>(p[order[k]])}, {"label", labels[order[k]]}});
    return list;
  }

  std::optional<AutoModel> text_model_;
  std::optional<AutoProcessor> text_processor_;
  bool siglip_ = false;
  float logit_scale_ = 0;
};

// The file beside `file` with `from` in its name replaced by `to` (text_model_quantized.onnx ↔
// vision_model_quantized.onnx), when it exists.
std::optional<fs::path> sibling(const fs::path& file, const std::string& from, const std::string& to) {
  std::string name = file.filename().string();
  if (name.rfind(from, 0) != 0) return std::nullopt;
  fs::path other = file.parent_path() / (to + name.substr(from.size()));
  return fs::is_regular_file(other) ? std::optional<fs::path>(other) : std::nullopt;
}

}  // namespace

std::optional<DualEncoderFiles> find_dual_encoder_files(const fs::path& path) {
  if (fs::is_directory(path)) {
    for (const fs::path& dir : {path, path / "onnx"})
      if (fs::is_regular_file(dir / "text_model.onnx") && fs::is_regular_file(dir / "vision_model.onnx"))
        return DualEncoderFiles{dir / "text_model.onnx", dir / "vision_model.onnx"};
    return std::nullopt;
  }
  if (auto text = sibling(path, "vision_model", "text_model")) return DualEncoderFiles{*text, path};
  if (auto vision = sibling(path, "text_model", "vision_model")) return DualEncoderFiles{path, *vision};
  return std::nullopt;
}

std::unique_ptr<Pipeline> make_zero_shot_image_classification(AutoModel model, AutoProcessor processor) {
  return std::make_unique<ZeroShotImageClassification>(std::move(model), std::move(processor));
}

std::unique_ptr<Pipeline> make_dual_encoder_zero_shot(const DualEncoderFiles& files, const SessionOptions& session) {
  AutoModel vision = AutoModel::from_model(files.vision, session);
  AutoProcessor vision_processor = AutoProcessor::from_model(files.vision, vision.inputs());
  AutoModel text = AutoModel::from_model(files.text, session);
  AutoProcessor text_processor = AutoProcessor::from_model(files.text, text.inputs());
  return std::make_unique<ZeroShotImageClassification>(std::move(vision), std::move(vision_processor), std::move(text),
                                                       std::move(text_processor));
}

}  // namespace modelexport::runtime
