// libFuzzer target: the quantizer's graph side (src/quantize) on any ModelProto protobuf can
// parse: the weight rewrite for q4 and q8, and the float16 conversion. External data is refused
// (the model dir is an empty path the target never creates) so the target reads nothing from disk.
#include <onnx/onnx_pb.h>

#include "fuzz_support.h"
#include "quantize/float16.h"
#include "quantize/rewriter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace modelexport;
  if (size > (1u << 20)) return 0;
  onnx::ModelProto parsed;
  if (!parsed.ParseFromArray(data, static_cast<int>(size))) return 0;
  for (const char* dtype : {"q4", "q8"}) {
    onnx::ModelProto model = parsed;
    quantize::QuantizeOptions options;
    options.dtype = dtype;
    fuzz::expect_contract([&] { (void)quantize::rewrite_weights(model, "/nonexistent-fuzz-dir", options); });
  }
  onnx::ModelProto model = parsed;
  fuzz::expect_contract([&] { (void)quantize::convert_to_float16(model, quantize::default_fp16_block_list()); });
  return 0;
}
