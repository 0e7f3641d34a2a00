// CTest fixture fp16_range_models: writes the float16 range check's models (support/onnx_builder.h
// matmul_layernorm_model, the ones quantize_test's Float16Range test builds) as OUT/big.onnx (its
// MatMul passes float16's range) and OUT/small.onnx (nothing does), for the Python package's test
// of modelexport.quantize's fp16_range report.
#include <cstdio>
#include <exception>
#include <filesystem>

#include "support/onnx_builder.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_fp16_range_models OUT_DIR\n");
    return 2;
  }
  try {
    const std::filesystem::path out = argv[1];
    std::filesystem::create_directories(out);
    modelexport::test::save_model(modelexport::test::matmul_layernorm_model(4000.0f), out / "big.onnx");
    modelexport::test::save_model(modelexport::test::matmul_layernorm_model(0.01f), out / "small.onnx");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "write_fp16_range_models: %s\n", e.what());
    return 1;
  }
  return 0;
}
