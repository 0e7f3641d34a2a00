#include "modelexport/metadata/source.h"

#include <cstdlib>
#include <set>

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

HfSource resolve_source(std::string_view spec) {
  HfSource src;
  src.spec = std::string(spec);
  std::error_code ec;
  if (fs::is_directory(fs::path(spec), ec)) {
    src.dir = fs::path(spec);
    if (!fs::exists(src.dir / "config.json"))
      throw MetadataReadError("model folder '" + src.spec + "' has no config.json; expected a Hugging Face model folder "
                              "(config.json, plus tokenizer/processor files)");
    return src;
  }
  if (fs::exists(fs::path(spec), ec))
    throw MetadataReadError("'" + src.spec + "' is a file; expected a Hugging Face model folder or a Hub id (ORG/NAME)");
  if (!looks_like_hub_id(spec))
    throw MetadataReadError("'" + src.spec + "' does not exist; expected a Hugging Face model folder or a Hub id (ORG/NAME)");

  auto at = spec.find('@');
  src.hub_id = std::string(spec.substr(0, at));
  std::string revision = at == std::string_view::npos ? "main" : std::string(spec.substr(at + 1));
  std::string folder = "models--" + src.hub_id;
  for (size_t p = 0; (p = folder.find('/', p)) != std::string::npos;) folder.replace(p, 1, "--");
  fs::path cache = hub_cache_dir();
  fs::path repo = cache / folder;
  std::string where = " (looked in " + repo.string() + "; cache from " +
                      (!env("HF_HUB_CACHE").empty() ? "HF_HUB_CACHE" : !env("HF_HOME").empty() ? "HF_HOME" : "the default location") +
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
  if (!fs::exists(snapshot / "config.json"))
    throw MetadataReadError("Hub id '" + src.hub_id + "': snapshot " + snapshot.string() + " has no config.json");
  src.dir = snapshot;
  src.from_hub_cache = true;
  src.revision = commit;
  return src;
}

CollectedFiles collect_files(const HfSource& source, Level level) {
  CollectedFiles out;
  std::set<std::string> seen;
  auto add = [&](const std::string& name, std::string key) {
    fs::path p = source.dir / name;
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) {
      if (fs::exists(fs::path(p.string() + ".lfs-pointer")))
        out.warnings.push_back(name + " is only a Git LFS pointer (" + name + ".lfs-pointer) and was not embedded");
      return;
    }
    std::string bytes = read_file(p);
    if (bytes.substr(0, kLfsPrefix.size()) == kLfsPrefix) {
      out.warnings.push_back(name + " is a Git LFS pointer, not the real file; it was not embedded");
      return;
    }
    bool is_json = name.size() > 5 && name.substr(name.size() - 5) == ".json";
    if (name == "preprocessor_config.json") key = preprocessor_key(parse_json(bytes, source.dir.string() + "/" + name));
    else if (is_json) check_json_syntax(bytes, source.dir.string() + "/" + name);
    seen.insert(name);
    out.files.push_back({name, std::move(key), std::move(bytes)});
  };

  if (!fs::exists(source.dir / "config.json"))
    throw MetadataReadError("model folder '" + source.dir.string() + "' has no config.json");
  for (const auto& f : known_files())
    if (level >= f.level) add(std::string(f.name), std::string(f.key));
  if (level >= Level::kEssential) {
    // Other sentence-transformers module configs named by modules.json (e.g. 2_Dense/config.json).
    for (const auto& f : out.files) {
      if (f.name != "modules.json") continue;
      Json modules = parse_json(f.bytes, "modules.json");
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
    std::vector<std::string> vocab;
    for (const auto& entry : fs::directory_iterator(source.dir)) {
      std::string name = entry.path().filename().string();
      if (is_legacy_vocab_file(name) && !seen.count(name)) vocab.push_back(name);
    }
    std::sort(vocab.begin(), vocab.end());
    for (auto& name : vocab) add(name, std::string(kFileKeyPrefix) + name);
  }
  return out;
}

}  // namespace modelexport::metadata
