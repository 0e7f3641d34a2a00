// The JSON of each command's report (what `--json` prints), shared by the CLI and the Python package
// (python/), so both give the same JSON for the same input.
//
//   metadata::EmbedReport r = metadata::embed_metadata("model.onnx", "hf-folder", {});
//   std::cout << dump_json(embed_report_json(r), 2);
#pragma once

#include <optional>
#include <string>

#include "common/json_util.h"
#include "modelexport/metadata/embed.h"
#include "modelexport/metadata/layout.h"
#include "modelexport/metadata/reader.h"
#include "modelexport/metadata/validate.h"
#include "modelexport/quantize/quantize.h"

namespace modelexport::runtime {
struct Agreement;
struct Fp16RangeReport;
}  // namespace modelexport::runtime

namespace modelexport::cli {

// embed-metadata --json.
Json embed_report_json(const metadata::EmbedReport& r);
// validate --json; `file` as the user named it.
Json validation_report_json(const std::string& file, const metadata::ValidationReport& r);
// unpack / export --json.
Json layout_report_json(const metadata::LayoutReport& r);
// analyze --json's "metadata" (every decodable value, JSON parsed) and "errors" (key → why it does not decode).
Json metadata_values_json(const metadata::ModelMetadata& m);
Json metadata_errors_json(const metadata::ModelMetadata& m);
// quantize --json without the layout fields; "accuracy" when the outputs were compared.
Json quantize_report_json(const std::string& input, const std::string& output, const quantize::QuantizeOptions& options,
                          const quantize::QuantizeReport& r, const runtime::Agreement* agreement, double check_seconds);

// quantize --json's "fp16_range" (fp16 / q4f16): the float16 range check (runtime/fp16_range.h).
Json fp16_range_json(const runtime::Fp16RangeReport& r);

}  // namespace modelexport::cli
