"""Hugging Face pipelines, models and processors on ONNX Runtime, from a self-contained ONNX file.

    >>> from modelexport.inference import pipeline, ONNXAutoModel, ONNXAutoProcessor
    >>> classifier = pipeline(model="sst2.onnx")              # task from the embedded metadata
    >>> classifier("I love this movie")
    [{'label': 'POSITIVE', 'score': 0.9998}]
    >>> classifier(["I love this", "I hate this"])
    [{'label': 'POSITIVE', 'score': 0.99}, {'label': 'NEGATIVE', 'score': 0.99}]
    >>> qa = pipeline("question-answering", model="squad.onnx")
    >>> qa(question="Who wrote it?", context="It was written by Ada.")
    {'score': 0.91, 'start': 18, 'end': 21, 'answer': 'Ada'}
    >>> generator = pipeline(model="llm.onnx")
    >>> generator([{"role": "user", "content": "Hi"}], max_new_tokens=32, do_sample=True, seed=0)
    [{'generated_text': [{'role': 'user', 'content': 'Hi'}, {'role': 'assistant', 'content': '...'}]}]
    >>> pipeline("translation", model="t5-small/")(["Hello"], num_beams=4)
    [{'translation_text': '...'}]
    >>> pipeline(model="wav2vec2.onnx")({"raw": samples, "sampling_rate": 44100})
    {'text': '...'}
    >>> pipeline(model="vit.onnx")(PIL.Image.open("cat.jpg"), top_k=2)
    [{'label': 'tabby cat', 'score': 0.9}, {'label': 'tiger cat', 'score': 0.05}]
    >>> pipeline(model="clip.onnx")("cat.jpg", candidate_labels=["a cat", "a dog"])
    [{'score': 0.98, 'label': 'a cat'}, {'score': 0.02, 'label': 'a dog'}]
    >>> pipeline(model="detr.onnx")("cats.jpg", threshold=0.9)[0]
    {'score': 0.99, 'label': 'cat', 'box': {'xmin': 12, 'ymin': 50, 'xmax': 318, 'ymax': 470}}
    >>> pipeline(model="segformer.onnx")("street.jpg")[0]      # masks as PIL "L" images
    {'score': None, 'label': 'road', 'mask': <PIL.Image.Image image mode=L size=640x480>}
    >>> pipeline(model="rmbg.onnx")("cat.jpg")                 # the cut-out, a PIL RGBA image
    >>> pipeline(model="whisper-tiny/")("talk.flac", return_timestamps=True, chunk_length_s=30,
    ...                                 generate_kwargs={"language": "fr", "task": "translate"})
    {'text': '...', 'chunks': [{'timestamp': (0.0, 4.2), 'text': '...'}, ...]}
    >>> tokenizer = ONNXAutoProcessor.from_model("sst2.onnx")
    >>> model = ONNXAutoModel.from_model("sst2.onnx")
    >>> logits = model(**tokenizer("I love this movie"))["logits"]   # numpy float32 [1, 2]

Results are the C++ pipelines' (the JSON ``modelexport run --json`` prints, built as Python objects
in C++ without a JSON round trip), shaped per call as
Python transformers returns them: one input gives one result, a list gives a list. The GIL is
released while ONNX Runtime runs and while batches are tokenized; a pipeline, model or processor may
be called from several threads at once.

Adding a task: one entry in ``_TASKS`` (its options, how call arguments become inputs, how results
are shaped) once the C++ pipeline exists.
"""

import io
import json
import os
import pathlib
import shutil
import tempfile
import warnings

import numpy as np

from . import _core
from ._paths import fspath, strings

__all__ = ["pipeline", "Pipeline", "ONNXAutoModel", "ONNXAutoProcessor", "ONNXTokenizer", "ONNXImageProcessor",
           "ONNXFeatureExtractor", "BatchEncoding", "BatchFeature", "available_providers"]

_ALL = 2 ** 62  # top_k=None: every label (transformers' meaning), capped by the model's label count


def available_providers():
    """The execution providers the loaded ONNX Runtime offers (CPU is always one)."""
    return list(_core.available_execution_providers())


def _session(device, providers, session_options):
    s = _core.SessionOptions()
    chosen = [] if providers is None else strings(providers, "providers")
    if device is not None and not isinstance(device, str):
        raise TypeError(f"device: expected str such as 'cpu' or 'cuda', got {type(device).__name__}")
    if device and device.split(":")[0] == "cuda" and "CUDAExecutionProvider" not in chosen:
        chosen.insert(0, "CUDAExecutionProvider")  # an ORT without CUDA raises RuntimeError listing its providers
    elif device and device != "cpu" and device.split(":")[0] != "cuda":
        raise _core.UsageError(f"device '{device}': expected 'cpu' or 'cuda' (or give providers=[...])")
    s.execution_providers = chosen
    names = {"intra_op_num_threads": "intra_op_threads", "inter_op_num_threads": "inter_op_threads"}
    for key, value in (session_options or {}).items():
        attr = names.get(key, key)
        if attr not in ("intra_op_threads", "inter_op_threads", "graph_optimization_level", "optimized_model_path",
                        "exact_int8_matmul"):
            raise _core.UsageError(f"session_options: unknown key '{key}' (known: intra_op_threads, inter_op_threads, "
                                   "graph_optimization_level, optimized_model_path, exact_int8_matmul)")
        setattr(s, attr, value)
    return s


# --- call arguments -> C++ PipelineInput, per task ------------------------------------------------

def _texts(inputs, what="inputs"):
    """(list of str, single?) from a str or a list of str."""
    if isinstance(inputs, str):
        return [inputs], True
    if isinstance(inputs, (list, tuple)):
        return strings(inputs, what), False
    raise TypeError(f"{what}: expected a str or a list of str, got {type(inputs).__name__}")


def _text_inputs(args, kwargs):
    """Texts only: a list of str (run_texts), or PipelineInput objects when a task needs more fields."""
    inputs = _one_positional(args, kwargs, "inputs")
    return _texts(inputs)


