// libFuzzer target: the ONNX top-level scanner and the graph summary (format/onnx_file.h) on
// arbitrary bytes, the first things every command runs on a file from anywhere.
#include "fuzz_support.h"
#include "modelexport/format/onnx_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelexport;
  fuzz::expect_contract([&] {
    const std::string_view bytes = fuzz::as_view(data, size);
    const format::ModelHeader header = format::scan_model_header(bytes, "fuzz.onnx");
    (void)format::summarize_graph(bytes, header, "fuzz.onnx");
  });
  return 0;
}
