"""modelexport.metadata against the CLI: the same JSON for the same input."""

import json
import pathlib

import pytest

import modelexport
from modelexport import metadata
from conftest import TINY, TASKS, cli, cli_json


def same_model(a, b):
    """The same embedded metadata (the export timestamp aside: a second may pass between the two)."""
    ma, mb = metadata.read_metadata(a), metadata.read_metadata(b)
    for m in (ma, mb):
        m.pop(TIMESTAMP, None)
    assert ma == mb


TIMESTAMP = "hf_export_timestamp"


def test_embed_metadata_reports_what_the_cli_reports(tmp_path):
    ours = metadata.embed_metadata(TINY / "model.onnx", TINY, output_path=tmp_path / "py.onnx", validate=False)
    ref = cli_json("embed-metadata", TINY / "model.onnx", TINY, "-o", tmp_path / "cli.onnx")
    assert ours["output"] == str(tmp_path / "py.onnx")
    ours["output"] = ref["output"]
    assert ours == ref
    assert ours["task"] == "text-classification"
    same_model(tmp_path / "py.onnx", tmp_path / "cli.onnx")


@pytest.mark.parametrize("options,flags", [
    (dict(level="minimal"), ["--level", "minimal"]),
    (dict(level="essential", compress_threshold_kb=0), ["--level", "essential", "--compress-threshold", "0"]),
    (dict(compress_large_configs=False, task="feature-extraction"), ["--no-compress", "--task", "feature-extraction"]),
    (dict(level="minimal", include_vocab=True), ["--include-vocab"]),
])
def test_embed_metadata_options_match_the_cli_flags(tmp_path, options, flags):
    ours = metadata.embed_metadata(str(TINY / "model.onnx"), [str(TINY)], output_path=str(tmp_path / "py.onnx"),
                                   validate=False, **options)
    ref = cli_json("embed-metadata", TINY / "model.onnx", TINY, "-o", tmp_path / "cli.onnx", *flags)
    ours["output"] = ref["output"]
    assert ours == ref
    same_model(tmp_path / "py.onnx", tmp_path / "cli.onnx")


def test_embed_metadata_validates_the_output(tmp_path):
    r = metadata.embed_metadata(TINY / "model.onnx", TINY, output_path=tmp_path / "m.onnx")
    assert r["validation"] == cli_json("validate", tmp_path / "m.onnx")
    assert r["validation"]["valid"] is True


def test_read_metadata_is_analyze_json_metadata(tiny):
    ours = metadata.read_metadata(tiny)
    assert ours == cli_json("analyze", tiny)["metadata"]
    assert ours["hf_pipeline_task"] == "text-classification"
    assert isinstance(ours["hf_model_config"], dict)


def test_read_metadata_of_every_task_model(task_models):
    for task in TASKS:
        assert metadata.read_metadata(task_models / f"{task}.onnx") == cli_json("analyze", task_models / f"{task}.onnx")["metadata"]


def test_read_metadata_without_metadata_is_empty():
    assert metadata.read_metadata(TINY / "model.onnx") == {}


def test_validate_is_validate_json(tiny):
    assert metadata.validate(tiny) == cli_json("validate", tiny)
    assert metadata.validate(tiny, check_task=False, check_processor=False) == cli_json("validate", tiny, "--check-metadata")


def test_validate_reports_findings_of_a_model_without_metadata():
    ours = metadata.validate(TINY / "model.onnx")
    code, out, _ = cli("validate", TINY / "model.onnx", "--json", check=False)
    assert code == 1 and ours == json.loads(out)
    assert ours["valid"] is False


@pytest.mark.parametrize("layout", ["optimum", "transformers.js"])
def test_unpack_is_unpack_json(tiny, tmp_path, layout):
    ours = metadata.unpack(tiny, tmp_path / "py", layout=layout)
    ref = cli_json("unpack", tiny, tmp_path / "cli", "--layout", layout)
    assert ours["out_dir"] == str(tmp_path / "py")
    ours["out_dir"] = ref["out_dir"]
    # export_metadata.json records when it was written ("created", to the second): the two runs may
    # straddle a second, so it is compared without that field.
    def stamped(f):
        return f["name"] == "export_metadata.json"
    assert [f for f in ours.pop("files") if not stamped(f)] == [f for f in ref.pop("files") if not stamped(f)]
    assert ours == ref
    written = sorted(str(p.relative_to(tmp_path / "cli")) for p in (tmp_path / "cli").rglob("*") if p.is_file())
    assert written == sorted(str(p.relative_to(tmp_path / "py")) for p in (tmp_path / "py").rglob("*") if p.is_file())
    for name in written:
        mine, theirs = (tmp_path / "py" / name).read_bytes(), (tmp_path / "cli" / name).read_bytes()
        if name == "export_metadata.json":
            mine, theirs = json.loads(mine), json.loads(theirs)
            mine.pop("created", None), theirs.pop("created", None)
        assert mine == theirs, name


def test_detect_task_is_what_embed_detects(task_models, tiny):
    configs = [(TINY / "config.json", metadata.read_metadata(tiny)["hf_pipeline_task"])]
    for task in TASKS:
        configs.append((task_models / "src" / task / "config.json", metadata.read_metadata(task_models / f"{task}.onnx")["hf_pipeline_task"]))
    for config, expected in configs:
        text = pathlib.Path(config).read_text()
        assert metadata.detect_task(json.loads(text)) == expected, config
        assert metadata.detect_task(text) == expected, config


def test_detect_task_of_nothing_recognisable_is_none():
    assert metadata.detect_task({"hidden_size": 8}) is None
    assert metadata.detect_task({"architectures": ["BertForTokenClassification"]}) == "token-classification"