def _classification_inputs(args, kwargs):
    inputs = _one_positional(args, kwargs, "inputs")
    pair = kwargs.pop("text_pair", None)

    if pair is None and isinstance(inputs, str):
        return [inputs], True  # the common calls: plain texts
    if pair is None and isinstance(inputs, (list, tuple)) and all(isinstance(i, str) for i in inputs):
        return list(inputs), False

    def one(item):
        if isinstance(item, str):
            return _core.PipelineInput(text=item, text_pair=pair or "")
        if isinstance(item, dict):
            extra = set(item) - {"text", "text_pair"}
            if extra or "text" not in item:
                raise _core.UsageError('text-classification takes a str or {"text", "text_pair"}; got keys '
                                       + ", ".join(sorted(item)))
            return _core.PipelineInput(text=item["text"], text_pair=item.get("text_pair", ""))
        raise TypeError(f'inputs: expected a str, a {{"text", "text_pair"}} dict or a list of them, got {type(item).__name__}')

    if isinstance(inputs, (str, dict)):
        return [one(inputs)], True
    if isinstance(inputs, (list, tuple)):
        return [one(i) for i in inputs], False
    return [one(inputs)], True


def _qa_inputs(args, kwargs):
    question, context = kwargs.pop("question", None), kwargs.pop("context", None)
    if args:
        if len(args) == 2 and question is None and context is None:
            question, context = args
        elif len(args) == 1:
            items = args[0]
            single = isinstance(items, dict)
            items = [items] if single else list(items)
            for item in items:
                if not isinstance(item, dict) or set(item) != {"question", "context"}:
                    raise _core.UsageError('question-answering takes {"question", "context"} dicts or '
                                           "question=..., context=...")
            return [_core.PipelineInput(question=i["question"], context=i["context"]) for i in items], single
        else:
            raise TypeError("question-answering takes (question, context), a {'question', 'context'} dict or a list of them")
    if question is None or context is None:
        raise _core.UsageError("question-answering needs question=... and context=...")
    questions, single_q = _texts(question, "question")
    contexts, single_c = _texts(context, "context")
    if single_q and not single_c:
        questions = questions * len(contexts)
    elif single_c and not single_q:
        contexts = contexts * len(questions)
    if len(questions) != len(contexts):
        raise _core.UsageError(f"question-answering: {len(questions)} questions for {len(contexts)} contexts")
    return [_core.PipelineInput(question=q, context=c) for q, c in zip(questions, contexts)], single_q and single_c


def _zero_shot_inputs(args, kwargs):
    args = list(args)
    sequences = args.pop(0) if args else kwargs.pop("sequences", None)
    labels = args.pop(0) if args else kwargs.pop("candidate_labels", None)
    if args:
        raise TypeError("zero-shot-classification takes (sequences, candidate_labels)")
    if sequences is None or labels is None:
        raise _core.UsageError("zero-shot-classification needs sequences and candidate_labels")
    # transformers' ZeroShotClassificationArgumentHandler._parse_labels: a str is a comma-separated list.
    if isinstance(labels, str):
        labels = [label.strip() for label in labels.split(",") if label.strip()]
    labels = strings(labels, "candidate_labels")
    texts, single = _texts(sequences, "sequences")
    return [_core.PipelineInput(text=t, labels=labels) for t in texts], single


def _chat(value):
    """True for one chat: a list of {"role", "content"} message dicts (transformers' Chat)."""
    return isinstance(value, (list, tuple)) and len(value) > 0 and all(
        isinstance(m, dict) and "role" in m for m in value)


def _messages_json(chat):
    try:
        return json.dumps(list(chat), ensure_ascii=False)
    except (TypeError, ValueError) as e:
        raise TypeError(f"chat messages: not JSON-serialisable ({e})") from None


def _generation_inputs(args, kwargs):
    """text-generation: a str, a chat (list of message dicts), or a list of either."""
    inputs = _one_positional(args, kwargs, "text_inputs")
    if isinstance(inputs, str):
        return [_core.PipelineInput(text=inputs)], True
    if _chat(inputs):
        return [_core.PipelineInput(messages=_messages_json(inputs))], True
    if isinstance(inputs, (list, tuple)):
        items = []
        for item in inputs:
            if isinstance(item, str):
                items.append(_core.PipelineInput(text=item))
            elif _chat(item):
                items.append(_core.PipelineInput(messages=_messages_json(item)))
            else:
                raise TypeError("text-generation: expected a str, a chat (a list of {'role', 'content'} dicts) or "
                                f"a list of them, got an item of type {type(item).__name__}")
        return items, False
    raise TypeError("text-generation: expected a str, a chat (a list of {'role', 'content'} dicts) or a list of "
                    f"them, got {type(inputs).__name__}")


def _seq2seq_inputs(args, kwargs):
    texts, single = _texts(_one_positional(args, kwargs, "inputs"))
    return [_core.PipelineInput(text=t) for t in texts], single


def _audio_one(item, rate):
    """One audio input as transformers' audio pipelines take it (pipelines/automatic_speech_recognition.py
    and audio_classification.py, 4.x): a file path, the file's bytes, a 1-D array at the model's
    sampling rate, or {"raw" or "array": 1-D array, "sampling_rate": int} (resampled when it differs)."""
    if isinstance(item, (str, os.PathLike)):
        return _core.PipelineInput(audio=fspath(item, "inputs"))
    if isinstance(item, (bytes, bytearray)):
        return _core.PipelineInput(samples=_core.decode_audio(bytes(item), rate), sampling_rate=rate)
    sampling_rate = rate
    if isinstance(item, dict):
        keys = set(item)
        array_key = "raw" if "raw" in item else "array" if "array" in item else None
        if array_key is None or "sampling_rate" not in item or keys - {"raw", "array", "sampling_rate", "path"}:
            raise _core.UsageError('audio input dict: expected {"raw" or "array": 1-D samples, "sampling_rate": Hz}, '
                                   "got keys " + ", ".join(sorted(map(str, keys))))
        sampling_rate = item["sampling_rate"]
        if not isinstance(sampling_rate, (int, np.integer)) or isinstance(sampling_rate, bool):
            raise TypeError(f"sampling_rate: expected an int (Hz), got {type(sampling_rate).__name__}")
        item = item[array_key]
    if isinstance(item, np.ndarray) or isinstance(item, (list, tuple)):
        return _core.PipelineInput(samples=_mono_samples(item), sampling_rate=int(sampling_rate))
    raise TypeError("audio input: expected a file path, bytes, a 1-D numpy array or "
                    f'{{"raw", "sampling_rate"}}, got {type(item).__name__}')


