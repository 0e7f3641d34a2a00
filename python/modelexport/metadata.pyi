import os
from typing import Any, Optional, Sequence, Union

_Path = Union[str, os.PathLike[str]]

def embed_metadata(
    onnx_path: _Path,
    model_name_or_path: Union[_Path, Sequence[_Path]],
    output_path: Optional[_Path] = None,
    include_vocab: bool = False,
    compress_large_configs: bool = True,
    validate: bool = True,
    level: str = "full",
    compress_threshold_kb: float = 10,
    task: Optional[str] = None,
) -> dict[str, Any]: ...
def read_metadata(onnx_path: _Path) -> dict[str, Any]: ...
def validate(
    onnx_path: _Path, check_metadata: bool = True, check_task: bool = True, check_processor: bool = True
) -> dict[str, Any]: ...
def unpack(onnx_path: _Path, out_dir: _Path, layout: str = "optimum") -> dict[str, Any]: ...
def detect_task(config: Union[dict[str, Any], str]) -> Optional[str]: ...
