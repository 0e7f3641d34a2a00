"""modelexport.inference's image pipelines against the CLI's `run --json` on the generated image models
(CTest fixture image_models): image paths, bytes, PIL images and numpy HWC uint8 arrays give the
CLI's results for the file, shaped as Python transformers' image pipelines return them."""

import json
import os
import pathlib

import numpy as np
import pytest
from PIL import Image

import modelexport
from modelexport import _core
from modelexport.inference import pipeline
from conftest import BUILD, cli, cli_error

CORPUS = pathlib.Path(os.environ.get("MODELEXPORT_CORPUS", pathlib.Path(__file__).resolve().parents[2] / ".." /
                                     "shared" / "corpus"))
IMAGES = [CORPUS / "media" / "images" / n for n in ("airport.jpg", "cats.jpg")]


@pytest.fixture(scope="session")
def image_models():
    d = pathlib.Path(os.environ.get("IMAGE_MODELS", str(BUILD / "tests" / "image_models")))
    if not (d / "vit-cls.onnx").exists() or not IMAGES[0].exists():
        pytest.skip("image models missing (CTest fixture image_models; needs the corpus)")
    return d


def run_lines(model, *args):
    return [json.loads(line) for line in cli("run", model, *args, "--json")[1].splitlines()]


@pytest.mark.parametrize("name,options,flags", [
    ("vit-cls.onnx", {}, []),
    ("convnext-cls.onnx", {"top_k": 2, "function_to_apply": "sigmoid"}, ["--top-k", "2", "--function-to-apply", "sigmoid"]),
    ("vit-features.onnx", {}, []),
    ("vit-features.onnx", {"pool": True}, ["--pool"]),
])
def test_image_inputs_match_run_json(image_models, name, options, flags):
    model = image_models / name
    pipe = pipeline(model=model)
    ref = run_lines(model, *IMAGES, *flags)
    assert pipe([str(i) for i in IMAGES], **options) == ref
    one = run_lines(model, IMAGES[0], *flags)[0]
    assert pipe(IMAGES[0], **options) == one
    assert pipe(IMAGES[0].read_bytes(), **options) == one
    assert pipe(Image.open(IMAGES[0]), **options) == one  # PIL, converted to RGB as load_image does
    pixels = _core.decode_image(IMAGES[0].read_bytes())
    assert pixels.dtype == np.uint8 and pixels.shape[2] == 3
    assert np.array_equal(pixels, np.asarray(Image.open(IMAGES[0]).convert("RGB")))  # Pillow's pixels
    assert pipe(pixels, **options) == one
    assert pipe([pixels, Image.open(IMAGES[1])], **options) == ref


def test_gray_and_rgba_arrays_are_converted_as_pillow_does(image_models):
    pipe = pipeline(model=image_models / "vit-cls.onnx")
    rgb = _core.decode_image(IMAGES[0].read_bytes())
    gray = np.asarray(Image.fromarray(rgb).convert("L"))
    assert pipe(gray) == pipe(np.asarray(Image.fromarray(gray).convert("RGB")))
    rgba = np.concatenate([rgb, np.full(rgb.shape[:2] + (1,), 7, np.uint8)], axis=2)
    assert pipe(rgba) == pipe(np.asarray(Image.fromarray(rgba).convert("RGB")))
    assert pipe(Image.fromarray(rgba)) == pipe(rgb)


def test_image_bad_inputs(image_models, tmp_path):
    model = image_models / "vit-cls.onnx"
    pipe = pipeline(model=model)
    with pytest.raises(modelexport.UsageError, match="uint8"):
        pipe(np.zeros((8, 8, 3), np.float32))
    with pytest.raises(modelexport.UsageError, match="channels"):
        pipe(np.zeros((8, 8, 2), np.uint8))
    with pytest.raises(TypeError):
        pipe(3.5)
    missing = tmp_path / "missing.jpg"
    with pytest.raises(modelexport.Error) as e:
        pipe(missing)
    assert str(e.value) == cli_error("run", model, missing)
    text = tmp_path / "text.jpg"
    text.write_text("not an image")
    with pytest.raises(modelexport.ImageDecodeError) as e:
        pipe(text)
    assert str(e.value) == cli_error("run", model, text)
    with pytest.raises(modelexport.ImageDecodeError):
        pipe(b"not an image")
    with pytest.raises(modelexport.ImageDecodeError) as e:
        pipe(IMAGES[0], max_image_pixels=100)
    assert str(e.value) == cli_error("run", model, IMAGES[0], "--max-image-pixels", "100")
    with pytest.raises(modelexport.UsageError, match="pool does not apply"):
        pipe(IMAGES[0], pool=True)