def _mono_samples(item):
    samples = np.asarray(item)
    if samples.dtype.kind not in "fiu":
        raise TypeError(f"audio samples: expected a float array, got dtype {samples.dtype}")
    if samples.ndim != 1:
        raise _core.UsageError(f"audio samples: expected a 1-D (mono) array, got shape {samples.shape}")
    if samples.size == 0:
        raise _core.UsageError("audio samples: the array is empty")
    return np.ascontiguousarray(samples, dtype=np.float32)


def _audio_inputs(args, kwargs, rate):
    inputs = _one_positional(args, kwargs, "inputs")
    if isinstance(inputs, (list, tuple)) and inputs and not isinstance(inputs[0], (int, float, np.number)):
        return [_audio_one(i, rate) for i in inputs], False
    return [_audio_one(inputs, rate)], True


def _image_one(item, labels=None):
    """One image as transformers' image pipelines take it (image_utils.load_image, 4.x): a file path, the
    file's bytes, a PIL image (converted to RGB as load_image does) or a [height, width, 3] uint8 array
    (RGB; [height, width] gray and RGBA become RGB as Pillow's convert("RGB"))."""
    extra = {} if labels is None else {"labels": labels}
    if isinstance(item, (str, os.PathLike)):
        return _core.PipelineInput(image=fspath(item, "images"), **extra)
    return _core.PipelineInput(pixels=_image_pixels(item), **extra)


def _image_pixels(item):
    """An in-memory image (bytes, PIL image, uint8 array) as a uint8 array for the C++ side."""
    if isinstance(item, (bytes, bytearray)):
        return _core.decode_image(bytes(item))
    if hasattr(item, "convert") and hasattr(item, "mode") and hasattr(item, "size"):  # PIL.Image.Image
        item = np.asarray(item if item.mode in ("RGB", "L", "RGBA") else item.convert("RGB"))
    if isinstance(item, np.ndarray):
        if item.dtype != np.uint8:
            raise _core.UsageError(f"image array: expected uint8 pixels (0-255), got dtype {item.dtype}")
        return np.ascontiguousarray(item)
    raise TypeError("image input: expected a file path, bytes, a PIL image or a [height, width, 3] uint8 array, "
                    f"got {type(item).__name__}")


def _is_image_list(inputs):
    return isinstance(inputs, (list, tuple))


def _image_inputs(args, kwargs):
    inputs = _one_positional(args, kwargs, "images" if "images" in kwargs else "inputs")
    if _is_image_list(inputs):
        return [_image_one(i) for i in inputs], False
    return [_image_one(inputs)], True


def _zero_shot_image_inputs(args, kwargs):
    args = list(args)
    images = args.pop(0) if args else kwargs.pop("images", kwargs.pop("image", None))
    labels = args.pop(0) if args else kwargs.pop("candidate_labels", None)
    if args or images is None:
        raise TypeError("zero-shot-image-classification takes (image, candidate_labels=[...])")
    if labels is None:
        raise _core.UsageError("zero-shot-image-classification needs candidate_labels")
    labels = strings(labels, "candidate_labels")
    if _is_image_list(images):
        return [_image_one(i, labels) for i in images], False
    return [_image_one(images, labels)], True


def _one_positional(args, kwargs, name):
    if len(args) == 1:
        return args[0]
    if not args and name in kwargs:
        return kwargs.pop(name)
    raise TypeError(f"expected one positional argument ({name}), got {len(args)}")


# --- results -> what transformers returns ----------------------------------------------------------

def _as_is(results, single, given):
    return results[0] if single else results


def _text_classification_shape(results, single, given):
    # transformers' TextClassificationPipeline.__call__: without top_k (the legacy call) a str gives
    # [best] and a list gives one best dict per text; with top_k, a list of top_k dicts per text.
    if "top_k" not in given:
        return [results[0][0]] if single else [r[0] for r in results]
    return results[0] if single else results


def _seq2seq_shape(results, single, given):
    # transformers' Text2TextGenerationPipeline.__call__ (summarization and translation inherit it): a
    # list of str whose results are one sequence each gives one dict per text, else a list per text.
    if single:
        return results[0]
    if all(len(r) == 1 for r in results):
        return [r[0] for r in results]
    return results


def _asr_shape(results, single, given):
    # transformers' Whisper _decode_asr (models/whisper/tokenization_whisper.py, 4.x) returns each
    # chunk's timestamp as a (start, end) tuple.
    for r in results:
        for chunk in r.get("chunks", ()):
            if "timestamp" in chunk:  # return_language alone gives {"language", "text"} chunks
                chunk["timestamp"] = tuple(chunk["timestamp"])
    return results[0] if single else results


def _load_png(path, mode):
    """A PNG the dense pipelines wrote, in memory: a PIL image of `mode` ("L" or "RGBA") when Pillow is
    importable, else a uint8 numpy array ([height, width] for "L", [height, width, 4] for "RGBA")."""
    data = pathlib.Path(path).read_bytes()
    try:
        from PIL import Image
    except ImportError:
        rgb = _core.decode_image(data)  # our decoder gives RGB: a gray PNG's value is each channel's
        return rgb[:, :, 0].copy() if mode == "L" else rgb
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        if image.mode != mode:
            raise _core.RuntimeError(f"{path}: expected a {mode} PNG, got {image.mode}")
        return image.copy()


def _rgba(cut_out, mask):
    """The cut-out as RGBA: with Pillow the PNG already is; without, our RGB decode plus its alpha,
    which is the mask (background_removal.cc: alpha = DIV255(255 * mask) = mask)."""
    if isinstance(cut_out, np.ndarray):
        return np.concatenate([cut_out, mask[:, :, None]], axis=2)
    return cut_out


def _segmentation_shape(results, single, given):
    # transformers' ImageSegmentationPipeline (pipelines/image_segmentation.py, 4.57): per image a list of
    # {"score": None (semantic), "label", "mask": PIL.Image mode "L"}.
    if given.get("output_dir") is None:
        results = [[dict(r, mask=_load_png(r["mask"], "L")) for r in per_image] for per_image in results]
    return results[0] if single else results


