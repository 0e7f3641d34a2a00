// Parsing entry point and JSON → template values (document order kept: tojson of a tool schema
// must print its keys as Python's json.loads left them).
#include "processors/templates/engine.h"

#include <nlohmann/json.hpp>

#include "common/json_util.h"
#include "modelexport/common/error.h"
#include "processors/templates/parser.h"

namespace modelexport::processors::templates {

Body CompiledTemplate::parse(std::string_view source) { return templates::parse(source); }

namespace {

using OJson = nlohmann::ordered_json;

Value from_json(const OJson& j) {
  switch (j.type()) {
    case OJson::value_t::null: return Value(None{});
    case OJson::value_t::boolean: return Value(j.get<bool>());
    case OJson::value_t::number_integer: return Value(j.get<int64_t>());
    case OJson::value_t::number_unsigned: {
      uint64_t u = j.get<uint64_t>();
      return u <= uint64_t(INT64_MAX) ? Value(int64_t(u)) : Value(double(u));
    }
    case OJson::value_t::number_float: return Value(j.get<double>());
    case OJson::value_t::string: return Value(j.get<std::string>());
    case OJson::value_t::array: {
      std::vector<Value> items;
      items.reserve(j.size());
      for (const auto& x : j) items.push_back(from_json(x));
      return Value::list(std::move(items));
    }
    case OJson::value_t::object: {
      DictData d;
      d.entries.reserve(j.size());
      for (const auto& [k, x] : j.items()) d.set(Value(k), from_json(x));  // a repeated key keeps its last value
      return Value::dict(std::move(d));
    }
    default: return Value(None{});
  }
}

}  // namespace

Value value_from_json_text(std::string_view json, std::string_view what) {
  check_json_syntax(json, what);  // MetadataReadError naming `what`, line and column
  return from_json(OJson::parse(json));
}

DictData variables_from_json(std::string_view json, std::string_view what) {
  Value v = value_from_json_text(json, what);
  if (!v.is_dict())
    throw ProcessorReconstructionError(std::string(what) + ": expected a JSON object of template variables");
  return v.dict_data();
}

}  // namespace modelexport::processors::templates
