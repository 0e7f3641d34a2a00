// modelexport.metadata's compiled half: each call is the library call the CLI command makes, and
// returns the JSON text that command's --json prints (cli/report_json.h), so both agree by
// construction. The GIL is released while files are read and written.
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <vector>

#include "binding.h"
#include "cli/output.h"
#include "cli/report_json.h"
#include "modelexport/format/onnx_file.h"
#include "modelexport/metadata/embed.h"
#include "modelexport/metadata/layout.h"
#include "modelexport/metadata/reader.h"
#include "modelexport/metadata/task.h"
#include "modelexport/metadata/validate.h"

namespace py = pybind11;

namespace modelexport::python {
namespace {

std::string embed(const std::string& model, const std::vector<std::string>& sources, const std::string& output,
                  const std::string& level, bool include_vocab, bool compress, double threshold_kb,
                  const std::string& task) {
  metadata::EmbedOptions opt;
  opt.level = include_vocab ? metadata::Level::kFull : metadata::parse_level(level);
  opt.compression.compress = compress;
  opt.compression.threshold_bytes = cli::compress_threshold_bytes(threshold_kb, "compress_threshold_kb");
  opt.task = task;
  opt.output = output;
  opt.show_progress = false;
  py::gil_scoped_release unlocked;
  return dump_json(cli::embed_report_json(metadata::embed_metadata(model, sources, opt)));
}

// analyze --json's "metadata"; a value that does not decode raises its MetadataReadError.
std::string read(const std::string& model) {
  py::gil_scoped_release unlocked;
  format::OnnxFile file(model);
  metadata::ModelMetadata m = metadata::read_metadata(file);
  for (const auto& [key, entry] : m.entries) m.value(key);  // throws for the first undecodable value
  return dump_json(cli::metadata_values_json(m));
}

std::string validate(const std::string& model, bool check_metadata, bool check_task, bool check_processor) {
  py::gil_scoped_release unlocked;
  format::OnnxFile file(model);
  return dump_json(cli::validation_report_json(
      model, metadata::validate_model(file, {check_metadata, check_task, check_processor})));
}

std::string unpack(const std::string& model, const std::string& out_dir, const std::string& layout) {
  metadata::Layout l = metadata::parse_layout(layout);
  py::gil_scoped_release unlocked;
  return dump_json(cli::layout_report_json(metadata::unpack_model(model, out_dir, l)));
}

// {"task","method","architecture","detail"}, or None when nothing identifies the task.
std::optional<std::string> detect(const std::string& config_json) {
  try {
    metadata::TaskDetection d = metadata::detect_task(config_json);
    return dump_json({{"task", d.task}, {"method", d.method}, {"architecture", d.architecture}, {"detail", d.detail}});
  } catch (const TaskDetectionError&) { return std::nullopt; }
}

}  // namespace

void bind_metadata(py::module_& m) {
  m.def("embed_metadata", &embed, py::arg("model"), py::arg("sources"), py::arg("output"), py::arg("level"),
        py::arg("include_vocab"), py::arg("compress"), py::arg("threshold_kb"), py::arg("task"));
  m.def("read_metadata", &read, py::arg("model"));
  m.def("validate", &validate, py::arg("model"), py::arg("check_metadata"), py::arg("check_task"),
        py::arg("check_processor"));
  m.def("unpack", &unpack, py::arg("model"), py::arg("out_dir"), py::arg("layout"));
  m.def("detect_task", &detect, py::arg("config_json"));
  m.def(
      "canonical_task", [](const std::string& name) { return metadata::canonical_task(name); }, py::arg("name"));
  m.def("known_tasks", &metadata::known_tasks);
}

}  // namespace modelexport::python