def _background_removal_shape(results, single, given):
    # briaai/RMBG-1.4's model card (README usage) gives the cut-out as a PIL RGBA image made with
    # Image.paste(mask=...), and its pipeline returns that image, or the PIL "L" mask with
    # return_mask=True; transformers.js' background-removal returns the RGBA image too.
    if given.get("output_dir") is None:
        out = []
        for r in results:
            mask = _load_png(r["mask"], "L")
            out.append(mask if given.get("return_mask") else _rgba(_load_png(r["image"], "RGBA"), mask))
        results = out
    return results[0] if single else results


def _set_top_k(options, value):
    options.top_k = _ALL if value is None else value


class _Task:
    """make_inputs(args, kwargs) -> (inputs, single); generation: generate() settings apply;
    audio: make_inputs also takes the model's sampling rate."""

    def __init__(self, make_inputs, options, shape=_as_is, generation=False, audio=False, writes_files=False):
        self.make_inputs, self.options, self.shape = make_inputs, options, shape
        self.generation, self.audio, self.writes_files = generation, audio, writes_files


# GenerationOptions' fields (runtime/generation.h), the names of transformers' GenerationConfig.
_GENERATION = ("max_new_tokens", "max_length", "min_new_tokens", "min_length", "do_sample", "num_beams",
               "num_return_sequences", "temperature", "top_p", "min_p", "typical_p", "top_k", "repetition_penalty",
               "no_repeat_ngram_size", "encoder_no_repeat_ngram_size", "bad_words_ids", "suppress_tokens",
               "begin_suppress_tokens", "forced_bos_token_id", "forced_eos_token_id", "forced_decoder_ids",
               "length_penalty", "early_stopping", "eos_token_id", "pad_token_id", "bos_token_id",
               "decoder_start_token_id", "stop_strings", "seed")
_EARLY_STOPPING = {True: "true", False: "false", "never": "never"}


def _generation_value(key, value):
    """A Python value as GenerationOptions' field takes it (None: the model's own setting)."""
    if value is None:
        return None
    if key == "early_stopping":
        if not isinstance(value, (bool, str)) or value not in _EARLY_STOPPING:
            raise _core.UsageError(f"early_stopping: expected True, False or 'never', got {value!r}")
        return getattr(_core.EarlyStopping, _EARLY_STOPPING[value])
    if key in ("eos_token_id", "forced_eos_token_id", "suppress_tokens", "begin_suppress_tokens"):
        return [int(v) for v in (value if isinstance(value, (list, tuple, np.ndarray)) else [value])]
    if key == "bad_words_ids":
        return [[int(t) for t in seq] for seq in value]
    if key == "forced_decoder_ids":
        return [(int(i), int(t)) for i, t in value]
    if key == "stop_strings":
        return strings(value, key)
    if key in ("do_sample",):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{key}: expected a bool, got {type(value).__name__}")
        return bool(value)
    if key in ("temperature", "top_p", "min_p", "typical_p", "repetition_penalty", "length_penalty"):
        if not isinstance(value, (int, float, np.number)) or isinstance(value, bool):
            raise TypeError(f"{key}: expected a number, got {type(value).__name__}")
        return float(value)
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"{key}: expected an int, got {type(value).__name__}")
    return int(value)


_COMMON = ("batch_size",)
_WHISPER = "WhisperFeatureExtractor"
# Whisper generate()'s keywords in generate_kwargs -> PipelineOptions.speech fields.
_WHISPER_GENERATE = {"language": "language", "task": "task", "prompt_ids": "prompt_ids",
                     "prompt_condition_type": "prompt_condition_type",
                     "condition_on_prev_tokens": "condition_on_prev_tokens", "temperature": "temperatures",
                     "compression_ratio_threshold": "compression_ratio_threshold",
                     "logprob_threshold": "logprob_threshold", "no_speech_threshold": "no_speech_threshold"}
_TASKS = {
    "feature-extraction": _Task(_text_inputs, ("pooling", "normalize")),
    "text-classification": _Task(_classification_inputs, ("top_k", "function_to_apply"), _text_classification_shape),
    "token-classification": _Task(_text_inputs, ("aggregation_strategy", "ignore_labels")),
    "fill-mask": _Task(_text_inputs, ("top_k", "targets")),
    "question-answering": _Task(_qa_inputs, ("top_k", "doc_stride", "max_answer_len", "max_seq_len",
                                             "handle_impossible_answer")),
    "zero-shot-classification": _Task(_zero_shot_inputs, ("hypothesis_template", "multi_label")),
    # transformers' TextGenerationPipeline: a str or a chat gives [{"generated_text"}], a list one such
    # list per input; a chat's generated_text is the messages with the assistant's reply appended.
    "text-generation": _Task(_generation_inputs, ("return_full_text", "chat_template_variables", "on_text"),
                             generation=True),
    "text2text-generation": _Task(_seq2seq_inputs, ("on_text",), _seq2seq_shape, generation=True),
    "summarization": _Task(_seq2seq_inputs, ("on_text",), _seq2seq_shape, generation=True),
    "translation": _Task(_seq2seq_inputs, ("src_lang", "tgt_lang", "on_text"), _seq2seq_shape, generation=True),
    # transformers' AutomaticSpeechRecognitionPipeline: one input gives {"text"} (Whisper with
    # return_timestamps: {"text", "chunks": [{"timestamp": (start, end), "text"}]}, return_language adds
    # each chunk's "language"); Whisper's options: chunk_length_s, stride_length_s, return_language,
    # generate_kwargs={"language", "task", "prompt_ids", "prompt_condition_type",
    # "condition_on_prev_tokens"}.
    "automatic-speech-recognition": _Task(_audio_inputs, ("return_timestamps", "return_language", "chunk_length_s",
                                                          "stride_length_s"), _asr_shape, audio=True),
    # transformers' AudioClassificationPipeline: [{"label", "score"}] (top_k, default 5) per input.
    "audio-classification": _Task(_audio_inputs, ("top_k",), audio=True),
    # transformers' ImageClassificationPipeline: [{"label", "score"}] (top_k, default 5) per image.
    "image-classification": _Task(_image_inputs, ("top_k", "function_to_apply", "max_image_pixels", "image_threads")),
    # transformers' ImageFeatureExtractionPipeline: the model's first output per image (pool=True: pooled).
    "image-feature-extraction": _Task(_image_inputs, ("pool", "pooling", "max_image_pixels", "image_threads")),
    # transformers' ZeroShotImageClassificationPipeline: [{"score", "label"}] best first per image.
    "zero-shot-image-classification": _Task(_zero_shot_image_inputs, ("top_k", "hypothesis_template",
                                                                      "max_image_pixels", "image_threads")),
    # transformers' ObjectDetectionPipeline: [{"score", "label", "box": {"xmin", "ymin", "xmax", "ymax"}}] per image.
    "object-detection": _Task(_image_inputs, ("threshold", "max_image_pixels", "image_threads")),
    # transformers' ImageSegmentationPipeline (semantic): [{"score": None, "label", "mask": PIL image}] per image.
    "image-segmentation": _Task(_image_inputs, ("output_dir", "max_image_pixels", "image_threads"),
                                _segmentation_shape, writes_files=True),
    # briaai/RMBG-1.4's pipeline: the RGBA cut-out (PIL image) per image, the mask with return_mask=True.
    "background-removal": _Task(_image_inputs, ("output_dir", "return_mask", "max_image_pixels", "image_threads"),
                                _background_removal_shape, writes_files=True),
}
# Options whose C++ field is named otherwise for a task.
_RENAMED = {("zero-shot-image-classification", "hypothesis_template"): "image_hypothesis_template"}


