#include "modelexport/common/files.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "modelexport/common/error.h"

namespace modelexport {
namespace fs = std::filesystem;

namespace {
[[noreturn]] void throw_io(const std::string& what, const fs::path& path, int err) {
  throw IoError(what + " '" + path.string() + "': " + errno_text(err));
}
// Temporary files of live AtomicFiles, for the signal handler. Fixed storage and lock-free atomics:
// the handler may only touch async-signal-safe state. A slot is 0 free, 1 being filled, 2 live.
struct TempSlot {
  std::atomic<int> state{0};
  bool folder = false;
  char path[PATH_MAX];
};
constexpr int kTempSlots = 64;
TempSlot g_temp_slots[kTempSlots];
static_assert(std::atomic<int>::is_always_lock_free);

int register_temp(const std::string& path, bool folder = false) {
  if (path.size() >= PATH_MAX) return -1;
  for (int i = 0; i < kTempSlots; ++i) {
    int expected = 0;
    if (g_temp_slots[i].state.compare_exchange_strong(expected, 1)) {
      g_temp_slots[i].folder = folder;
      std::memcpy(g_temp_slots[i].path, path.c_str(), path.size() + 1);
      g_temp_slots[i].state.store(2);
      return i;
    }
  }
  return -1;  // more than kTempSlots at once: this one is not removed on a signal
}

void unregister_temp(int slot) {
  if (slot >= 0) g_temp_slots[slot].state.store(0);
}

// Holds back the signals the handler below serves, for the scope (this thread's mask).
constexpr int kCleanedUpSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};  // see remove_temporary_files_on_signals

class HeldSignals {
 public:
  HeldSignals() {
    sigset_t held;
    sigemptyset(&held);
    for (int sig : kCleanedUpSignals) sigaddset(&held, sig);
    ::pthread_sigmask(SIG_BLOCK, &held, &previous_);
  }
  ~HeldSignals() { ::pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  HeldSignals(const HeldSignals&) = delete;
  HeldSignals& operator=(const HeldSignals&) = delete;

 private:
  sigset_t previous_;
};

// Empties the folder open as `dir_fd`, `levels` deep, with async-signal-safe calls only (getdents64
// through syscall, unlinkat, openat): the handler may not use opendir (it allocates).
void empty_folder_in_handler(int dir_fd, int levels) {
  alignas(8) char buf[4096];
  for (;;) {
    long n = ::syscall(SYS_getdents64, dir_fd, buf, sizeof buf);
    if (n <= 0) return;
    for (long at = 0; at < n;) {
      struct Entry {
        uint64_t ino;
        int64_t off;
        unsigned short reclen;
        unsigned char type;
        char name[1];
      };
      const auto* e = reinterpret_cast<const Entry*>(buf + at);
      at += e->reclen;
      if (e->name[0] == '.' && (e->name[1] == 0 || (e->name[1] == '.' && e->name[2] == 0))) continue;
      if (e->type == DT_DIR && levels > 0) {
        int sub = ::openat(dir_fd, e->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (sub >= 0) {
          empty_folder_in_handler(sub, levels - 1);
          ::close(sub);
        }
        ::unlinkat(dir_fd, e->name, AT_REMOVEDIR);
      } else {
        ::unlinkat(dir_fd, e->name, 0);
      }
    }
  }
}

extern "C" void remove_temps_and_reraise(int sig) {
  for (auto& slot : g_temp_slots) {
    if (slot.state.load() != 2) continue;
    if (!slot.folder) {
      ::unlink(slot.path);
      continue;
    }
    int fd = ::open(slot.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      empty_folder_in_handler(fd, 2);
      ::close(fd);
    }
    ::rmdir(slot.path);
  }
  // SA_RESETHAND restored the default action; the signal is blocked until we return, then kills us
  // as it would have (the parent sees "killed by SIGINT").
  ::raise(sig);
}

// The file an existing destination really is (a symlink is written through to its target, the link
// kept); refuses a destination we may not replace.
fs::path final_destination(const fs::path& destination, uid_t& owner, gid_t& group, bool& existed) {
  existed = false;
  struct stat st {};
  if (::lstat(destination.c_str(), &st) != 0) {
    if (errno == ENOENT) return destination;
    throw_io("cannot stat", destination, errno);
  }
  fs::path target = destination;
  if (S_ISLNK(st.st_mode)) {
    std::error_code ec;
    target = fs::canonical(destination, ec);
    if (ec)
      throw IoError("'" + destination.string() + "' is a symbolic link to '" +
                    fs::read_symlink(destination, ec).string() +
                    "', which does not exist; refusing to replace the link");
    if (::stat(target.c_str(), &st) != 0) throw_io("cannot stat", target, errno);
  }
  if (S_ISDIR(st.st_mode)) throw IoError("'" + destination.string() + "' is a directory, expected a file path");
  // rename() only needs the folder to be writable: check the file itself, as an in-place editor
  // should. A file nobody may write (0444) is refused even for root.
  if ((st.st_mode & 0222) == 0 || ::faccessat(AT_FDCWD, target.c_str(), W_OK, AT_EACCESS) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    throw IoError("'" + target.string() + "' is not writable (mode " + mode + ", owner uid " +
                  std::to_string(st.st_uid) + "); refusing to replace it: make it writable, or write to another path");
  }
  owner = st.st_uid;
  group = st.st_gid;
  existed = true;
  return target;
}

}  // namespace

void remove_temporary_files_on_signals() {
  for (int sig : kCleanedUpSignals) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;  // e.g. nohup
    struct sigaction sa {};
    sa.sa_handler = remove_temps_and_reraise;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND;
    ::sigaction(sig, &sa, nullptr);
  }
}

MappedFile::MappedFile(const fs::path& path) : path_(path) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever. It changes
  // nothing for regular files, the only kind mapped.
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd_ < 0) throw_io("cannot open", path, errno);
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    int err = errno;
    ::close(fd_);
    throw_io("cannot stat", path, err);
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd_);
    throw IoError("'" + path.string() + "' is a directory, expected a file");
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd_);
    const char* kind = S_ISFIFO(st.st_mode)   ? "a pipe (FIFO)"
                       : S_ISCHR(st.st_mode)  ? "a character device"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                       : S_ISBLK(st.st_mode)  ? "a block device"
                                              : "a special file";
    throw IoError("'" + path.string() + "' is " + kind +
                  ", expected a regular file (models are read in place; save it to a file first)");
  }
  size_ = static_cast<uint64_t>(st.st_size);
  if (size_ > 0) {
    data_ = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd_, 0);
    if (data_ == MAP_FAILED) {
      int err = errno;
      data_ = nullptr;
      ::close(fd_);
      throw_io("cannot map", path, err);
    }
    // Access is sparse (field headers, metadata): no readahead. (Fault-around still maps 64 KB around
    // each touched page; walks over huge files call release() behind them.)
    ::madvise(data_, size_, MADV_RANDOM);
  }
}

