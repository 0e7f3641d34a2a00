"""ONNXAutoProcessor against the CLI on the same models: apply_chat_template against `chat-template`
(and its ids against `tokenize --no-special-tokens`), the image processor and the audio feature
extractor against `preprocess --json` (same tensors, bit for bit)."""

import json
import os
import pathlib

import numpy as np
import pytest

import modelexport
from modelexport import _core
from modelexport.inference import (BatchFeature, ONNXAutoProcessor, ONNXFeatureExtractor, ONNXImageProcessor,
                                   ONNXTokenizer)
from conftest import BUILD, cli, cli_error

CORPUS = pathlib.Path(os.environ.get("MODELEXPORT_CORPUS", pathlib.Path(__file__).resolve().parents[2] / ".." /
                                     "shared" / "corpus"))
IMAGES = [CORPUS / "media" / "images" / n for n in ("airport.jpg", "cats.jpg")]
JFK = CORPUS / "media" / "audio" / "jfk.flac"


def built(env, name, probe):
    d = pathlib.Path(os.environ.get(env, str(BUILD / "tests" / name)))
    if not (d / probe).exists():
        pytest.skip(f"{name} missing (CTest fixture {name}; needs the corpus)")
    return d


CHATS = [
    [{"role": "user", "content": "Hi, who are you?"}],
    [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Ünïcode ✓"},
     {"role": "assistant", "content": "Yes."}, {"role": "user", "content": "Again"}],
]
TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Weather for a city",
                                           "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]


def chat_cli(tmp_path, model, messages, *flags, tools=None, context=None):
    (tmp_path / "m.json").write_text(json.dumps(messages))
    args = ["chat-template", model, "--messages", tmp_path / "m.json", *flags]
    if tools is not None:
        (tmp_path / "t.json").write_text(json.dumps(tools))
        args += ["--tools", tmp_path / "t.json"]
    if context is not None:
        (tmp_path / "c.json").write_text(json.dumps(context))
        args += ["--context", tmp_path / "c.json"]
    return cli(*args)[1]


def test_apply_chat_template_is_the_clis(tmp_path):
    model = built("DECODER_MODELS", "decoder_models", "llama.onnx") / "llama.onnx"
    tok = ONNXAutoProcessor.from_model(model)
    assert isinstance(tok, ONNXTokenizer)
    for chat in CHATS:
        assert tok.apply_chat_template(chat, tokenize=False) == chat_cli(tmp_path, model, chat)
        prompt = chat_cli(tmp_path, model, chat, "--add-generation-prompt")
        assert tok.apply_chat_template(chat, add_generation_prompt=True, tokenize=False) == prompt
        ids = json.loads(cli("tokenize", model, "--text", prompt, "--no-special-tokens")[1])["ids"]
        assert tok.apply_chat_template(chat, add_generation_prompt=True) == ids
        enc = tok.apply_chat_template(chat, add_generation_prompt=True, return_dict=True, return_tensors="np")
        assert enc["input_ids"].tolist() == [ids] and enc["attention_mask"].tolist() == [[1] * len(ids)]
    closed = CHATS[1][:3]
    assert tok.apply_chat_template(closed, continue_final_message=True, tokenize=False) == chat_cli(
        tmp_path, model, closed, "--continue-final-message")
    assert tok.apply_chat_template(CHATS[0], tools=TOOLS, tokenize=False) == chat_cli(tmp_path, model, CHATS[0],
                                                                                       tools=TOOLS)
    extra = {"enable_thinking": False, "custom": [1, "two"]}
    assert tok.apply_chat_template(CHATS[0], tokenize=False, **extra) == chat_cli(tmp_path, model, CHATS[0],
                                                                                  context=extra)
    # A batch of chats gives one result per chat.
    assert tok.apply_chat_template(CHATS, tokenize=False) == [chat_cli(tmp_path, model, c) for c in CHATS]
    # A template given as text, with the model's special tokens.
    own = "{% for m in messages %}[{{ m.role }}]{{ m.content }}{{ eos_token }}{% endfor %}"
    assert tok.apply_chat_template(CHATS[0], chat_template=own, tokenize=False).startswith("[user]Hi, who are you?")
    assert "messages" in tok.chat_template


