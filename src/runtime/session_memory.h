// How much memory an ONNX Runtime CPU session for a model will take, estimated from its initializers
// before the session is made, so quantize's checks skip a model the machine cannot hold instead of
// being killed by the kernel's OOM killer half way (issue 10: gemma-3-4b's 7.9 GB float16 decoder took
// 23.4 GB and was killed). Internal to the runtime layer.
//
// Measured with onnxruntime-node 1.30.0's libonnxruntime (tests/runtime/session_memory_test.cc keeps
// the rule honest on a real session): the CPU execution provider has no float16 kernel for MatMul,
// Conv, Add and most math, so it inserts Casts that turn float16 weights into float32 copies. With
// every optimization (level 99) constant folding replaces each weight by its float32 copy (2 bytes of
// float16 become 4), and while it folds the largest one both its copies are held once more (the peak:
// gemma-3-4b's float16 decoder, 7.9 GB of weights with a 1.3 GB embedding, peaked at 18.9 GB); at
// levels 0-2 the Casts run in the session and the float16 weight stays beside its copy (2 become 6;
// the same decoder was killed at 23.4 GB). Data movement (Gather, Reshape, Concat, ...) has float16 kernels: their
// weights stay as they are.
//
//   SessionMemory need = estimate_session_memory(model_path);
//   if (auto why = memory_shortfall(need, 0, "the float16 range check's copy of " + name); !why.empty())
//     report.skipped = why;  // "... needs about 21.1 GB in ONNX Runtime's CPU session; 17.9 GB is available ..."
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace modelexport::runtime {

struct SessionMemory {
  uint64_t plain_bytes = 0;         // initializers kept as they are (float32, integers, float16 feeding data movement)
  uint64_t cast_float16_bytes = 0;  // float16 initializers some consumer needs as float32 on CPU
  uint64_t largest_cast_bytes = 0;  // the largest of them
  // The session's estimated resident size at an optimization level (0, 1, 2 or 99).
  uint64_t at_level(int graph_optimization_level) const;
};

// Sums the initializers of every graph (subgraphs included) by the rule above; external data is
// counted from the tensors' dims, not read. Throws FormatError when the model cannot be parsed.
SessionMemory estimate_session_memory(const std::filesystem::path& model);

// The memory the checks may use: MODELEXPORT_CHECK_MEMORY_BYTES when set (a positive integer, else
// UsageError), otherwise MemAvailable from /proc/meminfo at the time of the call (0 when unknown:
// then no check is skipped for memory).
uint64_t check_memory_budget();

// Empty when `need.at_level(level)` fits the budget; otherwise why not, for a report's `skipped`:
// "<what> needs about 21.1 GB in ONNX Runtime's CPU session (6.6 GB of float16 weights cast to
// float32), 17.9 GB is available (MODELEXPORT_CHECK_MEMORY_BYTES overrides)".
std::string memory_shortfall(const SessionMemory& need, int graph_optimization_level, const std::string& what);

}  // namespace modelexport::runtime