void MappedFile::release(uint64_t offset, uint64_t length) const {
  static const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  // Rounded outward: dropping a page of a read-only file mapping is always safe (the next access
  // re-reads it from the page cache), and fault-around maps whole aligned windows around a field.
  uint64_t begin = offset / page * page, end = std::min<uint64_t>((offset + length + page - 1) / page * page, size_);
  if (data_ && end > begin) ::madvise(static_cast<char*>(data_) + begin, end - begin, MADV_DONTNEED);
}

MappedFile::MappedFile(MappedFile&& o) noexcept
    : path_(std::move(o.path_)), fd_(o.fd_), data_(o.data_), size_(o.size_) {
  o.fd_ = -1;
  o.data_ = nullptr;
  o.size_ = 0;
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(data_, size_);
  if (fd_ >= 0) ::close(fd_);
}

AtomicFile::AtomicFile(const fs::path& destination, const fs::path& mode_from) {
  uid_t owner = 0;
  gid_t group = 0;
  bool existed = false;
  destination_ = final_destination(destination, owner, group, existed);
  fs::path dir = destination_.parent_path();
  if (dir.empty()) dir = ".";
  std::string pattern = (dir / ("." + destination_.filename().string() + ".tmp.XXXXXX")).string();
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  int err = 0;
  {
    // Created and registered with the signals held: a Ctrl-C in between is handled once the file is
    // registered, and so removed.
    HeldSignals held;
    fd_ = ::mkstemp(buf.data());
    err = errno;
    if (fd_ >= 0) signal_slot_ = register_temp(buf.data());
  }
  if (fd_ < 0) throw_io("cannot create a file in", dir, err);
  temp_ = buf.data();
  // Replacing a file that someone else owns keeps it theirs where we may (root); otherwise it
  // becomes ours, as with any editor that writes a new file and renames it.
  if (existed && owner != ::geteuid()) {
    int kept_owner = ::fchown(fd_, owner, group);  // fails unless privileged: fine
    (void)kept_owner;
  }
  mode_t mode = 0666;
  struct stat st {};
  if (!mode_from.empty() && ::stat(mode_from.c_str(), &st) == 0) {
    mode = st.st_mode & 07777;
  } else {
    mode_t mask = ::umask(0);
    ::umask(mask);
    mode &= ~mask;
  }
  ::fchmod(fd_, mode);
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_.c_str());
  unregister_temp(signal_slot_);
}

