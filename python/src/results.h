// A pipeline result (the JSON text runtime::Pipeline::run returns) as Python objects, built directly
// from the parsed JSON (no json.loads round trip): objects → dict in the JSON's key order, arrays →
// list, numbers → int / float, null → None.
#pragma once

#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "modelexport/runtime/pipeline.h"

namespace modelexport::python {

pybind11::object result_to_python(const std::string& json_text);

// Runs the pipeline with the GIL released and returns one Python object per input. The text
// pipelines' results are converted from their JSON DOM directly (no JSON text is written or parsed;
// strings with broken UTF-8 get U+FFFD as the JSON text would); other pipelines' JSON text is parsed.
pybind11::list run_to_python(const runtime::Pipeline& pipeline, const std::vector<runtime::PipelineInput>& inputs,
                             const runtime::PipelineOptions& options);

}  // namespace modelexport::python
