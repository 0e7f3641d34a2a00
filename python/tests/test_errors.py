"""Bad input from Python: the exception class of the C++ error, with the CLI's message."""

import pytest

import modelexport
from modelexport import metadata
from modelexport.inference import ONNXAutoModel, ONNXAutoProcessor, pipeline
from conftest import TINY, cli_error


def test_the_hierarchy_is_the_seed_design():
    for cls in (modelexport.MetadataReadError, modelexport.MetadataEmbeddingError, modelexport.MetadataValidationError,
                modelexport.ProcessorReconstructionError, modelexport.TaskDetectionError):
        assert issubclass(cls, modelexport.MetadataError)
    for cls in (modelexport.MetadataError, modelexport.UsageError, modelexport.IoError, modelexport.FormatError,
                modelexport.UnsuitableModelError, modelexport.RuntimeError):
        assert issubclass(cls, modelexport.Error)
    assert issubclass(modelexport.UsageError, ValueError)
    assert issubclass(modelexport.IoError, OSError)
    assert issubclass(modelexport.RuntimeError, RuntimeError)
    for cls in (modelexport.ImageDecodeError, modelexport.AudioDecodeError):
        assert issubclass(cls, modelexport.Error) and issubclass(cls, ValueError)
    assert issubclass(modelexport.TemplateError, modelexport.ProcessorReconstructionError)
    assert modelexport.MetadataReadError.__module__ == "modelexport"


# (call, exception class, the CLI command failing the same way or the library's message)
def cases(tmp, tiny):
    missing = tmp / "missing.onnx"
    not_onnx = tmp / "not.onnx"
    not_onnx.write_text("version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n")
    return [
        (lambda: metadata.read_metadata(missing), modelexport.IoError, ["analyze", missing]),
        (lambda: metadata.read_metadata(not_onnx), modelexport.FormatError, ["analyze", not_onnx]),
        (lambda: metadata.validate(missing), modelexport.IoError, ["validate", missing]),
        (lambda: metadata.embed_metadata(TINY / "model.onnx", tmp / "no-such-folder", output_path=tmp / "o.onnx"),
         modelexport.MetadataReadError, ["embed-metadata", TINY / "model.onnx", tmp / "no-such-folder", "-o", tmp / "o.onnx"]),
        (lambda: metadata.embed_metadata(TINY / "model.onnx", TINY, output_path=tmp / "o.onnx", level="maximal"),
         modelexport.UsageError, None),
        (lambda: metadata.embed_metadata(TINY / "model.onnx", TINY, output_path=tmp / "o.onnx", task="dancing"),
         modelexport.UsageError, ["embed-metadata", TINY / "model.onnx", TINY, "-o", tmp / "o.onnx", "--task", "dancing"]),
        (lambda: metadata.unpack(tiny, tmp / "u", layout="keras"), modelexport.UsageError, ["unpack", tiny, tmp / "u", "--layout", "keras"]),
        (lambda: metadata.unpack(tiny, TINY), modelexport.UsageError, ["unpack", tiny, TINY]),
        (lambda: pipeline("dancing", model=tiny), modelexport.UsageError, ["run", tiny, "x", "--task", "dancing"]),
        (lambda: pipeline(model=missing), modelexport.IoError, ["run", missing, "x"]),
        (lambda: pipeline(model=TINY / "config.json"), modelexport.FormatError, ["run", TINY / "config.json", "x"]),
        # The CLI refuses --top-k 0 itself; this is the library's message (runtime/pipelines/pipeline.cc).
        (lambda: pipeline(model=tiny)("x", top_k=0), modelexport.UsageError, "top_k must be at least 1 (text-classification)"),
        (lambda: pipeline("fill-mask", model=tiny), modelexport.UnsuitableModelError, ["run", tiny, "x", "--task", "fill-mask"]),
        (lambda: ONNXAutoModel.from_model(missing), modelexport.RuntimeError, None),  # ORT opens the file
        (lambda: ONNXAutoProcessor.from_model(not_onnx), modelexport.Error, None),
        (lambda: modelexport.quantize(tiny, tiny), modelexport.UsageError, ["quantize", tiny, "-o", tiny]),
        (lambda: modelexport.quantize(tiny, tmp / "q.onnx", dtype="q3"), modelexport.UsageError,
         ["quantize", tiny, "-o", tmp / "q.onnx", "--dtype", "q3"]),
    ]


def test_bad_input_raises_the_cli_error(tmp_path, tiny):
    for call, cls, command in cases(tmp_path, tiny):
        with pytest.raises(cls) as caught:
            call()
        assert type(caught.value) is cls or cls is modelexport.Error, (command, type(caught.value), caught.value)
        if isinstance(command, str):
            assert str(caught.value) == command
        elif command:
            assert str(caught.value) == cli_error(*command), command


@pytest.mark.parametrize("call", [
    lambda tiny: metadata.read_metadata(42),
    lambda tiny: metadata.validate(None),
    lambda tiny: metadata.embed_metadata(1.5, TINY),
    lambda tiny: metadata.unpack(tiny, 7),
    lambda tiny: pipeline(model=3),
    lambda tiny: pipeline(task=3, model=tiny),
    lambda tiny: pipeline(model=tiny)(42),
    lambda tiny: pipeline(model=tiny)(["a", 1]),
    lambda tiny: ONNXAutoModel.from_model(1),
    lambda tiny: ONNXAutoProcessor.from_model(tiny)(5),
    lambda tiny: metadata.detect_task(5),
])
def test_wrong_types_raise_type_error_naming_the_parameter(tiny, call):
    with pytest.raises(TypeError):
        call(tiny)


def test_an_option_of_another_task_is_refused(tiny):
    with pytest.raises(modelexport.UsageError, match="pooling does not apply to text-classification"):
        pipeline(model=tiny, pooling="mean")
    with pytest.raises(modelexport.UsageError, match="targets does not apply"):
        pipeline(model=tiny)("x", targets=["a"])


def test_model_run_errors_name_the_tensor(tiny):
    model = ONNXAutoModel.from_model(tiny)
    with pytest.raises(modelexport.RuntimeError):
        model(input_ids=[[1, 2, 3]])  # attention_mask missing
