#!/usr/bin/python3
"""Python transformers' post-processing for the dense image tasks, written out in torch (transformers is
not installed here), applied to model outputs the C++ test wrote; prints the pipeline's result as JSON.

  object-detection  pipelines/object_detection.py ObjectDetectionPipeline.postprocess (v4.57) on
                    models/detr/image_processing_detr.py post_process_object_detection (YOLOS' is the
                    same): softmax, prob[..., :-1].max(-1), threshold strict, center_to_corners_format,
                    * [w, h, w, h], box.int()
  image-segmentation pipelines/image_segmentation.py (subtask semantic) on models/segformer/
                    image_processing_segformer.py post_process_semantic_segmentation: interpolate
                    bilinear (align_corners=False) to the image size, argmax over labels, np.unique's
                    labels in order, mask = (map == label) * 255 → the mask's sha256 here
  background-removal briaai/RMBG-1.4's model card (README.md usage, utilities.py postprocess_image):
                    interpolate bilinear to the image size, min-max normalize, * 255, astype(uint8);
                    the cut-out Image.new("RGBA", size, (0, 0, 0, 0)).paste(image, mask=mask) with the
                    image as load_image gives it → both sha256s here

  dense_postprocess.py MANIFEST.json
MANIFEST: {"task", "threshold", "id2label": {...}, "original_sizes": [[h, w]...], "images": [PATH...],
           "outputs": {"name": {"path", "shape"}}} with float32 little-endian raw files.
"""
import hashlib
import json
import sys

import os

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import image_preprocess  # noqa: E402  (load_image: transformers.image_utils.load_image with Pillow)

m = json.load(open(sys.argv[1]))
outputs = {k: torch.from_numpy(np.fromfile(v["path"], dtype="<f4").reshape(v["shape"])) for k, v in m["outputs"].items()}
id2label = m["id2label"]
results = []
if m["task"] == "object-detection":
    logits, boxes = outputs["logits"], outputs["pred_boxes"]
    prob = torch.nn.functional.softmax(logits, -1)
    scores, labels = prob[..., :-1].max(-1)
    cx, cy, w, h = boxes.unbind(-1)
    corners = torch.stack([cx - 0.5 * w, cy - 0.5 * h, cx + 0.5 * w, cy + 0.5 * h], dim=-1)
    target = torch.IntTensor(m["original_sizes"])
    img_h, img_w = target.unbind(1)
    corners = corners * torch.stack([img_w, img_h, img_w, img_h], dim=1)[:, None, :]
    for s, l, b in zip(scores, labels, corners):
        keep = s > m["threshold"]
        annotation = []
        for score, label, box in zip(s[keep].tolist(), l[keep], b[keep]):
            xmin, ymin, xmax, ymax = box.int().tolist()
            annotation.append({"score": score, "label": id2label[str(label.item())],
                               "box": {"xmin": xmin, "ymin": ymin, "xmax": xmax, "ymax": ymax}})
        results.append(annotation)
elif m["task"] == "image-segmentation":
    logits = outputs["logits"]
    for idx, size in enumerate(m["original_sizes"]):
        resized = torch.nn.functional.interpolate(logits[idx].unsqueeze(dim=0), size=tuple(size), mode="bilinear",
                                                  align_corners=False)
        segmentation = resized[0].argmax(dim=0).numpy()
        annotation = []
        for label in np.unique(segmentation):
            mask = ((segmentation == label) * 255).astype(np.uint8)
            annotation.append({"score": None, "label": id2label[str(int(label))],
                               "mask_sha256": hashlib.sha256(mask.tobytes()).hexdigest()})
        results.append(annotation)
elif m["task"] == "background-removal":
    out = outputs[next(iter(m["outputs"]))]
    for idx, size in enumerate(m["original_sizes"]):
        result = torch.squeeze(torch.nn.functional.interpolate(out[idx:idx + 1], size=tuple(size), mode="bilinear"), 0)
        ma, mi = torch.max(result), torch.min(result)
        result = (result - mi) / (ma - mi)
        mask = np.squeeze((result * 255).permute(1, 2, 0).cpu().data.numpy().astype(np.uint8))
        pil_mask = Image.fromarray(mask)
        no_bg = Image.new("RGBA", pil_mask.size, (0, 0, 0, 0))
        no_bg.paste(image_preprocess.load_image(m["images"][idx]), mask=pil_mask)
        results.append({"mask_sha256": hashlib.sha256(mask.tobytes()).hexdigest(),
                        "image_sha256": hashlib.sha256(no_bg.tobytes()).hexdigest()})
else:
    raise SystemExit(f"unknown task {m['task']}")
print(json.dumps(results))
