// Protocol-buffers wire format, read directly from bytes (no generated classes, no copies).
// Offsets are 64-bit so files over 2 GB are scanned like any other.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace modelexport::format {

enum class WireType : uint8_t { kVarint = 0, kFixed64 = 1, kLen = 2, kStartGroup = 3, kEndGroup = 4, kFixed32 = 5 };

struct WireField {
  uint32_t number = 0;
  WireType type = WireType::kVarint;
  uint64_t start = 0;        // offset of the tag (absolute, in the buffer given to WireReader)
  uint64_t end = 0;          // offset just past the field
  uint64_t varint = 0;       // value for kVarint / kFixed*
  std::string_view payload;  // bytes for kLen
};

// Iterates the fields of one message. Errors throw FormatError with `context` (file and message
// path) and the absolute offset, so a truncated or mangled file is named precisely.
class WireReader {
 public:
  WireReader(std::string_view buffer, uint64_t begin, uint64_t end, std::string context);
  // Iterates a nested message: `payload` is a view into `buffer` (offsets stay absolute).
  WireReader(std::string_view buffer, std::string_view payload, std::string context);
  bool done() const { return pos_ >= end_; }
  WireField next();
  const std::string& context() const { return context_; }

 private:
  uint64_t read_varint(const char* what);
  std::string_view buf_;
  uint64_t pos_, end_;
  std::string context_;
};

// Encodes a varint / a length-delimited field into `out`.
void append_varint(std::string& out, uint64_t value);
void append_len_field(std::string& out, uint32_t number, std::string_view payload);

// Offset of a payload view inside the buffer it was read from.
inline uint64_t offset_in(std::string_view buffer, std::string_view part) {
  return static_cast<uint64_t>(part.data() - buffer.data());
}

}  // namespace modelexport::format
