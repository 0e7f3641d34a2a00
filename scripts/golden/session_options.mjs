// The session_options every golden script gives transformers.js (pipeline / from_pretrained), so its
// ONNX Runtime runs the kernels ours runs: session.x64quantprecision "1" makes ONNX Runtime's 8-bit
// matrix products exact on x86 CPUs without VNNI, as our SessionOptions::exact_int8_matmul (on by
// default) does (onnxruntime_session_options_config_keys.h). A fresh object per call.
export function sessionOptions() {
  return { extra: { session: { x64quantprecision: "1" } } };
}
