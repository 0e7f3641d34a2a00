// The template lexer (jinja2 3.1 lexer rules; see lexer.h).
#include "processors/templates/lexer.h"

#include <cctype>

#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "processors/templates/builtins.h"

namespace modelexport::processors::templates {
namespace {

[[noreturn]] void syntax_error(int line, const std::string& what) {
  throw ProcessorReconstructionError("chat template: line " + std::to_string(line) + ": " + what);
}

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Python's str.rstrip()/lstrip() (Unicode whitespace) on UTF-8 text.
void rstrip_all(std::string& s) {
  std::u32string cps = code_points(s);
  size_t n = cps.size();
  while (n > 0 && is_space(cps[n - 1])) --n;
  s = utf8(std::u32string_view(cps).substr(0, n));
}
size_t lstrip_length(std::string_view s) {
  std::u32string cps = code_points(s);
  size_t i = 0;
  while (i < cps.size() && is_space(cps[i])) ++i;
  return utf8(std::u32string_view(cps).substr(0, i)).size();
}

class Lexer {
 public:
  explicit Lexer(std::string src) : src_(std::move(src)) {}

  std::vector<Token> run() {
    size_t pos = 0;
    while (pos < src_.size()) {
      size_t start = find_tag(pos);
      std::string text = src_.substr(pos, start - pos);
      if (start == src_.size()) {
        emit_text(std::move(text), false, '\0', pos);
        break;
      }
      char kind = src_[start + 1];  // '{', '%' or '#'
      char sign = start + 2 < src_.size() ? src_[start + 2] : '\0';
      if (sign != '-' && sign != '+') sign = '\0';
      bool is_raw = kind == '%' && raw_begin(start + 2 + (sign ? 1 : 0));
      emit_text(std::move(text), kind != '{', sign, pos);
      line_ += count_lines(pos, start);
      pos = start + 2 + (sign ? 1 : 0);
      if (kind == '#') {
        pos = comment(pos);
      } else if (is_raw) {
        pos = raw(pos);
      } else {
        pos = tag(pos, kind);
      }
    }
    tokens_.push_back({Tok::End, "", line_});
    return std::move(tokens_);
  }

 private:
  std::string src_;
  std::vector<Token> tokens_;
  int line_ = 1;
  bool strip_next_ = false;    // the previous tag ended with '-'
  bool trim_newline_ = false;  // trim_blocks: the previous block/comment tag ended with "%}"/"#}"
  bool line_starting_ = true;  // the previous token ended a line (jinja2's line_starting)

  int count_lines(size_t a, size_t b) const {
    int n = 0;
    for (size_t i = a; i < b; ++i) n += src_[i] == '\n';
    return n;
  }

