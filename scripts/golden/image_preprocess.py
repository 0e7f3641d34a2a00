#!/usr/bin/python3
"""Reference outputs for modelexport's image processors: what a Python Hugging Face user gets.

Run with Debian's /usr/bin/python3 (Pillow 9.4, numpy). Python transformers is not installed here,
so its PIL backend is written out step by step from its source (transformers main, 2025-2026:
src/transformers/image_processing_backends.py PilBackend, image_transforms.py, image_utils.py
load_image, models/*/image_processing_pil_*.py, models/yolos/image_processing_yolos.py):

  load_image: PIL.Image.open → ImageOps.exif_transpose → convert("RGB")
  process_image: np.array → channels first
  resize (PilBackend.resize + image_transforms.resize: PIL Image.resize with the processor's filter)
  → center_crop (image_transforms.center_crop, zero padding when smaller)
  → rescale (float64 * factor → float32) → normalize (float32 (x - mean) / std)
  → pad to the batch's largest with pixel_mask (DETR)

usage: image_preprocess.py CORPUS_DIR OUT_DIR
Writes OUT_DIR/manifest.json and the files it names (odd images, decoded hashes, resized bytes,
pixel_values as raw little-endian float32).
"""
import hashlib
import io
import json
import math
import os
import struct
import sys
import zlib

import numpy as np
import PIL
from PIL import Image, ImageOps

assert PIL.__version__.startswith("9.4"), f"Pillow 9.4 expected, got {PIL.__version__}"

IMAGENET_DEFAULT_MEAN = [0.485, 0.456, 0.406]
IMAGENET_DEFAULT_STD = [0.229, 0.224, 0.225]
IMAGENET_STANDARD_MEAN = [0.5, 0.5, 0.5]
IMAGENET_STANDARD_STD = [0.5, 0.5, 0.5]
OPENAI_CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
OPENAI_CLIP_STD = [0.26862954, 0.26130258, 0.27577711]

# Class defaults of each processor (the class attributes of image_processing_pil_*.py);
# "square": how an int size is read (get_size_dict's default_to_square).
PROCESSORS = {
    "ViTImageProcessor": dict(size={"height": 224, "width": 224}, resample=2, mean=IMAGENET_STANDARD_MEAN,
                              std=IMAGENET_STANDARD_STD, square=True),
    "DeiTImageProcessor": dict(size={"height": 256, "width": 256}, resample=3, do_center_crop=True,
                               crop_size={"height": 224, "width": 224}, mean=IMAGENET_DEFAULT_MEAN,
                               std=IMAGENET_DEFAULT_STD, square=True),
    "BeitImageProcessor": dict(size={"height": 256, "width": 256}, resample=3, do_center_crop=True,
                               crop_size={"height": 224, "width": 224}, mean=IMAGENET_STANDARD_MEAN,
                               std=IMAGENET_STANDARD_STD, square=True),
    "ConvNextImageProcessor": dict(size={"shortest_edge": 384}, resample=3, crop_pct=224 / 256,
                                   mean=IMAGENET_STANDARD_MEAN, std=IMAGENET_STANDARD_STD, square=False),
    "CLIPImageProcessor": dict(size={"shortest_edge": 224}, resample=3, do_center_crop=True,
                               crop_size={"height": 224, "width": 224}, mean=OPENAI_CLIP_MEAN,
                               std=OPENAI_CLIP_STD, square=False),
    "SiglipImageProcessor": dict(size={"height": 224, "width": 224}, resample=3, mean=IMAGENET_STANDARD_MEAN,
                                 std=IMAGENET_STANDARD_STD, square=True),
    "DetrImageProcessor": dict(size={"shortest_edge": 800, "longest_edge": 1333}, resample=2,
                               mean=IMAGENET_DEFAULT_MEAN, std=IMAGENET_DEFAULT_STD, do_pad=True, mask=True,
                               square=False),
    "YolosImageProcessor": dict(size={"shortest_edge": 800, "longest_edge": 1333}, resample=2,
                                mean=IMAGENET_DEFAULT_MEAN, std=IMAGENET_DEFAULT_STD, do_pad=True, square=False),
    "SegformerImageProcessor": dict(size={"height": 512, "width": 512}, resample=2, mean=IMAGENET_DEFAULT_MEAN,
                                    std=IMAGENET_DEFAULT_STD, square=True),
    # transformers.js' generic ImageFeatureExtractor (briaai/RMBG-1.4): BaseImageProcessor's steps.
    "ImageFeatureExtractor": dict(size=None, resample=2, mean=IMAGENET_DEFAULT_MEAN, std=IMAGENET_DEFAULT_STD,
                                  square=True),
}


