// Writes a copy of an ONNX model with its metadata_props changed, streaming.
//
// Every top-level field of the input is copied byte for byte and in order (the graph is never
// decoded, and is copied kernel-side where the file system allows), except metadata entries for
// which `drop_key` returns true; the new entries are appended at the end of the message. Entries that
// are not dropped keep their place and bytes. Memory use does not depend on the model size.
//
// The output is written through a temporary file and renamed into place, so a failure (full disk,
// read-only folder) leaves any existing file at `output` untouched. `output` may be the input itself.
//
//   OnnxFile in("model.onnx");
//   write_with_metadata(in, "out.onnx", {{"hf_pipeline_task", "text-classification"}},
//                       [](std::string_view k) { return k == "hf_pipeline_task"; });
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "modelexport/common/files.h"
#include "modelexport/common/progress.h"
#include "modelexport/format/onnx_file.h"

namespace modelexport::format {

using MetadataEntries = std::vector<std::pair<std::string, std::string>>;

// The same in two phases, so the bulk copy can run while the new entries are still being prepared:
//
//   ModelRewriter w(in, "out.onnx", drop);
//   auto entries = std::async(std::launch::async, build_entries);
//   w.copy_kept_fields();                  // kernel-side copy of the graph and kept fields
//   w.finish(entries.get());               // append, rename into place
//
// Destroying a ModelRewriter without finish() removes its temporary file.
class ModelRewriter {
 public:
  ModelRewriter(const OnnxFile& input, const std::filesystem::path& output,
                const std::function<bool(std::string_view key)>& drop_key, bool show_progress = true);
  ~ModelRewriter();
  // Copies the kept fields; stops early (leaving an unusable temporary) when *cancel becomes true.
  void copy_kept_fields(const std::atomic<bool>* cancel = nullptr);
  // Appends the entries and commits; returns the output size. Throws IoError.
  uint64_t finish(const MetadataEntries& add);

 private:
  const OnnxFile& input_;
  std::vector<ByteSpan> runs_;
  std::unique_ptr<AtomicFile> out_;
  std::unique_ptr<Progress> progress_;
};

// Returns the number of bytes written. Throws IoError; the destination is then unchanged.
uint64_t write_with_metadata(const OnnxFile& input, const std::filesystem::path& output,
                             const MetadataEntries& add,
                             const std::function<bool(std::string_view key)>& drop_key,
                             bool show_progress = true);

// The serialized bytes of metadata_props entries (field 14), as appended by write_with_metadata.
std::string serialize_metadata_entries(const MetadataEntries& entries);

}  // namespace modelexport::format
