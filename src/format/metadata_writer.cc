#include "modelexport/format/metadata_writer.h"

#include "format/wire.h"
#include "modelexport/common/files.h"
#include "modelexport/common/progress.h"

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

uint64_t write_with_metadata(const OnnxFile& input, const std::filesystem::path& output,
                             const MetadataEntries& add,
                             const std::function<bool(std::string_view key)>& drop_key, bool show_progress) {
  // Contiguous runs of kept fields, copied in one go each.
  std::vector<ByteSpan> runs;
  size_t prop = 0;
  const auto& props = input.header().metadata_props;
  for (const auto& field : input.header().fields) {
    bool keep = true;
    if (field.number == kModelMetadataField) {
      const MetadataProp& p = props[prop++];
      keep = !(drop_key && drop_key(p.key));
    }
    if (!keep) continue;
    if (!runs.empty() && runs.back().offset + runs.back().size == field.span.offset)
      runs.back().size += field.span.size;
    else
      runs.push_back(field.span);
  }

  uint64_t total = 0;
  for (const auto& r : runs) total += r.size;
  Progress progress("writing " + output.filename().string(), total, show_progress ? 64ull << 20 : UINT64_MAX);
  AtomicFile out(output, input.path());
  constexpr uint64_t kChunk = 64ull << 20;
  for (const auto& r : runs) {
    if (r.size < (1u << 16)) {  // small runs: one write from the mapping beats a syscall per field
      out.write(input.bytes().substr(r.offset, r.size));
      progress.advance(r.size);
      continue;
    }
    for (uint64_t done = 0; done < r.size; done += kChunk) {
      uint64_t n = std::min(kChunk, r.size - done);
      out.copy_from(input.fd(), r.offset + done, n);
      progress.advance(n);
    }
  }
  out.write(serialize_metadata_entries(add));
  out.commit();
  progress.finish();
  return out.bytes_written();
}

}  // namespace modelexport::format
