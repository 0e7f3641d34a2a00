// tokenizers decoders/*.rs: ByteLevel, WordPiece, Metaspace, BPEDecoder, ByteFallback, Fuse, Strip,
// Replace, CTC, Sequence. Each is a small decode_chain over the token strings.
#include "processors/tokenizers/decoders/decoders.h"

#include "processors/tokenizers/byte_level_alphabet.h"
#include "processors/tokenizers/json_access.h"
#include "processors/tokenizers/pattern.h"
#include "processors/tokenizers/unicode.h"

namespace modelexport::processors {
namespace decoders {

std::string utf8_lossy(std::string_view s) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    auto b = static_cast<unsigned char>(s[i]);
    size_t need = b < 0x80 ? 1 : (b >= 0xC2 && b <= 0xDF) ? 2 : (b >= 0xE0 && b <= 0xEF) ? 3 : (b >= 0xF0 && b <= 0xF4) ? 4 : 0;
    if (need == 1) {
      out += s[i++];
      continue;
    }
    size_t k = 1;
    if (need > 0) {
      for (; k < need && i + k < s.size(); ++k) {
        auto c = static_cast<unsigned char>(s[i + k]);
        unsigned char lo = 0x80, hi = 0xBF;
        if (k == 1) {  // the second byte's narrower ranges (no overlongs, surrogates, > U+10FFFF)
          if (b == 0xE0) lo = 0xA0;
          if (b == 0xED) hi = 0x9F;
          if (b == 0xF0) lo = 0x90;
          if (b == 0xF4) hi = 0x8F;
        }
        if (c < lo || c > hi) break;
      }
    }
    if (need > 0 && k == need) {
      out.append(s.substr(i, need));
      i += need;
    } else {
      out += "\xEF\xBF\xBD";
      i += std::max<size_t>(k, 1);
    }
  }
  return out;
}

std::string cleanup(std::string s) {
  static const std::pair<const char*, const char*> kRules[] = {
      {" .", "."}, {" ?", "?"}, {" !", "!"}, {" ,", ","}, {" ' ", "'"}, {" n't", "n't"},
      {" 'm", "'m"}, {" do not", " don't"}, {" 's", "'s"}, {" 've", "'ve"}, {" 're", "'re"}};
  for (const auto& [from, to] : kRules) {
    std::string out;
    size_t pos = 0, f;
    std::string_view fv(from);
    while ((f = s.find(fv, pos)) != std::string::npos) {
      out.append(s, pos, f - pos);
      out += to;
      pos = f + fv.size();
    }
    out.append(s, pos);
    s = std::move(out);
  }
  return s;
}

namespace {

using Tokens = std::vector<std::string>;

class ByteLevel : public Decoder {
 public:
  Tokens decode_chain(Tokens tokens) const override {
    std::string bytes;
    for (const auto& t : tokens) {
      std::string mapped;
      bool ok = true;
      for (size_t i = 0; i < t.size();) {
        int b = char_to_byte(unicode::next(t, i));
        if (b < 0) {
          ok = false;
          break;
        }
        mapped += static_cast<char>(b);
      }
      bytes += ok ? mapped : t;
    }
    return {utf8_lossy(bytes)};
  }
};

class WordPiece : public Decoder {
 public:
  WordPiece(std::string prefix, bool clean) : prefix_(std::move(prefix)), clean_(clean) {}
  Tokens decode_chain(Tokens tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      auto& t = tokens[i];
      if (i != 0) {
        if (!prefix_.empty() && t.compare(0, prefix_.size(), prefix_) == 0) t.erase(0, prefix_.size());
        else t = " " + t;
      }
      if (clean_) t = cleanup(t);
    }
    return tokens;
  }

 private:
  std::string prefix_;
  bool clean_;
};

