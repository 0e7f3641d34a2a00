// Writes benchmark models: decoder-shaped graphs (one MatMul per weight) whose initializers hold
// real, incompressible bytes, at the sizes given. Written with the wire helpers, streaming, so sizes
// over protobuf's 2 GB limit work. A size suffixed with "s" is written sparsely (holes) to save disk;
// only the header scan is benchmarked on those.
//
//   bench_make_models OUT_DIR 1M 500M 1G 2500Ms
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "format/wire.h"

using modelexport::format::append_len_field;
using modelexport::format::append_varint;

namespace {

std::string value_info(const std::string& name, int elem, const std::vector<std::string>& dims) {
  std::string shape, tensor, type, vi;
  for (const auto& d : dims) {
    std::string dim;
    if (std::isdigit(static_cast<unsigned char>(d[0]))) {
      append_varint(dim, 1 << 3);
      append_varint(dim, std::stoull(d));
    } else {
      append_len_field(dim, 2, d);
    }
    append_len_field(shape, 1, dim);
  }
  append_varint(tensor, 1 << 3);
  append_varint(tensor, static_cast<uint64_t>(elem));
  append_len_field(tensor, 2, shape);
  append_len_field(type, 1, tensor);
  append_len_field(vi, 1, name);
  append_len_field(vi, 2, type);
  return vi;
}

std::string node(const std::string& op, const std::vector<std::string>& in, const std::string& out) {
  std::string n;
  for (const auto& i : in) append_len_field(n, 1, i);
  append_len_field(n, 2, out);
  append_len_field(n, 3, out + "_node");
  append_len_field(n, 4, op);
  return n;
}

uint64_t parse_size(std::string s, bool& sparse) {
  sparse = !s.empty() && s.back() == 's';
  if (sparse) s.pop_back();
  double v = std::stod(s);
  char unit = s.back();
  return static_cast<uint64_t>(v * (unit == 'G' ? 1ull << 30 : unit == 'M' ? 1ull << 20 : unit == 'K' ? 1ull << 10 : 1));
}

void write_all(int fd, const std::string& s) {
  if (::write(fd, s.data(), s.size()) != static_cast<ssize_t>(s.size())) { std::perror("write"); std::exit(1); }
}

void make(const std::string& path, uint64_t target, bool sparse) {
  const uint64_t hidden = 1024;
  const uint64_t weight_bytes = hidden * hidden * 4;  // 4 MB per MatMul weight
  uint64_t count = std::max<uint64_t>(1, target / weight_bytes);
  uint64_t per = target / count / 4 * 4;  // bytes per initializer (last dims adapt)
  uint64_t rows = per / 4 / hidden;
  if (rows == 0) rows = 1;
  per = rows * hidden * 4;

  std::string head;  // graph fields before the initializers
  append_len_field(head, 2, "bench_decoder");
  std::string prev = "hidden_0";
  for (uint64_t i = 0; i < count; ++i) {
    std::string out = "hidden_" + std::to_string(i + 1);
    append_len_field(head, 1, node("MatMul", {prev, "w" + std::to_string(i)}, out));
    prev = out;
  }
  append_len_field(head, 11, value_info("hidden_0", 1, {"batch", std::to_string(rows)}));
  append_len_field(head, 12, value_info(prev, 1, {"batch", std::to_string(hidden)}));

  std::vector<std::string> tensor_heads;
  uint64_t graph_len = head.size();
  for (uint64_t i = 0; i < count; ++i) {
    std::string t;
    append_varint(t, 1 << 3); append_varint(t, rows);
    append_varint(t, 1 << 3); append_varint(t, hidden);
    append_varint(t, 2 << 3); append_varint(t, 1);  // FLOAT
    append_len_field(t, 8, "w" + std::to_string(i));
    append_varint(t, 9 << 3 | 2);
    append_varint(t, per);
    std::string field;
    append_varint(field, 5 << 3 | 2);
    append_varint(field, t.size() + per);
    field += t;
    graph_len += field.size() + per;
    tensor_heads.push_back(std::move(field));
  }
  std::string top;
  append_varint(top, 1 << 3); append_varint(top, 8);          // ir_version
  append_len_field(top, 2, "modelexport-bench");
  std::string opset;
  append_len_field(opset, 1, "");
  append_varint(opset, 2 << 3); append_varint(opset, 17);
  append_len_field(top, 8, opset);
  append_varint(top, 7 << 3 | 2);
  append_varint(top, graph_len);
  top += head;

  int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
  if (fd < 0) { std::perror(path.c_str()); std::exit(1); }
  write_all(fd, top);
  std::mt19937_64 rng(42);
  std::string data(per, '\0');
  for (uint64_t i = 0; i < count; ++i) {
    write_all(fd, tensor_heads[i]);
    if (sparse) {
      ::lseek(fd, static_cast<off_t>(per), SEEK_CUR);
      continue;
    }
    for (size_t k = 0; k + 8 <= data.size(); k += 8) {
      uint64_t r = rng();
      std::memcpy(&data[k], &r, 8);
    }
    write_all(fd, data);
  }
  off_t end = ::lseek(fd, 0, SEEK_CUR);
  if (::ftruncate(fd, end) != 0) std::perror("ftruncate");
  ::close(fd);
  std::printf("%s: %llu bytes, %llu initializers%s\n", path.c_str(), static_cast<unsigned long long>(end),
              static_cast<unsigned long long>(count), sparse ? " (sparse)" : "");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s OUT_DIR SIZE[s]...   (e.g. 1M 500M 1G 2500Ms)\n", argv[0]);
    return 2;
  }
  for (int i = 2; i < argc; ++i) {
    bool sparse = false;
    uint64_t size = parse_size(argv[i], sparse);
    make(std::string(argv[1]) + "/model_" + argv[i] + ".onnx", size, sparse);
  }
  return 0;
}
