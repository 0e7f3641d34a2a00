#include "cli/output.h"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "modelexport/common/error.h"
#include "modelexport/common/sha256.h"
#include "modelexport/metadata/schema.h"
#include "modelexport/metadata/values.h"

namespace modelexport::cli {

std::string human_bytes(uint64_t b) {
  char buf[32];
  if (b < 1024) std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(b));
  else if (b < (1 << 20)) std::snprintf(buf, sizeof buf, "%.1f KB", b / 1024.0);
  else if (b < (1ull << 30)) std::snprintf(buf, sizeof buf, "%.1f MB", b / 1048576.0);
  else std::snprintf(buf, sizeof buf, "%.2f GB", b / 1073741824.0);
  return buf;
}

std::string describe_value(const format::ValueInfo& v) {
  std::string s = v.name + " " + (v.elem_type.empty() ? "?" : v.elem_type);
  if (!v.has_shape) return s + " [shape unknown]";
  s += " [";
  for (size_t i = 0; i < v.shape.size(); ++i) {
    if (i) s += ", ";
    const auto& d = v.shape[i];
    s += d.value >= 0 ? std::to_string(d.value) : d.param.empty() ? "?" : d.param;
  }
  return s + "]";
}

Json value_info_json(const std::vector<format::ValueInfo>& values) {
  Json a = Json::array();
  for (const auto& v : values) {
    Json shape = nullptr;
    if (v.has_shape) {
      shape = Json::array();
      for (const auto& d : v.shape) shape.push_back(d.value >= 0 ? Json(d.value) : d.param.empty() ? Json(nullptr) : Json(d.param));
    }
    a.push_back({{"name", v.name}, {"type", v.elem_type}, {"shape", shape}});
  }
  return a;
}

Json metadata_value_json(const metadata::ModelMetadata& m, const std::string& key) {
  const std::string& value = m.value(key);
  auto spec = metadata::find_key(key);
  bool json_kind = spec && (spec->kind == metadata::ValueKind::kJsonObject || spec->kind == metadata::ValueKind::kJson);
  bool json_file = !value.empty() && (value.front() == '{' || value.front() == '[');
  if (json_kind || (spec && spec->kind == metadata::ValueKind::kFile && json_file)) {
    try {
      return parse_json(value, key);
    } catch (const Error&) {
      // not JSON after all: fall through to text
    }
  }
  if (!is_valid_utf8(value)) return {{"binary", true}, {"size", value.size()}, {"sha256", sha256_hex(value)}};
  return value;
}

Json findings_json(const metadata::ValidationReport& report) {
  Json a = Json::array();
  for (const auto& f : report.findings) a.push_back({{"severity", f.severity}, {"check", f.check}, {"message", f.message}});
  return a;
}

void print_findings(const metadata::ValidationReport& report) {
  size_t errors = 0, warnings = 0;
  for (const auto& f : report.findings) {
    std::cout << "  " << f.severity << " [" << f.check << "] " << f.message << "\n";
    (f.severity == "error" ? errors : warnings)++;
  }
  std::cout << (report.valid() ? "valid" : "INVALID") << ": " << errors << " error(s), " << warnings << " warning(s)\n";
}

uint64_t compress_threshold_bytes(double kb, const std::string& option) {
  constexpr double kMaxKb = static_cast<double>(metadata::kMaxInflatedValueBytes / 1024);
  if (!std::isfinite(kb) || kb < 0 || kb > kMaxKb) {
    char got[64];
    std::snprintf(got, sizeof got, "%g", kb);
    throw UsageError(option + " must be a finite number of KB from 0 to " +
                     std::to_string(static_cast<uint64_t>(kMaxKb)) +
                     " (1 GiB, the largest value a metadata entry may hold; " +
                     "use --no-compress to store text uncompressed); got " + got);
  }
  return static_cast<uint64_t>(std::llround(kb * 1024));
}

std::string input_name(const std::string& path) { return path == "-" ? "stdin" : path; }

void add_quiet_flag(CLI::App* command, bool& quiet) {
  command->add_flag("-q,--quiet", quiet, "Print nothing on success (errors and warnings still print)");
}

std::vector<Json> read_jsonl_objects(const std::string& path_arg) {
  std::ifstream file;
  if (path_arg != "-") {
    file.open(path_arg);
    if (!file) throw IoError("cannot open --input '" + path_arg + "': " + errno_text(errno));
  }
  std::istream& in = path_arg == "-" ? std::cin : file;
  const std::string path = input_name(path_arg);
  std::vector<Json> objects;
  size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    Json j = parse_json(line, path + " line " + std::to_string(n));
    if (!j.is_object()) throw UsageError(path + " line " + std::to_string(n) + ": expected a JSON object");
    j["__line"] = n;
    objects.push_back(std::move(j));
  }
  if (in.bad()) throw IoError("cannot read --input '" + path + "' after line " + std::to_string(n));
  return objects;
}

std::vector<std::string> read_text_lines(const std::string& path) {
  std::vector<std::string> texts;
  for (const Json& j : read_jsonl_objects(path)) {
    if (!j.contains("text") || !j["text"].is_string())
      throw UsageError(input_name(path) + " line " + std::to_string(j["__line"].get<size_t>()) +
                       ": expected {\"text\": \"...\"}");
    texts.push_back(j["text"].get<std::string>());
  }
  return texts;
}

// Paths, keys and foreign values may hold invalid UTF-8: shown with U+FFFD, the output stays valid JSON.
void print_json(const Json& j) { std::cout << dump_json(j, 2) << "\n"; }

}  // namespace modelexport::cli
