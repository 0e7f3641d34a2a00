#include "modelexport/format/external_data_names.h"

#include "format/wire.h"

namespace modelexport::format {

namespace {

// onnx.proto field numbers of the messages that can hold a TensorProto.
enum class Kind { kModel, kGraph, kNode, kAttribute, kTensor, kSparse, kFunction, kEntry };

// The nested message kind of field `number` inside a `kind` message, or kEntry when it holds none
// we rewrite (then the field is copied as is).
bool nested_kind(Kind kind, uint32_t number, Kind& out) {
  switch (kind) {
    case Kind::kModel:
      if (number == 7) return out = Kind::kGraph, true;      // graph
      if (number == 25) return out = Kind::kFunction, true;  // functions
      return false;
    case Kind::kGraph:
      if (number == 1) return out = Kind::kNode, true;     // node
      if (number == 5) return out = Kind::kTensor, true;   // initializer
      if (number == 15) return out = Kind::kSparse, true;  // sparse_initializer
      return false;
    case Kind::kFunction:
      if (number == 7) return out = Kind::kNode, true;  // node
      return false;
    case Kind::kNode:
      if (number == 5) return out = Kind::kAttribute, true;  // attribute
      return false;
    case Kind::kAttribute:
      if (number == 5 || number == 10) return out = Kind::kTensor, true;   // t, tensors
      if (number == 6 || number == 11) return out = Kind::kGraph, true;    // g, graphs
      if (number == 22 || number == 23) return out = Kind::kSparse, true;  // sparse_tensor(s)
      return false;
    case Kind::kSparse:
      if (number == 1 || number == 2) return out = Kind::kTensor, true;  // values, indices
      return false;
    case Kind::kTensor:
      if (number == 13) return out = Kind::kEntry, true;  // external_data
      return false;
    case Kind::kEntry: return false;
  }
  return false;
}

// Rewrites one message; `changed` tells whether anything in it was renamed.
std::string rewrite(std::string_view buf, std::string_view payload, Kind kind,
                    const std::map<std::string, std::string>& renames, const std::string& ctx, bool& changed) {
  std::string out;
  if (kind == Kind::kEntry) {  // StringStringEntryProto {key 1, value 2}
    std::string_view key, value;
    WireReader r(buf, payload, ctx);
    while (!r.done()) {
      WireField f = r.next();
      if (f.number == 1 && f.type == WireType::kLen) key = f.payload;
      else if (f.number == 2 && f.type == WireType::kLen) value = f.payload;
    }
    auto it = key == "location" ? renames.find(std::string(value)) : renames.end();
    if (it == renames.end()) return std::string(payload);
    changed = true;
    append_len_field(out, 1, key);
    append_len_field(out, 2, it->second);
    return out;
  }
  WireReader r(buf, payload, ctx);
  uint64_t copied_to = offset_in(buf, payload);  // bytes before this offset are in `out`
  const uint64_t begin = copied_to;
  while (!r.done()) {
    WireField f = r.next();
    Kind inner;
    if (f.type != WireType::kLen || !nested_kind(kind, f.number, inner)) continue;
    bool inner_changed = false;
    std::string rewritten = rewrite(buf, f.payload, inner, renames, ctx, inner_changed);
    if (!inner_changed) continue;
    changed = true;
    out.append(buf.substr(copied_to, f.start - copied_to));
    append_len_field(out, f.number, rewritten);
    copied_to = f.end;
  }
  const uint64_t end = begin + payload.size();
  out.append(buf.substr(copied_to, end - copied_to));
  return out;
}

}  // namespace

std::string rename_external_data(std::string_view model_bytes, const std::map<std::string, std::string>& renames,
                                 std::string_view name) {
  bool changed = false;
  return rewrite(model_bytes, model_bytes, Kind::kModel, renames, "'" + std::string(name) + "'", changed);
}

std::vector<std::string> transformers_js_data_names(const std::string& model_file_name, size_t count) {
  std::vector<std::string> names;
  for (size_t i = 0; i < count; ++i)
    names.push_back(model_file_name + "_data" + (i == 0 ? "" : "_" + std::to_string(i)));
  return names;
}

}  // namespace modelexport::format
