// Inside the runtime layer: the ONNX Runtime session an AutoModel owns, for runners that drive it
// with Ort::IoBinding (the KV-cache decoder) instead of AutoModel::run. The session lives as long as
// the AutoModel; ORT sessions are thread-safe, bindings are not (one per runner).
#pragma once

#include <onnxruntime_cxx_api.h>

#include "modelexport/runtime/auto_model.h"

namespace modelexport::runtime {

struct AutoModelAccess {
  static Ort::Session& session(const AutoModel& model);
};

}  // namespace modelexport::runtime
