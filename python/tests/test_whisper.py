"""modelexport.inference's Whisper speech recognition against the CLI's `run --json` on the generated
Whisper models (CTest fixture whisper_models): return_timestamps, return_language, chunk_length_s /
stride_length_s and generate_kwargs={"language", "task", "prompt_ids", "prompt_condition_type",
"condition_on_prev_tokens"} as Python transformers' AutomaticSpeechRecognitionPipeline takes them; chunk timestamps come back as (start, end) tuples, as Python returns them."""

import json
import os
import pathlib

import numpy as np
import pytest

import modelexport
from modelexport.inference import pipeline
from conftest import BUILD, cli, cli_error

CORPUS = pathlib.Path(os.environ.get("MODELEXPORT_CORPUS", pathlib.Path(__file__).resolve().parents[2] / ".." /
                                     "shared" / "corpus"))
JFK = CORPUS / "media" / "audio" / "jfk.flac"


@pytest.fixture(scope="session")
def whisper_models():
    d = pathlib.Path(os.environ.get("WHISPER_MODELS", str(BUILD / "tests" / "whisper_models")))
    if not (d / "whisper-en" / "encoder_model.onnx").exists() or not JFK.exists():
        pytest.skip("whisper models missing (CTest fixture whisper_models; needs the corpus)")
    return d


@pytest.fixture(scope="session")
def english(whisper_models):
    return pipeline(model=whisper_models / "whisper-en")


@pytest.fixture(scope="session")
def multilingual(whisper_models):
    return pipeline(model=whisper_models / "whisper-multi")


def run_one(model, *args):
    return json.loads(cli("run", model, JFK, *args, "--json")[1])


def with_tuples(result):
    """The CLI's JSON with each chunk's timestamp as a tuple, as transformers' _decode_asr returns it."""
    for chunk in result.get("chunks", ()):
        chunk["timestamp"] = tuple(chunk["timestamp"])
    return result


def test_whisper_options_match_run_json(whisper_models, english):
    model = whisper_models / "whisper-en"
    assert english.task == "automatic-speech-recognition"
    assert english(JFK) == run_one(model)
    timed = with_tuples(run_one(model, "--return-timestamps"))
    got = english(str(JFK), return_timestamps=True)
    assert got == timed and got["chunks"] and isinstance(got["chunks"][0]["timestamp"], tuple)
    assert pipeline(model=model, return_timestamps=True)(JFK) == timed  # as the pipeline's default
    chunked = run_one(model, "--chunk-length-s", "5", "--stride-length-s", "1")
    assert english(JFK, chunk_length_s=5, stride_length_s=1) == chunked
    assert english(JFK, chunk_length_s=5.0, stride_length_s=[1, 1]) == chunked  # transformers' [left, right]


def test_whisper_language_and_task_as_generate_kwargs(whisper_models, multilingual):
    model = whisper_models / "whisper-multi"
    translated = run_one(model, "--language", "fr", "--whisper-task", "translate")
    assert multilingual(JFK, generate_kwargs={"language": "fr", "task": "translate"}) == translated
    assert multilingual(JFK, generate_kwargs={"language": "vi"}) == run_one(model, "--language", "vi")
    assert multilingual(JFK) == run_one(model)  # detected


def test_whisper_language_names_return_language_and_prompts(whisper_models, english, multilingual):
    model = whisper_models / "whisper-multi"
    # A name or token, as Python's generate takes it; return_language's chunks {"language", "text"}.
    named = run_one(model, "--language", "French", "--return-language")
    assert named["chunks"] and named["chunks"][0]["language"] == "french"
    assert multilingual(JFK, return_language=True, generate_kwargs={"language": "<|fr|>"}) == named
    timed = with_tuples(run_one(model, "--return-language", "--return-timestamps"))
    assert multilingual(JFK, return_language=True, return_timestamps=True) == timed
    # prompt_ids (what processor.get_prompt_ids gives; transformers.js' tokenizer made these in the
    # fixture) equal the CLI's --prompt TEXT.
    cases = [json.loads(line) for line in (whisper_models / "rules.jsonl").read_text().splitlines() if line]
    prompted = next(c for c in cases if c["model"] == "whisper-en" and c["samples"] == "jfk.f32" and
                    "prompt" in c["options"])
    text = prompted["options"]["prompt"]
    expected = with_tuples(run_one(whisper_models / "whisper-en", "--prompt", text, "--return-timestamps"))
    got = english(JFK, return_timestamps=True, generate_kwargs={"prompt_ids": np.array(prompted["prompt_ids"])})
    assert got == expected
    long = prompted["options"]
    assert english(JFK, generate_kwargs={"prompt_ids": prompted["prompt_ids"], "condition_on_prev_tokens": True,
                                         "prompt_condition_type": "first-segment"}) == \
        run_one(whisper_models / "whisper-en", "--prompt", long["prompt"], "--condition-on-prev-tokens",
                "--prompt-condition-type", "first-segment")


