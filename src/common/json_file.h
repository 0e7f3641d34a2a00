// Reading a JSON file from anywhere with the JSON size cap applied first (issue 17's bounded
// resources): the cap (kMaxJsonBytes, modelexport/common/limits.h) is checked against the file's size
// before a byte is read, so a huge or sparse file costs nothing; parse_json and check_json_syntax
// (common/json_util.h) check it again on the bytes.
//
//   std::string text = read_json_file(folder / "config.json", "bert/config.json");
//   // 200 MB file: MetadataReadError "bert/config.json: 209715200 bytes of JSON, above the limit of
//   //   134217728 (MODELEXPORT_MAX_JSON_BYTES raises it)"
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace modelexport {

// The bytes of the file at `path` (as read_file, modelexport/common/files.h); throws MetadataReadError
// naming `what` when its size is above the JSON cap in force.
std::string read_json_file(const std::filesystem::path& path, std::string_view what);

}  // namespace modelexport