def test_chat_template_errors_are_the_clis(tmp_path):
    models = built("DECODER_MODELS", "decoder_models", "gpt2.onnx")
    tok = ONNXAutoProcessor.from_model(models / "gpt2.onnx")
    with pytest.raises(modelexport.ProcessorReconstructionError) as e:
        tok.apply_chat_template(CHATS[0])
    (tmp_path / "m.json").write_text(json.dumps(CHATS[0]))
    assert str(e.value) == cli_error("chat-template", models / "gpt2.onnx", "--messages", tmp_path / "m.json")
    llama = ONNXAutoProcessor.from_model(models / "llama.onnx")
    with pytest.raises(modelexport.TemplateError, match="no!"):
        llama.apply_chat_template(CHATS[0], chat_template="{{ raise_exception('no!') }}")
    with pytest.raises(modelexport.TemplateError, match="not compatible"):  # the C++ refusal, as transformers refuses
        llama.apply_chat_template(CHATS[0], add_generation_prompt=True, continue_final_message=True)
    with pytest.raises(TypeError):
        llama.apply_chat_template(CHATS[0], tokenize=False, when=object())


def preprocess(model, *inputs):
    return [{name: np.array(t["data"], dtype=t["dtype"]).reshape(t["shape"]) for name, t in json.loads(line).items()}
            for line in cli("preprocess", model, *inputs, "--json")[1].splitlines()]


def test_image_processor_is_preprocess():
    models = built("IMAGE_MODELS", "image_models", "vit-cls.onnx")
    for name in ("vit-cls.onnx", "convnext-cls.onnx", "clip.onnx"):
        proc = ONNXAutoProcessor.from_model(models / name)
        assert isinstance(proc, ONNXImageProcessor)
        ref = preprocess(models / name, *IMAGES)
        for image, r in zip(IMAGES, ref):
            out = proc(image)
            assert isinstance(out, BatchFeature) and set(out) == set(r)
            for key in r:
                assert out[key].dtype == r[key].dtype and np.array_equal(out[key], r[key]), (name, key)
            from PIL import Image
            assert np.array_equal(proc(Image.open(image)).pixel_values, r["pixel_values"])
            assert np.array_equal(proc(_core.decode_image(image.read_bytes()))["pixel_values"], r["pixel_values"])
        both = proc([str(i) for i in IMAGES])
        assert np.array_equal(both["pixel_values"], np.concatenate([r["pixel_values"] for r in ref]))
    clip = ONNXAutoProcessor.from_model(models / "clip.onnx")
    assert isinstance(clip.tokenizer, ONNXTokenizer)  # CLIP in one file: its tokenizer too
    assert isinstance(ONNXAutoProcessor.from_model(models / "clip.onnx", processor_type="tokenizer"), ONNXTokenizer)
    with pytest.raises(modelexport.UsageError):
        ONNXAutoProcessor.from_model(models / "vit-cls.onnx", processor_type="feature_extractor")
    with pytest.raises(modelexport.ImageDecodeError) as e:
        ONNXAutoProcessor.from_model(models / "vit-cls.onnx")(IMAGES[0], max_image_pixels=10)
    assert str(e.value) == cli_error("preprocess", models / "vit-cls.onnx", IMAGES[0], "--json", "--max-image-pixels", "10")


def test_feature_extractor_is_preprocess():
    models = built("AUDIO_MODELS", "audio_models", "ast.onnx")
    if not JFK.exists():
        pytest.skip("corpus recording missing")
    for name in ("ast.onnx", "ctc.onnx", "wav2vec2-cls.onnx"):
        fe = ONNXAutoProcessor.from_model(models / name)
        assert isinstance(fe, ONNXFeatureExtractor)
        ref = preprocess(models / name, JFK)[0]
        samples = _core.decode_audio(JFK.read_bytes(), fe.sampling_rate)
        out = fe(samples, sampling_rate=fe.sampling_rate)
        assert set(out) == set(ref)
        for key in ref:
            assert out[key].dtype == ref[key].dtype and np.array_equal(out[key], ref[key]), (name, key)
        pair = fe([samples, samples])
        for key in ref:
            assert np.array_equal(pair[key], np.concatenate([ref[key], ref[key]]))
    fe = ONNXAutoProcessor.from_model(models / "ast.onnx")
    # Another rate is resampled as a decoded file at that rate is.
    at_8k = _core.decode_audio(JFK.read_bytes(), 8000)
    resampled = _core.resample(at_8k, 8000, fe.sampling_rate)
    assert np.array_equal(fe(at_8k, sampling_rate=8000)["input_values"], fe(resampled)["input_values"])
    with pytest.raises(modelexport.UsageError, match="1-D"):
        fe(np.zeros((2, 10), np.float32))
    with pytest.raises(TypeError):
        fe(samples, sampling_rate="16k")
