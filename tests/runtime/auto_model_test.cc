// AutoModel's session settings: SessionOptions::exact_int8_matmul gives ONNX's MatMulInteger sums
// (int32, no saturation) on every x86 CPU, which ONNX Runtime's default U8S8 kernels on CPUs without
// VNNI (VPMADDUBSW: int16 pair sums saturate at 32767) do not; and a model whose int8 weight two
// MatMulIntegers share, which ONNX Runtime 1.30's exact mode cannot load, still loads.
// Expected values are the ONNX operator definitions' sums, computed here in int64.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "modelexport/runtime/auto_model.h"
#include "support/onnx_builder.h"
#include "support/test_support.h"

namespace modelexport::runtime {
namespace {

constexpr int64_t kRows = 4, kDepth = 64, kCols = 16;

// x [4, 64] float in [0, 255] with both ends present, so DynamicQuantizeLinear's scale is 1 and its
// zero point 0: xq == x. y = Cast(MatMulInteger(xq, W int8 [64, 16], zero point)) as float; with
// `shared`, a second MatMulInteger over Relu(x)'s quantization reads the same W.
onnx::ModelProto int8_matmul_model(const std::vector<int8_t>& w, bool shared) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("int8_matmul");
  test::set_value(g->add_input(), "x", onnx::TensorProto::FLOAT, {kRows, kDepth});
  auto* t = g->add_initializer();
  t->set_name("W");
  t->set_data_type(onnx::TensorProto::INT8);
  t->add_dims(kDepth);
  t->add_dims(kCols);
  t->set_raw_data(std::string(reinterpret_cast<const char*>(w.data()), w.size()));
  auto quantize = [&](const std::string& in, const std::string& prefix) {
    auto* q = test::add_node(g, "DynamicQuantizeLinear", {in}, prefix + "_q");
    q->add_output(prefix + "_scale");
    q->add_output(prefix + "_zp");
    test::add_node(g, "MatMulInteger", {prefix + "_q", "W", prefix + "_zp"}, prefix + "_i32");
    auto* to = test::add_node(g, "Cast", {prefix + "_i32"}, prefix)->add_attribute();
    to->set_name("to");
    to->set_type(onnx::AttributeProto::INT);
    to->set_i(onnx::TensorProto::FLOAT);
    test::set_value(g->add_output(), prefix, onnx::TensorProto::FLOAT, {kRows, kCols});
  };
  quantize("x", "y");
  if (shared) {
    test::add_node(g, "Relu", {"x"}, "x_relu");
    quantize("x_relu", "z");
  }
  return m;
}

std::vector<float> exact_product(const std::vector<float>& x, const std::vector<int8_t>& w) {
  std::vector<float> y(kRows * kCols);
  for (int64_t r = 0; r < kRows; ++r)
    for (int64_t c = 0; c < kCols; ++c) {
      int64_t sum = 0;
      for (int64_t k = 0; k < kDepth; ++k)
        sum += static_cast<int64_t>(x[r * kDepth + k]) * static_cast<int64_t>(w[k * kCols + c]);
      y[r * kCols + c] = static_cast<float>(sum);
    }
  return y;
}

TEST(ExactInt8Matmul, ProductsAreOnnxsSumsOnEveryCpu) {
  struct Case {
    std::string what;
    uint8_t x_fill;
    int8_t w_fill;
  };
  // 255 x 127 pairs sum to 64,770 and 255 x -128 to -65,280: past int16 in VPMADDUBSW's pair sums.
  const std::vector<Case> table = {{"large positive pairs", 255, 127},
                                   {"large negative pairs", 255, -128},
                                   {"small values", 3, -5},
                                   {"mixed values", 0, 0}};
  test::ScratchDir dir;
  for (const auto& c : table) {
    std::vector<float> x(kRows * kDepth, static_cast<float>(c.x_fill));
    std::vector<int8_t> w(kDepth * kCols, c.w_fill);
    if (c.what == "mixed values")
      for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>((i * 37) % 256);
    if (c.what == "mixed values")
      for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<int8_t>(static_cast<int>((i * 53) % 256) - 128);
    x[0] = 0;  // both ends of [0, 255]: DynamicQuantizeLinear maps x to itself
    x[1] = 255;
    const auto path = dir / "int8.onnx";
    test::save_model(int8_matmul_model(w, false), path);
    AutoModel model = AutoModel::from_model(path, SessionOptions{});
    auto out = model.run({{"x", Tensor::float32({kRows, kDepth}, x)}});
    EXPECT_EQ(out.at("y").f32, exact_product(x, w)) << c.what;
  }
}

TEST(ExactInt8Matmul, ASharedInt8WeightStillLoads) {
  test::ScratchDir dir;
  std::vector<float> x(kRows * kDepth, 2.0f);
  x[0] = 0;
  x[1] = 255;
  std::vector<int8_t> w(kDepth * kCols, 3);
  const auto path = dir / "shared.onnx";
  test::save_model(int8_matmul_model(w, true), path);
  for (bool exact : {true, false}) {
    SessionOptions o;
    o.exact_int8_matmul = exact;
    AutoModel model = AutoModel::from_model(path, o);
    auto out = model.run({{"x", Tensor::float32({kRows, kDepth}, x)}});
    EXPECT_EQ(out.at("y").f32, exact_product(x, w)) << "exact " << exact;
    EXPECT_EQ(out.at("z").f32, exact_product(x, w)) << "exact " << exact;  // Relu(x) == x here
  }
}

}  // namespace
}  // namespace modelexport::runtime
