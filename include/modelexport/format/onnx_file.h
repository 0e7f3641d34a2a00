// Reading an ONNX model without parsing its graph.
//
// OnnxFile maps the file and scans only the top level of ModelProto: the graph (field 7) is skipped
// by its length prefix, so reading metadata costs the same for a 1 MB and a 2 GB+ model. The graph
// summary (inputs, outputs, external data files) is computed on request by walking the graph's field
// headers, still without decoding nodes or tensor data.
//
//   modelexport::format::OnnxFile model("model.onnx");     // throws FormatError / IoError
//   for (const auto& p : model.header().metadata_props) std::cout << p.key << "\n";
//   for (const auto& in : model.graph().inputs) std::cout << in.name << " " << in.elem_type << "\n";
//
// Lifetime: string views returned by bytes() live as long as the OnnxFile. Not thread-safe while
// graph() is computed for the first time; otherwise read-only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "modelexport/common/files.h"

namespace modelexport::format {

// ModelProto field numbers used by the scanner and writer (onnx.proto).
inline constexpr uint32_t kModelGraphField = 7;
inline constexpr uint32_t kModelMetadataField = 14;

// A byte range of the file: a whole field, tag and length prefix included.
struct ByteSpan {
  uint64_t offset = 0;
  uint64_t size = 0;
};

struct TopLevelField {
  uint32_t number = 0;
  ByteSpan span;
};

// A metadata_props entry. key and value view the mapped file: they live as long as the OnnxFile.
struct MetadataProp {
  std::string_view key;
  std::string_view value;
  ByteSpan span;
};

struct OpsetImport {
  std::string domain;  // "" is the default ONNX domain
  int64_t version = 0;
};

// One dimension: a static size (value >= 0), a symbolic name (param), or unknown (neither).
struct Dim {
  int64_t value = -1;
  std::string param;
};

struct ValueInfo {
  std::string name;
  std::string elem_type;  // "float32", "int64", ... ; "sequence"/"map"/"optional" for non-tensors
  bool has_shape = false;
  std::vector<Dim> shape;
};

struct ModelHeader {
  int64_t ir_version = 0;
  std::string producer_name, producer_version, domain, doc_string;
  int64_t model_version = 0;
  std::vector<OpsetImport> opset_imports;
  std::vector<MetadataProp> metadata_props;  // in file order
  ByteSpan graph;                            // the graph field
  std::vector<TopLevelField> fields;         // every top-level field, in file order
};

// A tensor whose data lives in a file beside the model (TensorProto.data_location EXTERNAL, ONNX's
// external data: keys "location", "offset", "length" as decimal strings).
struct ExternalTensor {
  std::string tensor;                  // the tensor's name ("" when unnamed)
  std::string location;                // relative to the model's folder, as stored
  uint64_t offset = 0;                 // "offset"; 0 when absent
  std::optional<uint64_t> length;      // "length", when given
  std::optional<uint64_t> data_bytes;  // the bytes its dims and data type need, when the type has a fixed size
  std::string malformed;               // why location/offset/length are unusable; empty when they parse
};

struct GraphSummary {
  std::string name;
  std::vector<ValueInfo> inputs;   // graph inputs that are not initializers
  std::vector<ValueInfo> outputs;
  uint64_t node_count = 0;         // top-level graph only
  uint64_t initializer_count = 0;  // top-level graph only
  std::vector<std::string> op_types;  // op types of the top-level graph's nodes, sorted and unique
  // Files named by external-data tensors anywhere in the model (initializers, Constant
  // attributes, subgraphs), relative to the model's folder, sorted and unique.
  std::vector<std::string> external_data_files;
  std::vector<ExternalTensor> external_tensors;  // every external-data tensor, in file order
};

// Scans the top level of a serialized ModelProto. `name` is used in error messages.
// Throws FormatError for anything that is not a complete ONNX model (Git LFS pointers by name).
ModelHeader scan_model_header(std::string_view bytes, std::string_view name);
// Walks the graph's field headers. Throws FormatError for malformed graphs. `release`, when given,
// is called with each large field's byte range once the walk has passed it.
GraphSummary summarize_graph(std::string_view bytes, const ModelHeader& header, std::string_view name,
                             const std::function<void(uint64_t offset, uint64_t length)>& release = {});

// Type name of a TensorProto.DataType value ("float32", "bfloat16", ...), "type<N>" if unknown.
std::string elem_type_name(int64_t data_type);

class OnnxFile {
 public:
  explicit OnnxFile(const std::filesystem::path& path);
  ~OnnxFile();
  OnnxFile(OnnxFile&&) noexcept;
  OnnxFile& operator=(OnnxFile&&) = delete;

  const std::filesystem::path& path() const { return file_.path(); }
  std::string_view bytes() const { return file_.bytes(); }
  uint64_t size() const { return file_.size(); }
  int fd() const { return file_.fd(); }
  const ModelHeader& header() const { return header_; }
  const GraphSummary& graph() const;
  // The value of a metadata key (last occurrence wins, as protobuf readers see it), if present.
  std::optional<std::string_view> metadata(std::string_view key) const;
  // External data files named by the model that do not exist beside it.
  std::vector<std::string> missing_external_data() const;
  // Everything that keeps the external data from loading, one message per problem (grouped by
  // file): a location that is absolute or has '..', a missing file or one that is not a regular
  // file, a file shorter than a tensor's offset + length (truncated), a malformed offset/length,
  // a length that differs from the tensor's dims and type. Empty when the data is all there.
  // Costs one stat per data file; the data is not read.
  std::vector<std::string> external_data_problems() const;

 private:
  MappedFile file_;
  ModelHeader header_;
  mutable std::unique_ptr<GraphSummary> graph_;
};

}  // namespace modelexport::format