def processor_type(config):
    name = config.get("image_processor_type") or config.get("feature_extractor_type")
    for suffix in ("Fast", "Pil"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    if name.endswith("FeatureExtractor") and name != "ImageFeatureExtractor":
        name = name[: -len("FeatureExtractor")] + "ImageProcessor"
    return name


def size_dict(size, square, max_size=None):
    """image_processing_utils.get_size_dict for the forms configs use."""
    if size is None:
        return None
    if isinstance(size, int):
        if max_size is not None:
            return {"shortest_edge": size, "longest_edge": max_size}
        return {"height": size, "width": size} if square else {"shortest_edge": size}
    if isinstance(size, (list, tuple)):
        return {"height": size[0], "width": size[1]}
    return dict(size)


def load_image(path):
    """transformers.image_utils.load_image."""
    image = Image.open(path)
    image = ImageOps.exif_transpose(image)
    return image.convert("RGB")


def get_size_with_aspect_ratio(image_size, size, max_size=None):  # image_transforms.py
    height, width = image_size
    raw_size = None
    if max_size is not None:
        min_original_size = float(min((height, width)))
        max_original_size = float(max((height, width)))
        if max_original_size / min_original_size * size > max_size:
            raw_size = max_size * min_original_size / max_original_size
            size = int(round(raw_size))
    if (height <= width and height == size) or (width <= height and width == size):
        oh, ow = height, width
    elif width < height:
        ow = size
        oh = int(raw_size * height / width) if max_size is not None and raw_size is not None else int(size * height / width)
    else:
        oh = size
        ow = int(raw_size * width / height) if max_size is not None and raw_size is not None else int(size * width / height)
    return (oh, ow)


def yolos_size_with_aspect_ratio(image_size, size, max_size=None, mod_size=16):  # image_processing_yolos.py
    height, width = image_size
    raw_size = None
    if max_size is not None:
        min_original_size = float(min((height, width)))
        max_original_size = float(max((height, width)))
        if max_original_size / min_original_size * size > max_size:
            raw_size = max_size * min_original_size / max_original_size
            size = int(round(raw_size))
    if width < height:
        ow = size
        oh = int(raw_size * height / width) if max_size is not None and raw_size is not None else int(size * height / width)
    elif (height <= width and height == size) or (width <= height and width == size):
        oh, ow = height, width
    else:
        oh = size
        ow = int(raw_size * width / height) if max_size is not None and raw_size is not None else int(size * width / height)
    ow = ow - np.mod(ow, mod_size)
    oh = oh - np.mod(oh, mod_size)
    return (int(oh), int(ow))


def shortest_edge_size(height, width, size):  # image_transforms.get_resize_output_image_size
    short, long = (width, height) if width <= height else (height, width)
    new_short, new_long = size, int(size * long / short)
    return (new_long, new_short) if width <= height else (new_short, new_long)


def max_height_width_size(height, width, max_height, max_width):  # image_utils.get_image_size_for_max_height_width
    min_scale = min(max_height / height, max_width / width)
    return int(height * min_scale), int(width * min_scale)


def resize_chw(image, height, width, resample):  # image_transforms.resize through PIL
    pil = Image.fromarray(np.ascontiguousarray(image.transpose(1, 2, 0)))
    out = np.array(pil.resize((width, height), resample=resample, reducing_gap=None))
    return out.transpose(2, 0, 1)


def center_crop_chw(image, crop_height, crop_width):  # image_transforms.center_crop
    orig_height, orig_width = image.shape[-2:]
    top = (orig_height - crop_height) // 2
    bottom = top + crop_height
    left = (orig_width - crop_width) // 2
    right = left + crop_width
    if top >= 0 and bottom <= orig_height and left >= 0 and right <= orig_width:
        return image[..., top:bottom, left:right]
    new_height, new_width = max(crop_height, orig_height), max(crop_width, orig_width)
    new_image = np.zeros_like(image, shape=image.shape[:-2] + (new_height, new_width))
    top_pad = math.ceil((new_height - orig_height) / 2)
    left_pad = math.ceil((new_width - orig_width) / 2)
    new_image[..., top_pad:top_pad + orig_height, left_pad:left_pad + orig_width] = image
    top += top_pad
    bottom += top_pad
    left += left_pad
    right += left_pad
    return new_image[..., max(0, top):min(new_height, bottom), max(0, left):min(new_width, right)]


def preprocess(config, paths):
    kind = processor_type(config)
    d = PROCESSORS[kind]
    size = size_dict(config.get("size", d["size"]), d["square"], config.get("max_size"))
    crop_size = size_dict(config.get("crop_size", d.get("crop_size")), True)
    resample = config.get("resample", d["resample"])
    do_resize = config.get("do_resize", True)
    do_center_crop = config.get("do_center_crop", d.get("do_center_crop", False))
    do_rescale = config.get("do_rescale", True)
    rescale_factor = config.get("rescale_factor", 1 / 255)
    do_normalize = config.get("do_normalize", True)
    mean = config.get("image_mean", d["mean"])
    std = config.get("image_std", d["std"])
    do_pad = config.get("do_pad", config.get("pad_and_return_pixel_mask", d.get("do_pad", False)))
    crop_pct = config.get("crop_pct", d.get("crop_pct"))
    images = []
    for path in paths:
        image = np.array(load_image(path)).transpose(2, 0, 1)
        if do_resize:
            h, w = image.shape[-2:]
            if kind == "ConvNextImageProcessor":  # image_processing_pil_convnext.py resize
                se = size["shortest_edge"]
                if se < 384:
                    nh, nw = shortest_edge_size(h, w, int(se / crop_pct))
                    image = center_crop_chw(resize_chw(image, nh, nw, resample), se, se)
                else:
                    image = resize_chw(image, se, se, resample)
            else:
                if "shortest_edge" in size and "longest_edge" in size:
                    fn = yolos_size_with_aspect_ratio if kind == "YolosImageProcessor" else get_size_with_aspect_ratio
                    nh, nw = fn((h, w), size["shortest_edge"], size["longest_edge"])
                elif "shortest_edge" in size:
                    nh, nw = shortest_edge_size(h, w, size["shortest_edge"])
                elif "max_height" in size:
                    nh, nw = max_height_width_size(h, w, size["max_height"], size["max_width"])
                else:
                    nh, nw = size["height"], size["width"]
                image = resize_chw(image, nh, nw, resample)
        if do_center_crop:
            image = center_crop_chw(image, crop_size["height"], crop_size["width"])
        if do_rescale:
            image = (image.astype(np.float64) * rescale_factor).astype(np.float32)
        if do_normalize:
            if not np.issubdtype(image.dtype, np.floating):
                image = image.astype(np.float32)
            m = np.array(mean, dtype=image.dtype)
            s = np.array(std, dtype=image.dtype)
            image = ((image.T - m) / s).T
        images.append(image)
    masks = None
    if do_pad:
        th = max(i.shape[1] for i in images)
        tw = max(i.shape[2] for i in images)
        padded, masks = [], []
        for i in images:
            h, w = i.shape[1:]
            padded.append(np.pad(i, ((0, 0), (0, th - h), (0, tw - w)), mode="constant", constant_values=0))
            m = np.zeros((th, tw), dtype=np.int64)
            m[:h, :w] = 1
            masks.append(m)
        images = padded
        if not d.get("mask"):
            masks = None
    return np.stack(images).astype(np.float32), (np.stack(masks) if masks is not None else None)


def write_png(path, width, height, depth, color_type, raw_rows, palette=None):
    """A PNG written by hand, for what Pillow cannot write (16-bit RGB, huge headers)."""
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 0))
    if palette:
        out += chunk(b"PLTE", palette)
    out += chunk(b"IDAT", zlib.compress(b"".join(b"\0" + r for r in raw_rows))) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(out)