  size_t find_tag(size_t pos) const {
    for (size_t i = pos; i + 1 < src_.size(); ++i)
      if (src_[i] == '{' && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#')) return i;
    return src_.size();
  }

  // Text before a tag: the previous tag's trailing control, then this tag's leading control.
  void emit_text(std::string text, bool block_like, char sign, size_t /*pos*/) {
    // jinja2's line_starting: the previous match (a tag end with what it consumed) ended a line.
    bool starting = line_starting_;
    if (strip_next_) {
      size_t n = lstrip_length(text);
      starting = n > 0 && text[n - 1] == '\n';
      text.erase(0, n);
    } else if (trim_newline_ && !text.empty() && text[0] == '\n') {
      text.erase(0, 1);
      starting = true;
    }
    strip_next_ = trim_newline_ = false;
    line_starting_ = false;
    if (sign == '-') {
      rstrip_all(text);
    } else if (sign != '+' && block_like) {
      size_t l = text.rfind('\n');
      size_t from = l == std::string::npos ? 0 : l + 1;
      if ((from > 0 || starting) && from < text.size()) {
        std::string_view rest = std::string_view(text).substr(from);
        if (lstrip_length(rest) == rest.size()) text.erase(from);
      }
    }
    if (!text.empty()) tokens_.push_back({Tok::Text, std::move(text), line_});
  }

  // After a tag's end: "-" strips the next text; trim_blocks drops one newline after %} and #}.
  void end_tag(char sign, bool block_like) {
    if (sign == '-') {
      strip_next_ = true;
    } else if (sign != '+' && block_like) {
      trim_newline_ = true;
    }
  }

  size_t comment(size_t pos) {
    size_t end = src_.find("#}", pos);
    if (end == std::string::npos) syntax_error(line_, "unterminated comment: missing '#}'");
    char sign = end > pos && src_[end - 1] == '-' ? '-' : (end > pos && src_[end - 1] == '+' ? '+' : '\0');
    line_ += count_lines(pos, end);
    end_tag(sign, true);
    return end + 2;
  }

  size_t skip_ws(size_t p) const {
    while (p < src_.size() && is_ws(src_[p])) ++p;
    return p;
  }
  bool word_at(size_t p, std::string_view w) const {
    return src_.compare(p, w.size(), w) == 0 &&
           (p + w.size() >= src_.size() ||
            !(std::isalnum((unsigned char)src_[p + w.size()]) || src_[p + w.size()] == '_'));
  }
  // `{% raw %}` / `{% raw -%}` starting at p (just after "{%" and its sign).
  bool raw_begin(size_t p) const {
    p = skip_ws(p);
    if (!word_at(p, "raw")) return false;
    p = skip_ws(p + 3);
    if (p < src_.size() && src_[p] == '-') ++p;
    return src_.compare(p, 2, "%}") == 0;
  }

  size_t raw(size_t pos) {
    size_t p = skip_ws(skip_ws(pos) + 3);
    bool strip_content = src_[p] == '-';
    p += strip_content ? 3 : 2;
    line_ += count_lines(pos, p);
    // The content runs to the first {% endraw %}.
    for (size_t i = src_.find("{%", p); i != std::string::npos; i = src_.find("{%", i + 2)) {
      size_t q = i + 2;
      char sign = (q < src_.size() && (src_[q] == '-' || src_[q] == '+')) ? src_[q++] : '\0';
      q = skip_ws(q);
      if (!word_at(q, "endraw")) continue;
      q = skip_ws(q + 6);
      char end_sign = (q < src_.size() && (src_[q] == '-' || src_[q] == '+')) ? src_[q++] : '\0';
      if (src_.compare(q, 2, "%}") != 0) continue;
      std::string text = src_.substr(p, i - p);
      if (strip_content) text.erase(0, lstrip_length(text));
      emit_text(std::move(text), true, sign, p);
      line_ += count_lines(p, q + 2);
      end_tag(end_sign, true);
      return q + 2;
    }
    syntax_error(line_, "missing end of raw directive ('{% endraw %}')");
  }

  size_t tag(size_t pos, char kind) {
    tokens_.push_back({kind == '{' ? Tok::VarBegin : Tok::BlockBegin, "", line_});
    const std::string end = kind == '{' ? "}}" : "%}";
    int depth = 0;
    size_t p = pos;
    while (true) {
      while (p < src_.size() && is_ws(src_[p])) line_ += src_[p++] == '\n';
      if (p >= src_.size()) syntax_error(line_, std::string("unexpected end of template: missing '") + end + "'");
      if (depth == 0) {
        char sign = src_[p];
        if ((sign == '-' || sign == '+') && src_.compare(p + 1, 2, end) == 0) {
          if (sign == '+' && kind == '{') syntax_error(line_, "unexpected '+'");
          tokens_.push_back({kind == '{' ? Tok::VarEnd : Tok::BlockEnd, "", line_});
          end_tag(sign, kind != '{');
          return p + 3;
        }
        if (src_.compare(p, 2, end) == 0) {
          tokens_.push_back({kind == '{' ? Tok::VarEnd : Tok::BlockEnd, "", line_});
          end_tag('\0', kind != '{');
          return p + 2;
        }
      }
      p = operand(p, depth);
    }
  }

  size_t operand(size_t p, int& depth) {
    char c = src_[p];
    if (std::isalpha((unsigned char)c) || c == '_') {
      size_t q = p;
      while (q < src_.size() && (std::isalnum((unsigned char)src_[q]) || src_[q] == '_')) ++q;
      tokens_.push_back({Tok::Name, src_.substr(p, q - p), line_});
      return q;
    }
    if (std::isdigit((unsigned char)c)) return number(p);
    if (c == '\'' || c == '"') return string(p);
    static const char* const two[] = {"**", "//", "==", "!=", "<=", ">="};
    for (const char* op : two)
      if (src_.compare(p, 2, op) == 0) {
        tokens_.push_back({Tok::Op, op, line_});
        return p + 2;
      }
    if (std::string_view("+-*/%~<>=()[]{},.:|;").find(c) == std::string_view::npos)
      syntax_error(line_, std::string("unexpected char '") + c + "'");
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') {
      if (depth == 0) syntax_error(line_, std::string("unexpected '") + c + "'");
      --depth;
    }
    tokens_.push_back({Tok::Op, std::string(1, c), line_});
    return p + 1;
  }