def test_whisper_temperature_fallback_as_generate_kwargs(whisper_models, english):
    model = whisper_models / "whisper-en"
    # Thresholds no pass crosses: the greedy first pass stands (sampled passes are not repeatable
    # across processes without a seed, which generate_kwargs does not carry here).
    kwargs = {"temperature": (0.0, 0.4), "compression_ratio_threshold": 1e9, "logprob_threshold": -1e9,
              "no_speech_threshold": 1.0}
    expected = run_one(model, "--temperature-fallback", "0,0.4", "--compression-ratio-threshold", "1e9",
                       "--logprob-threshold", "-1e9", "--no-speech-threshold", "1")
    assert english(JFK, generate_kwargs=kwargs) == expected == run_one(model)
    seeded = ("--temperature-fallback", "0,0.4", "--compression-ratio-threshold", "0.01", "--seed", "3")
    assert run_one(model, *seeded) == run_one(model, *seeded)  # the sampled pass, seeded


def test_whisper_bad_options(whisper_models, english, multilingual):
    with pytest.raises(modelexport.UsageError) as e:
        english(JFK, generate_kwargs={"language": "fr"})
    assert str(e.value) == cli_error("run", whisper_models / "whisper-en", JFK, "--language", "fr")
    with pytest.raises(modelexport.UsageError) as e:
        multilingual(JFK, generate_kwargs={"language": "xx"})
    assert str(e.value) == cli_error("run", whisper_models / "whisper-multi", JFK, "--language", "xx")
    with pytest.raises(modelexport.UsageError, match="generate_kwargs: max_new_tokens"):
        english(JFK, generate_kwargs={"max_new_tokens": 3})
    with pytest.raises(modelexport.UsageError, match="word"):
        english(JFK, return_timestamps="word")
    with pytest.raises(modelexport.UsageError, match="one stride"):
        english(JFK, chunk_length_s=5, stride_length_s=[1, 2])
    with pytest.raises(TypeError):
        english(JFK, chunk_length_s="5")
    with pytest.raises(TypeError):
        english(JFK, generate_kwargs="fr")
    with pytest.raises(modelexport.UsageError, match="threshold does not apply"):
        english(JFK, threshold=0.5)
    with pytest.raises(modelexport.UsageError) as e:
        multilingual(JFK, generate_kwargs={"language": "klingon"})
    assert str(e.value) == cli_error("run", whisper_models / "whisper-multi", JFK, "--language", "klingon")
    with pytest.raises(modelexport.UsageError) as e:
        english(JFK, generate_kwargs={"prompt_condition_type": "all-segments"})
    assert str(e.value) == cli_error("run", whisper_models / "whisper-en", JFK, "--prompt-condition-type",
                                     "all-segments")
    with pytest.raises(TypeError):
        english(JFK, generate_kwargs={"prompt_ids": "hello"})
    with pytest.raises(TypeError):
        english(JFK, return_language="yes")
    with pytest.raises(TypeError):
        english(JFK, generate_kwargs={"temperature": ("hot",)})
    with pytest.raises(modelexport.UsageError) as e:
        english(JFK, generate_kwargs={"no_speech_threshold": 0.6})
    assert str(e.value) == cli_error("run", whisper_models / "whisper-en", JFK, "--no-speech-threshold", "0.6")


def test_whisper_options_on_a_ctc_model_are_refused():
    d = pathlib.Path(os.environ.get("AUDIO_MODELS", str(BUILD / "tests" / "audio_models")))
    if not (d / "ctc.onnx").exists():
        pytest.skip("audio models missing (CTest fixture audio_models)")
    ctc = pipeline(model=d / "ctc.onnx")
    for option in ({"return_timestamps": True}, {"chunk_length_s": 5}, {"generate_kwargs": {"language": "en"}},
                   {"return_language": True}):
        with pytest.raises(modelexport.UsageError, match="Whisper models only"):
            ctc(np.zeros(16000, np.float32), **option)
