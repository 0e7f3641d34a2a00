"""modelexport.inference's generating and audio pipelines against the CLI's `run --json` on the same
models and inputs: text-generation (prompts, chats, sampling with a seed, beams), text2text-generation
/ summarization / translation, and the CTC speech recognition and audio-classification pipelines
(file paths, bytes, numpy samples and {"raw", "sampling_rate"} dicts). Results are shaped as Python
transformers' pipelines return them."""

import json
import os
import pathlib
import subprocess
import warnings

import numpy as np
import pytest

import modelexport
from modelexport import _core
from modelexport.inference import pipeline
from conftest import BUILD, cli, cli_error

CORPUS = pathlib.Path(os.environ.get("MODELEXPORT_CORPUS", pathlib.Path(__file__).resolve().parents[2] / ".." /
                                     "shared" / "corpus"))
JFK = CORPUS / "media" / "audio" / "jfk.flac"


def fixture_dir(name):
    d = pathlib.Path(os.environ.get(name.upper(), str(BUILD / "tests" / name)))
    if not d.is_dir() or not any(d.iterdir()):
        pytest.skip(f"{name} missing (CTest fixture {name}; needs the corpus)")
    return d


@pytest.fixture(scope="session")
def decoder_models():
    return fixture_dir("decoder_models")


@pytest.fixture(scope="session")
def seq2seq_models():
    return fixture_dir("seq2seq_models")


@pytest.fixture(scope="session")
def audio_models():
    d = fixture_dir("audio_models")
    if not JFK.exists():
        pytest.skip("corpus recording jfk.flac missing")
    return d


def run_lines(model, *args):
    return [json.loads(line) for line in cli("run", model, *args, "--json")[1].splitlines()]


def run_jsonl(tmp_path, model, lines, *args):
    f = tmp_path / "inputs.jsonl"
    f.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return run_lines(model, "--input", f, *args)


PROMPTS = ["Hello world", "The capital of France is"]
CHAT = [{"role": "user", "content": "Hi, who are you?"}]


@pytest.mark.parametrize("name", ["llama.onnx", "gpt2.onnx"])
def test_text_generation_matches_run_json(decoder_models, tmp_path, name):
    model = decoder_models / name
    gen = pipeline(model=model)
    assert gen.task == "text-generation"
    # transformers: a str gives [{"generated_text"}], a list one such list per prompt.
    assert gen(PROMPTS[0], max_new_tokens=8) == run_lines(model, PROMPTS[0], "--max-new-tokens", "8")[0]
    assert gen(PROMPTS, max_new_tokens=6) == run_lines(model, *PROMPTS, "--max-new-tokens", "6")
    sampled = run_lines(model, PROMPTS[0], "--max-new-tokens", "8", "--do-sample", "--seed", "7", "--temperature", "0.8",
                        "--top-k", "20", "--top-p", "0.9")[0]
    assert gen(PROMPTS[0], max_new_tokens=8, do_sample=True, seed=7, temperature=0.8, top_k=20, top_p=0.9) == sampled
    # The same through generate_kwargs, and as the pipeline's defaults.
    assert gen(PROMPTS[0], generate_kwargs={"max_new_tokens": 8, "do_sample": True, "seed": 7, "temperature": 0.8,
                                            "top_k": 20, "top_p": 0.9}) == sampled
    if name != "llama.onnx":
        return  # the rest once: pipeline defaults and beams do not depend on the architecture
    assert pipeline(model=model, max_new_tokens=8, do_sample=True, seed=7, temperature=0.8, top_k=20,
                    top_p=0.9)(PROMPTS[0]) == sampled
    beams = run_lines(model, PROMPTS[0], "--max-new-tokens", "4", "--num-beams", "3", "--num-return-sequences", "2",
                      "--no-return-full-text", "--repetition-penalty", "1.3")[0]
    assert gen(PROMPTS[0], max_new_tokens=4, num_beams=3, num_return_sequences=2, return_full_text=False,
               repetition_penalty=1.3) == beams
    assert len(beams) == 2


def test_text_generation_chat_and_streaming(decoder_models, tmp_path):
    model = decoder_models / "llama.onnx"
    gen = pipeline(model=model)
    ref = run_jsonl(tmp_path, model, [{"messages": CHAT}, {"messages": CHAT + [{"role": "assistant", "content": "I"},
                                                                                {"role": "user", "content": "Go"}]}],
                    "--max-new-tokens", "6")
    one = gen(CHAT, max_new_tokens=6)
    assert one == ref[0]
    assert one[0]["generated_text"][:-1] == CHAT and one[0]["generated_text"][-1]["role"] == "assistant"
    assert gen([CHAT, CHAT + [{"role": "assistant", "content": "I"}, {"role": "user", "content": "Go"}]],
               max_new_tokens=6) == ref
    pieces = []
    streamed = gen(PROMPTS[0], max_new_tokens=8, on_text=pieces.append)
    assert streamed == run_lines(model, PROMPTS[0], "--max-new-tokens", "8")[0]
    assert PROMPTS[0] + "".join(pieces) == streamed[0]["generated_text"]
    with warnings.catch_warnings(record=True) as caught:  # the pipeline's notes become Python warnings
        warnings.simplefilter("always")
        gen(PROMPTS[0], max_new_tokens=2, do_sample=True, temperature=0.0)
    assert any("temperature" in str(w.message) for w in caught)


