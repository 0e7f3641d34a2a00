#include "modelexport/format/metadata_writer.h"

#include "format/wire.h"

namespace modelexport::format {

std::string serialize_metadata_entries(const MetadataEntries& entries) {
  std::string out, entry;
  for (const auto& [key, value] : entries) {
    entry.clear();
    append_len_field(entry, 1, key);
    append_len_field(entry, 2, value);
    append_len_field(out, kModelMetadataField, entry);
  }
  return out;
}

ModelRewriter::ModelRewriter(const OnnxFile& input, const std::filesystem::path& output,
                             const std::function<bool(std::string_view key)>& drop_key, bool show_progress)
    : input_(input) {
  // Contiguous runs of kept fields, copied in one go each.
  size_t prop = 0;
  const auto& props = input.header().metadata_props;
  for (const auto& field : input.header().fields) {
    bool keep = true;
    if (field.number == kModelMetadataField) {
      const MetadataProp& p = props[prop++];
      keep = !(drop_key && drop_key(p.key));
    }
    if (!keep) continue;
    if (!runs_.empty() && runs_.back().offset + runs_.back().size == field.span.offset)
      runs_.back().size += field.span.size;
    else
      runs_.push_back(field.span);
  }
  uint64_t total = 0;
  for (const auto& r : runs_) total += r.size;
  progress_ = std::make_unique<Progress>("writing " + output.filename().string(), total,
                                         show_progress ? 64ull << 20 : UINT64_MAX);
  out_ = std::make_unique<AtomicFile>(output, input.path());
}

ModelRewriter::~ModelRewriter() = default;

void ModelRewriter::copy_kept_fields(const std::atomic<bool>* cancel) {
  constexpr uint64_t kChunk = 64ull << 20;
  for (const auto& r : runs_) {
    if (r.size < (1u << 16)) {  // small runs: one write from the mapping beats a syscall per field
      out_->write(input_.bytes().substr(r.offset, r.size));
      progress_->advance(r.size);
      continue;
    }
    for (uint64_t done = 0; done < r.size; done += kChunk) {
      if (cancel && cancel->load()) return;
      uint64_t n = std::min(kChunk, r.size - done);
      out_->copy_from(input_.fd(), r.offset + done, n);
      progress_->advance(n);
    }
  }
  runs_.clear();
}

uint64_t ModelRewriter::finish(const MetadataEntries& add) {
  copy_kept_fields();  // no-op when already done
  out_->write(serialize_metadata_entries(add));
  out_->commit();
  progress_->finish();
  return out_->bytes_written();
}

uint64_t write_with_metadata(const OnnxFile& input, const std::filesystem::path& output, const MetadataEntries& add,
                             const std::function<bool(std::string_view key)>& drop_key, bool show_progress) {
  ModelRewriter writer(input, output, drop_key, show_progress);
  return writer.finish(add);
}

}  // namespace modelexport::format
