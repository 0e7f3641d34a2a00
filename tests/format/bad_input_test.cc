// Files that are not (complete) ONNX models get a FormatError that says what they are.
#include <gtest/gtest.h>

#include "modelexport/common/error.h"
#include "modelexport/format/onnx_file.h"
#include "support/onnx_builder.h"
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

// External data that ONNX Runtime could not load: each case is one bad input, named in the problem.
TEST(BadInput, ExternalDataThatWouldNotLoad) {
  test::ScratchDir dir;
  std::filesystem::create_directories(dir / "folder.onnx_data");
  const std::string full(16, 'x');  // w is 4 float32: 16 bytes
  struct Case {
    std::string name;
    std::vector<std::pair<std::string, std::string>> entries;
    std::string data_file, data;
    std::string expected;  // in the problem; empty: no problem
  };
  const std::vector<Case> cases = {
      {"complete", {{"location", "d.bin"}, {"offset", "0"}, {"length", "16"}}, "d.bin", full, ""},
      {"length from dims", {{"location", "d.bin"}}, "d.bin", full, ""},
      {"at an offset", {{"location", "d.bin"}, {"offset", "4"}, {"length", "16"}}, "d.bin", full + "yyyy", ""},
      {"truncated",
       {{"location", "d.bin"}, {"offset", "0"}, {"length", "16"}},
       "d.bin",
       full.substr(0, 10),
       "'d.bin' has 10 bytes but tensor 'w' read past its end (tensor 'w' needs bytes 0..16): the file is truncated"},
      {"truncated, no length", {{"location", "d.bin"}}, "d.bin", full.substr(0, 15), "needs bytes 0..16"},
      {"offset past the end",
       {{"location", "d.bin"}, {"offset", "8"}, {"length", "16"}},
       "d.bin",
       full,
       "needs bytes 8..24"},
      {"offset + length overflow",
       {{"location", "d.bin"}, {"offset", "18446744073709551615"}, {"length", "16"}},
       "d.bin",
       full,
       "read past its end"},
      {"empty file", {{"location", "d.bin"}, {"length", "16"}}, "d.bin", "", "has 0 bytes"},
      {"missing",
       {{"location", "gone.bin"}, {"length", "16"}},
       "",
       "",
       "'gone.bin' (tensor 'w') is missing beside the model"},
      {"a folder", {{"location", "folder.onnx_data"}, {"length", "16"}}, "", "", "is not a regular file"},
      {"parent folder", {{"location", "../d.bin"}, {"length", "16"}}, "", "", "(absolute or '..')"},
      {"absolute", {{"location", "/etc/passwd"}, {"length", "16"}}, "", "", "(absolute or '..')"},
      {"no location", {{"offset", "0"}, {"length", "16"}}, "", "", "tensor 'w': external data without a \"location\""},
      {"offset not a number",
       {{"location", "d.bin"}, {"offset", "-4"}},
       "d.bin",
       full,
       "offset '-4' is not a byte count"},
      {"length not a number",
       {{"location", "d.bin"}, {"length", "16 bytes"}},
       "d.bin",
       full,
       "length '16 bytes' is not a byte count"},
      {"length against dims",
       {{"location", "d.bin"}, {"length", "12"}},
       "d.bin",
       full,
       "length 12 differs from the 16 bytes its dims and data type need"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    std::filesystem::remove(dir / "d.bin");
    test::write_external_data_model(dir / "m.onnx", c.entries, c.data_file, c.data);
    OnnxFile f(dir / "m.onnx");
    auto problems = f.external_data_problems();
    if (c.expected.empty()) {
      EXPECT_TRUE(problems.empty()) << problems.front();
      continue;
    }
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find(c.expected), std::string::npos) << problems[0];
  }
}

}  // namespace
}  // namespace modelexport::format
