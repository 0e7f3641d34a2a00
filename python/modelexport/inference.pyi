import os
from typing import Any, Iterable, Mapping, Optional, Sequence, Union

import numpy as np

_Path = Union[str, os.PathLike[str]]

def available_providers() -> list[str]: ...

class Pipeline:
    """Callable as transformers' pipeline of its task: texts, {"text", "text_pair"}, question/context,
    (sequences, candidate_labels), prompts or chats (text-generation; generation kwargs such as
    max_new_tokens, do_sample, temperature, top_k, top_p, num_beams, seed, generate_kwargs={...},
    on_text=callable for streaming), audio (paths, bytes, 1-D arrays, {"raw"/"array", "sampling_rate"};
    Whisper: return_timestamps, return_language, chunk_length_s, stride_length_s, generate_kwargs={"language",
    "task", "prompt_ids", "prompt_condition_type", "condition_on_prev_tokens", "temperature",
    "compression_ratio_threshold", "logprob_threshold", "no_speech_threshold"}),
    images (paths, bytes, PIL images, [H, W, 3] uint8 arrays; zero-shot: candidate_labels,
    hypothesis_template; object-detection: threshold; image-segmentation / background-removal: masks
    as PIL images, numpy arrays without Pillow, or PNG paths with output_dir; return_mask)."""
    task: str
    warnings: list[str]
    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...

def pipeline(
    task: Optional[str] = None,
    model: Optional[_Path] = None,
    processor: Union[None, _Path, "ONNXTokenizer"] = None,
    device: Optional[str] = "cpu",
    providers: Optional[Sequence[str]] = None,
    session_options: Optional[Mapping[str, Any]] = None,
    **task_options: Any,
) -> Pipeline: ...

class ONNXAutoModel:
    @classmethod
    def from_model(
        cls, path: _Path, providers: Optional[Sequence[str]] = None, session_options: Optional[Mapping[str, Any]] = None
    ) -> "ONNXAutoModel": ...
    @property
    def inputs(self) -> list[dict[str, Any]]: ...
    @property
    def outputs(self) -> list[dict[str, Any]]: ...
    @property
    def input_names(self) -> list[str]: ...
    @property
    def output_names(self) -> list[str]: ...
    def __call__(self, **inputs: Any) -> dict[str, np.ndarray]: ...

class BatchEncoding(dict[str, np.ndarray]):
    def __getattr__(self, name: str) -> np.ndarray: ...
    @property
    def data(self) -> dict[str, np.ndarray]: ...

class ONNXTokenizer:
    warnings: list[str]
    def __call__(
        self, text: Union[str, Sequence[str]], text_pair: Union[None, str, Sequence[str]] = None, return_tensors: Optional[str] = "np"
    ) -> BatchEncoding: ...
    def decode(self, token_ids: Union[Sequence[int], np.ndarray], skip_special_tokens: bool = False) -> str: ...
    def batch_decode(self, sequences: Iterable[Union[Sequence[int], np.ndarray]], skip_special_tokens: bool = False) -> list[str]: ...
    def apply_chat_template(
        self,
        conversation: Union[Sequence[Mapping[str, Any]], Sequence[Sequence[Mapping[str, Any]]]],
        tools: Optional[Sequence[Mapping[str, Any]]] = None,
        documents: Optional[Sequence[Mapping[str, Any]]] = None,
        chat_template: Optional[str] = None,
        add_generation_prompt: bool = False,
        continue_final_message: bool = False,
        tokenize: bool = True,
        return_tensors: Optional[str] = None,
        return_dict: bool = False,
        now: Optional[str] = None,
        **kwargs: Any,
    ) -> Union[str, list[str], list[int], list[list[int]], np.ndarray, "BatchEncoding"]: ...
    @property
    def chat_template(self) -> str: ...
    def convert_tokens_to_ids(self, token: str) -> Optional[int]: ...
    def convert_ids_to_tokens(self, token_id: int) -> Optional[str]: ...
    @property
    def all_special_ids(self) -> list[int]: ...
    @property
    def model_max_length(self) -> Optional[int]: ...

class BatchFeature(BatchEncoding): ...

_Image = Union[_Path, bytes, np.ndarray, Any]  # a path, file bytes, a [H, W, 3] uint8 array or a PIL image

class ONNXImageProcessor:
    warnings: list[str]
    tokenizer: Optional[ONNXTokenizer]
    def __call__(
        self, images: Union[_Image, Sequence[_Image]], return_tensors: Optional[str] = "np", max_image_pixels: int = 178956970
    ) -> BatchFeature: ...

class ONNXFeatureExtractor:
    warnings: list[str]
    sampling_rate: int
    tokenizer: Optional[ONNXTokenizer]
    def __call__(
        self, raw_speech: Union[np.ndarray, Sequence[float], Sequence[np.ndarray]], sampling_rate: Optional[int] = None,
        return_tensors: Optional[str] = "np"
    ) -> BatchFeature: ...

class ONNXAutoProcessor:
    @staticmethod
    def from_model(
        path: _Path, processor_type: Optional[str] = None
    ) -> Union[ONNXTokenizer, ONNXImageProcessor, ONNXFeatureExtractor]: ...
