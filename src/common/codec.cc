#include "modelexport/common/codec.h"

#include <libdeflate.h>

#include <algorithm>
#include <array>
#include <memory>

#include "modelexport/common/error.h"

namespace modelexport {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::array<int8_t, 256> make_decode_table() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  return t;
}
constexpr auto kDecode = make_decode_table();

}  // namespace

std::string base64_encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(in[k])); };
  for (; i + 3 <= in.size(); i += 3) {
    uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (size_t rest = in.size() - i; rest > 0) {
    uint32_t v = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string base64_decode(std::string_view in) {
  if (in.size() % 4 != 0)
    throw MetadataReadError("invalid base64: length " + std::to_string(in.size()) +
                            " is not a multiple of 4");
  std::string out;
  out.reserve(in.size() / 4 * 3);
  for (size_t i = 0; i < in.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      unsigned char c = static_cast<unsigned char>(in[i + k]);
      bool last_quad = i + 4 == in.size();
      if (c == '=' && last_quad && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad > 0 || kDecode[c] < 0)
        throw MetadataReadError("invalid base64: unexpected character at position " +
                                std::to_string(i + k));
      v[k] = kDecode[c];
    }
    uint32_t w = static_cast<uint32_t>(v[0] << 18 | v[1] << 12 | v[2] << 6 | v[3]);
    out += static_cast<char>(w >> 16);
    if (pad < 2) out += static_cast<char>((w >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(w & 0xff);
  }
  return out;
}

std::string gzip_compress(std::string_view in, int level) {
  std::unique_ptr<libdeflate_compressor, void (*)(libdeflate_compressor*)> c(libdeflate_alloc_compressor(level),
                                                                              libdeflate_free_compressor);
  if (!c) throw MetadataEmbeddingError("gzip: cannot create a compressor at level " + std::to_string(level));
  std::string out(libdeflate_gzip_compress_bound(c.get(), in.size()), '\0');
  size_t n = libdeflate_gzip_compress(c.get(), in.data(), in.size(), out.data(), out.size());
  if (n == 0) throw MetadataEmbeddingError("gzip: compression failed");
  out.resize(n);
  return out;
}

std::string gzip_decompress(std::string_view in, uint64_t max_output) {
  if (in.size() < 18 || static_cast<unsigned char>(in[0]) != 0x1f || static_cast<unsigned char>(in[1]) != 0x8b)
    throw MetadataReadError("invalid gzip data: missing the gzip header (1f 8b)");
  // ISIZE (the last 4 bytes) is the inflated size mod 2^32: the buffer size to try first. A stream
  // that inflates beyond it (a lie, or > 4 GiB) is retried with a larger buffer up to the cap.
  uint64_t isize = 0;
  for (int i = 0; i < 4; ++i) isize |= static_cast<uint64_t>(static_cast<unsigned char>(in[in.size() - 4 + i])) << (8 * i);
  if (isize > max_output)
    throw MetadataReadError("gzip data declares " + std::to_string(isize) + " inflated bytes, beyond the limit of " +
                            std::to_string(max_output) + " bytes (a decompression bomb, or a corrupt size trailer)");
  std::unique_ptr<libdeflate_decompressor, void (*)(libdeflate_decompressor*)> d(libdeflate_alloc_decompressor(),
                                                                                  libdeflate_free_decompressor);
  if (!d) throw MetadataReadError("gzip: cannot create a decompressor");
  uint64_t capacity = std::max<uint64_t>(isize, 64);
  for (;;) {
    std::string out(capacity, '\0');
    size_t in_used = 0, produced = 0;
    auto rc = libdeflate_gzip_decompress_ex(d.get(), in.data(), in.size(), out.data(), out.size(), &in_used, &produced);
    if (rc == LIBDEFLATE_SUCCESS) {
      if (in_used != in.size()) throw MetadataReadError("invalid gzip data: trailing bytes after the gzip stream");
      if ((produced & 0xffffffffu) != isize) throw MetadataReadError("invalid gzip data: the size trailer does not match");
      out.resize(produced);
      return out;
    }
    // More output than ISIZE declares: the inflated size is ISIZE + k * 2^32 (k >= 1) or the trailer
    // is corrupt, and either way the data cannot be accepted unless the cap is past ISIZE + 2^32. So
    // no larger buffer is tried below that: a bomb whose trailer understates its size costs ISIZE
    // bytes, not the cap (it once cost the whole 1 GiB before being refused).
    if (rc == LIBDEFLATE_INSUFFICIENT_SPACE && isize + (1ull << 32) > max_output)
      throw MetadataReadError(
          "gzip data inflates past the " + std::to_string(isize) + " bytes its size trailer declares, so to at least " +
          std::to_string(isize + (1ull << 32)) + " bytes (the trailer counts modulo 2^32), beyond the limit of " +
          std::to_string(max_output) + " bytes (a decompression bomb, or a corrupt size trailer)");
    if (rc == LIBDEFLATE_INSUFFICIENT_SPACE && capacity < max_output) {
      capacity = std::min<uint64_t>(max_output, std::max<uint64_t>(capacity * 4, isize + (1ull << 32)));
      continue;
    }
    if (rc == LIBDEFLATE_INSUFFICIENT_SPACE)
      throw MetadataReadError("gzip data inflates beyond the limit of " + std::to_string(max_output) +
                              " bytes (a decompression bomb?)");
    throw MetadataReadError(rc == LIBDEFLATE_SHORT_OUTPUT ? "invalid gzip data: truncated data"
                                                          : "invalid gzip data: corrupt or truncated data");
  }
}

}  // namespace modelexport
