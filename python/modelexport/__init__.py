"""modelexport: self-contained ONNX models (Hugging Face files embedded in ONNX metadata) and
Hugging Face pipelines on ONNX Runtime, from the C++ library.

    >>> from modelexport.metadata import embed_metadata, read_metadata
    >>> report = embed_metadata("model.onnx", "path/to/hf-folder", output_path="self-contained.onnx")
    >>> report["task"]
    'text-classification'
    >>> from modelexport.inference import pipeline
    >>> pipeline(model="self-contained.onnx")("I love this movie")
    [{'label': 'POSITIVE', 'score': 0.99...}]

Every error is a ``modelexport.Error``; the metadata family derives from ``MetadataError``
(``MetadataReadError``, ``MetadataEmbeddingError``, ``MetadataValidationError``,
``ProcessorReconstructionError``, ``TaskDetectionError``). Messages are the C++ library's.
"""

from ._core import (  # noqa: F401
    Error,
    UsageError,
    IoError,
    FormatError,
    MetadataError,
    MetadataReadError,
    MetadataEmbeddingError,
    MetadataValidationError,
    ProcessorReconstructionError,
    TaskDetectionError,
    UnsuitableModelError,
    RuntimeError,
    ImageDecodeError,
    AudioDecodeError,
    TemplateError,
    __version__,
)
from ._quantize import quantize  # noqa: F401
from . import metadata, inference  # noqa: F401

__all__ = [
    "Error", "UsageError", "IoError", "FormatError", "MetadataError", "MetadataReadError",
    "MetadataEmbeddingError", "MetadataValidationError", "ProcessorReconstructionError",
    "TaskDetectionError", "UnsuitableModelError", "RuntimeError", "ImageDecodeError", "AudioDecodeError",
    "TemplateError", "quantize", "metadata", "inference", "__version__",
]
