// Where ONNX Runtime's own log goes. ORT logs warnings and errors while it creates and runs sessions
// (unused initializers, optimizer notes, kernel fallbacks); left to itself it prints them to stderr
// with ANSI colours, ahead of the error the caller reports. modelexport's one ORT environment sends
// every record to the sink set here instead. The default sink drops them: failures reach callers as
// RuntimeError anyway. The CLI shows them with --verbose, formatted as its own warnings.
//
//   modelexport::runtime::set_log_sink([](const modelexport::runtime::LogRecord& r) {
//     std::cerr << "onnxruntime " << severity_name(r.severity) << ": " << r.message << "\n";
//   });
//   modelexport::runtime::set_log_sink({});   // drop again
//
// Thread-safety: ORT may log from any thread; the sink is called under a lock, one record at a time,
// and must not call back into the runtime. set_log_sink may be called at any time.
#pragma once

#include <functional>
#include <string>

namespace modelexport::runtime {

enum class LogSeverity { kWarning, kError };  // ORT's warning; error and fatal

struct LogRecord {
  LogSeverity severity = LogSeverity::kWarning;
  std::string source;    // "onnxruntime"
  std::string location;  // where ORT logged it, e.g. "graph.cc:4321 CleanUnusedInitializersAndNodeArgs"
  std::string message;   // one record; ANSI escape sequences removed
};

using LogSink = std::function<void(const LogRecord&)>;

// Replaces the sink; an empty one drops every record (the default).
void set_log_sink(LogSink sink);

// "warning" or "error".
const char* severity_name(LogSeverity severity);

}  // namespace modelexport::runtime
