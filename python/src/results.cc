#include "results.h"

#include <nlohmann/json.hpp>

#include "modelexport/common/error.h"

namespace py = pybind11;

namespace modelexport::python {
namespace {

// nlohmann's SAX interface builds the Python objects as the text is parsed: no intermediate DOM.
class PythonBuilder : public nlohmann::json_sax<nlohmann::json> {
 public:
  py::object result() { return std::move(result_); }

  bool null() override { return value(py::none()); }
  bool boolean(bool v) override { return value(py::bool_(v)); }
  bool number_integer(number_integer_t v) override { return value(py::int_(v)); }
  bool number_unsigned(number_unsigned_t v) override { return value(py::int_(v)); }
  bool number_float(number_float_t v, const string_t&) override { return value(py::float_(v)); }
  bool string(string_t& v) override { return value(py::str(v)); }
  bool binary(binary_t&) override { return false; }
  bool start_object(std::size_t) override { return open(py::dict()); }
  bool key(string_t& k) override {
    key_ = py::str(k);
    return true;
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(py::list()); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& e) override {
    throw RuntimeError("pipeline result: not JSON at byte " + std::to_string(position) + ": " + e.what());
  }

 private:
  struct Open {
    py::object container;
    py::object key;  // the pending key of an enclosing dict
  };
  bool value(py::object v) {
    if (stack_.empty()) {
      result_ = std::move(v);
    } else if (PyList_Check(stack_.back().container.ptr())) {
      PyList_Append(stack_.back().container.ptr(), v.ptr());
    } else {
      PyDict_SetItem(stack_.back().container.ptr(), key_.ptr(), v.ptr());
    }
    return true;
  }
  bool open(py::object container) {
    value(container);
    stack_.push_back({std::move(container), key_});
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }
  std::vector<Open> stack_;
  py::object key_, result_;
};

}  // namespace

py::object result_to_python(const std::string& json_text) {
  PythonBuilder builder;
  nlohmann::json::sax_parse(json_text, &builder);
  return builder.result();
}

}  // namespace modelexport::python
