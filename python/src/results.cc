#include "results.h"

#include <nlohmann/json.hpp>

#include <cmath>

#include "modelexport/common/error.h"
#include "runtime/pipelines/text_pipeline.h"

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

py::object to_python(const runtime::OJson& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::object: {
      py::dict d;
      for (auto it = j.begin(); it != j.end(); ++it) {
        py::object v = to_python(it.value());
        const std::string& k = it.key();
        PyDict_SetItem(d.ptr(), py::str(k).ptr(), v.ptr());
      }
      return std::move(d);
    }
    case nlohmann::json::value_t::array: {
      py::list l(j.size());
      size_t i = 0;
      for (const auto& v : j) PyList_SET_ITEM(l.ptr(), i++, to_python(v).release().ptr());
      return std::move(l);
    }
    case nlohmann::json::value_t::string: {
      const auto& s = j.get_ref<const std::string&>();
      PyObject* o = PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace");
      if (!o) throw py::error_already_set();
      return py::reinterpret_steal<py::object>(o);
    }
    case nlohmann::json::value_t::boolean: return py::bool_(j.get<bool>());
    case nlohmann::json::value_t::number_integer: return py::int_(j.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: return py::int_(j.get<uint64_t>());
    case nlohmann::json::value_t::number_float: {
      const double v = j.get<double>();
      if (!std::isfinite(v)) return py::none();  // the JSON text writes null for NaN and infinities
      return py::float_(v);
    }
    default: return py::none();
  }
}

}  // namespace

py::list run_to_python(const runtime::Pipeline& pipeline, const std::vector<runtime::PipelineInput>& inputs,
                       const runtime::PipelineOptions& options) {
  if (const auto* text = dynamic_cast<const runtime::TextPipeline*>(&pipeline)) {
    std::vector<runtime::OJson> results;
    {
      py::gil_scoped_release unlocked;
      results = text->run_results(inputs, options);
    }
    py::list out(results.size());
    for (size_t i = 0; i < results.size(); ++i) out[i] = to_python(results[i]);
    return out;
  }
  std::vector<std::string> results;
  {
    py::gil_scoped_release unlocked;
    results = pipeline.run(inputs, options);
  }
  py::list out(results.size());
  for (size_t i = 0; i < results.size(); ++i) out[i] = result_to_python(results[i]);
  return out;
}

py::object result_to_python(const std::string& json_text) {
  PythonBuilder builder;
  nlohmann::json::sax_parse(json_text, &builder);
  return builder.result();
}

}  // namespace modelexport::python
