#include "modelexport/common/files.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

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

TEST(AtomicFile, WritesThroughASymlinkAndKeepsTheLink) {
  test::ScratchDir dir;
  std::filesystem::create_directories(dir / "real");
  test::write_bytes(dir / "real" / "model.onnx", "old");
  std::filesystem::create_symlink("real/model.onnx", dir / "link.onnx");
  AtomicFile f(dir / "link.onnx");
  EXPECT_EQ(f.destination(), std::filesystem::canonical(dir / "real" / "model.onnx"));
  f.write("new");
  f.commit();
  EXPECT_TRUE(std::filesystem::is_symlink(dir / "link.onnx"));
  EXPECT_EQ(test::read_bytes(dir / "real" / "model.onnx"), "new");
  EXPECT_EQ(test::list_files(dir / "real"), std::vector<std::string>{"model.onnx"});  // temp was beside the target
}

// rename() needs only a writable folder; a destination file that is not writable is still refused.
TEST(AtomicFile, RefusesDestinationsItMayNotReplace) {
  test::ScratchDir dir;
  test::write_bytes(dir / "ro.onnx", "keep");
  std::filesystem::permissions(dir / "ro.onnx", std::filesystem::perms::owner_read |
                                                    std::filesystem::perms::group_read |
                                                    std::filesystem::perms::others_read);  // 0444
  std::filesystem::create_symlink("missing.onnx", dir / "dangling.onnx");
  std::filesystem::create_directories(dir / "sub");
  struct Case {
    std::string name, expected;
  };
  for (const auto& c : std::vector<Case>{{"ro.onnx", "is not writable (mode 0444"},
                                         {"dangling.onnx", "which does not exist; refusing to replace the link"},
                                         {"sub", "is a directory"}}) {
    try {
      AtomicFile f(dir / c.name);
      ADD_FAILURE() << c.name << " was accepted";
    } catch (const IoError& e) { EXPECT_NE(std::string(e.what()).find(c.expected), std::string::npos) << e.what(); }
  }
  EXPECT_EQ(test::read_bytes(dir / "ro.onnx"), "keep");
  EXPECT_EQ(test::list_files(dir.path()), std::vector<std::string>{"ro.onnx"});
  EXPECT_TRUE(std::filesystem::is_symlink(dir / "dangling.onnx"));
}

// A child process with the handlers installed is signalled mid-write: its temporary file is gone,
// the destination untouched, and it still dies of the signal (the shell sees Ctrl-C as Ctrl-C).
TEST(AtomicFile, SignalsRemoveTemporaryFiles) {
  for (int sig : {SIGINT, SIGTERM}) {
    test::ScratchDir dir;
    test::write_bytes(dir / "out.onnx", "previous");
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      remove_temporary_files_on_signals();
      AtomicFile a(dir / "out.onnx"), b(dir / "other.onnx");
      a.write("partial");
      if (::write(ready[1], "x", 1) != 1) ::_exit(3);
      for (;;) ::pause();
    }
    char c;
    ASSERT_EQ(::read(ready[0], &c, 1), 1);
    EXPECT_EQ(test::list_files(dir.path()).size(), 3u);  // out.onnx and two temporaries
    ::kill(pid, sig);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ::close(ready[0]);
    ::close(ready[1]);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == sig) << status;
    EXPECT_EQ(test::list_files(dir.path()), std::vector<std::string>{"out.onnx"});
    EXPECT_EQ(test::read_bytes(dir / "out.onnx"), "previous");
  }
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
