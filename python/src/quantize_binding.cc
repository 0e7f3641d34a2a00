// modelexport.quantize's compiled half: quantize::quantize_model with the check the CLI makes (ONNX
// Runtime loads the staged result; unless accuracy=False both models' outputs are compared), returning
// the JSON text of `modelexport quantize --json` (with its fp16_range check for fp16 / q4f16).
#include <pybind11/stl.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "binding.h"
#include "cli/report_json.h"
#include "modelexport/common/error.h"
#include "modelexport/quantize/quantize.h"
#include "modelexport/runtime/compare.h"
#include "modelexport/runtime/fp16_range.h"

namespace py = pybind11;

namespace modelexport::python {

void bind_quantize(py::module_& m) {
  m.def(
      "quantize",
      [](const std::string& model, const std::string& output, const std::string& dtype, int64_t block_size,
         bool symmetric, int64_t accuracy_level, const std::vector<std::string>& exclude, bool quantize_embeddings,
         bool external_data, bool accuracy) {
        quantize::QuantizeOptions o;
        o.dtype = dtype;
        o.block_size = block_size;
        o.symmetric = symmetric;
        o.accuracy_level = accuracy_level;
        o.exclude = exclude;
        o.quantize_embeddings = quantize_embeddings;
        o.external_data = external_data;
        o.show_progress = false;
        if (quantize_embeddings && dtype != "q4" && dtype != "q4f16")
          throw UsageError("quantize_embeddings goes with dtype q4 or q4f16");
        py::gil_scoped_release unlocked;
        std::optional<runtime::Agreement> agreement;
        std::optional<runtime::Fp16RangeReport> range;
        double check_seconds = 0;
        auto check = [&](const std::filesystem::path& staged) {
          auto started = std::chrono::steady_clock::now();
          if (accuracy) agreement = runtime::compare_models(model, staged);
          // fp16 / q4f16: values past float16's range on the same inputs, as `modelexport quantize` checks.
          if (accuracy && (dtype == "fp16" || dtype == "q4f16")) range = runtime::check_float16_range(model, staged);
          check_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        };
        quantize::QuantizeReport r = quantize::quantize_model(model, output, o, check);
        Json out = cli::quantize_report_json(model, output, o, r, agreement ? &*agreement : nullptr, check_seconds);
        if (range) out["fp16_range"] = cli::fp16_range_json(*range);
        return dump_json(out);
      },
      py::arg("model"), py::arg("output"), py::arg("dtype"), py::arg("block_size"), py::arg("symmetric"),
      py::arg("accuracy_level"), py::arg("exclude"), py::arg("quantize_embeddings"), py::arg("external_data"),
      py::arg("accuracy"));
}

}  // namespace modelexport::python
