#include "quantize/targets.h"

#include <algorithm>

#include "modelexport/common/error.h"

namespace modelexport::quantize {

const std::vector<std::string>& known_targets() {
  static const std::vector<std::string> targets = {"cpu", "wasm", "webgpu"};
  return targets;
}

void check_targets(const std::vector<std::string>& targets) {
  for (const auto& t : targets)
    if (std::find(known_targets().begin(), known_targets().end(), t) == known_targets().end())
      throw UsageError("unknown --target '" + t + "'; expected cpu, wasm or webgpu");
}

std::string target_limitation(const std::vector<std::string>& targets, const std::string& op, int64_t K,
                              int64_t block_size) {
  auto has = [&](const char* t) { return std::find(targets.begin(), targets.end(), t) != targets.end(); };
  if (op == "GatherBlockQuantized" && has("wasm"))
    return "GatherBlockQuantized is not in onnxruntime-web's WASM kernels (target wasm)";
  if (op == "MatMulNBits" && has("webgpu") && K % block_size != 0)
    return "K " + std::to_string(K) + " is not a multiple of the block size " + std::to_string(block_size) +
           ": onnxruntime-web's WebGPU MatMulNBits computes it wrongly (target webgpu)";
  return "";
}

}  // namespace modelexport::quantize