class Metaspace : public Decoder {
 public:
  Metaspace(char32_t replacement, bool prepend) : replacement_(replacement), prepend_(prepend) {}
  Tokens decode_chain(Tokens tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string out;
      const auto& t = tokens[i];
      for (size_t k = 0; k < t.size();) {
        char32_t c = unicode::next(t, k);
        if (c == replacement_) {
          if (!(i == 0 && prepend_)) out += ' ';
        } else {
          unicode::append(out, c);
        }
      }
      tokens[i] = std::move(out);
    }
    return tokens;
  }

 private:
  char32_t replacement_;
  bool prepend_;
};

class BpeDecoder : public Decoder {
 public:
  explicit BpeDecoder(std::string suffix) : suffix_(std::move(suffix)) {}
  Tokens decode_chain(Tokens tokens) const override {
    for (size_t i = 0; i < tokens.size(); ++i) {
      std::string with = i + 1 == tokens.size() ? "" : " ", out;
      const std::string& t = tokens[i];
      size_t pos = 0, f;
      while (!suffix_.empty() && (f = t.find(suffix_, pos)) != std::string::npos) {
        out.append(t, pos, f - pos);
        out += with;
        pos = f + suffix_.size();
      }
      out.append(t, pos);
      tokens[i] = std::move(out);
    }
    return tokens;
  }

 private:
  std::string suffix_;
};

class ByteFallback : public Decoder {
 public:
  Tokens decode_chain(Tokens tokens) const override {
    Tokens out;
    std::string pending;
    auto flush = [&] {
      if (pending.empty()) return;
      if (is_valid_utf8(pending)) out.push_back(pending);
      else
        for (size_t k = 0; k < pending.size(); ++k) out.push_back("\xEF\xBF\xBD");
      pending.clear();
    };
    for (auto& t : tokens) {
      if (t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t.back() == '>' && std::isxdigit(static_cast<unsigned char>(t[3])) &&
          std::isxdigit(static_cast<unsigned char>(t[4]))) {
        pending += static_cast<char>(std::stoi(t.substr(3, 2), nullptr, 16));
        continue;
      }
      flush();
      out.push_back(std::move(t));
    }
    flush();
    return out;
  }
};

class Fuse : public Decoder {
 public:
  Tokens decode_chain(Tokens tokens) const override {
    std::string all;
    for (const auto& t : tokens) all += t;
    return {all};
  }
};

class Strip : public Decoder {
 public:
  Strip(char32_t content, size_t start, size_t stop) : content_(content), start_(start), stop_(stop) {}
  Tokens decode_chain(Tokens tokens) const override {
    for (auto& t : tokens) {
      std::u32string chars;
      for (size_t k = 0; k < t.size();) chars.push_back(unicode::next(t, k));
      size_t begin = 0, end = chars.size();
      for (size_t i = 0; i < start_ && i < chars.size() && chars[i] == content_; ++i) begin = i + 1;
      for (size_t i = 0; i < stop_ && i < chars.size(); ++i) {
        size_t idx = chars.size() - i - 1;
        if (chars[idx] != content_) break;
        end = idx;
      }
      std::string out;
      for (size_t i = begin; i < end; ++i) unicode::append(out, chars[i]);
      t = std::move(out);
    }
    return tokens;
  }

 private:
  char32_t content_;
  size_t start_, stop_;
};

class Replace : public Decoder {
 public:
  Replace(Pattern pattern, std::string content) : pattern_(std::move(pattern)), content_(std::move(content)) {}
  Tokens decode_chain(Tokens tokens) const override {
    for (auto& t : tokens) {
      std::string out;
      for (const auto& [range, is_match] : pattern_.find_matches(t))
        out += is_match ? content_ : t.substr(range.first, range.second - range.first);
      t = std::move(out);
    }
    return tokens;
  }

 private:
  Pattern pattern_;
  std::string content_;
};

