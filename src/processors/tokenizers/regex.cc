#include "processors/tokenizers/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "modelexport/common/error.h"

namespace modelexport::processors {

struct Regex::Code {
  pcre2_code* code = nullptr;
  ~Code() { pcre2_code_free(code); }
};

namespace {

// Oniguruma and Rust's regex define \w as Unicode Word (letters, marks, decimal digits, connector
// punctuation, join controls); PCRE2's UCP \w leaves out marks. Spell the class out so combining marks stay in words.
std::string translate(std::string_view p) {
  static constexpr std::string_view kWord = "\\p{L}\\p{Nl}\\p{M}\\p{Nd}\\p{Pc}\\x{200C}\\x{200D}";
  std::string out;
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      char n = p[i + 1];
      if (n == 'w') out += in_class ? std::string(kWord) : "[" + std::string(kWord) + "]";
      else if (n == 'W' && !in_class) out += "[^" + std::string(kWord) + "]";
      else out += p.substr(i, 2);
      ++i;
      continue;
    }
    if (c == '[' && !in_class) {
      in_class = true;
      out += c;
      if (i + 1 < p.size() && p[i + 1] == '^') out += p[++i];
      if (i + 1 < p.size() && p[i + 1] == ']') out += p[++i];  // a leading ] is literal
      continue;
    }
    if (c == ']' && in_class) in_class = false;
    out += c;
  }
  return out;
}

}  // namespace

Regex::Regex(std::string_view original, const std::string& path) : code_(std::make_unique<Code>()) {
  std::string pattern = translate(original);
  int err = 0;
  PCRE2_SIZE offset = 0;
  code_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF | PCRE2_UCP, &err,
                              &offset, nullptr);
  if (!code_->code) {
    PCRE2_UCHAR msg[256];
    pcre2_get_error_message(err, msg, sizeof msg);
    throw ProcessorReconstructionError("tokenizer.json " + path + ": regex does not compile at offset " +
                                       std::to_string(offset) + ": " + reinterpret_cast<char*>(msg));
  }
  pcre2_jit_compile(code_->code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter if JIT is unavailable
}

Regex::~Regex() = default;

Matches Regex::find_matches(std::string_view s) const {
  if (s.empty()) return {{{0, 0}, false}};
  struct MatchData {
    pcre2_match_data* data;
    explicit MatchData(const pcre2_code* code) : data(pcre2_match_data_create_from_pattern(code, nullptr)) {}
    ~MatchData() { pcre2_match_data_free(data); }
  } md(code_->code);
  Matches out;
  size_t prev = 0, pos = 0;
  while (pos <= s.size()) {
    int rc = pcre2_match(code_->code, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), pos, PCRE2_NO_UTF_CHECK, md.data, nullptr);
    if (rc < 0) break;
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.data);
    size_t start = ov[0], end = ov[1];
    if (prev != start) out.push_back({{prev, start}, false});
    out.push_back({{start, end}, true});
    prev = end;
    if (end == start) {  // an empty match: step over one char
      if (end >= s.size()) break;
      pos = end + 1;
      while (pos < s.size() && (static_cast<unsigned char>(s[pos]) & 0xC0) == 0x80) ++pos;
    } else {
      pos = end;
    }
  }
  if (prev != s.size()) out.push_back({{prev, s.size()}, false});
  return out;
}

}  // namespace modelexport::processors
