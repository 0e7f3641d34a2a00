#include "support/test_support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "modelexport/common/sha256.h"

namespace modelexport::test {

fs::path corpus_dir() {
  if (const char* env = std::getenv("MODELEXPORT_CORPUS"); env && *env) return fs::is_directory(env) ? fs::path(env) : fs::path();
  fs::path p = fs::path(MODELEXPORT_SOURCE_DIR) / ".." / "shared" / "corpus";
  return fs::is_directory(p) ? fs::canonical(p) : fs::path();
}

fs::path onnx_testdata_dir() {
  fs::path p = "/usr/share/libonnx-testdata/data";
  return fs::is_directory(p) ? p : fs::path();
}

std::vector<fs::path> onnx_testdata_models() {
  std::vector<fs::path> out;
  if (onnx_testdata_dir().empty()) return out;
  for (const auto& e : fs::recursive_directory_iterator(onnx_testdata_dir()))
    if (e.path().filename() == "model.onnx") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

fs::path fixtures_dir() { return fs::path(MODELEXPORT_SOURCE_DIR) / "tests" / "fixtures"; }

ScratchDir::ScratchDir() {
  std::random_device rd;
  path_ = fs::temp_directory_path() / ("modelexport-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
  fs::create_directories(path_);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
  fs::remove_all(path_, ec);
}

namespace {
std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}
}  // namespace

CommandResult run_cli(const std::vector<std::string>& args, const std::string& shell_prefix) {
  ScratchDir tmp;
  std::string cmd = shell_prefix + " " + quote(MODELEXPORT_CLI);
  for (const auto& a : args) cmd += " " + quote(a);
  cmd += " >" + quote((tmp / "out").string()) + " 2>" + quote((tmp / "err").string());
  int status = std::system(("/bin/bash -c " + quote(cmd)).c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_bytes(tmp / "out");
  r.err = read_bytes(tmp / "err");
  return r;
}

std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_bytes(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string file_sha256(const fs::path& p) { return sha256_hex(read_bytes(p)); }

std::vector<std::string> list_files(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out.push_back(fs::relative(e.path(), dir).generic_string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace modelexport::test
