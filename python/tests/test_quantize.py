"""modelexport.quantize against `modelexport quantize --json`: the same report (timings aside) and the
same file, including the float16 range check (fp16_range) for fp16 / q4f16 on the overflow model the
C++ Float16Range test builds (CTest fixture fp16_range_models)."""

import json
import os
import pathlib

import pytest

import modelexport
from conftest import BUILD, cli


def comparable(report):
    """The report without what differs from run to run (times, the output's name)."""
    report = dict(report)
    for key in ("output", "seconds", "weights_mb_per_s"):
        report.pop(key, None)
    if "accuracy" in report:
        report["accuracy"] = {k: v for k, v in report["accuracy"].items() if k != "seconds"}
    return report


def quantize_both(model, tmp_path, *flags, **options):
    ours = modelexport.quantize(model, tmp_path / "py.onnx", **options)
    ref = json.loads(cli("quantize", model, "-o", tmp_path / "cli.onnx", *flags, "--json")[1])
    assert (tmp_path / "py.onnx").read_bytes() == (tmp_path / "cli.onnx").read_bytes()
    return ours, ref


def test_quantize_reports_what_the_cli_reports(tiny, tmp_path):
    ours, ref = quantize_both(tiny, tmp_path, "--dtype", "q8", dtype="q8")
    assert comparable(ours) == comparable(ref)
    assert modelexport.metadata.read_metadata(tmp_path / "py.onnx")["hf_pipeline_task"] == "text-classification"


@pytest.fixture(scope="session")
def fp16_range_models():
    d = pathlib.Path(os.environ.get("FP16_RANGE_MODELS", str(BUILD / "tests" / "fp16_range_models")))
    if not (d / "big.onnx").exists():
        pytest.skip("fp16 range models missing (CTest fixture fp16_range_models)")
    return d


@pytest.mark.parametrize("dtype", ["fp16", "q4f16"])
def test_quantize_reports_the_float16_range_check(fp16_range_models, tmp_path, dtype):
    ours, ref = quantize_both(fp16_range_models / "big.onnx", tmp_path, "--dtype", dtype, "--block-size", "16",
                              dtype=dtype, block_size=16)
    assert comparable(ours) == comparable(ref)
    flagged = ours["fp16_range"]
    assert flagged["flagged"] and [(f["node"], f["op"]) for f in flagged["source"]] == [("proj", "MatMul")]
    assert ours["accuracy"]["outputs"][0]["max_abs_error"] is None  # the NaN, an infinite error
    (tmp_path / "py.onnx").unlink()
    (tmp_path / "cli.onnx").unlink()
    ours, ref = quantize_both(fp16_range_models / "small.onnx", tmp_path, "--dtype", dtype, "--block-size", "16",
                              dtype=dtype, block_size=16)
    assert comparable(ours) == comparable(ref)
    assert not ours["fp16_range"]["flagged"] and ours["fp16_range"]["source"] == []


def test_quantize_has_no_float16_range_without_float16(fp16_range_models, tmp_path):
    model = fp16_range_models / "big.onnx"
    assert "fp16_range" not in modelexport.quantize(model, tmp_path / "q4.onnx", block_size=16)
    assert "fp16_range" not in modelexport.quantize(model, tmp_path / "n.onnx", dtype="fp16", accuracy=False)
