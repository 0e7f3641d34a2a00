#include "modelexport/metadata/source.h"

#include <cstdlib>
#include <set>

#include "common/json_file.h"
#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "modelexport/common/files.h"

namespace modelexport::metadata {
namespace fs = std::filesystem;

namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

bool looks_like_hub_id(std::string_view s) {
  if (s.empty() || s.front() == '/' || s.front() == '.' || s.find("//") != std::string_view::npos) return false;
  std::string_view id = s.substr(0, s.find('@'));
  if (std::count(id.begin(), id.end(), '/') > 1) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/')) return false;
  return true;
}

bool is_commit_hash(std::string_view s) {
  if (s.size() != 40) return false;
  for (char c : s)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

constexpr std::string_view kLfsPrefix = "version https://git-lfs.github.com/spec/";

// preprocessor_config.json holds either an image processor or an audio feature extractor.
std::string preprocessor_key(const Json& j) {
  for (const char* k : {"sampling_rate", "feature_size", "num_mel_bins", "n_fft", "hop_length"})
    if (j.contains(k)) return std::string(keys::kFeatureExtractorConfig);
  return std::string(keys::kImageProcessorConfig);
}

}  // namespace

fs::path hub_cache_dir() {
  if (auto v = env("HF_HUB_CACHE"); !v.empty()) return v;
  if (auto v = env("HUGGINGFACE_HUB_CACHE"); !v.empty()) return v;
  if (auto v = env("HF_HOME"); !v.empty()) return fs::path(v) / "hub";
  if (auto v = env("XDG_CACHE_HOME"); !v.empty()) return fs::path(v) / "huggingface" / "hub";
  return fs::path(env("HOME")) / ".cache" / "huggingface" / "hub";
}

std::string HfSource::public_name() const {
  if (from_hub_cache) return hub_id;
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(dir, ec), ec);
  if (ec) p = dir.lexically_normal();
  std::string name = p.filename().string();
  if (name.empty()) name = p.parent_path().filename().string();
  return name.empty() ? std::string(".") : name;
}

HfSource resolve_source(std::string_view spec) {
  HfSource src;
  src.spec = std::string(spec);
  std::error_code ec;
  if (fs::is_directory(fs::path(spec), ec)) {
    src.dir = fs::path(spec);
    return src;
  }
  if (fs::exists(fs::path(spec), ec))
    throw MetadataReadError("'" + src.spec +
                            "' is a file; expected a Hugging Face model folder or a Hub id (ORG/NAME)");
  if (!looks_like_hub_id(spec))
    throw MetadataReadError("'" + src.spec +
                            "' does not exist; expected a Hugging Face model folder or a Hub id (ORG/NAME)");

  auto at = spec.find('@');
  src.hub_id = std::string(spec.substr(0, at));
  std::string revision = at == std::string_view::npos ? "main" : std::string(spec.substr(at + 1));
  std::string folder = "models--" + src.hub_id;
  for (size_t p = 0; (p = folder.find('/', p)) != std::string::npos;) folder.replace(p, 1, "--");
  fs::path cache = hub_cache_dir();
  fs::path repo = cache / folder;
  std::string where = " (looked in " + repo.string() + "; cache from " +
                      (!env("HF_HUB_CACHE").empty() ? "HF_HUB_CACHE"
                       : !env("HF_HOME").empty()    ? "HF_HOME"
                                                    : "the default location") +
                      "). modelexport works offline: download the model first, e.g. `huggingface-cli download " +
                      src.hub_id + "`, or pass a local folder.";
  if (!fs::is_directory(repo))
    throw MetadataReadError("Hub id '" + src.hub_id + "' is not in the local Hugging Face cache" + where);
  std::string commit = revision;
  if (!is_commit_hash(revision)) {
    fs::path ref = repo / "refs" / revision;
    if (!fs::exists(ref))
      throw MetadataReadError("Hub id '" + src.hub_id + "': no ref '" + revision + "' in the cache (missing " +
                              ref.string() + ")" + where);
    commit = trim(read_file(ref));
  }
  fs::path snapshot = repo / "snapshots" / commit;
  if (!fs::is_directory(snapshot))
    throw MetadataReadError("Hub id '" + src.hub_id + "': revision '" + revision + "' (" + commit +
                            ") has no snapshot folder " + snapshot.string() + where);
  src.dir = snapshot;
  src.from_hub_cache = true;
  src.revision = commit;
  return src;
}

const HfSource* source_with(const std::vector<HfSource>& sources, std::string_view name) {
  for (const auto& s : sources) {
    std::error_code ec;
    if (fs::is_regular_file(s.dir / name, ec)) return &s;
  }
  return nullptr;
}

