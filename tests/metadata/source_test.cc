// Hub ids resolve through a Hugging Face cache laid out as huggingface_hub writes it.
#include "modelexport/metadata/source.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "modelexport/common/error.h"
#include "support/test_support.h"

namespace modelexport::metadata {
namespace {

using test::EnvGuard;

// models--ORG--NAME/{refs/main, snapshots/<hash>/config.json}
std::filesystem::path make_cache_entry(const std::filesystem::path& hub, const std::string& folder, const std::string& ref,
                                       const std::string& hash) {
  auto repo = hub / folder;
  std::filesystem::create_directories(repo / "refs");
  std::filesystem::create_directories(repo / "snapshots" / hash);
  test::write_bytes(repo / "refs" / ref, hash + "\n");
  test::write_bytes(repo / "snapshots" / hash / "config.json", "{\"architectures\": [\"BertModel\"]}");
  return repo / "snapshots" / hash;
}

const std::string kHash = "0123456789abcdef0123456789abcdef01234567";

TEST(Source, ResolvesHubIdsThroughHfHubCache) {
  test::ScratchDir dir;
  auto snap = make_cache_entry(dir / "hub", "models--acme--tiny-bert", "main", kHash);
  EnvGuard env({{"HF_HUB_CACHE", (dir / "hub").string()}, {"HF_HOME", ""}});
  HfSource s = resolve_source("acme/tiny-bert");
  EXPECT_TRUE(s.from_hub_cache);
  EXPECT_EQ(s.dir, snap);
  EXPECT_EQ(s.revision, kHash);
  EXPECT_EQ(resolve_source("acme/tiny-bert@" + kHash).dir, snap);
}

TEST(Source, HonoursHfHomeAndBranchRefs) {
  test::ScratchDir dir;
  auto snap = make_cache_entry(dir / "home" / "hub", "models--acme--tiny-bert", "v2", kHash);
  EnvGuard env({{"HF_HUB_CACHE", ""}, {"HUGGINGFACE_HUB_CACHE", ""}, {"HF_HOME", (dir / "home").string()}});
  EXPECT_EQ(hub_cache_dir(), dir / "home" / "hub");
  EXPECT_EQ(resolve_source("acme/tiny-bert@v2").dir, snap);
  try {
    resolve_source("acme/tiny-bert");  // no refs/main
    FAIL();
  } catch (const MetadataReadError& e) {
    EXPECT_NE(std::string(e.what()).find("refs/main"), std::string::npos) << e.what();
  }
}

TEST(Source, DefaultCacheIsUnderHome) {
  test::ScratchDir dir;
  EnvGuard env({{"HF_HUB_CACHE", ""}, {"HUGGINGFACE_HUB_CACHE", ""}, {"HF_HOME", ""}, {"XDG_CACHE_HOME", ""},
                {"HOME", dir.path().string()}});
  EXPECT_EQ(hub_cache_dir(), dir / ".cache" / "huggingface" / "hub");
}

TEST(Source, MissingIdSaysWhereItLooked) {
  test::ScratchDir dir;
  EnvGuard env({{"HF_HUB_CACHE", (dir / "hub").string()}});
  try {
    resolve_source("acme/not-downloaded");
    FAIL();
  } catch (const MetadataReadError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find((dir / "hub" / "models--acme--not-downloaded").string()), std::string::npos) << m;
    EXPECT_NE(m.find("offline"), std::string::npos) << m;
  }
}

TEST(Source, FolderWithoutConfigIsAnError) {
  test::ScratchDir dir;
  test::write_bytes(dir / "tokenizer.json", "{}");
  try {
    collect_files(resolve_source(dir.path().string()), Level::kFull);
    FAIL();
  } catch (const MetadataReadError& e) {
    EXPECT_NE(std::string(e.what()).find("no config.json (nor genai_config.json)"), std::string::npos) << e.what();
  }
}

std::vector<std::pair<std::string, std::string>> names_and_dirs(const CollectedFiles& c) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& f : c.files) out.emplace_back(f.name, f.dir.filename().string());
  return out;
}

// A config folder plus a tokenizer folder: each file from the first folder that has it; an LFS
// pointer counts as missing.
TEST(Source, LaterSourcesFillWhatEarlierOnesLack) {
  test::ScratchDir dir;
  for (const char* d : {"cfg", "tok"}) std::filesystem::create_directories(dir / d);
  test::write_bytes(dir / "cfg" / "config.json", "{\"architectures\": [\"BertModel\"]}");
  test::write_bytes(dir / "cfg" / "tokenizer.json",
                    "version https://git-lfs.github.com/spec/v1\noid sha256:00\nsize 1\n");
  test::write_bytes(dir / "tok" / "config.json", "{\"architectures\": [\"GPT2Model\"]}");
  test::write_bytes(dir / "tok" / "tokenizer.json", "{}");
  test::write_bytes(dir / "tok" / "tokenizer_config.json", "{}");
  test::write_bytes(dir / "tok" / "vocab.txt", "[PAD]\n");
  auto c =
      collect_files({resolve_source((dir / "cfg").string()), resolve_source((dir / "tok").string())}, Level::kFull);
  EXPECT_EQ(
      names_and_dirs(c),
      (std::vector<std::pair<std::string, std::string>>{
          {"config.json", "cfg"}, {"tokenizer_config.json", "tok"}, {"tokenizer.json", "tok"}, {"vocab.txt", "tok"}}));
  EXPECT_TRUE(c.warnings.empty());
}