@pytest.mark.parametrize("folder,task,key", [("t5-translation", "translation", "translation_text"),
                                             ("t5-summarization", "summarization", "summary_text"),
                                             ("bart", None, "generated_text")])
def test_seq2seq_matches_run_json(seq2seq_models, folder, task, key):
    model = seq2seq_models / folder
    pipe = pipeline(task, model=model)
    flags = ["--task", task] if task else []
    texts = ["Hello world, this is a test.", "The tower is tall."]
    ref = run_lines(model, *texts, *flags, "--max-new-tokens", "6")
    # transformers' Text2TextGenerationPipeline: a list of str with one sequence each gives a flat list.
    assert pipe(texts, max_new_tokens=6) == [r[0] for r in ref]
    assert pipe(texts[0], max_new_tokens=6) == run_lines(model, texts[0], *flags, "--max-new-tokens", "6")[0]
    assert key in ref[0][0]
    if folder != "bart":
        return  # beams once
    beams = run_lines(model, *texts, *flags, "--max-new-tokens", "5", "--num-beams", "3", "--num-return-sequences", "2",
                      "--length-penalty", "0.5", "--early-stopping", "never")
    assert pipe(texts, max_new_tokens=5, num_beams=3, num_return_sequences=2, length_penalty=0.5,
                early_stopping="never") == beams


def test_seq2seq_option_errors_are_the_clis(seq2seq_models):
    model = seq2seq_models / "bart"
    pipe = pipeline(model=model)
    with pytest.raises(modelexport.UsageError) as e:
        pipe("Hello", src_lang="en")
    assert "src_lang does not apply to text2text-generation" in str(e.value)
    with pytest.raises(modelexport.UsageError) as e:
        pipe("Hello", num_beams=0)
    assert str(e.value) == cli_error("run", model, "Hello", "--num-beams", "0")
    with pytest.raises(TypeError):
        pipe("Hello", max_new_tokens="8")
    with pytest.raises(modelexport.UsageError):
        pipe("Hello", early_stopping="sometimes")


@pytest.mark.parametrize("name,flags", [("ctc.onnx", []), ("ast.onnx", ["--top-k", "3"]), ("wav2vec2-cls.onnx", [])])
def test_audio_inputs_match_run_json(audio_models, tmp_path, name, flags):
    model = audio_models / name
    pipe = pipeline(model=model)
    ref = run_lines(model, JFK, *flags)[0]
    options = {"top_k": 3} if flags else {}
    assert pipe(str(JFK), **options) == ref
    assert pipe(JFK, **options) == ref  # os.PathLike
    assert pipe(JFK.read_bytes(), **options) == ref  # the file's bytes
    rate = pipe._rate
    samples = _core.decode_audio(JFK.read_bytes(), rate)
    assert samples.dtype == np.float32 and samples.ndim == 1
    assert pipe(samples, **options) == ref  # an array at the model's rate
    assert pipe({"raw": samples, "sampling_rate": rate}, **options) == ref
    assert pipe({"array": samples.astype(np.float64), "sampling_rate": rate}, **options) == ref
    assert pipe([samples, str(JFK)], **options) == [ref, ref]
    # Samples at another rate are resampled as a file at that rate is: compare with a WAV of them.
    other = subprocess.run(["ffmpeg", "-v", "error", "-i", str(JFK), "-ac", "1", "-ar", "22050", "-f", "f32le", "-"],
                           capture_output=True, check=True).stdout
    wav = tmp_path / "22k.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "f32le", "-ar", "22050", "-ac", "1", "-i", "-", "-c:a", "pcm_f32le",
                    str(wav)], input=other, check=True)
    at_22k = np.frombuffer(other, dtype=np.float32)
    assert pipe({"raw": at_22k, "sampling_rate": 22050}, **options) == run_lines(model, wav, *flags)[0]


def test_audio_bad_inputs(audio_models, tmp_path):
    pipe = pipeline(model=audio_models / "ctc.onnx")
    with pytest.raises(modelexport.UsageError, match="1-D"):
        pipe(np.zeros((2, 100), np.float32))
    with pytest.raises(modelexport.UsageError, match="sampling_rate"):
        pipe({"raw": np.zeros(100, np.float32)})
    with pytest.raises(TypeError):
        pipe({"raw": np.zeros(100, np.float32), "sampling_rate": "16k"})
    with pytest.raises(TypeError):
        pipe(42)
    missing = tmp_path / "missing.flac"
    with pytest.raises(modelexport.Error) as e:
        pipe(missing)
    assert str(e.value) == cli_error("run", audio_models / "ctc.onnx", missing)
    with pytest.raises(modelexport.AudioDecodeError):
        pipe(b"not audio at all")
    with pytest.raises(modelexport.UsageError, match="top_k does not apply"):
        pipe(str(JFK), top_k=2)