CollectedFiles collect_files(const HfSource& source, Level level, uint64_t max_file_bytes) {
  return collect_files(std::vector<HfSource>{source}, level, max_file_bytes);
}

CollectedFiles collect_files(const std::vector<HfSource>& sources, Level level, uint64_t max_file_bytes) {
  if (sources.empty()) throw UsageError("no source folder given");
  CollectedFiles out;
  std::set<std::string> seen;
  auto describe = [&](const HfSource& s) {
    return s.from_hub_cache ? "Hub id '" + s.hub_id + "' (snapshot " + s.dir.string() + ")"
                            : "model folder '" + s.spec + "'";
  };
  // Each file from the first source that really has it; a Git LFS pointer counts as missing.
  auto add = [&](const std::string& name, std::string key) {
    std::vector<std::string> pointers;
    for (const auto& source : sources) {
      fs::path p = source.dir / name;
      std::error_code ec;
      if (!fs::is_regular_file(p, ec)) {
        if (fs::exists(fs::path(p.string() + ".lfs-pointer"), ec)) pointers.push_back(p.string() + ".lfs-pointer");
        continue;
      }
      if (!is_valid_utf8(name))
        throw MetadataEmbeddingError(
            "'" + p.string() + "': the file name is not valid UTF-8; metadata keys and the " +
            "manifest hold names as UTF-8 text. Rename the file (or move it out of the folder)");
      uint64_t size = fs::file_size(p);
      if (size > max_file_bytes)
        throw MetadataEmbeddingError("'" + p.string() + "' is " + std::to_string(size) +
                                     " bytes; a metadata value may hold at most " + std::to_string(max_file_bytes) +
                                     " bytes (the inflation cap validate and every reader " +
                                     "apply). Embed a lower --level without it, or ship the file beside the model");
      std::string what = p.string();
      bool is_json = name.size() > 5 && name.substr(name.size() - 5) == ".json";
      std::string bytes = is_json ? read_json_file(p, what) : read_file(p);  // JSON: its cap before reading
      if (bytes.substr(0, kLfsPrefix.size()) == kLfsPrefix) {
        pointers.push_back(p.string());
        continue;
      }
      if (name == "preprocessor_config.json") key = preprocessor_key(parse_json(bytes, what));
      else if (is_json) check_json_syntax(bytes, what);
      seen.insert(name);
      out.files.push_back({name, std::move(key), std::move(bytes), source.dir});
      return;
    }
    if (!pointers.empty())
      out.warnings.push_back(name + " is only a Git LFS pointer (" + pointers.front() +
                             "), not the real file; it was not embedded");
  };

  if (!source_with(sources, "config.json") && !source_with(sources, "genai_config.json")) {
    std::string names;
    for (const auto& s : sources) names += (names.empty() ? "" : ", ") + describe(s);
    throw MetadataReadError(
        names + (sources.size() > 1 ? ": none has" : " has") +
        " no config.json (nor genai_config.json); expected a Hugging Face model folder (config.json, "
        "plus tokenizer/processor files) or an onnxruntime-genai folder (genai_config.json)");
  }
  for (const auto& f : known_files())
    if (level >= f.level) add(std::string(f.name), std::string(f.key));
  if (level >= Level::kEssential) {
    // Other sentence-transformers module configs named by modules.json (e.g. 2_Dense/config.json).
    for (const auto& f : out.files) {
      if (f.name != "modules.json") continue;
      Json modules = parse_json(f.bytes, (f.dir / f.name).string());
      std::vector<std::string> extra;
      if (modules.is_array())
        for (const auto& m : modules)
          if (m.is_object() && m.contains("path") && m["path"].is_string()) {
            std::string rel = m["path"].get<std::string>();
            if (!rel.empty() && is_safe_relative_path(rel)) extra.push_back(rel + "/config.json");
          }
      for (auto& e : extra)
        if (!seen.count(e) && e != "1_Pooling/config.json") add(e, std::string(kFileKeyPrefix) + e);
      break;
    }
  }
  if (level >= Level::kFull) {
    std::set<std::string> vocab;
    for (const auto& source : sources)
      for (const auto& entry : fs::directory_iterator(source.dir)) {
        std::string name = entry.path().filename().string();
        if (is_legacy_vocab_file(name) && !seen.count(name)) vocab.insert(name);
      }
    for (const auto& name : vocab) add(name, std::string(kFileKeyPrefix) + name);
  }
  return out;
}

}  // namespace modelexport::metadata