class Pipeline:
    """A task's pipeline on one model (see :func:`pipeline`). Callable; thread-safe."""

    def __init__(self, native, task_options):
        self._native = native
        self.task = native.task
        self._spec = _TASKS.get(self.task)
        if self._spec is None:
            raise _core.UsageError(f"the Python package has no calling convention for task '{self.task}' yet "
                                   f"(it has: {', '.join(sorted(_TASKS))})")
        self._rate = native.sampling_rate if self._spec.audio else None
        # Whisper's options need a Whisper model (the CTC pipeline has none of them).
        self._whisper = self.task == "automatic-speech-recognition" and native.feature_extractor_type == _WHISPER
        self._known = self._spec.options + _COMMON + (_GENERATION + ("generate_kwargs",) if self._spec.generation else ())
        if self.task == "automatic-speech-recognition":
            self._known += ("generate_kwargs",)
        self._defaults = self._options(task_options)
        self._default_native = self._native_options(self._defaults)  # reused by calls without options
        self.warnings = list(native.warnings)
        self._one_text = self._fast_path()

    def _fast_path(self):
        """pipe("text") without options, for the tasks where a str is one {text} input: one native
        call that returns the result as Python objects (the per-call cost is the C++ pipeline's)."""
        if self._spec.make_inputs not in (_text_inputs, _classification_inputs):
            return None
        call, options = self._native.call_text, self._default_native
        if self._spec.shape is _text_classification_shape and "top_k" not in self._defaults:
            return lambda text: [call(text, options)[0]]
        return lambda text: call(text, options)

    def _options(self, kwargs, base=None):
        chosen = dict(base or {})
        for key, value in kwargs.items():
            if key == "generate_kwargs" and self._spec.generation:
                # transformers passes generate_kwargs={...} to model.generate(): the same settings.
                if not isinstance(value, dict):
                    raise TypeError(f"generate_kwargs: expected a dict, got {type(value).__name__}")
                chosen = self._options(value, chosen)
                continue
            if key not in self._known:
                raise _core.UsageError(f"{key} does not apply to {self.task} (its options: {', '.join(self._known)})")
            if self.task == "automatic-speech-recognition" and key != "batch_size":
                chosen.update(self._whisper_option(key, value))
                continue
            if key == "targets" or key == "ignore_labels":
                value = strings(value, key)
            elif key == "chat_template_variables" and not isinstance(value, str):
                value = json.dumps(value, ensure_ascii=False)
            elif key == "return_mask" and not isinstance(value, (bool, np.bool_)):
                raise TypeError(f"return_mask: expected a bool, got {type(value).__name__}")
            elif key == "on_text" and value is not None and not callable(value):
                raise TypeError(f"on_text: expected a callable taking each piece of text, got {type(value).__name__}")
            chosen[key] = value
        return chosen

    def _whisper_option(self, key, value):
        """A Whisper option as transformers' AutomaticSpeechRecognitionPipeline takes it, as {field: value}
        of PipelineOptions.speech (None: the pipeline's default)."""
        if not self._whisper:
            raise _core.UsageError(f"{key} applies to Whisper models only (this model's feature extractor is "
                                   f"{self._native.feature_extractor_type})")
        if value is None:
            return {}
        if key == "generate_kwargs":
            # Whisper's generate(language=..., task=..., prompt_ids=..., prompt_condition_type=...,
            # condition_on_prev_tokens=..., temperature=..., *_threshold=...): a language code, name or
            # token ("fr", "french", "<|fr|>"), "transcribe" or "translate", the ids of
            # processor.get_prompt_ids(text) (a list or array), "first-segment" or "all-segments", a bool,
            # a number or tuple of numbers (fallback), numbers.
            if not isinstance(value, dict):
                raise TypeError(f"generate_kwargs: expected a dict, got {type(value).__name__}")
            out = {}
            for k, v in value.items():
                if k not in _WHISPER_GENERATE:
                    raise _core.UsageError(f"generate_kwargs: {k} does not apply to automatic-speech-recognition "
                                           f"(it takes {', '.join(_WHISPER_GENERATE)})")
                if v is None:
                    continue
                if k == "prompt_ids":
                    ids = np.asarray(v)
                    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
                        raise TypeError("generate_kwargs prompt_ids: expected a 1-D list or array of token ids "
                                        "(processor.get_prompt_ids(text))")
                    out["prompt_ids"] = [int(i) for i in ids]
                elif k == "temperature":
                    # Whisper's generate: a float, or a tuple of them for temperature fallback.
                    temps = list(v) if isinstance(v, (list, tuple)) else [v]
                    if not all(isinstance(t, (int, float, np.number)) and not isinstance(t, bool) for t in temps):
                        raise TypeError("generate_kwargs temperature: expected a number or a tuple of numbers")
                    out["temperatures"] = [float(t) for t in temps]
                elif k.endswith("_threshold"):
                    if not isinstance(v, (int, float, np.number)) or isinstance(v, bool):
                        raise TypeError(f"generate_kwargs {k}: expected a number, got {type(v).__name__}")
                    out[k] = float(v)
                elif k == "condition_on_prev_tokens":
                    if not isinstance(v, (bool, np.bool_)):
                        raise TypeError(f"generate_kwargs {k}: expected a bool, got {type(v).__name__}")
                    out[k] = bool(v)
                else:
                    if not isinstance(v, str):
                        raise TypeError(f"generate_kwargs {k}: expected a str, got {type(v).__name__}")
                    out[_WHISPER_GENERATE[k]] = v
            return out
        if key == "return_language":
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(f"return_language: expected a bool, got {type(value).__name__}")
            return {key: bool(value)}
        if key == "return_timestamps":
            if value in ("word", "char"):
                raise _core.UsageError(f"return_timestamps='{value}': only segment timestamps "
                                       "(return_timestamps=True) are implemented")
            if not isinstance(value, (bool, np.bool_)):
                raise TypeError(f"return_timestamps: expected a bool, got {type(value).__name__}")
            return {key: bool(value)}
        if key == "stride_length_s" and isinstance(value, (list, tuple)):
            # transformers takes [left, right]; the C++ pipeline one stride for both sides.
            if len(value) != 2 or value[0] != value[1]:
                raise _core.UsageError(f"stride_length_s={list(value)}: only one stride for both sides is "
                                       "implemented (a number, or [s, s])")
            value = value[0]
        if not isinstance(value, (int, float, np.number)) or isinstance(value, bool):
            raise TypeError(f"{key}: expected a number of seconds, got {type(value).__name__}")
        return {key: float(value)}

    def _native_options(self, chosen):
        o = _core.PipelineOptions()
        g = o.generation if self._spec.generation else None
        for key, value in chosen.items():
            if key == "on_text" or key == "return_mask":
                continue  # given to run_noted; applied to the results
            if key == "output_dir":
                if value is not None:
                    o.output_dir = fspath(value, "output_dir")
                continue
            if g is not None and key in _GENERATION:
                setattr(g, key, _generation_value(key, value))
            elif key == "top_k":
                _set_top_k(o, value)
            elif self.task == "automatic-speech-recognition" and key != "batch_size":
                setattr(o.speech, key, value)  # the options _whisper_option gave
            else:
                setattr(o, _RENAMED.get((self.task, key), key), value)
        if g is not None:
            o.generation = g
        return o

    def __call__(self, *args, **kwargs):
        if not kwargs and len(args) == 1 and args[0].__class__ is str and self._one_text is not None:
            return self._one_text(args[0])
        if self._rate is None:
            inputs, single = self._spec.make_inputs(args, kwargs)
        else:
            inputs, single = self._spec.make_inputs(args, kwargs, self._rate)
        if kwargs:
            chosen = self._options(kwargs, self._defaults)
            options = self._native_options(chosen)
        else:
            chosen, options = self._defaults, self._default_native
        if chosen.get("return_mask") and chosen.get("output_dir") is not None:
            raise _core.UsageError("return_mask applies to the images returned without output_dir (with output_dir "
                                   "the results name both PNG files)")
        if self._spec.writes_files and chosen.get("output_dir") is None:
            # The masks come back as images, not files: the pipeline writes them into a private folder
            # that is removed once they are loaded.
            folder = tempfile.mkdtemp(prefix="modelexport-")
            try:
                options = self._native_options(dict(chosen, output_dir=os.path.join(folder, "out")))
                return self._spec.shape(self._native.run_parsed(inputs, options), single, chosen)
            finally:
                shutil.rmtree(folder, ignore_errors=True)
        if self._spec.generation or self._spec.audio:
            raw, notes = self._native.run_noted(inputs, options, chosen.get("on_text"))
            for note in notes:
                warnings.warn(note, stacklevel=2)
            return self._spec.shape([json.loads(r) for r in raw], single, chosen)
        if inputs and isinstance(inputs[0], str):
            results = self._native.run_texts(inputs, options)
        else:
            results = self._native.run_parsed(inputs, options)
        return self._spec.shape(results, single, chosen)

    def __repr__(self):
        return f"<modelexport.inference.Pipeline task={self.task!r}>"


