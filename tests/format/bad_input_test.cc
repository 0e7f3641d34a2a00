// Files that are not (complete) ONNX models get a FormatError that says what they are.
#include <gtest/gtest.h>

#include "modelexport/common/error.h"
#include "modelexport/format/onnx_file.h"
#include "support/test_support.h"

namespace modelexport::format {
namespace {

std::string error_for(const std::filesystem::path& p) {
  try {
    OnnxFile f(p);
    (void)f.graph();
  } catch (const FormatError& e) {
    return e.what();
  }
  return "";
}

TEST(BadInput, TextFilesAreNotModels) {
  test::ScratchDir dir;
  const std::pair<const char*, const char*> cases[] = {
      {"readme.onnx", "# This is a README, not a model\n"},
      {"page.onnx", "<html><body>Found. Redirecting to https://example.com</body></html>"},
      {"config.onnx", "{\"architectures\": [\"BertModel\"]}"},
  };
  for (const auto& [name, text] : cases) {
    test::write_bytes(dir / name, text);
    std::string e = error_for(dir / name);
    EXPECT_NE(e.find("not"), std::string::npos) << name << ": " << e;
    EXPECT_NE(e.find(name), std::string::npos) << e;
  }
  EXPECT_NE(error_for(dir / "page.onnx").find("HTML"), std::string::npos);
  test::write_bytes(dir / "empty.onnx", "");
  EXPECT_NE(error_for(dir / "empty.onnx").find("empty"), std::string::npos);
}

TEST(BadInput, TruncatedModelsAreNamedAsTruncated) {
  auto model = test::fixtures_dir() / "tiny-text-classifier" / "model.onnx";
  std::string bytes = test::read_bytes(model);
  test::ScratchDir dir;
  size_t failures = 0;
  for (size_t cut : {bytes.size() / 10, bytes.size() / 2, bytes.size() - 7, bytes.size() - 1}) {
    test::write_bytes(dir / "cut.onnx", bytes.substr(0, cut));
    std::string e = error_for(dir / "cut.onnx");
    EXPECT_FALSE(e.empty()) << "cut at " << cut << " was accepted";
    if (e.find("truncated") != std::string::npos) ++failures;
  }
  EXPECT_GE(failures, 3u);
}

TEST(BadInput, GitLfsPointersAreNamed) {
  REQUIRE_CORPUS();
  size_t seen = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(test::corpus_dir() / "models")) {
    if (e.path().extension() != ".lfs-pointer" || e.path().string().find(".onnx") == std::string::npos) continue;
    std::string err = error_for(e.path());
    EXPECT_NE(err.find("Git LFS pointer"), std::string::npos) << e.path() << ": " << err;
    EXPECT_NE(err.find("sha256:"), std::string::npos) << err;
    ++seen;
  }
  EXPECT_GT(seen, 3u);
}

TEST(BadInput, CorruptedCorpusModelsAreRejected) {
  REQUIRE_CORPUS();
  auto dir = test::corpus_dir() / "models" / "whisper-tiny.en" / "onnx-CORRUPTED";
  size_t seen = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::string err = error_for(e.path());
    EXPECT_FALSE(err.empty()) << e.path() << " was accepted";
    ++seen;
  }
  EXPECT_GT(seen, 0u);
}

}  // namespace
}  // namespace modelexport::format
