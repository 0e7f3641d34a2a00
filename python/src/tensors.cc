#include "tensors.h"

#include <vector>

#include "modelexport/common/error.h"

namespace py = pybind11;

namespace modelexport::python {
namespace {

// A numpy array over the vector's buffer; the array's base owns the vector.
template <typename T>
py::array_t<T> adopt(std::vector<T>&& data, const std::vector<py::ssize_t>& shape) {
  auto* owned = new std::vector<T>(std::move(data));
  py::capsule owner(owned, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  return py::array_t<T>(shape, owned->data(), owner);
}

}  // namespace

py::object to_numpy(runtime::Tensor&& t, const std::string& elem_type) {
  using namespace pybind11::literals;
  std::vector<py::ssize_t> shape(t.shape.begin(), t.shape.end());
  if (!t.str.empty() || elem_type == "string") {
    py::list items;
    for (auto& s : t.str) items.append(py::str(s));
    return py::module_::import("numpy").attr("array")(items, "dtype"_a = "object").attr("reshape")(shape);
  }
  if (t.is_float()) {
    py::array a = adopt(std::move(t.f32), shape);
    if (elem_type.empty() || elem_type == "float32") return a;
    return a.attr("astype")(elem_type == "bfloat16" ? "float32" : elem_type);
  }
  py::array a = adopt(std::move(t.i64), shape);
  if (elem_type.empty() || elem_type == "int64") return a;
  return a.attr("astype")(elem_type);
}

runtime::Tensor from_numpy(const py::array& array, const std::string& name) {
  runtime::Tensor t;
  for (py::ssize_t i = 0; i < array.ndim(); ++i) t.shape.push_back(array.shape(i));
  char kind = array.dtype().kind();
  if (kind == 'f') {
    auto a = py::array_t<float, py::array::c_style | py::array::forcecast>::ensure(array);
    t.f32.assign(a.data(), a.data() + a.size());
  } else if (kind == 'i' || kind == 'u' || kind == 'b') {
    auto a = py::array_t<int64_t, py::array::c_style | py::array::forcecast>::ensure(array);
    t.i64.assign(a.data(), a.data() + a.size());
  } else if (kind == 'U' || kind == 'S' || kind == 'O') {
    for (auto item : array.attr("ravel")()) t.str.push_back(py::str(item));
  } else {
    throw UsageError("input '" + name + "': numpy dtype " + std::string(py::str(array.dtype())) +
                     " is not a tensor type (expected float, integer, bool or str)");
  }
  return t;
}

processors::Image image_from_numpy(const py::array_t<uint8_t>& pixels) {
  const py::ssize_t channels = pixels.ndim() == 2 ? 1 : pixels.ndim() == 3 ? pixels.shape(2) : 0;
  if (channels != 1 && channels != 3 && channels != 4)
    throw UsageError(
        "image array: expected [height, width, 3] uint8 RGB (or [height, width] gray, [height, width, 4] "
        "RGBA), got " +
        std::to_string(pixels.ndim()) + " dimensions" +
        (pixels.ndim() == 3 ? " with " + std::to_string(pixels.shape(2)) + " channels" : std::string()));
  processors::Image image;
  image.height = static_cast<int>(pixels.shape(0));
  image.width = static_cast<int>(pixels.shape(1));
  if (image.width == 0 || image.height == 0) throw UsageError("image array: the image is empty");
  const size_t count = size_t(image.width) * image.height;
  const uint8_t* src = pixels.data();
  if (channels == 3) {
    image.pixels.assign(src, src + count * 3);
    return image;
  }
  // Pillow's convert("RGB"): gray replicated, RGBA's alpha dropped (not composited).
  image.pixels.resize(count * 3);
  for (size_t i = 0; i < count; ++i)
    for (int c = 0; c < 3; ++c) image.pixels[i * 3 + c] = channels == 1 ? src[i] : src[i * 4 + c];
  return image;
}

py::array image_to_numpy(processors::Image&& image) {
  const std::vector<py::ssize_t> shape = {image.height, image.width, image.channels};
  return adopt(std::move(image.pixels), shape);
}

}  // namespace modelexport::python
