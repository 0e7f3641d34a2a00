// SHA-256 (FIPS 180-4) of a byte string, as 64 lowercase hex digits. Thread-safe.
//
//   std::string h = modelexport::sha256_hex("abc");  // "ba7816bf..."
#pragma once

#include <string>
#include <string_view>

namespace modelexport {

std::string sha256_hex(std::string_view bytes);

}  // namespace modelexport
