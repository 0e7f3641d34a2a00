// File helpers: read-only memory maps, atomic writes (temp file + rename), range copies.
//
// Contract: nothing here ever leaves a partial file at a destination path. AtomicFile writes into
// a temporary file beside the destination and renames it over the destination on commit(); if it is
// destroyed without commit() (an exception, a full disk), the temporary file is removed and the
// destination is untouched. A destination that is a symbolic link is written through to its target
// (the link stays a link); an existing destination that is not writable (e.g. mode 0444) is refused
// with IoError, even where the folder would allow replacing it. A program that calls
// remove_temporary_files_on_signals() also loses no temporary file to Ctrl-C or SIGTERM.
//
//   modelexport::MappedFile in("model.onnx");                  // throws IoError
//   modelexport::AtomicFile out("copy.onnx");                  // temp file created now
//   out.write(in.bytes().substr(0, 16));
//   out.copy_from(in.fd(), 16, in.size() - 16);                // kernel-side copy when possible
//   out.commit();                                              // fsync + rename
//
// Thread-safety: objects are not shared between threads; distinct objects are independent.
// A process writing under RLIMIT_FSIZE should ignore SIGXFSZ (the CLI does) so that writes fail with
// EFBIG instead of killing it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace modelexport {

// A read-only private mapping of a whole regular file. Empty files map to an empty view; a FIFO,
// device or socket is an IoError naming its kind (opening never waits for a writer).
class MappedFile {
 public:
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&&) = delete;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::string_view bytes() const { return {static_cast<const char*>(data_), size_}; }
  // Drops the pages covering [offset, offset+length) from this process's page tables (they are
  // re-read from the page cache if touched again; views stay valid): keeps RSS flat while walking a
  // huge file.
  void release(uint64_t offset, uint64_t length) const;
  uint64_t size() const { return size_; }
  int fd() const { return fd_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  void* data_ = nullptr;
  uint64_t size_ = 0;
};

// A destination file written through a temporary sibling and renamed into place on commit().
class AtomicFile {
 public:
  // mode_from: copy permission bits from this existing file (e.g. the input being replaced).
  // Throws IoError when the destination exists and is not writable, is a dangling symlink or a folder.
  explicit AtomicFile(const std::filesystem::path& destination,
                      const std::filesystem::path& mode_from = {});
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  void write(std::string_view bytes);
  // Copies [offset, offset+length) of src_fd to the end of this file.
  void copy_from(int src_fd, uint64_t offset, uint64_t length);
  uint64_t bytes_written() const { return written_; }
  // Renames the temporary file over the destination (readers see the old file or the new one, never
  // a partial one). With fsync, the data is flushed to the device first, so it also survives a power
  // loss; that costs a full device write (about 2x the time of the copy for a 1 GB model), so it is
  // off by default, as in cp. Throws IoError; then nothing is changed.
  void commit(bool fsync = false);

  const std::filesystem::path& temp_path() const { return temp_; }
  // The file commit() replaces: the destination with symbolic links resolved.
  const std::filesystem::path& destination() const { return destination_; }

 private:
  std::filesystem::path destination_;  // symlinks resolved
  std::filesystem::path temp_;
  int fd_ = -1;
  int signal_slot_ = -1;
  uint64_t written_ = 0;
  bool committed_ = false;
};

// A new folder ".NAME.KIND.XXXXXX" in `parent` (unique; mode 0777 less the umask, as mkdir gives
// it), removed with everything in it when the object goes — unless release() was called after its
// contents were moved out. Registered like an AtomicFile's temporary: the signal cleanup below
// removes it too (its files and sub-folders, two levels deep). Throws IoError naming the parent.
//
//   TemporaryFolder staging(out.parent_path(), out.filename().string(), "quantizing");
//   write(staging.path() / "model.onnx"); ...; rename(...); staging.release();
class TemporaryFolder {
 public:
  TemporaryFolder(const std::filesystem::path& parent, const std::string& name, const std::string& kind);
  ~TemporaryFolder();
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // The folder itself was renamed into place (or emptied): nothing to remove any more.
  void release();

 private:
  std::filesystem::path path_;
  int signal_slot_ = -1;
};

// For programs (the CLI calls it; a library never installs handlers): on SIGINT, SIGTERM, SIGHUP and
// SIGQUIT, removes the temporary file of every AtomicFile not yet committed (and every TemporaryFolder), then lets the
// signal end the process as it would have. Async-signal-safe (a fixed registry and unlink). A signal already ignored
// (nohup) stays ignored. The destination is never half-written either way: rename is atomic.
void remove_temporary_files_on_signals();

// Reads a whole (small) file. Throws IoError naming the path.
std::string read_file(const std::filesystem::path& path);
// Writes bytes atomically (AtomicFile).
void write_file_atomic(const std::filesystem::path& path, std::string_view bytes);
// Copies a whole file atomically, kernel-side where possible.
void copy_file_atomic(const std::filesystem::path& from, const std::filesystem::path& to);
// True when both paths name the same existing file (same device and inode).
bool same_file(const std::filesystem::path& a, const std::filesystem::path& b);
// A relative path that stays inside its folder: not empty, not absolute, no "..", no backslash.
bool is_safe_relative_path(std::string_view name);

}  // namespace modelexport