  size_t digits(size_t q) const {
    while (q < src_.size() && (std::isdigit((unsigned char)src_[q]) ||
                               (src_[q] == '_' && q + 1 < src_.size() && std::isdigit((unsigned char)src_[q + 1]))))
      ++q;
    return q;
  }

  size_t number(size_t p) {
    size_t q = digits(p);
    bool is_float = false;
    if (q + 1 < src_.size() && src_[q] == '.' && std::isdigit((unsigned char)src_[q + 1])) {
      q = digits(q + 1);
      is_float = true;
    }
    if (q < src_.size() && (src_[q] == 'e' || src_[q] == 'E')) {
      size_t r = q + 1;
      if (r < src_.size() && (src_[r] == '+' || src_[r] == '-')) ++r;
      if (r < src_.size() && std::isdigit((unsigned char)src_[r])) {
        q = digits(r);
        is_float = true;
      }
    }
    std::string text;
    for (size_t i = p; i < q; ++i)
      if (src_[i] != '_') text += src_[i];
    tokens_.push_back({is_float ? Tok::Float : Tok::Int, text, line_});
    return q;
  }

  // A string literal; escapes as Python's unicode-escape codec decodes them (jinja2's lexer).
  size_t string(size_t p) {
    char quote = src_[p];
    std::string out;
    int start_line = line_;
    size_t q = p + 1;
    while (true) {
      if (q >= src_.size()) syntax_error(start_line, "unterminated string");
      char c = src_[q];
      if (c == quote) break;
      if (c == '\n') ++line_;
      if (c != '\\') {
        out += c;
        ++q;
        continue;
      }
      if (q + 1 >= src_.size()) syntax_error(start_line, "unterminated string");
      char e = src_[q + 1];
      q += 2;
      auto hex = [&](size_t n) {
        if (q + n > src_.size()) syntax_error(line_, "truncated \\x/\\u escape in a string");
        uint32_t v = 0;
        for (size_t i = 0; i < n; ++i) {
          char h = src_[q + i];
          if (!std::isxdigit((unsigned char)h)) syntax_error(line_, "truncated \\x/\\u escape in a string");
          v = v * 16 + uint32_t(std::isdigit((unsigned char)h) ? h - '0' : (std::tolower(h) - 'a' + 10));
        }
        q += n;
        out += utf8(std::u32string(1, char32_t(v)));
      };
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'v': out += '\v'; break;
        case 'a': out += '\a'; break;
        case '0': out += '\0'; break;
        case '\\': out += '\\'; break;
        case '\'': out += '\''; break;
        case '"': out += '"'; break;
        case '\n': ++line_; break;  // line continuation
        case 'x': hex(2); break;
        case 'u': hex(4); break;
        case 'U': hex(8); break;
        default: out += '\\'; out += e;
      }
    }
    tokens_.push_back({Tok::String, out, start_line});
    return q + 1;
  }
};

std::string normalize(std::string_view source) {
  std::string s;
  s.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      s += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      s += source[i];
    }
  }
  if (!s.empty() && s.back() == '\n') s.pop_back();  // keep_trailing_newline=False
  return s;
}

}  // namespace

std::vector<Token> lex(std::string_view source) {
  // A template is text: Python reads chat_template.jinja / tokenizer_config.json as UTF-8 and fails
  // on anything else, and every code-point step below relies on it.
  if (size_t bad = invalid_utf8_offset(source); bad != std::string_view::npos)
    throw ProcessorReconstructionError("chat template: not valid UTF-8 at " + utf8_error_position(source, bad) +
                                       "; expected UTF-8 text");
  return Lexer(normalize(source)).run();
}

}  // namespace modelexport::processors::templates
