// The process-wide ONNX Runtime environment and its log: the environment is created here because
// ORT fixes an environment's logger when it is created.
#include "modelexport/runtime/logging.h"

#include <onnxruntime_cxx_api.h>

#include <mutex>

namespace modelexport::runtime {
namespace {

struct SinkState {
  std::mutex mutex;
  LogSink sink;
};

// Never destroyed: ORT may log while static objects are torn down at exit.
SinkState& state() {
  static SinkState* s = new SinkState;
  return *s;
}

// ESC [ parameters final-byte (CSI) sequences, which colour terminal output, removed.
std::string without_escapes(const char* text) {
  std::string out;
  for (const char* p = text ? text : ""; *p; ++p) {
    if (*p == '\x1b' && p[1] == '[') {
      p += 2;
      while (*p && !(*p >= 0x40 && *p <= 0x7e)) ++p;
      if (!*p) break;
      continue;
    }
    out += *p;
  }
  return out;
}

void ORT_API_CALL forward(void*, OrtLoggingLevel severity, const char* category, const char* /*logid*/,
                          const char* code_location, const char* message) {
  LogRecord r;
  r.severity = severity >= ORT_LOGGING_LEVEL_ERROR ? LogSeverity::kError : LogSeverity::kWarning;
  (void)category;  // "onnxruntime" for every record ORT itself writes
  r.source = "onnxruntime";
  r.location = without_escapes(code_location);
  r.message = without_escapes(message);
  SinkState& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.sink) s.sink(r);
}

}  // namespace

void set_log_sink(LogSink sink) {
  SinkState& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  s.sink = std::move(sink);
}

const char* severity_name(LogSeverity severity) { return severity == LogSeverity::kError ? "error" : "warning"; }

// The process-wide ORT environment (session_info.cc, auto_model.cc): warnings and above, all to
// forward() (verbose and info records are not produced at all).
Ort::Env& ort_env() {
  static Ort::Env instance(ORT_LOGGING_LEVEL_WARNING, "modelexport", forward, nullptr);
  return instance;
}

}  // namespace modelexport::runtime
