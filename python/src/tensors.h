// runtime::Tensor ↔ numpy. Outputs are handed to numpy without a copy (the array owns the moved
// vector) when the model's element type is the Tensor's storage type (float32, int64); other types
// are converted to the model's dtype. Inputs are copied into the Tensor's storage type (run()
// converts to the model's element type anyway).
#pragma once

#include <pybind11/numpy.h>
#include <string>

#include "modelexport/processors/image.h"
#include "modelexport/runtime/auto_model.h"

namespace modelexport::python {

// `elem_type` as TensorDesc names it ("float32", "float16", "int64", "bool", "string", ...); empty: the
// storage type.
pybind11::object to_numpy(runtime::Tensor&& tensor, const std::string& elem_type);
// Throws UsageError naming `name` for a dtype that is not a tensor type (complex, datetime, ...).
runtime::Tensor from_numpy(const pybind11::array& array, const std::string& name);

// An RGB image from a [height, width, 3] uint8 array (the pixels are copied into the Image); [height,
// width] (grayscale) and [height, width, 4] (RGBA) become RGB as Pillow's convert("RGB") makes them.
// UsageError for any other shape.
processors::Image image_from_numpy(const pybind11::array_t<uint8_t>& pixels);
// [height, width, channels] uint8, owning the image's pixels (no copy).
pybind11::array image_to_numpy(processors::Image&& image);

}  // namespace modelexport::python
