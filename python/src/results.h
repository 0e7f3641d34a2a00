// A pipeline result (the JSON text runtime::Pipeline::run returns) as Python objects, built directly
// from the parsed JSON (no json.loads round trip): objects → dict in the JSON's key order, arrays →
// list, numbers → int / float, null → None.
#pragma once

#include <pybind11/pybind11.h>

#include <string>

namespace modelexport::python {

pybind11::object result_to_python(const std::string& json_text);

}  // namespace modelexport::python
