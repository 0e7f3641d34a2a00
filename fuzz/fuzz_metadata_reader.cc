// libFuzzer target: the metadata reader on whole files (metadata/reader.h), as `analyze` and
// `validate` read them: the bytes go into an in-memory file that OnnxFile maps.
#include <sys/mman.h>
#include <unistd.h>

#include <string>

#include "fuzz_support.h"
#include "modelexport/format/onnx_file.h"
#include "modelexport/metadata/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelexport;
  const int fd = memfd_create("fuzz.onnx", 0);
  if (fd < 0) return 0;
  size_t written = 0;
  while (written < size) {
    const ssize_t n = write(fd, data + written, size - written);
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  fuzz::expect_contract([&] {
    format::OnnxFile file(path);
    metadata::ModelMetadata meta = metadata::read_metadata(file);
    for (const auto& entry : meta.entries) (void)meta.decoded_size(entry.first);
    (void)meta.version_warning();
    (void)meta.manifest();
  });
  close(fd);
  return 0;
}
