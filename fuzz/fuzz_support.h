// Shared by the libFuzzer targets: the one place that decides which exceptions are the contract.
// A target calls the code under test inside expect_contract(); the project's own errors
// (modelexport::Error and its subclasses) are the documented answer to bad input and are
// swallowed; anything else (std::bad_alloc, std::out_of_range from a missed bounds check,
// nlohmann's exceptions leaking past checked access) aborts, so libFuzzer records the input.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "modelexport/common/error.h"

namespace modelexport::fuzz {

template <typename F>
void expect_contract(F&& f) {
  try {
    f();
  } catch (const modelexport::Error&) {
    // The documented answer to bad input.
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fuzz: an exception outside the error contract escaped: %s\n", e.what());
    std::abort();
  }
}

inline std::string_view as_view(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits the input at the first occurrence of `separator` (a target that takes two documents).
inline std::pair<std::string_view, std::string_view> split_once(std::string_view in, std::string_view separator) {
  const size_t at = in.find(separator);
  if (at == std::string_view::npos) return {in, {}};
  return {in.substr(0, at), in.substr(at + separator.size())};
}

}  // namespace modelexport::fuzz