def make_odd_images(folder):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(12)
    base = Image.fromarray(rng.integers(0, 256, (24, 40, 3), dtype=np.uint8))
    grad = np.zeros((24, 40, 3), dtype=np.uint8)
    grad[..., 0] = np.arange(40)[None, :] * 6
    grad[..., 1] = np.arange(24)[:, None] * 10
    grad[..., 2] = 128
    grad = Image.fromarray(grad)
    files = []

    def save(im, name, **kw):
        p = os.path.join(folder, name)
        im.save(p, **kw)
        files.append(p)

    for k in range(2, 9):
        exif = Image.Exif()
        exif[0x0112] = k
        save(grad, f"exif_orientation_{k}.jpg", exif=exif.tobytes(), quality=95)
    exif = Image.Exif()
    exif[0x0112] = 6
    save(grad, "exif_orientation_6.png", exif=exif.tobytes())
    save(grad.convert("CMYK"), "cmyk.jpg", quality=90)
    save(grad.convert("L"), "gray.jpg")
    save(grad.convert("L"), "gray.png")
    save(base, "subsampling_444.jpg", subsampling=0, quality=90)
    save(base, "subsampling_422.jpg", subsampling=1, quality=90)
    save(base, "progressive.jpg", progressive=True)
    p = base.convert("P", palette=Image.ADAPTIVE, colors=16)
    p.info["transparency"] = 3
    save(p, "palette_transparency.png", transparency=3)
    save(base.convert("P", palette=Image.ADAPTIVE, colors=16), "palette_4bit.png", bits=4)
    save(base.convert("1"), "bilevel.png")
    rgba = base.copy()
    rgba.putalpha(Image.fromarray(rng.integers(0, 256, (24, 40), dtype=np.uint8)))
    save(rgba, "rgba.png")
    save(rgba.convert("LA"), "la.png")
    save(Image.fromarray((rng.integers(0, 1024, (24, 40))).astype(np.uint16)), "gray16.png")
    rows16 = [rng.integers(0, 65536, 40 * 3, dtype=np.uint16).astype(">u2").tobytes() for _ in range(24)]
    write_png(os.path.join(folder, "rgb16.png"), 40, 24, 16, 2, rows16)
    files.append(os.path.join(folder, "rgb16.png"))
    save(Image.new("RGB", (1, 1), (200, 10, 30)), "1x1.png")
    save(base.resize((7, 3)), "7x3.jpg")
    save(base.resize((7, 3)), "7x3.png")
    save(base.resize((3, 7)), "3x7.png")
    save(base, "lossless.webp", lossless=True)
    save(base, "lossy.webp", quality=80)
    save(rgba, "alpha.webp", quality=80)
    save(base.convert("P", palette=Image.ADAPTIVE), "frame.gif")
    save(base, "rgb.bmp")
    return files