TEST(Source, OnnxruntimeGenaiFolderNeedsNoConfigJson) {
  REQUIRE_CORPUS();
  auto c = collect_files(resolve_source((test::corpus_dir() / "models" / "genai-tiny-random-gpt2-fp32").string()),
                         Level::kFull);
  std::vector<std::string> names;
  for (const auto& f : c.files) names.push_back(f.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"tokenizer_config.json", "genai_config.json", "tokenizer.json", "vocab.json"}));
}

TEST(Source, PublicNameIsTheHubIdOrTheFolderNameNeverAPath) {
  test::ScratchDir dir;
  std::filesystem::create_directories(dir / "my-model");
  EXPECT_EQ(resolve_source((dir / "my-model").string()).public_name(), "my-model");
  EXPECT_EQ(resolve_source((dir / "my-model").string() + "/").public_name(), "my-model");
  EXPECT_EQ(resolve_source((dir / "my-model" / ".").string()).public_name(), "my-model");
  auto snap = make_cache_entry(dir / "hub", "models--acme--tiny-bert", "main", kHash);
  EnvGuard env({{"HF_HUB_CACHE", (dir / "hub").string()}});
  EXPECT_EQ(resolve_source("acme/tiny-bert").public_name(), "acme/tiny-bert");
}

// Refused before reading: a file past the 1 GiB a metadata value may hold (a sparse file, nothing
// is written to disk), and a file name that is not UTF-8 (the manifest stores names as text).
TEST(Source, FilesTheMetadataCannotHoldAreRefused) {
  test::ScratchDir dir;
  for (const char* d : {"big", "name"}) std::filesystem::create_directories(dir / d);
  test::write_bytes(dir / "big" / "config.json", "{}");
  test::write_bytes(dir / "big" / "merges.txt", "");
  std::filesystem::resize_file(dir / "big" / "merges.txt", (1ull << 30) + 1);
  test::write_bytes(dir / "name" / "config.json", "{}");
  test::write_bytes(dir / "name" / "caf\xe9.model", "x");
  struct Case {
    std::string folder, expected;
  };
  for (const auto& c :
       std::vector<Case>{{"big", "merges.txt' is 1073741825 bytes; a metadata value may hold at most 1073741824 bytes"},
                         {"name", "the file name is not valid UTF-8"}}) {
    try {
      collect_files(resolve_source((dir / c.folder).string()), Level::kFull, 1ull << 30);
      ADD_FAILURE() << c.folder;
    } catch (const MetadataEmbeddingError& e) {
      EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos) << e.what();
    }
  }
}

TEST(Source, InvalidJsonNamesFileLineAndColumn) {
  test::ScratchDir dir;
  test::write_bytes(dir / "config.json", "{\"architectures\": [\"BertModel\"]}");
  test::write_bytes(dir / "tokenizer_config.json", "{\n  \"model_max_length\": 512,\n  \"do_lower_case\": tru\n}");
  try {
    collect_files(resolve_source(dir.path().string()), Level::kFull);
    FAIL();
  } catch (const MetadataReadError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("tokenizer_config.json"), std::string::npos) << m;
    EXPECT_NE(m.find("line 3"), std::string::npos) << m;
  }
}

TEST(Source, LevelsSelectFiles) {
  REQUIRE_CORPUS();
  auto src = resolve_source((test::corpus_dir() / "models" / "multilingual-e5-large").string());
  auto names = [&](Level l) {
    std::vector<std::string> n;
    for (const auto& f : collect_files(src, l).files) n.push_back(f.name);
    return n;
  };
  auto essential = names(Level::kEssential);
  EXPECT_NE(std::find(essential.begin(), essential.end(), "1_Pooling/config.json"), essential.end());
  EXPECT_NE(std::find(essential.begin(), essential.end(), "modules.json"), essential.end());
  auto minimal = names(Level::kMinimal);
  EXPECT_TRUE(minimal.empty());
  // tokenizer.json is only an LFS pointer here: reported, not embedded.
  auto full = collect_files(src, Level::kFull);
  bool warned = false;
  for (const auto& w : full.warnings) warned |= w.find("tokenizer.json") != std::string::npos;
  EXPECT_TRUE(warned);
}

}  // namespace
}  // namespace modelexport::metadata
