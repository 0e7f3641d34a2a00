// tojson: Python's json.dumps as transformers' chat-template `tojson` filter calls it
// (transformers utils/chat_template_utils.py: ensure_ascii=False, no HTML escaping; Python 3.11 json).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "processors/templates/builtins.h"

namespace modelexport::processors::templates {
namespace {

struct JsonWriter {
  int indent;
  std::string_view item_sep, key_sep;
  bool sort_keys, ensure_ascii;
  std::string out;
  int depth = 0;

  void newline() {
    if (indent < 0) return;
    out += '\n';
    out.append(size_t(indent) * size_t(depth), ' ');
  }

  void string(const std::string& s) {
    out += '"';
    for (char32_t c : code_points(s)) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default: {
          char buf[16];
          if (c < 0x20 || (ensure_ascii && c > 0x7f)) {
            if (c >= 0x10000) {
              char32_t v = c - 0x10000;
              std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", unsigned(0xd800 + (v >> 10)),
                            unsigned(0xdc00 + (v & 0x3ff)));
            } else {
              std::snprintf(buf, sizeof buf, "\\u%04x", unsigned(c));
            }
            out += buf;
          } else {
            out += utf8(std::u32string(1, c));
          }
        }
      }
    }
    out += '"';
  }

  std::string key_text(const Value& k) {
    if (k.is_string()) return k.str();
    if (k.is_bool()) return std::get<bool>(k.v) ? "true" : "false";
    if (k.is_none()) return "null";
    if (k.is_int() || k.is_float()) return to_str(k);
    fail("keys must be str, int, float, bool or None, not " + k.type_name());
  }

  void value(const Value& v) {
    if (depth > 200) fail("tojson: nesting deeper than 200 levels");
    switch (v.v.index()) {
      case 1: out += "null"; return;
      case 2: out += std::get<bool>(v.v) ? "true" : "false"; return;
      case 3: out += std::to_string(std::get<int64_t>(v.v)); return;
      case 4: {
        double d = v.number();
        if (std::isnan(d)) out += "NaN";
        else if (std::isinf(d)) out += d < 0 ? "-Infinity" : "Infinity";
        else out += float_repr(d);
        return;
      }
      case 5: string(v.str()); return;
      case 6: {
        const auto& items = v.items();
        if (items.empty()) {
          out += "[]";
          return;
        }
        out += '[';
        ++depth;
        for (size_t i = 0; i < items.size(); ++i) {
          if (i) out += item_sep;
          newline();
          value(items[i]);
        }
        --depth;
        newline();
        out += ']';
        return;
      }
      case 7:
      case 8: {
        const DictData& d = v.is_dict() ? v.dict_data() : v.ns().attrs;
        if (v.is_namespace()) fail("Object of type Namespace is not JSON serializable");
        if (d.entries.empty()) {
          out += "{}";
          return;
        }
        std::vector<std::pair<std::string, const Value*>> entries;
        for (const auto& [k, x] : d.entries) entries.emplace_back(key_text(k), &x);
        if (sort_keys)
          std::stable_sort(entries.begin(), entries.end(),
                           [](const auto& a, const auto& b) { return code_points(a.first) < code_points(b.first); });
        out += '{';
        ++depth;
        for (size_t i = 0; i < entries.size(); ++i) {
          if (i) out += item_sep;
          newline();
          string(entries[i].first);
          out += key_sep;
          value(*entries[i].second);
        }
        --depth;
        newline();
        out += '}';
        return;
      }
      default: fail("Object of type " + v.type_name() + " is not JSON serializable");
    }
  }
};

}  // namespace

std::string to_json(const Value& v, int indent, std::string_view item_sep, std::string_view key_sep, bool sort_keys) {
  JsonWriter w{indent, item_sep, key_sep, sort_keys, false, {}};
  w.value(v);
  return w.out;
}

std::string to_json_ascii(const Value& v, int indent, std::string_view item_sep, std::string_view key_sep,
                          bool sort_keys) {
  JsonWriter w{indent, item_sep, key_sep, sort_keys, true, {}};
  w.value(v);
  return w.out;
}

}  // namespace modelexport::processors::templates
