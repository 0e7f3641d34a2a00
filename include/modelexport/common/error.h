// The one error mechanism of modelexport: exceptions from this hierarchy.
//
// Every message names the file, the JSON path or the tensor involved and what was expected.
// Library code throws; only the CLI catches broadly and maps the class to an exit code.
//
//   try { auto m = modelexport::metadata::read_metadata("model.onnx"); }
//   catch (const modelexport::FormatError& e) { /* not an ONNX file, truncated, LFS pointer */ }
#pragma once

#include <stdexcept>
#include <string>

namespace modelexport {

// Base of every error modelexport throws.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Invalid arguments or options (unknown level, output equal to input, target exists, ...).
class UsageError : public Error { using Error::Error; };
// A file system operation failed (open, read, write, rename); names the path and errno text.
class IoError : public Error { using Error::Error; };
// The bytes are not a (complete) ONNX model: wrong wire format, truncated, Git LFS pointer.
class FormatError : public Error { using Error::Error; };

// Metadata family (names from the seed design).
class MetadataError : public Error { using Error::Error; };
// A metadata source or value cannot be read: missing files, invalid JSON, bad base64/gzip.
class MetadataReadError : public MetadataError { using MetadataError::MetadataError; };
// Writing metadata into a model failed.
class MetadataEmbeddingError : public MetadataError { using MetadataError::MetadataError; };
// Metadata is present but breaks the schema (thrown by strict accessors; validate() reports instead).
class MetadataValidationError : public MetadataError { using MetadataError::MetadataError; };
// A processor (tokenizer, image processor, feature extractor) cannot be rebuilt from its config.
class ProcessorReconstructionError : public MetadataError { using MetadataError::MetadataError; };
// The task cannot be determined from the configuration.
class TaskDetectionError : public MetadataError { using MetadataError::MetadataError; };
// The model is readable but cannot do what was asked: its outputs do not fit the task, it is
// already quantized, it has nothing to quantize. Not a usage error: the arguments were fine.
class UnsuitableModelError : public Error {
  using Error::Error;
};
// ONNX Runtime refused something (session creation, run).
class RuntimeError : public Error { using Error::Error; };
// An image file cannot be decoded: not an image, unsupported format, truncated, 0 pixels, too many.
class ImageDecodeError : public Error {
  using Error::Error;
};
// An audio input cannot be decoded: not audio, no audio stream, no samples, corrupt data.
class AudioDecodeError : public Error {
  using Error::Error;
};

// "strerror(errno)" for messages.
std::string errno_text(int err);

}  // namespace modelexport