def pipeline(task=None, model=None, processor=None, device="cpu", providers=None, session_options=None,
             **task_options):
    """A Hugging Face-style pipeline on a self-contained ONNX model.

    task: a pipeline task or alias ("sentiment-analysis", "ner"); None takes the task recorded in the
    model's metadata. model: the .onnx path. processor: an :class:`ONNXAutoProcessor` result or another
    .onnx whose metadata holds the tokenizer (then task must be given). device "cpu" or "cuda";
    providers: ONNX Runtime execution providers in order of preference; session_options: dict with
    intra_op_threads, inter_op_threads, graph_optimization_level, optimized_model_path.
    task_options: defaults for every call (top_k, function_to_apply, pooling, normalize,
    aggregation_strategy, ignore_labels, targets, doc_stride, max_answer_len, max_seq_len,
    handle_impossible_answer, hypothesis_template, multi_label, threshold, output_dir, return_mask,
    return_timestamps, chunk_length_s, stride_length_s, batch_size: each for its task).

    >>> ner = pipeline("ner", model="bert-ner.onnx", aggregation_strategy="simple")
    >>> ner("My name is Wolfgang and I live in Berlin")[0]["entity_group"]
    'PER'
    """
    if model is None:
        raise _core.UsageError("pipeline: give model='path/to/model.onnx'")
    path = fspath(model, "model")
    if task is not None and not isinstance(task, str):
        raise TypeError(f"task: expected str or None, got {type(task).__name__}")
    session = _session(device, providers, session_options)
    if processor is None:
        native = _core.Pipeline.from_model(path, task or "", session)
    else:
        if not task:
            raise _core.UsageError("pipeline: give task=... with processor=... (the task comes from the model's "
                                   "metadata only when its own processor is used)")
        if isinstance(processor, ONNXTokenizer):
            native_processor = processor._native
        else:
            native_processor = _core.Processor.from_model(fspath(processor, "processor"))
        native = _core.Pipeline.from_parts(path, session, native_processor, task)
    return Pipeline(native, task_options)


