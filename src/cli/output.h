// Shared output helpers of the CLI: JSON for --json, human-readable sizes, graph IO rendering.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "modelexport/format/onnx_file.h"
#include "modelexport/metadata/reader.h"
#include "modelexport/metadata/validate.h"

namespace modelexport::cli {

std::string human_bytes(uint64_t bytes);
// "input_ids int64 [batch, sequence]"
std::string describe_value(const format::ValueInfo& v);
Json value_info_json(const std::vector<format::ValueInfo>& values);
// A decoded metadata value for JSON output: JSON values parsed, binary files summarised. The key
// must decode (m.decode_error(key) empty); throws MetadataReadError otherwise.
Json metadata_value_json(const metadata::ModelMetadata& m, const std::string& key);
Json findings_json(const metadata::ValidationReport& report);
void print_findings(const metadata::ValidationReport& report);
// The "text" of every non-blank line of a JSONL file (other fields ignored); "-" reads standard
// input. Throws IoError / UsageError naming the file (or "stdin") and line.
std::vector<std::string> read_text_lines(const std::string& path);
// Every non-blank line of a JSONL file ("-": standard input) as a JSON object, with its line
// number under "__line". Throws IoError / UsageError naming the file (or "stdin") and line.
std::vector<Json> read_jsonl_objects(const std::string& path);
// The name messages use for an --input path: "stdin" for "-".
std::string input_name(const std::string& path);
// -q/--quiet with one meaning on every command: print nothing on success (errors, warnings and
// validate's findings still print).
void add_quiet_flag(CLI::App* command, bool& quiet);
// embed-metadata's compression threshold in KB as bytes: finite, from 0 up to the largest value a
// metadata entry may hold (1 GiB; a higher threshold would mean the same as no compression). Throws
// UsageError naming `option` otherwise.
uint64_t compress_threshold_bytes(double kb, const std::string& option = "--compress-threshold");
// Prints one JSON document to stdout.
void print_json(const Json& j);

}  // namespace modelexport::cli
