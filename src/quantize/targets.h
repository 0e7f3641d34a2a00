// The execution targets quantize writes for (internal): what an ONNX Runtime build lacks, so that an op
// a target cannot run as written is left as it was, with the reason in the report.
//
//   cpu     onnxruntime-node 1.30.0 (the library our runtime links): everything quantize writes runs.
//   wasm    onnxruntime-web's WASM backend (transformers.js 4.3.1's device 'wasm'): no
//           GatherBlockQuantized ("Could not find an implementation for GatherBlockQuantized(1)").
//   webgpu  onnxruntime-web's WebGPU backend (device 'webgpu'): MatMulNBits computes wrong results
//           when K is not a multiple of block_size (measured in headless Chromium 156 on
//           onnxruntime-web 1.31.0-dev.20260914, tests/browser: a K = 16, block 32 classifier gave
//           0.567 where ONNX Runtime CPU and WASM give 0.862 on the same file; block 16 agrees).
//
//   std::string why = target_limitation({"wasm", "webgpu"}, "GatherBlockQuantized", 384, 32);
//   // "onnxruntime-web's WASM backend has no GatherBlockQuantized kernel (target wasm)"
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace modelexport::quantize {

// cpu, wasm, webgpu.
const std::vector<std::string>& known_targets();

// Throws UsageError naming the known targets for an unknown name.
void check_targets(const std::vector<std::string>& targets);

// Why one of `targets` cannot run `op` (MatMulNBits, GatherBlockQuantized) with reduction length K and
// this block size as quantize would write it; empty when every target can.
std::string target_limitation(const std::vector<std::string>& targets, const std::string& op, int64_t K,
                              int64_t block_size);

// The measured kernel list of a target's ONNX Runtime build (data/kernels/*.txt, compiled in; webgpu
// uses wasm's: onnxruntime-web places the nodes WebGPU lacks on its WASM kernels).
std::string_view kernel_list_text(const std::string& target);

struct TargetFinding {
  std::string target, op;  // op as domain:op_type (empty domain: ai.onnx)
  bool lacking = false;    // true: the build has no kernel for it; false: the list does not cover it
  std::string message;
};

// What `validate --target` reports: every op of the model (all graphs and subgraphs) that a target's
// kernel list marks as missing or does not cover, and (webgpu) MatMulNBits with K not a multiple of
// its block size. Throws FormatError for a file protobuf cannot parse.
std::vector<TargetFinding> check_model_targets(const std::filesystem::path& model,
                                               const std::vector<std::string>& targets);

}  // namespace modelexport::quantize
