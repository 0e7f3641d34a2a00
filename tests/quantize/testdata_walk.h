// The libonnx-testdata walk (issue 10's "done when"): each model × dtype is quantized by the library;
// the run either refuses with a reason and writes nothing, or writes a model that ONNX Runtime loads
// and runs on the test's own input_*.pb, with outputs within the dtype's tolerance of the reference.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace modelexport::test {

enum class WalkOutcome {
  kPassed,            // written, loaded, ran, outputs within tolerance
  kRefused,           // quantize refused with a message and wrote nothing
  kSourceFails,       // written and loads, but the float32 model itself fails in ORT (nothing to compare)
  kLoadCheckRefuses,  // ORT loads neither the source nor the output: the load check refuses it
  kNotFed,            // written and loads, but the walk cannot feed the test's inputs (optional types)
  kLeftOutput,        // failure: refused but a file was left behind
  kLoadFails,         // failure: written, ORT refuses to load it
  kRunFails,          // failure: loads, ORT fails to run it
  kOutOfTolerance,    // failure: runs, outputs outside the tolerance
  kThrew,             // failure: quantize threw something other than modelexport's errors
};
const char* outcome_name(WalkOutcome o);
bool is_failure(WalkOutcome o);

struct WalkResult {
  std::string model;  // e.g. node/test_celu
  std::string dtype;
  WalkOutcome outcome;
  std::string detail;  // the refusal, ORT's message or the worst output error
};

// Walks `models` (model.onnx paths) × `dtypes` in `scratch`. Each quantized file is removed after use.
std::vector<WalkResult> walk_testdata(const std::vector<std::filesystem::path>& models,
                                      const std::vector<std::string>& dtypes, const std::filesystem::path& scratch);

}  // namespace modelexport::test