class Ctc : public Decoder {
 public:
  Ctc(std::string pad, std::string delimiter, bool clean) : pad_(std::move(pad)), delimiter_(std::move(delimiter)), clean_(clean) {}
  Tokens decode_chain(Tokens tokens) const override {
    Tokens out;
    for (size_t i = 0; i < tokens.size(); ++i) {
      if (i > 0 && tokens[i] == tokens[i - 1]) continue;  // dedup consecutive
      std::string t = tokens[i];
      if (t == pad_) continue;
      std::string replaced;
      size_t pos = 0, f;
      while (!delimiter_.empty() && (f = t.find(delimiter_, pos)) != std::string::npos) {
        replaced.append(t, pos, f - pos);
        replaced += ' ';
        pos = f + delimiter_.size();
      }
      replaced.append(t, pos);
      if (clean_) replaced = cleanup(replaced);
      if (!replaced.empty()) out.push_back(std::move(replaced));
    }
    return out;
  }

 private:
  std::string pad_, delimiter_;
  bool clean_;
};

class Sequence : public Decoder {
 public:
  explicit Sequence(std::vector<std::unique_ptr<Decoder>> parts) : parts_(std::move(parts)) {}
  Tokens decode_chain(Tokens tokens) const override {
    for (const auto& p : parts_) tokens = p->decode_chain(std::move(tokens));
    return tokens;
  }

 private:
  std::vector<std::unique_ptr<Decoder>> parts_;
};

char32_t single_char(const std::string& s, const std::string& path) {
  if (s.empty()) json::fail(path, "expected one character");
  size_t i = 0;
  return unicode::next(s, i);
}

}  // namespace
}  // namespace decoders

std::unique_ptr<Decoder> make_decoder(const Json& j, const std::string& path) {
  json::check_depth(path);
  using namespace decoders;
  std::string type = json::type_of(j, path);
  if (type == "ByteLevel") return std::make_unique<ByteLevel>();
  if (type == "WordPiece")
    return std::make_unique<WordPiece>(json::string_or(j, "prefix", path, "##"), json::bool_or(j, "cleanup", path, true));
  if (type == "Metaspace") {
    std::string scheme = json::string_or(j, "prepend_scheme", path, "");
    bool prepend = scheme.empty() ? json::bool_or(j, "add_prefix_space", path, true) : scheme != "never";
    return std::make_unique<Metaspace>(single_char(json::string_or(j, "replacement", path, "\xE2\x96\x81"), path + ".replacement"), prepend);
  }
  if (type == "BPEDecoder") return std::make_unique<BpeDecoder>(json::string_or(j, "suffix", path, "</w>"));
  if (type == "ByteFallback") return std::make_unique<ByteFallback>();
  if (type == "Fuse") return std::make_unique<Fuse>();
  if (type == "Strip")
    return std::make_unique<Strip>(single_char(json::string_or(j, "content", path, " "), path + ".content"),
                                   static_cast<size_t>(json::int_or(j, "start", path, 0)),
                                   static_cast<size_t>(json::int_or(j, "stop", path, 0)));
  if (type == "Replace")
    return std::make_unique<Replace>(Pattern(json::field(j, "pattern", path), path + ".pattern"), json::string_or(j, "content", path, ""));
  if (type == "CTC")
    return std::make_unique<Ctc>(json::string_or(j, "pad_token", path, "<pad>"), json::string_or(j, "word_delimiter_token", path, "|"),
                                 json::bool_or(j, "cleanup", path, true));
  if (type == "Sequence") {
    const Json& list = json::field(j, "decoders", path);
    if (!list.is_array()) json::fail(path + ".decoders", "expected an array");
    std::vector<std::unique_ptr<Decoder>> parts;
    for (size_t i = 0; i < list.size(); ++i) parts.push_back(make_decoder(list[i], path + ".decoders[" + std::to_string(i) + "]"));
    return std::make_unique<Sequence>(std::move(parts));
  }
  json::unknown_type(path, type, "ByteLevel, WordPiece, Metaspace, BPEDecoder, ByteFallback, Fuse, Strip, Replace, CTC, Sequence");
}

}  // namespace modelexport::processors
