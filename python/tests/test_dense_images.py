"""modelexport.inference's zero-shot-image-classification, object-detection, image-segmentation and
background-removal pipelines against the CLI's `run --json` on the generated models (CTest fixtures
image_models and dense_models). Masks come back as PIL images (as Python transformers'
ImageSegmentationPipeline and RMBG-1.4's pipeline return them), numpy arrays without Pillow, or the
CLI's PNG paths with output_dir."""

import functools
import json
import os
import pathlib
import sys
import tempfile

import numpy as np
import pytest
from PIL import Image

import modelexport
from modelexport.inference import pipeline
from conftest import BUILD, cli, cli_error

CORPUS = pathlib.Path(os.environ.get("MODELEXPORT_CORPUS", pathlib.Path(__file__).resolve().parents[2] / ".." /
                                     "shared" / "corpus"))
IMAGES = [CORPUS / "media" / "images" / n for n in ("airport.jpg", "cats.jpg")]
LABELS = ["a cat", "a plane", "a dog"]


def models(env, first):
    d = pathlib.Path(os.environ.get(env, str(BUILD / "tests" / env.lower())))
    if not (d / first).exists() or not IMAGES[0].exists():
        pytest.skip(f"{env.lower()} missing (CTest fixture {env.lower()}; needs the corpus)")
    return d


@pytest.fixture(scope="session")
def image_models():
    return models("IMAGE_MODELS", "clip.onnx")


@pytest.fixture(scope="session")
def dense_models():
    return models("DENSE_MODELS", "segformer.onnx")


@functools.lru_cache(maxsize=None)
def cached_pipeline(model):
    """One pipeline per model for the whole session (pipelines are immutable and thread-safe)."""
    return pipeline(model=model)


def run_lines(model, *args):
    return [json.loads(line) for line in cli("run", model, *args, "--json")[1].splitlines()]


def pixels(image):
    return np.asarray(image)


@pytest.mark.parametrize("name", ["clip.onnx", "siglip.onnx"])
def test_zero_shot_image_classification_matches_run_json(image_models, name):
    model = image_models / name
    pipe = cached_pipeline(model)
    assert pipe.task == "zero-shot-image-classification"
    ref = run_lines(model, *IMAGES, "--labels", *LABELS)
    # transformers' ZeroShotImageClassificationPipeline: (image, candidate_labels=[...]); a list of images
    # gives one list per image, each [{"score", "label"}] best first.
    assert pipe([str(i) for i in IMAGES], candidate_labels=LABELS) == ref
    # One image runs as a batch of one (ONNX Runtime's sums may differ by batch size in the last bits).
    one = run_lines(model, IMAGES[1], "--labels", *LABELS)[0]
    assert pipe(IMAGES[1], candidate_labels=LABELS) == one
    assert pipe(images=Image.open(IMAGES[1]), candidate_labels=LABELS) == one
    assert pipe(IMAGES[1], LABELS) == one
    templated = run_lines(model, IMAGES[0], "--labels", *LABELS, "--hypothesis-template", "a picture of {}",
                          "--top-k", "2")[0]
    assert pipe(IMAGES[0], candidate_labels=LABELS, hypothesis_template="a picture of {}", top_k=2) == templated
    assert len(templated) == 2
    assert pipeline(model=model, hypothesis_template="a picture of {}", top_k=2)(
        IMAGES[0], candidate_labels=LABELS) == templated


def test_zero_shot_image_classification_bad_inputs(image_models):
    pipe = cached_pipeline(image_models / "clip.onnx")
    with pytest.raises(modelexport.UsageError, match="candidate_labels"):
        pipe(IMAGES[0])
    with pytest.raises(TypeError):
        pipe(IMAGES[0], candidate_labels=[1, 2])
    with pytest.raises(modelexport.UsageError, match="threshold does not apply"):
        pipe(IMAGES[0], candidate_labels=LABELS, threshold=0.5)


@pytest.mark.parametrize("name", ["detr.onnx", "yolos.onnx"])
def test_object_detection_matches_run_json(dense_models, name):
    model = dense_models / name
    pipe = cached_pipeline(model)
    assert pipe.task == "object-detection"
    ref = run_lines(model, *IMAGES)
    assert pipe([str(i) for i in IMAGES]) == ref
    one = run_lines(model, IMAGES[1])[0]
    assert pipe(IMAGES[1]) == one
    assert pipe(Image.open(IMAGES[1])) == one
    assert pipe(np.asarray(Image.open(IMAGES[1]).convert("RGB"))) == one
    strict = run_lines(model, IMAGES[1], "--threshold", "0.99")[0]
    assert pipe(IMAGES[1], threshold=0.99) == strict
    assert pipeline(model=model, threshold=0.99)(IMAGES[1]) == strict
    assert len(strict) < len(one)  # the threshold drops boxes
    with pytest.raises(modelexport.UsageError) as e:
        pipe(IMAGES[1], threshold=1.5)
    assert str(e.value) == cli_error("run", model, IMAGES[1], "--threshold", "1.5")


