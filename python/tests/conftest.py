"""Shared fixtures: the CLI (the reference every Python entry point is compared with), the tiny
text classifier made self-contained, and the generated task models (CTest fixture task_models)."""

import json
import os
import pathlib
import subprocess

import pytest

SOURCE = pathlib.Path(os.environ.get("MODELEXPORT_SOURCE", pathlib.Path(__file__).resolve().parents[2]))
BUILD = pathlib.Path(os.environ.get("MODELEXPORT_BUILD", SOURCE / "build"))
CLI = os.environ.get("MODELEXPORT_CLI", str(BUILD / "modelexport"))
TINY = SOURCE / "tests" / "fixtures" / "tiny-text-classifier"
TASKS = ["feature-extraction", "fill-mask", "question-answering", "token-classification", "zero-shot-classification"]


def cli(*args, check=True):
    """Runs the CLI; (exit code, stdout, stderr)."""
    p = subprocess.run([CLI, *map(str, args)], capture_output=True, text=True)
    if check and p.returncode != 0:
        raise AssertionError(f"modelexport {' '.join(map(str, args))} failed ({p.returncode}): {p.stderr}")
    return p.returncode, p.stdout, p.stderr


def cli_json(*args):
    return json.loads(cli(*args, "--json")[1])


def cli_error(*args):
    """The message the CLI prints for a failing command, without its 'modelexport: KIND: ' prefix."""
    code, _, err = cli(*args, check=False)
    assert code == 2, (args, code, err)
    line = err.strip().splitlines()[-1]
    for prefix in ("usage error: ", "unsuitable model: ", "not a usable ONNX model: ", "error: "):
        if line.startswith("modelexport: " + prefix):
            return line[len("modelexport: " + prefix):]
    raise AssertionError(err)


@pytest.fixture(scope="session")
def tiny(tmp_path_factory):
    """The tiny text classifier, self-contained (embedded by the CLI)."""
    out = tmp_path_factory.mktemp("tiny") / "tiny-text-classifier.onnx"
    cli("embed-metadata", TINY / "model.onnx", TINY, "-o", out, "-q")
    return out


@pytest.fixture(scope="session")
def task_models():
    d = os.environ.get("TASK_MODELS", str(BUILD / "tests" / "task_models"))
    if not (pathlib.Path(d) / "fill-mask.onnx").exists():
        pytest.skip("task models missing (CTest fixture task_models; needs the corpus)")
    return pathlib.Path(d)
