// Helpers shared by the test suites: where the corpus and test data live, scratch folders,
// running the CLI, hashing files.
#pragma once

#include <gtest/gtest.h>

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace modelexport::test {

namespace fs = std::filesystem;

// ../shared/corpus beside the project, or $MODELEXPORT_CORPUS. Empty when absent.
fs::path corpus_dir();
// Skips the current test with a clear message when the corpus is absent.
#define REQUIRE_CORPUS()                                                                            \
  do {                                                                                              \
    if (::modelexport::test::corpus_dir().empty())                                                  \
      GTEST_SKIP() << "corpus not found: set MODELEXPORT_CORPUS or place ../shared/corpus beside the project"; \
  } while (0)

// Debian's libonnx-testdata (/usr/share/libonnx-testdata/data). Empty when absent.
fs::path onnx_testdata_dir();
std::vector<fs::path> onnx_testdata_models();
fs::path fixtures_dir();  // tests/fixtures

// A fresh folder under the build's temp space, removed at destruction.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

struct CommandResult {
  int exit_code = -1;
  std::string out, err;
};
// Runs `modelexport ARGS...` (no shell), capturing stdout and stderr. `prefix` runs before it in a
// shell when non-empty (e.g. "ulimit -f 100;").
CommandResult run_cli(const std::vector<std::string>& args, const std::string& shell_prefix = "");

std::string read_bytes(const fs::path& p);
void write_bytes(const fs::path& p, const std::string& bytes);
std::string file_sha256(const fs::path& p);
// Every file under a folder (relative names), sorted.
std::vector<std::string> list_files(const fs::path& dir);

// Sets environment variables for its lifetime (an empty value unsets) and restores them after.
class EnvGuard {
 public:
  explicit EnvGuard(std::initializer_list<std::pair<const char*, std::string>> vars) {
    for (const auto& [k, v] : vars) {
      const char* old = std::getenv(k);
      saved_.emplace_back(k, old ? std::optional<std::string>(old) : std::nullopt);
      if (v.empty()) ::unsetenv(k);
      else ::setenv(k, v.c_str(), 1);
    }
  }
  ~EnvGuard() {
    for (auto& [k, v] : saved_) v ? ::setenv(k, v->c_str(), 1) : ::unsetenv(k);
  }

 private:
  std::vector<std::pair<const char*, std::optional<std::string>>> saved_;
};

}  // namespace modelexport::test