class ONNXAutoModel:
    """An ONNX Runtime session on a model: inputs/outputs described, called with numpy arrays.

    >>> model = ONNXAutoModel.from_model("sst2.onnx")
    >>> [i["name"] for i in model.inputs]
    ['input_ids', 'attention_mask']
    >>> out = model(input_ids=np.array([[101, 2307, 102]]), attention_mask=np.ones((1, 3), np.int64))
    >>> out["logits"].shape
    (1, 2)
    """

    def __init__(self, native):
        self._native = native

    @classmethod
    def from_model(cls, path, providers=None, session_options=None):
        return cls(_core.Model.from_model(fspath(path, "path"), _session(None, providers, session_options)))

    @property
    def inputs(self):
        """[{"name", "type", "shape"}] (a dim is an int, its symbolic name, or None)."""
        return self._native.inputs

    @property
    def outputs(self):
        return self._native.outputs

    @property
    def input_names(self):
        return [i["name"] for i in self._native.inputs]

    @property
    def output_names(self):
        return [o["name"] for o in self._native.outputs]

    def __call__(self, **inputs):
        """Runs on numpy arrays (anything np.asarray takes) by input name; returns {output name: array},
        in the model's element types. Arrays are converted to the input's type as ONNX Runtime needs."""
        return self._native.run({name: np.asarray(value) for name, value in inputs.items()})

    def __repr__(self):
        return f"<modelexport.inference.ONNXAutoModel inputs={self.input_names} outputs={self.output_names}>"


class BatchEncoding(dict):
    """The tokenizer's output: a dict of numpy arrays with attribute access (enc.input_ids), as
    transformers' BatchEncoding with return_tensors="np"."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def data(self):
        return dict(self)


class ONNXTokenizer:
    """The tokenizer a self-contained model carries, set up as its pipeline uses it (truncation to
    model_max_length, padding to the batch's longest on tokenizer_config's side). Thread-safe.

    >>> tok = ONNXAutoProcessor.from_model("sst2.onnx")
    >>> enc = tok(["I love this", "Hello"])
    >>> enc["input_ids"].shape, enc["attention_mask"].dtype
    ((2, 5), dtype('int64'))
    >>> tok.decode(enc["input_ids"][0], skip_special_tokens=True)
    'i love this'
    """

    def __init__(self, native):
        self._native = native
        self._templates = {}  # chat templates by name ("" = the model's), parsed once
        self.warnings = list(native.warnings)

    def __call__(self, text, text_pair=None, return_tensors="np"):
        """Model input tensors (int64 numpy arrays, [batch, sequence]) keyed by the model's input names,
        for a str or a list of str (with text_pair: a str or list of the second sequences)."""
        if return_tensors not in ("np", None):
            raise _core.UsageError(f"return_tensors='{return_tensors}': only numpy ('np') tensors are returned")
        texts, single = _texts(text, "text")
        pairs = []
        if text_pair is not None:
            pairs, _ = _texts(text_pair, "text_pair")
        return BatchEncoding(self._native.encode(texts, pairs))

    def decode(self, token_ids, skip_special_tokens=False):
        """Text for token ids (a list or 1-D array), as transformers' decode (clean_up_tokenization_spaces
        from tokenizer_config.json)."""
        ids = np.asarray(token_ids).astype(np.int64).reshape(-1).tolist()
        return self._native.decode(ids, bool(skip_special_tokens))

    def apply_chat_template(self, conversation, tools=None, documents=None, chat_template=None,
                            add_generation_prompt=False, continue_final_message=False, tokenize=True,
                            return_tensors=None, return_dict=False, now=None, **kwargs):
        """The prompt for a chat as transformers' apply_chat_template renders it (our Jinja engine with
        jinja2's sandbox semantics; `modelexport chat-template` prints the same).

        conversation: a list of {"role", "content"} dicts, or a list of such lists (a batch).
        tools / documents: lists passed to the template; chat_template: a template text, or the name of
        one of tokenizer_config.json's named templates; kwargs: extra template variables
        (enable_thinking=False, ...); now: fix strftime_now's time (ISO-8601). tokenize=False returns
        the text; tokenize=True its ids (tokenized without special tokens, as transformers does), with
        return_dict=True a BatchEncoding {"input_ids", "attention_mask"}; return_tensors="np" gives
        [1, n] int64 arrays.

        >>> tok.apply_chat_template([{"role": "user", "content": "Hi"}], add_generation_prompt=True, tokenize=False)
        '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n'
        """
        if return_tensors not in ("np", None):
            raise _core.UsageError(f"return_tensors='{return_tensors}': only numpy ('np') tensors are returned")
        batched = isinstance(conversation, (list, tuple)) and len(conversation) > 0 and all(
            isinstance(c, (list, tuple)) for c in conversation)
        chats = list(conversation) if batched else [conversation]
        template = self._template(chat_template)
        out = []
        for chat in chats:
            if not isinstance(chat, (list, tuple)):
                raise TypeError(f"conversation: expected a list of message dicts, got {type(chat).__name__}")
            variables = dict(kwargs)
            variables["messages"] = list(chat)
            if tools is not None:
                variables["tools"] = list(tools)
            if documents is not None:
                variables["documents"] = list(documents)
            variables["add_generation_prompt"] = bool(add_generation_prompt)
            if continue_final_message:
                variables["continue_final_message"] = True
            try:
                text = json.dumps(variables, ensure_ascii=False)
            except (TypeError, ValueError) as e:
                raise TypeError(f"apply_chat_template: the variables are not JSON-serialisable ({e})") from None
            out.append(template.render(text, now))
        if not tokenize:
            return out if batched else out[0]
        ids = [self._native.encode_ids(text, False) for text in out]
        if return_dict or return_tensors == "np":
            if return_tensors == "np":
                if len({len(i) for i in ids}) > 1:
                    raise _core.UsageError("apply_chat_template: the chats' prompts differ in length; numpy "
                                           "tensors need one length (call once per chat)")
                input_ids = np.array(ids, dtype=np.int64).reshape(len(ids), -1)
                enc = {"input_ids": input_ids, "attention_mask": np.ones_like(input_ids)}
                return BatchEncoding(enc) if return_dict else enc["input_ids"]
            enc = {"input_ids": ids if batched else ids[0],
                   "attention_mask": [[1] * len(i) for i in ids] if batched else [1] * len(ids[0])}
            return BatchEncoding(enc)
        return ids if batched else ids[0]

    def _template(self, chat_template):
        """The model's template (None), a named one (a name without Jinja syntax), or a template text."""
        key = chat_template or ""
        cached = self._templates.get(key)
        if cached is None:
            if chat_template is not None and not isinstance(chat_template, str):
                raise TypeError(f"chat_template: expected a str, got {type(chat_template).__name__}")
            if "{" in key:
                special = self._templates.get("") or self._native.chat_template("")
                cached = _core.ChatTemplate.from_source(key, special.special_tokens_json)
            else:
                cached = self._native.chat_template(key)
            self._templates[key] = cached
        return cached

    @property
    def chat_template(self):
        """The model's chat template text (ProcessorReconstructionError when it has none)."""
        return self._template(None).source

    def batch_decode(self, sequences, skip_special_tokens=False):
        return [self.decode(s, skip_special_tokens) for s in sequences]

    def convert_tokens_to_ids(self, token):
        return self._native.token_to_id(token)

    def convert_ids_to_tokens(self, token_id):
        return self._native.id_to_token(int(token_id))

    @property
    def all_special_ids(self):
        return list(self._native.all_special_ids)

    @property
    def model_max_length(self):
        return self._native.max_length

    def __repr__(self):
        return "<modelexport.inference.ONNXTokenizer>"


