// ImageProcessor: transformers' PIL backend step by step (transformers main 2025-2026:
// image_processing_backends.py PilBackend._preprocess/resize/center_crop/rescale/normalize/pad,
// image_transforms.py get_resize_output_image_size / get_size_with_aspect_ratio / center_crop /
// rescale / normalize, image_utils.py get_image_size_for_max_height_width,
// models/convnext/image_processing_pil_convnext.py (crop_pct), models/detr/image_processing_pil_detr.py,
// models/yolos/image_processing_yolos.py (get_size_with_aspect_ratio with mod_size 16)). Class
// defaults are those classes' attributes.
#include "modelexport/processors/image_processor.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <optional>

#include "common/json_util.h"
#include "modelexport/common/error.h"

namespace modelexport::processors {

namespace {

const std::vector<double> kImagenetDefaultMean = {0.485, 0.456, 0.406}, kImagenetDefaultStd = {0.229, 0.224, 0.225};
const std::vector<double> kImagenetStandard = {0.5, 0.5, 0.5};
const std::vector<double> kClipMean = {0.48145466, 0.4578275, 0.40821073},
                          kClipStd = {0.26862954, 0.26130258, 0.27577711};

enum class SizeRule { kHeightWidth, kShortestEdge, kShortestLongest, kMaxHeightWidth };
struct SizeSpec {
  SizeRule rule = SizeRule::kHeightWidth;
  int64_t a = 0, b = 0;  // height/width, shortest/longest, max_height/max_width
};

struct ClassDefaults {
  std::optional<SizeSpec> size;
  int resample;
  bool center_crop;
  std::optional<SizeSpec> crop;
  std::vector<double> mean, std;
  bool square;  // get_size_dict(default_to_square) for an int size
  bool pad = false, mask = false;
  std::optional<double> crop_pct;
};

const std::map<std::string, ClassDefaults>& class_defaults() {
  using R = SizeRule;
  static const std::map<std::string, ClassDefaults> m = {
      {"ViTImageProcessor",
       {SizeSpec{R::kHeightWidth, 224, 224}, 2, false, {}, kImagenetStandard, kImagenetStandard, true}},
      {"DeiTImageProcessor",
       {SizeSpec{R::kHeightWidth, 256, 256}, 3, true, SizeSpec{R::kHeightWidth, 224, 224}, kImagenetDefaultMean,
        kImagenetDefaultStd, true}},
      {"BeitImageProcessor",
       {SizeSpec{R::kHeightWidth, 256, 256}, 3, true, SizeSpec{R::kHeightWidth, 224, 224}, kImagenetStandard,
        kImagenetStandard, true}},
      {"ConvNextImageProcessor",
       {SizeSpec{R::kShortestEdge, 384, 0},
        3,
        false,
        {},
        kImagenetStandard,
        kImagenetStandard,
        false,
        false,
        false,
        224.0 / 256}},
      {"CLIPImageProcessor",
       {SizeSpec{R::kShortestEdge, 224, 0}, 3, true, SizeSpec{R::kHeightWidth, 224, 224}, kClipMean, kClipStd, false}},
      {"SiglipImageProcessor",
       {SizeSpec{R::kHeightWidth, 224, 224}, 3, false, {}, kImagenetStandard, kImagenetStandard, true}},
      {"DetrImageProcessor",
       {SizeSpec{R::kShortestLongest, 800, 1333},
        2,
        false,
        {},
        kImagenetDefaultMean,
        kImagenetDefaultStd,
        false,
        true,
        true}},
      {"YolosImageProcessor",
       {SizeSpec{R::kShortestLongest, 800, 1333},
        2,
        false,
        {},
        kImagenetDefaultMean,
        kImagenetDefaultStd,
        false,
        true,
        false}},
      {"SegformerImageProcessor",
       {SizeSpec{R::kHeightWidth, 512, 512}, 2, false, {}, kImagenetDefaultMean, kImagenetDefaultStd, true}},
      // transformers.js' generic ImageFeatureExtractor (briaai/RMBG-1.4): BaseImageProcessor's steps.
      {"ImageFeatureExtractor", {std::nullopt, 2, false, {}, kImagenetDefaultMean, kImagenetDefaultStd, true}},
  };
  return m;
}

std::string normalized_type(std::string name) {
  for (std::string_view suffix : {"Fast", "Pil"})
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      name.resize(name.size() - suffix.size());
  const std::string fe = "FeatureExtractor";
  if (name != "ImageFeatureExtractor" && name.size() > fe.size() &&
      name.compare(name.size() - fe.size(), fe.size(), fe) == 0)
    name = name.substr(0, name.size() - fe.size()) + "ImageProcessor";
  return name;
}

// image_processing_utils.get_size_dict for the forms configs use.
std::optional<SizeSpec> read_size(const JsonReader& r, std::string_view key, bool square,
                                  std::optional<int64_t> max_size) {
  const Json* v = r.find(key);
  if (!v) return std::nullopt;
  auto positive = [&](const Json& j, const std::string& path) {
    if (!j.is_number_integer() || j.get<int64_t>() < 1)
      throw ProcessorReconstructionError(r.file() + ": " + path + ": expected a positive integer");
    return j.get<int64_t>();
  };
  const std::string path = r.path_of(key);
  if (v->is_number()) {
    const int64_t n = positive(*v, path);
    if (max_size) return SizeSpec{SizeRule::kShortestLongest, n, *max_size};
    return square ? SizeSpec{SizeRule::kHeightWidth, n, n} : SizeSpec{SizeRule::kShortestEdge, n, 0};
  }
  if (v->is_array() && v->size() == 2)
    return SizeSpec{SizeRule::kHeightWidth, positive((*v)[0], path + "[0]"), positive((*v)[1], path + "[1]")};
  if (!v->is_object())
    throw ProcessorReconstructionError(r.file() + ": " + path +
                                       ": expected an integer or an object with height/width, "
                                       "shortest_edge[/longest_edge] or max_height/max_width");
  auto get = [&](const char* k) -> std::optional<int64_t> {
    auto it = v->find(k);
    if (it == v->end() || it->is_null()) return std::nullopt;
    return positive(*it, path + "." + k);
  };
  if (auto se = get("shortest_edge")) {
    if (auto le = get("longest_edge")) return SizeSpec{SizeRule::kShortestLongest, *se, *le};
    return SizeSpec{SizeRule::kShortestEdge, *se, 0};
  }
  if (auto mh = get("max_height"), mw = get("max_width"); mh && mw)
    return SizeSpec{SizeRule::kMaxHeightWidth, *mh, *mw};
  if (auto h = get("height"), w = get("width"); h && w) return SizeSpec{SizeRule::kHeightWidth, *h, *w};
  throw ProcessorReconstructionError(r.file() + ": " + path +
                                     ": expected height and width, shortest_edge (and longest_edge) or max_height "
                                     "and max_width");
}

std::vector<double> read_triple(const JsonReader& r, std::string_view key, const std::vector<double>& fallback) {
  const Json* v = r.find(key);
  if (!v) return fallback;
  if (v->is_number()) return {v->get<double>(), v->get<double>(), v->get<double>()};
  if (!v->is_array() || v->size() != 3 ||
      !std::all_of(v->begin(), v->end(), [](const Json& x) { return x.is_number(); }))
    throw ProcessorReconstructionError(r.file() + ": " + r.path_of(key) + ": expected 3 numbers (one per RGB channel)");
  return {(*v)[0].get<double>(), (*v)[1].get<double>(), (*v)[2].get<double>()};
}

// Python int() of a float: truncation toward zero.
int py_int(double v) { return static_cast<int>(v); }

// image_transforms.get_resize_output_image_size(default_to_square=False): (height, width).
std::pair<int, int> shortest_edge_size(int height, int width, int64_t size) {
  const int short_side = std::min(width, height), long_side = std::max(width, height);
  const int new_short = static_cast<int>(size);
  const int new_long = py_int(static_cast<double>(size * long_side) / short_side);
  return width <= height ? std::pair{new_long, new_short} : std::pair{new_short, new_long};
}

// image_transforms.get_size_with_aspect_ratio, or YOLOS' variant (its branch order, multiples of 16).
std::pair<int, int> aspect_ratio_size(int height, int width, int64_t size_in, int64_t max_size, bool yolos) {
  double size = static_cast<double>(size_in);
  std::optional<double> raw_size;
  const double min_original = std::min(height, width), max_original = std::max(height, width);
  if (max_original / min_original * size > static_cast<double>(max_size)) {
    raw_size = static_cast<double>(max_size) * min_original / max_original;
    size = std::nearbyint(*raw_size);  // Python round(): half to even (the default rounding mode)
  }
  const int s = static_cast<int>(size);
  int oh, ow;
  auto keep = [&] { return (height <= width && height == s) || (width <= height && width == s); };
  if (!yolos && keep()) {
    oh = height, ow = width;
  } else if (width < height) {
    ow = s;
    oh = raw_size ? py_int(*raw_size * height / width) : py_int(static_cast<double>(s) * height / width);
  } else if (yolos && keep()) {
    oh = height, ow = width;
  } else {
    oh = s;
    ow = raw_size ? py_int(*raw_size * width / height) : py_int(static_cast<double>(s) * width / height);
  }
  if (yolos) {
    ow -= ow % 16;
    oh -= oh % 16;
  }
  return {oh, ow};
}

// image_transforms.center_crop on uint8 pixels: a plain crop when it fits; otherwise the image is
// placed at ceil((new - orig) / 2) in a zero canvas of max(crop, orig) and that canvas is cropped.
Image center_crop(const Image& in, int crop_h, int crop_w) {
  const int h = in.height, w = in.width, c = in.channels;
  auto floordiv2 = [](int a) { return a >= 0 ? a / 2 : -((-a + 1) / 2); };  // Python's a // 2
  int top = floordiv2(h - crop_h), left = floordiv2(w - crop_w);
  int canvas_h = h, canvas_w = w, pad_top = 0, pad_left = 0;
  if (!(top >= 0 && top + crop_h <= h && left >= 0 && left + crop_w <= w)) {
    canvas_h = std::max(crop_h, h), canvas_w = std::max(crop_w, w);
    pad_top = (canvas_h - h + 1) / 2, pad_left = (canvas_w - w + 1) / 2;
    top += pad_top, left += pad_left;
  }
  const int y0 = std::max(0, top), y1 = std::min(canvas_h, top + crop_h);
  const int x0 = std::max(0, left), x1 = std::min(canvas_w, left + crop_w);
  Image out;
  out.width = x1 - x0;
  out.height = y1 - y0;
  out.channels = c;
  out.pixels.assign(size_t(out.width) * out.height * c, 0);
  for (int y = y0; y < y1; ++y) {
    const int sy = y - pad_top;
    if (sy < 0 || sy >= h) continue;
    for (int x = x0; x < x1; ++x) {
      const int sx = x - pad_left;
      if (sx >= 0 && sx < w)
        std::memcpy(&out.pixels[(size_t(y - y0) * out.width + (x - x0)) * c], &in.pixels[(size_t(sy) * w + sx) * c], c);
    }
  }
  return out;
}

}  // namespace

struct ImageProcessor::Config {
  std::string type;
  ClassDefaults defaults;
  bool do_resize = true, do_center_crop = false, do_rescale = true, do_normalize = true, do_pad = false;
  std::optional<SizeSpec> size, crop;
  Resample resample = Resample::kBilinear;
  double rescale_factor = 1.0 / 255;
  std::vector<double> mean, std;
  std::optional<double> crop_pct;
  std::string source;
};

std::vector<std::string> ImageProcessor::supported_types() {
  std::vector<std::string> out;
  for (const auto& [name, d] : class_defaults()) out.push_back(name);
  return out;
}

ImageProcessor ImageProcessor::from_json(std::string_view text, std::string_view source) {
  const Json j = parse_json_object(text, source);
  const JsonReader r(j, std::string(source));
  auto c = std::make_shared<Config>();
  c->source = source;
  std::optional<std::string> name = r.string("image_processor_type");
  if (!name) name = r.string("feature_extractor_type");
  if (!name)
    throw ProcessorReconstructionError(std::string(source) +
                                       ": neither image_processor_type nor feature_extractor_type is set");
  c->type = normalized_type(*name);
  auto it = class_defaults().find(c->type);
  if (it == class_defaults().end()) {
    std::string list;
    for (const std::string& t : supported_types()) list += (list.empty() ? "" : ", ") + t;
    throw ProcessorReconstructionError(std::string(source) + ": image processor type '" + *name +
                                       "' is not supported; supported: " + list);
  }
  const ClassDefaults& d = it->second;
  c->defaults = d;
  const std::optional<int64_t> max_size = r.integer("max_size");
  c->size = read_size(r, "size", d.square, max_size);
  if (!c->size) c->size = d.size;
  c->crop = read_size(r, "crop_size", true, std::nullopt);
  if (!c->crop) c->crop = d.crop;
  c->do_resize = r.boolean_or("do_resize", true);
  c->do_center_crop = r.boolean_or("do_center_crop", d.center_crop);
  c->do_rescale = r.boolean_or("do_rescale", true);
  c->do_normalize = r.boolean_or("do_normalize", true);
  c->do_pad = r.boolean_or("do_pad", r.boolean_or("pad_and_return_pixel_mask", d.pad));
  const int64_t resample = r.integer_or("resample", d.resample);
  if (resample < 0 || resample > 5)
    throw ProcessorReconstructionError(std::string(source) + ": resample: " + std::to_string(resample) +
                                       " is not a Pillow filter (0 NEAREST, 1 LANCZOS, 2 BILINEAR, 3 BICUBIC, 4 BOX, "
                                       "5 HAMMING)");
  c->resample = static_cast<Resample>(resample);
  if (auto f = r.number("rescale_factor")) c->rescale_factor = *f;
  c->mean = read_triple(r, "image_mean", d.mean);
  c->std = read_triple(r, "image_std", d.std);
  c->crop_pct = r.number("crop_pct");
  if (!c->crop_pct) c->crop_pct = d.crop_pct;
  if (c->do_resize && !c->size)
    throw ProcessorReconstructionError(std::string(source) + ": size: missing (" + c->type +
                                       " has no default size and do_resize is true)");
  if (c->type == "ConvNextImageProcessor" && c->do_resize && c->size->rule != SizeRule::kShortestEdge)
    throw ProcessorReconstructionError(std::string(source) + ": size: ConvNextImageProcessor needs shortest_edge");
  if (c->do_center_crop && (!c->crop || c->crop->rule != SizeRule::kHeightWidth))
    throw ProcessorReconstructionError(std::string(source) +
                                       ": crop_size: missing or not height/width (do_center_crop is true)");
  ImageProcessor p;
  p.config_ = std::move(c);
  return p;
}

const std::string& ImageProcessor::type() const { return config_->type; }
bool ImageProcessor::returns_pixel_mask() const { return config_->do_pad && config_->defaults.mask; }

namespace {

// The size (height, width) the resize step gives an h x w image.
std::pair<int, int> resize_target(const ImageProcessor::Config& c, int h, int w) {
  const SizeSpec& s = *c.size;
  std::pair<int, int> hw;
  if (c.type == "ConvNextImageProcessor") {
    const int64_t se = s.a;
    if (se >= 384) return {static_cast<int>(se), static_cast<int>(se)};
    hw = shortest_edge_size(h, w, py_int(static_cast<double>(se) / *c.crop_pct));
  } else {
    switch (s.rule) {
      case SizeRule::kShortestLongest: hw = aspect_ratio_size(h, w, s.a, s.b, c.type == "YolosImageProcessor"); break;
      case SizeRule::kShortestEdge: hw = shortest_edge_size(h, w, s.a); break;
      case SizeRule::kMaxHeightWidth: {
        const double scale = std::min(static_cast<double>(s.a) / h, static_cast<double>(s.b) / w);
        hw = {py_int(h * scale), py_int(w * scale)};
        break;
      }
      case SizeRule::kHeightWidth: hw = {static_cast<int>(s.a), static_cast<int>(s.b)}; break;
    }
  }
  if (hw.first < 1 || hw.second < 1)
    throw UsageError(c.source + ": the " + std::to_string(h) + "x" + std::to_string(w) + " image resizes to nothing (" +
                     std::to_string(hw.first) + "x" + std::to_string(hw.second) + ")");
  return hw;
}

// What follows the resize itself in the resize step: ConvNext's crop to shortest_edge below 384.
Image after_resize(const ImageProcessor::Config& c, Image resized) {
  if (c.type == "ConvNextImageProcessor" && c.size->a < 384)
    return center_crop(resized, static_cast<int>(c.size->a), static_cast<int>(c.size->a));
  return resized;
}

void check_rgb(const ImageProcessor::Config& c, const Image& im) {
  if (im.channels != 3)
    throw UsageError(c.source + ": " + c.type + " takes RGB images (3 channels), got " + std::to_string(im.channels));
}

}  // namespace

ResizedImage ImageProcessor::decode_and_resize(std::string_view bytes, std::string_view source,
                                               const ImageDecodeOptions& options) const {
  const Config& c = *config_;
  ResizedImage r;
  if (!c.do_resize) {
    r.image = decode_image(bytes, source, options);
    r.original_height = r.image.height, r.original_width = r.image.width;
    return r;
  }
  r.image = decode_image_resized(
      bytes, source,
      [&](int w, int h) {
        r.original_height = h, r.original_width = w;
        const auto [th, tw] = resize_target(c, h, w);
        return std::pair{tw, th};
      },
      c.resample, options);
  r.image = after_resize(c, std::move(r.image));
  return r;
}

PixelTensors ImageProcessor::preprocess(const std::vector<Image>& images) const {
  const Config& c = *config_;
  // The decoded image is only read: each step makes a new (smaller) image, never a full-size copy.
  std::vector<ResizedImage> resized;
  std::vector<const Image*> steps;
  std::vector<std::pair<int, int>> sizes;
  resized.reserve(images.size());
  for (const Image& original : images) {
    check_rgb(c, original);
    sizes.emplace_back(original.height, original.width);
    if (!c.do_resize) {
      steps.push_back(&original);
      continue;
    }
    const auto [h, w] = resize_target(c, original.height, original.width);
    resized.push_back({after_resize(c, resize_image(original, w, h, c.resample)), original.height, original.width});
    steps.push_back(&resized.back().image);
  }
  return finish(steps, sizes);
}

PixelTensors ImageProcessor::preprocess(const std::vector<ResizedImage>& images) const {
  std::vector<const Image*> steps;
  std::vector<std::pair<int, int>> sizes;
  for (const ResizedImage& r : images) {
    check_rgb(*config_, r.image);
    steps.push_back(&r.image);
    sizes.emplace_back(r.original_height, r.original_width);
  }
  return finish(steps, sizes);
}

PixelTensors ImageProcessor::finish(const std::vector<const Image*>& images,
                                    const std::vector<std::pair<int, int>>& original_sizes) const {
  const Config& c = *config_;
  struct Processed {
    int h, w;
    std::vector<float> chw;
  };
  std::vector<Processed> done;
  PixelTensors out;
  out.original_sizes = original_sizes;
  for (const Image* resized : images) {
    Image im;
    const Image* cur = resized;
    if (c.do_center_crop) {
      im = center_crop(*cur, static_cast<int>(c.crop->a), static_cast<int>(c.crop->b));
      cur = &im;
    }
    Processed p{cur->height, cur->width, std::vector<float>(size_t(3) * cur->height * cur->width)};
    const size_t plane = size_t(cur->height) * cur->width;
    float mean[3], std_[3];
    for (int k = 0; k < 3; ++k) mean[k] = static_cast<float>(c.mean[k]), std_[k] = static_cast<float>(c.std[k]);
    for (size_t i = 0; i < plane; ++i)
      for (int k = 0; k < 3; ++k) {
        const uint8_t v = cur->pixels[i * 3 + k];
        // rescale: float64 product, then float32 (image_transforms.rescale); normalize in float32.
        float x = c.do_rescale ? static_cast<float>(static_cast<double>(v) * c.rescale_factor) : static_cast<float>(v);
        if (c.do_normalize) x = (x - mean[k]) / std_[k];
        p.chw[k * plane + i] = x;
      }
    done.push_back(std::move(p));
  }
  int th = 0, tw = 0;
  for (const Processed& p : done) th = std::max(th, p.h), tw = std::max(tw, p.w);
  if (!c.do_pad)
    for (const Processed& p : done)
      if (p.h != th || p.w != tw)
        throw UsageError(c.source + ": images of different sizes after processing (" + std::to_string(p.h) + "x" +
                         std::to_string(p.w) + " and " + std::to_string(th) + "x" + std::to_string(tw) +
                         ") cannot form one batch without padding");
  const int64_t n = static_cast<int64_t>(done.size());
  out.shape = {n, 3, th, tw};
  out.pixel_values.assign(size_t(n) * 3 * th * tw, 0.0f);
  const bool mask = returns_pixel_mask();
  if (mask) {
    out.pixel_mask_shape = {n, th, tw};
    out.pixel_mask.assign(size_t(n) * th * tw, 0);
  }
  for (int64_t b = 0; b < n; ++b) {
    const Processed& p = done[b];
    for (int k = 0; k < 3; ++k)
      for (int y = 0; y < p.h; ++y)
        std::memcpy(&out.pixel_values[((size_t(b) * 3 + k) * th + y) * tw], &p.chw[(size_t(k) * p.h + y) * p.w],
                    sizeof(float) * p.w);
    if (mask)
      for (int y = 0; y < p.h; ++y) std::fill_n(&out.pixel_mask[(size_t(b) * th + y) * tw], p.w, int64_t{1});
  }
  return out;
}

}  // namespace modelexport::processors
