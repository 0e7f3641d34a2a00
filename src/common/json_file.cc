#include "common/json_file.h"

#include "modelexport/common/error.h"
#include "modelexport/common/files.h"
#include "modelexport/common/limits.h"

namespace modelexport {

std::string read_json_file(const std::filesystem::path& path, std::string_view what) {
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);  // when it fails, read_file says why
  if (!ec && !within_limit(kMaxJsonBytes, size))
    throw MetadataReadError(std::string(what) + ": " + limit_exceeded(kMaxJsonBytes, size));
  return read_file(path);
}

}  // namespace modelexport