class BatchFeature(BatchEncoding):
    """The image processor's / feature extractor's output: numpy arrays by model input name
    (pixel_values, pixel_mask; input_features / input_values, attention_mask), as transformers'
    BatchFeature with return_tensors="np"."""


def _check_np(return_tensors):
    if return_tensors not in ("np", None):
        raise _core.UsageError(f"return_tensors='{return_tensors}': only numpy ('np') tensors are returned")


class ONNXImageProcessor:
    """The image processor of an image model (preprocessor_config.json), Pillow-exact. Thread-safe.

    >>> proc = ONNXAutoProcessor.from_model("vit.onnx")
    >>> proc(["cat.jpg", PIL.Image.open("dog.png")])["pixel_values"].shape
    (2, 3, 224, 224)
    """

    def __init__(self, native):
        self._native = native
        self.warnings = list(native.warnings)
        self.tokenizer = ONNXTokenizer(native) if native.has_tokenizer else None  # CLIP/SigLIP in one file

    def __call__(self, images, return_tensors="np", max_image_pixels=178956970):
        """pixel_values [batch, 3, H, W] float32 (and pixel_mask when the model takes it) for an image or
        a list: file paths, bytes, PIL images or [height, width, 3] uint8 arrays."""
        _check_np(return_tensors)
        items = list(images) if isinstance(images, (list, tuple)) else [images]
        arrays = []
        for item in items:
            if isinstance(item, (str, os.PathLike)):
                arrays.append(_core.load_image(fspath(item, "images"), int(max_image_pixels)))
            else:
                arrays.append(_image_pixels(item))
        return BatchFeature(self._native.image_inputs(arrays))

    def __repr__(self):
        return "<modelexport.inference.ONNXImageProcessor>"


class ONNXFeatureExtractor:
    """The audio feature extractor of an audio model (Whisper log-mel, Wav2Vec2, AST). Thread-safe.

    >>> fe = ONNXAutoProcessor.from_model("wav2vec2.onnx")
    >>> fe(samples, sampling_rate=16000)["input_values"].shape
    (1, 176000)
    """

    def __init__(self, native):
        self._native = native
        self.sampling_rate = native.sampling_rate
        self.warnings = list(native.warnings)
        self.tokenizer = ONNXTokenizer(native) if native.has_tokenizer else None  # CTC / Whisper decode

    def __call__(self, raw_speech, sampling_rate=None, return_tensors="np"):
        """The model's inputs for one recording (a 1-D float array at `sampling_rate`, default the
        extractor's; other rates are resampled as a file at that rate is) or a list of recordings whose
        features have one shape (stacked on the batch dim)."""
        _check_np(return_tensors)
        if sampling_rate is not None and (not isinstance(sampling_rate, (int, np.integer)) or isinstance(sampling_rate, bool)):
            raise TypeError(f"sampling_rate: expected an int (Hz), got {type(sampling_rate).__name__}")
        rate = self.sampling_rate if sampling_rate is None else int(sampling_rate)
        batched = isinstance(raw_speech, (list, tuple)) and raw_speech and not isinstance(raw_speech[0], (int, float, np.number))
        recordings = list(raw_speech) if batched else [raw_speech]
        sets = []
        for r in recordings:
            samples = _mono_samples(r)
            if rate != self.sampling_rate:
                samples = _core.resample(samples, rate, self.sampling_rate)
            sets.append(self._native.audio_inputs(samples))
        if len(sets) == 1:
            return BatchFeature(sets[0])
        out = {}
        for name in sets[0]:
            shapes = {s[name].shape for s in sets}
            if len(shapes) > 1:
                raise _core.UsageError(f"feature extractor: the recordings give {name} of different shapes "
                                       f"{sorted(shapes)}; call once per recording")
            out[name] = np.concatenate([s[name] for s in sets], axis=0)
        return BatchFeature(out)

    def __repr__(self):
        return "<modelexport.inference.ONNXFeatureExtractor>"


class ONNXAutoProcessor:
    """The processor a self-contained model needs, rebuilt from its metadata."""

    _TYPES = {"text": ("tokenizer",), "image": ("image_processor", "processor"),
              "audio": ("feature_extractor", "processor")}

    @staticmethod
    def from_model(path, processor_type=None):
        """The model's processor, by its inputs: a text model's tokenizer (ONNXTokenizer), an image
        model's image processor (ONNXImageProcessor), an audio model's feature extractor
        (ONNXFeatureExtractor). processor_type: None or "auto", or the kind expected ("tokenizer",
        "image_processor", "feature_extractor"; "tokenizer" also gives an image/audio model's tokenizer)."""
        native = _core.Processor.from_model(fspath(path, "path"))
        kinds = ONNXAutoProcessor._TYPES[native.modality]
        if processor_type in (None, "auto"):
            pass
        elif processor_type == "tokenizer" and native.has_tokenizer:
            return ONNXTokenizer(native)
        elif processor_type not in kinds:
            raise _core.UsageError(f"processor_type '{processor_type}': this {native.modality} model's processor is "
                                   f"a {kinds[0]} (expected None, 'auto' or '{kinds[0]}')")
        if native.modality == "image":
            return ONNXImageProcessor(native)
        if native.modality == "audio":
            return ONNXFeatureExtractor(native)
        return ONNXTokenizer(native)