void AtomicFile::write(std::string_view bytes) {
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_io("cannot write", destination_, errno);
    }
    p += n;
    left -= static_cast<size_t>(n);
    written_ += static_cast<uint64_t>(n);
  }
}

void AtomicFile::copy_from(int src_fd, uint64_t offset, uint64_t length) {
  bool kernel_copy = true;
  while (length > 0) {
    if (kernel_copy) {
      loff_t in_off = static_cast<loff_t>(offset);
      ssize_t n = ::copy_file_range(src_fd, &in_off, fd_, nullptr, length, 0);
      if (n > 0) {
        offset += static_cast<uint64_t>(n);
        length -= static_cast<uint64_t>(n);
        written_ += static_cast<uint64_t>(n);
        continue;
      }
      if (n == 0) throw IoError("unexpected end of input while copying to '" + destination_.string() + "'");
      if (errno == EINTR) continue;
      if (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP) {
        kernel_copy = false;  // fall back to read/write
        continue;
      }
      throw_io("cannot write", destination_, errno);
    }
    static thread_local std::vector<char> buf(1 << 20);
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(length, buf.size()));
    ssize_t n = ::pread(src_fd, buf.data(), chunk, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_io("cannot read while copying to", destination_, errno);
    }
    if (n == 0) throw IoError("unexpected end of input while copying to '" + destination_.string() + "'");
    write({buf.data(), static_cast<size_t>(n)});
    offset += static_cast<uint64_t>(n);
    length -= static_cast<uint64_t>(n);
  }
}

void AtomicFile::commit(bool fsync) {
  if (fsync && ::fsync(fd_) != 0) throw_io("cannot flush", destination_, errno);
  if (::close(fd_) != 0) {
    fd_ = -1;
    throw_io("cannot close", destination_, errno);
  }
  fd_ = -1;
  int renamed = 0, err = 0;
  {
    // Renamed and unregistered with the signals held: a signal sees the temporary (and removes it)
    // or the final file (and keeps it), never a registered name that is already gone.
    HeldSignals held;
    renamed = ::rename(temp_.c_str(), destination_.c_str());
    err = errno;
    if (renamed == 0) {
      unregister_temp(signal_slot_);
      signal_slot_ = -1;
    }
  }
  if (renamed != 0) throw_io("cannot rename into", destination_, err);
  committed_ = true;
}

TemporaryFolder::TemporaryFolder(const fs::path& parent, const std::string& name, const std::string& kind) {
  static const char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::random_device random;
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string suffix(6, 'x');
    for (auto& c : suffix) c = kChars[random() % (sizeof kChars - 1)];
    fs::path folder = parent / ("." + name + "." + kind + "." + suffix);
    HeldSignals held;                          // created and registered at once, as AtomicFile's temporary
    if (::mkdir(folder.c_str(), 0777) == 0) {  // mode: 0777 less the umask (mkdtemp would give 0700)
      path_ = folder;
      signal_slot_ = register_temp(folder.string(), true);
      return;
    }
    if (errno != EEXIST) throw IoError("cannot create a folder in '" + parent.string() + "': " + errno_text(errno));
  }
  throw IoError("cannot create a folder in '" + parent.string() + "': 100 temporary names taken");
}

TemporaryFolder::~TemporaryFolder() {
  if (!path_.empty()) {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  unregister_temp(signal_slot_);
}

void TemporaryFolder::release() {
  unregister_temp(signal_slot_);
  signal_slot_ = -1;
  path_.clear();
}

std::string read_file(const fs::path& path) {
  MappedFile f(path);
  return std::string(f.bytes());
}

void write_file_atomic(const fs::path& path, std::string_view bytes) {
  AtomicFile out(path);
  out.write(bytes);
  out.commit();
}

void copy_file_atomic(const fs::path& from, const fs::path& to) {
  MappedFile in(from);
  AtomicFile out(to, from);
  out.copy_from(in.fd(), 0, in.size());
  out.commit();
}

bool same_file(const fs::path& a, const fs::path& b) {
  struct stat sa {}, sb {};
  if (::stat(a.c_str(), &sa) != 0 || ::stat(b.c_str(), &sb) != 0) return false;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

bool is_safe_relative_path(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.find('\\') != std::string_view::npos ||
      name.find('\0') != std::string_view::npos)
    return false;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view part = name.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

}  // namespace modelexport