def test_image_segmentation_masks_are_the_clis_pngs(dense_models, cli_dense, tmp_path):
    model = dense_models / "segformer.onnx"
    pipe = cached_pipeline(model)
    assert pipe.task == "image-segmentation"
    ref = run_lines(model, *IMAGES, "--output-dir", tmp_path / "cli")
    got = pipe([str(i) for i in IMAGES])
    assert len(got) == len(ref)
    for per_image, expected in zip(got, ref):
        assert [(r["score"], r["label"]) for r in per_image] == [(None, r["label"]) for r in expected]
        for r, e in zip(per_image, expected):
            assert isinstance(r["mask"], Image.Image) and r["mask"].mode == "L"
            assert np.array_equal(pixels(r["mask"]), pixels(Image.open(e["mask"])))
    expected = cli_dense("segformer.onnx", IMAGES[1])[0]
    one = pipe(Image.open(IMAGES[1]))
    assert [r["label"] for r in one] == [r["label"] for r in expected]
    assert all(np.array_equal(pixels(a["mask"]), pixels(Image.open(b["mask"]))) for a, b in zip(one, expected))
    # With output_dir: the CLI's result, PNG files written there.
    assert pipe([str(i) for i in IMAGES], output_dir=tmp_path / "py") == json.loads(
        json.dumps(ref).replace(str(tmp_path / "cli"), str(tmp_path / "py")))
    assert sorted(os.listdir(tmp_path / "py")) == sorted(os.listdir(tmp_path / "cli"))


@pytest.fixture(scope="session")
def cli_dense(dense_models, tmp_path_factory):
    """The CLI's result for one image on a dense model (--output-dir in a session folder), run once."""
    root = tmp_path_factory.mktemp("cli_dense")

    @functools.lru_cache(maxsize=None)
    def run(name, image):
        return run_lines(dense_models / name, image, "--output-dir", root / f"{name}-{image.stem}")[0], root

    return run


def test_background_removal_gives_the_rgba_cut_out(dense_models, cli_dense, tmp_path):
    model = dense_models / "rmbg.onnx"
    pipe = cached_pipeline(model)
    assert pipe.task == "background-removal"
    one, root = cli_dense("rmbg.onnx", IMAGES[0])
    cut_outs = pipe([str(IMAGES[0])])  # a list gives a list
    assert len(cut_outs) == 1 and isinstance(cut_outs[0], Image.Image) and cut_outs[0].mode == "RGBA"
    assert np.array_equal(pixels(cut_outs[0]), pixels(Image.open(one["image"])))
    mask = pipe(IMAGES[0], return_mask=True)
    assert mask.mode == "L" and np.array_equal(pixels(mask), pixels(Image.open(one["mask"])))
    folder = str(root / f"rmbg.onnx-{IMAGES[0].stem}")
    assert pipe(IMAGES[0], output_dir=tmp_path / "py") == {k: v.replace(folder, str(tmp_path / "py"))
                                                          for k, v in one.items()}
    with pytest.raises(modelexport.UsageError, match="return_mask"):
        pipe(IMAGES[0], output_dir=tmp_path / "py", return_mask=True)


def test_without_pillow_masks_are_numpy_arrays(dense_models, cli_dense, monkeypatch):
    ref_seg = cli_dense("segformer.onnx", IMAGES[1])[0]
    ref_cut = cli_dense("rmbg.onnx", IMAGES[0])[0]
    seg, rmbg = cached_pipeline(dense_models / "segformer.onnx"), cached_pipeline(dense_models / "rmbg.onnx")
    monkeypatch.setitem(sys.modules, "PIL", None)  # `from PIL import Image` raises ImportError
    for r, e in zip(seg(IMAGES[1]), ref_seg):
        assert r["mask"].dtype == np.uint8 and r["mask"].ndim == 2
        assert np.array_equal(r["mask"], pixels(Image.open(e["mask"])))
    cut = rmbg(IMAGES[0])
    assert cut.shape[2] == 4 and np.array_equal(cut, pixels(Image.open(ref_cut["image"])))


def test_dense_bad_inputs_leave_nothing_behind(dense_models, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    os.mkdir(tmp_path / "tmp")
    missing = tmp_path / "missing.jpg"
    for name in ("segformer.onnx", "rmbg.onnx"):
        model = dense_models / name
        pipe = cached_pipeline(model)
        with pytest.raises(modelexport.Error) as e:
            pipe([str(IMAGES[0]), str(missing)], output_dir=tmp_path / "out")
        assert str(e.value) == cli_error("run", model, IMAGES[0], missing, "--output-dir", tmp_path / "out")
        assert not (tmp_path / "out").exists()  # nothing written when an input fails
        with pytest.raises(modelexport.Error):
            pipe([str(IMAGES[0]), str(missing)])
        pipe(IMAGES[0])
        assert os.listdir(tmp_path / "tmp") == []  # the private folder is removed
        with pytest.raises(TypeError):
            pipe(IMAGES[0], output_dir=3)
        with pytest.raises(modelexport.UsageError, match="threshold does not apply"):
            pipe(IMAGES[0], threshold=0.5)
    with pytest.raises(TypeError):
        cached_pipeline(dense_models / "rmbg.onnx")(IMAGES[0], return_mask="yes")
