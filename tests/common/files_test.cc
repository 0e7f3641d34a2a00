#include "modelexport/common/files.h"

#include <gtest/gtest.h>

#include "modelexport/common/error.h"
#include "support/test_support.h"

namespace modelexport {
namespace {

TEST(AtomicFile, CommitReplacesTheDestinationAndKeepsItsMode) {
  test::ScratchDir dir;
  auto dest = dir / "out.bin";
  test::write_bytes(dest, "old");
  std::filesystem::permissions(dest, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  {
    AtomicFile f(dest, dest);
    f.write("new contents");
    EXPECT_EQ(test::read_bytes(dest), "old");  // untouched until commit
    f.commit();
  }
  EXPECT_EQ(test::read_bytes(dest), "new contents");
  EXPECT_EQ(std::filesystem::status(dest).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(test::list_files(dir.path()), std::vector<std::string>{"out.bin"});
}

TEST(AtomicFile, AbandonedWriteLeavesNothingBehind) {
  test::ScratchDir dir;
  auto dest = dir / "out.bin";
  test::write_bytes(dest, "original");
  try {
    AtomicFile f(dest);
    f.write("partial");
    throw std::runtime_error("simulated failure");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(test::read_bytes(dest), "original");
  EXPECT_EQ(test::list_files(dir.path()), std::vector<std::string>{"out.bin"});
}

TEST(AtomicFile, CopyFromCopiesRanges) {
  test::ScratchDir dir;
  std::string data(3 << 20, 'x');
  for (size_t i = 0; i < data.size(); i += 4096) data[i] = static_cast<char>(i / 4096);
  test::write_bytes(dir / "in", data);
  MappedFile in(dir / "in");
  AtomicFile out(dir / "out");
  out.copy_from(in.fd(), 100, 2 << 20);
  out.write("|");
  out.copy_from(in.fd(), 0, 10);
  out.commit();
  EXPECT_EQ(test::read_bytes(dir / "out"), data.substr(100, 2 << 20) + "|" + data.substr(0, 10));
}

TEST(MappedFile, NamesTheMissingPath) {
  try {
    MappedFile f("/nonexistent/model.onnx");
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/model.onnx"), std::string::npos);
  }
}

TEST(SafeRelativePath, RejectsEscapes) {
  for (const char* ok : {"config.json", "1_Pooling/config.json", "onnx/model.onnx"}) EXPECT_TRUE(is_safe_relative_path(ok)) << ok;
  for (const char* bad : {"", "/etc/passwd", "../x", "a/../../x", "a//b", "./x", "a\\b", "x/.."})
    EXPECT_FALSE(is_safe_relative_path(bad)) << bad;
}

}  // namespace
}  // namespace modelexport