def make_bad_inputs(folder, good_jpeg, good_png):
    os.makedirs(folder, exist_ok=True)
    bad = {}

    def put(name, data, expect):
        p = os.path.join(folder, name)
        with open(p, "wb") as f:
            f.write(data)
        bad[p] = expect

    put("not_an_image.jpg", b"hello, I am text\n", "not an image")
    put("empty.png", b"", "not an image")
    jpeg = open(good_jpeg, "rb").read()
    put("truncated.jpg", jpeg[: len(jpeg) // 2], "truncated")
    png = open(good_png, "rb").read()
    put("truncated.png", png[: len(png) // 2], "truncated")
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buf, "TIFF")
    put("image.tiff", buf.getvalue(), "unsupported image format TIFF")
    # Pillow's DecompressionBombError: 2 * MAX_IMAGE_PIXELS < 20000 * 10000.
    assert 20000 * 10000 > 2 * Image.MAX_IMAGE_PIXELS
    write_png(os.path.join(folder, "bomb.png"), 20000, 10000, 8, 0, [b"\0" * 10])
    bad[os.path.join(folder, "bomb.png")] = "decompression bomb"
    return bad


def main():
    corpus, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    photos_dir = os.path.join(corpus, "media", "images")
    photos = sorted(os.path.join(photos_dir, f) for f in os.listdir(photos_dir)) if os.path.isdir(photos_dir) else []
    odd = make_odd_images(os.path.join(out, "odd"))
    manifest = {"decode": [], "resize": [], "process": [], "bad": []}

    for path in photos + odd:
        im = load_image(path)
        manifest["decode"].append({"image": path, "width": im.width, "height": im.height,
                                   "sha256": hashlib.sha256(im.tobytes()).hexdigest()})

    resize_dir = os.path.join(out, "resize")
    os.makedirs(resize_dir, exist_ok=True)
    rng = np.random.default_rng(5)
    sources = {
        "rgb": Image.fromarray(rng.integers(0, 256, (23, 37, 3), dtype=np.uint8)),
        "l": Image.fromarray(rng.integers(0, 256, (23, 37), dtype=np.uint8)),
        "rgba": Image.fromarray(rng.integers(0, 256, (23, 37, 4), dtype=np.uint8)),
    }
    if photos:
        sources["photo"] = load_image(os.path.join(photos_dir, "cats.jpg"))
    for name, im in sources.items():
        raw = os.path.join(resize_dir, f"{name}.raw")
        with open(raw, "wb") as f:
            f.write(im.tobytes())
        w, h = im.size
        for (tw, th) in [(13, 9), (91, 57), (w, 50), (20, h), (1, 1), (224, 224), (3 * w + 1, h // 2 + 1)]:
            for resample in range(6):
                r = im.resize((tw, th), resample=resample)
                manifest["resize"].append({"source": raw, "width": w, "height": h, "channels": len(im.getbands()),
                                           "to_width": tw, "to_height": th, "resample": resample,
                                           "sha256": hashlib.sha256(r.tobytes()).hexdigest()})

    configs = {
        "vit": {"image_processor_type": "ViTImageProcessor", "do_normalize": True, "do_resize": True,
                "image_mean": [0.5, 0.5, 0.5], "image_std": [0.5, 0.5, 0.5], "resample": 2,
                "size": {"height": 224, "width": 224}},
        "deit": {"image_processor_type": "DeiTImageProcessor", "crop_size": {"height": 224, "width": 224},
                 "do_center_crop": True, "resample": 3, "size": {"height": 256, "width": 256}},
        "beit": {"image_processor_type": "BeitImageProcessor", "crop_size": {"height": 224, "width": 224},
                 "do_center_crop": False, "resample": 2, "size": {"height": 224, "width": 224}},
        "convnext": {"image_processor_type": "ConvNextImageProcessor", "crop_pct": 0.875, "resample": 3,
                     "size": {"shortest_edge": 224}, "image_mean": IMAGENET_DEFAULT_MEAN,
                     "image_std": IMAGENET_DEFAULT_STD},
        "convnext384": {"image_processor_type": "ConvNextImageProcessor", "size": {"shortest_edge": 384}},
        "resnet": {"feature_extractor_type": "ConvNextFeatureExtractor", "crop_pct": 0.875, "resample": 3,
                   "size": 224, "image_mean": IMAGENET_DEFAULT_MEAN, "image_std": IMAGENET_DEFAULT_STD},
        "siglip": {"image_processor_type": "SiglipImageProcessor", "resample": 3,
                   "size": {"height": 224, "width": 224}, "rescale_factor": 0.00392156862745098},
        "detr": {"image_processor_type": "DetrImageProcessor", "size": {"shortest_edge": 200, "longest_edge": 333},
                 "format": "coco_detection"},
        "detr_legacy": {"feature_extractor_type": "DetrFeatureExtractor", "size": 160, "max_size": 250},
        "yolos": {"image_processor_type": "YolosImageProcessor", "size": {"shortest_edge": 200, "longest_edge": 333}},
        "segformer": {"image_processor_type": "SegformerImageProcessor", "size": {"height": 128, "width": 128},
                      "do_reduce_labels": False},
        "clip_max": {"image_processor_type": "CLIPImageProcessor", "size": {"max_height": 100, "max_width": 150},
                     "do_center_crop": False},
    }
    config_dir = os.path.join(out, "configs")
    os.makedirs(config_dir, exist_ok=True)
    config_paths = {}
    for name, c in configs.items():
        config_paths[name] = os.path.join(config_dir, f"{name}.json")
        with open(config_paths[name], "w") as f:
            json.dump(c, f)
    for model in ("clip-vit-large-patch14", "RMBG-1.4"):
        p = os.path.join(corpus, "models", model, "preprocessor_config.json")
        if os.path.exists(p):
            config_paths[model] = p
    small = [p for p in photos if os.path.basename(p) in ("cats.jpg", "bus.jpg", "tiger.jpg", "pineapple.jpg",
                                                          "exceltable.png", "test_colors.jpg", "stormtroopers.jpg")]
    odd_set = [p for p in odd if os.path.basename(p) in ("1x1.png", "7x3.jpg", "3x7.png", "cmyk.jpg",
                                                        "exif_orientation_6.jpg", "palette_transparency.png",
                                                        "gray16.png", "rgb16.png", "gray.jpg", "la.png")]
    process_dir = os.path.join(out, "process")
    os.makedirs(process_dir, exist_ok=True)
    for name, cpath in config_paths.items():
        config = json.load(open(cpath))
        # Every image through the two corpus processors and ViT; a sample through the others (time).
        full = name in ("clip-vit-large-patch14", "vit")
        images = small + odd_set if full else small[:3] + odd_set[:5]
        groups = [[p] for p in (small[:2] if name == "RMBG-1.4" else images)]
        if name.startswith("detr") or name == "yolos":
            groups.append((small + odd_set)[:4])  # a padded batch
        for i, group in enumerate(groups):
            pixels, mask = preprocess(config, group)
            rec = {"config": cpath, "images": group, "shape": list(pixels.shape)}
            rec["pixel_values"] = os.path.join(process_dir, f"{name}_{i}.f32")
            pixels.astype("<f4").tofile(rec["pixel_values"])
            if mask is not None:
                rec["pixel_mask_shape"] = list(mask.shape)
                rec["pixel_mask_sha256"] = hashlib.sha256(mask.astype("<i8").tobytes()).hexdigest()
            manifest["process"].append(rec)

    good_png = os.path.join(out, "odd", "rgba.png")
    for path, expect in make_bad_inputs(os.path.join(out, "bad"), os.path.join(out, "odd", "progressive.jpg"),
                                        good_png).items():
        try:
            Image.open(path).load()
            pillow = "accepted"
        except Exception as e:  # what Pillow says, for the record
            pillow = f"{type(e).__name__}: {e}"
        manifest["bad"].append({"image": path, "expect": expect, "pillow": pillow})

    with open(os.path.join(out, "manifest.json.tmp"), "w") as f:
        json.dump(manifest, f, indent=1)
    os.replace(os.path.join(out, "manifest.json.tmp"), os.path.join(out, "manifest.json"))


if __name__ == "__main__":
    main()
