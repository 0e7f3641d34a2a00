#include "format/wire.h"

#include "modelexport/common/error.h"

namespace modelexport::format {

WireReader::WireReader(std::string_view buffer, uint64_t begin, uint64_t end, std::string context)
    : buf_(buffer), pos_(begin), end_(end), context_(std::move(context)) {}

WireReader::WireReader(std::string_view buffer, std::string_view payload, std::string context)
    : WireReader(buffer, static_cast<uint64_t>(payload.data() - buffer.data()),
                 static_cast<uint64_t>(payload.data() - buffer.data()) + payload.size(), std::move(context)) {}

uint64_t WireReader::read_varint(const char* what) {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= end_)
      throw FormatError(context_ + ": truncated " + what + " at byte " + std::to_string(pos_) +
                        " (the data ends inside a varint)");
    auto b = static_cast<unsigned char>(buf_[pos_++]);
    value |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return value;
  }
  throw FormatError(context_ + ": malformed " + what + " at byte " + std::to_string(pos_) +
                    " (varint longer than 10 bytes)");
}

WireField WireReader::next() {
  WireField f;
  f.start = pos_;
  uint64_t tag = read_varint("field tag");
  f.number = static_cast<uint32_t>(tag >> 3);
  f.type = static_cast<WireType>(tag & 7);
  if (f.number == 0 || tag >> 3 > 0x1fffffff)
    throw FormatError(context_ + ": invalid field number " + std::to_string(tag >> 3) + " at byte " +
                      std::to_string(f.start));
  switch (f.type) {
    case WireType::kVarint:
      f.varint = read_varint("varint field");
      break;
    case WireType::kFixed64:
    case WireType::kFixed32: {
      uint64_t n = f.type == WireType::kFixed64 ? 8 : 4;
      if (end_ - pos_ < n)
        throw FormatError(context_ + ": truncated fixed-width field " + std::to_string(f.number) + " at byte " +
                          std::to_string(f.start));
      f.varint = 0;
      for (uint64_t i = 0; i < n; ++i) f.varint |= static_cast<uint64_t>(static_cast<unsigned char>(buf_[pos_ + i])) << (8 * i);
      pos_ += n;
      break;
    }
    case WireType::kLen: {
      uint64_t len = read_varint("length prefix");
      if (len > end_ - pos_)
        throw FormatError(context_ + ": field " + std::to_string(f.number) + " at byte " + std::to_string(f.start) +
                          " declares " + std::to_string(len) + " bytes but only " + std::to_string(end_ - pos_) +
                          " remain (truncated or corrupted file)");
      f.payload = buf_.substr(pos_, len);
      pos_ += len;
      break;
    }
    default:
      throw FormatError(context_ + ": field " + std::to_string(f.number) + " at byte " + std::to_string(f.start) +
                        " has wire type " + std::to_string(static_cast<int>(f.type)) +
                        ", which ONNX never uses (groups/invalid)");
  }
  f.end = pos_;
  return f;
}

void append_varint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

void append_len_field(std::string& out, uint32_t number, std::string_view payload) {
  append_varint(out, static_cast<uint64_t>(number) << 3 | 2);
  append_varint(out, payload.size());
  out.append(payload);
}

}  // namespace modelexport::format
