// The pieces of the Python extension modelexport._core, one file each; module.cc calls them in order.
// The binding converts between Python and the public C++ API only: every rule lives in the library.
#pragma once

#include <pybind11/pybind11.h>

namespace modelexport::python {

// modelexport.Error and its subclasses, one per C++ class in common/error.h, and the translator that
// raises them with the C++ message unchanged.
void bind_errors(pybind11::module_& m);
// embed_metadata, read_metadata, validate, unpack, detect_task: each returns the JSON text of the
// CLI's --json for the same call (the Python layer parses it).
void bind_metadata(pybind11::module_& m);
// Pipeline, Model, Processor (ONNX Runtime): the GIL is released while ORT runs and while batches
// are tokenized.
void bind_inference(pybind11::module_& m);
// quantize: the report JSON of `modelexport quantize --json`.
void bind_quantize(pybind11::module_& m);

}  // namespace modelexport::python
