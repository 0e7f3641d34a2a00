// fp16 per op and opset, on libonnx-testdata's own models: which ops run in float16 and which stay
// float32 follows the ONNX operator schemas (Operators.md of ONNX 1.12, the version libonnx ships),
// and ONNX Runtime loads every result; the load check names the op ORT complains about.
#include <gtest/gtest.h>
#include <onnx/shape_inference/implementation.h>

#include <map>
#include <set>

#include "modelexport/common/error.h"
#include "modelexport/quantize/quantize.h"
#include "quantize/onnxruntime_check.h"
#include "support/onnx_builder.h"
#include "support/test_support.h"

namespace modelexport::quantize {
namespace {

namespace fs = std::filesystem;
constexpr int kFloat = onnx::TensorProto::FLOAT, kHalf = onnx::TensorProto::FLOAT16;

fs::path testdata(const std::string& name) { return test::onnx_testdata_dir() / name / "model.onnx"; }

// Element type of every value of the model's main graph, by ONNX's inference.
std::map<std::string, int> element_types(onnx::ModelProto m) {
  onnx::shape_inference::InferShapes(m);
  std::map<std::string, int> t;
  for (const auto* list : {&m.graph().input(), &m.graph().value_info(), &m.graph().output()})
    for (const auto& v : *list) t[v.name()] = v.type().tensor_type().elem_type();
  for (const auto& i : m.graph().initializer()) t[i.name()] = i.data_type();
  return t;
}

struct OpCase {
  const char* model;  // under libonnx-testdata's data/
  const char* op;
  int input;        // a float input of the op
  int computes_in;  // its element type after fp16
  const char* why;  // the schema fact (ONNX 1.12 Operators.md) or ORT fact behind it
};

const OpCase kCases[] = {
    {"node/test_relu", "Relu", 0, kHalf, "Relu-14 T includes float16"},
    {"node/test_softmax_axis_0", "Softmax", 0, kHalf,
     "Softmax-13 T includes float16; its function body is type-generic"},
    {"node/test_hardswish", "HardSwish", 0, kHalf,
     "HardSwish-14 T includes float16; its function body is type-generic"},
    {"node/test_layer_normalization_2d_axis0", "LayerNormalization", 0, kHalf,
     "LayerNormalization-17 T includes float16 (Mean/InvStdDev are U: float)"},
    {"pytorch-converted/test_Conv2d", "Conv", 0, kHalf,
     "Conv-1 T includes float16 (an opset-6 model whose weights are also graph inputs)"},
    {"node/test_celu", "Celu", 0, kFloat, "Celu-12 T is tensor(float) only"},
    {"node/test_isinf", "IsInf", 0, kFloat, "IsInf-10 T1 is float or double"},
    {"node/test_range_float_type_positive_delta", "Range", 0, kFloat, "Range-11 T has no float16"},
    {"node/test_quantizelinear", "QuantizeLinear", 0, kFloat, "QuantizeLinear-13 T1 is float or int32"},
    {"node/test_dequantizelinear", "DequantizeLinear", 1, kFloat, "DequantizeLinear-13 x_scale is tensor(float)"},
    {"node/test_qlinearmatmul_2D", "QLinearMatMul", 1, kFloat, "QLinearMatMul-10 a_scale is tensor(float)"},
    {"node/test_qlinearconv", "QLinearConv", 1, kFloat, "QLinearConv-10 x_scale is tensor(float)"},
    {"node/test_dynamicquantizelinear_expanded", "QuantizeLinear", 0, kFloat,
     "DynamicQuantizeLinear's expansion: QuantizeLinear-13"},
    {"node/test_mvn", "MeanVarianceNormalization", 0, kFloat,
     "MVN-13's function body adds a float Constant (epsilon) to X"},
    {"node/test_nonmaxsuppression_two_batches", "NonMaxSuppression", 0, kFloat, "transformers.js' block list"},
    {"node/test_scatternd_add", "ScatterND", 0, kFloat,
     "ORT 1.30's ScatterND has no float16 kernel with reduction 'add'"},
};

TEST(Float16Ops, EachOpFollowsItsSchemaAtTheModelsOpsetAndOrtLoadsTheResult) {
  if (test::onnx_testdata_dir().empty()) GTEST_SKIP() << "libonnx-testdata is not installed";
  test::ScratchDir dir;
  QuantizeOptions o;
  o.dtype = "fp16";
  o.show_progress = false;
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.model);
    fs::path out = dir / (fs::path(c.model).filename().string() + ".onnx");
    quantize_model(testdata(c.model), out, o);
    EXPECT_NO_THROW(check_onnxruntime_loads(out));
    onnx::ModelProto m = test::load_model(out);
    auto types = element_types(m);
    int seen = 0;
    for (const auto& n : m.graph().node()) {
      if (n.op_type() != c.op) continue;
      ++seen;
      EXPECT_EQ(types[n.input(c.input)], c.computes_in) << c.op << ": " << c.why;
    }
    EXPECT_GT(seen, 0) << c.op;
    // Graph inputs and outputs keep their float32 type (initializers listed as inputs, IR < 4, are
    // the weights: declared float16 with them).
    std::set<std::string> weights;
    for (const auto& t : m.graph().initializer()) weights.insert(t.name());
    for (const auto& i : m.graph().input())
      EXPECT_EQ(i.type().tensor_type().elem_type() == kHalf, weights.count(i.name()) > 0) << i.name();
    for (const auto& y : m.graph().output()) EXPECT_NE(y.type().tensor_type().elem_type(), kHalf) << y.name();
  }
}

// A Cast is never put on a value that is not float32: NonMaxSuppression's selected_indices (int64)
// leaves the graph as it came; LayerNormalization's float32 Mean/InvStdDev are not cast either.
TEST(Float16Ops, NoCastOnNonFloatOrFloat32Outputs) {
  if (test::onnx_testdata_dir().empty()) GTEST_SKIP() << "libonnx-testdata is not installed";
  test::ScratchDir dir;
  QuantizeOptions o;
  o.dtype = "fp16";
  o.show_progress = false;
  for (const char* model : {"node/test_nonmaxsuppression_two_batches", "node/test_layer_normalization_2d_axis0"}) {
    SCOPED_TRACE(model);
    quantize_model(testdata(model), dir / "h.onnx", o);
    onnx::ModelProto m = test::load_model(dir / "h.onnx");
    auto types = element_types(m);
    for (const auto& n : m.graph().node())
      if (n.op_type() == "Cast")
        EXPECT_EQ(types[n.input(0)] == kFloat || types[n.input(0)] == kHalf, true) << n.input(0);
    std::map<std::string, std::string> producer;
    for (const auto& n : m.graph().node())
      for (const auto& y : n.output()) producer[y] = n.op_type();
    if (std::string(model).find("nonmax") != std::string::npos) {
      EXPECT_EQ(producer["selected_indices"], "NonMaxSuppression");
    } else {
      EXPECT_EQ(producer["Mean"], "LayerNormalization");
      EXPECT_EQ(producer["InvStdDev"], "LayerNormalization");
    }
  }
}

// Before opset 6, Cast takes a string `to` and ORT has no kernel for it (not even for the Casts its
// own CPU provider inserts), so no float16 value can run: refused with the reason, nothing written.
TEST(Float16Ops, OpsetBelowSixIsRefusedAndNothingIsWritten) {
  if (test::onnx_testdata_dir().empty()) GTEST_SKIP() << "libonnx-testdata is not installed";
  test::ScratchDir dir;
  QuantizeOptions o;
  o.dtype = "fp16";
  o.show_progress = false;
  for (const char* model : {"node/test_softplus", "node/test_globalmaxpool"}) {
    try {
      quantize_model(testdata(model), dir / "h.onnx", o);
      ADD_FAILURE() << model << " was converted";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("uses opset 1; float16 needs opset 6 or later"), std::string::npos)
          << e.what();
    }
    EXPECT_TRUE(test::list_files(dir.path()).empty());
  }
}

// The load check: a model ORT refuses is a FormatError naming the op and the node.
TEST(OnnxRuntimeCheck, RefusedModelNamesTheOpAndNode) {
  if (test::onnx_testdata_dir().empty()) GTEST_SKIP() << "libonnx-testdata is not installed";
  test::ScratchDir dir;
  fs::path good = testdata("node/test_celu");
  EXPECT_NO_THROW(check_onnxruntime_loads(good));
  // Celu fed float16, as the conversion wrote it before it read the schema.
  onnx::ModelProto m = test::load_model(good);
  auto* g = m.mutable_graph();
  onnx::NodeProto cast;
  cast.set_op_type("Cast");
  cast.add_input(g->node(0).input(0));
  cast.add_output("X_fp16");
  auto* to = cast.add_attribute();
  to->set_name("to");
  to->set_type(onnx::AttributeProto::INT);
  to->set_i(kHalf);
  g->mutable_node(0)->set_input(0, "X_fp16");
  g->mutable_node(0)->set_name("celu_node");
  *g->add_node() = cast;
  g->mutable_node()->SwapElements(0, 1);
  g->mutable_output(0)->mutable_type()->mutable_tensor_type()->set_elem_type(kHalf);
  test::save_model(m, dir / "bad.onnx");
  for (int bytes = 0; bytes < 2; ++bytes) {
    try {
      if (bytes) check_onnxruntime_loads(m.SerializeAsString(), "the float16 model");
      else check_onnxruntime_loads(dir / "bad.onnx");
      ADD_FAILURE() << "ORT loaded a float16 Celu";
    } catch (const FormatError& e) {
      std::string w = e.what();
      EXPECT_NE(w.find("ONNX Runtime cannot load " +
                       std::string(bytes ? "the float16 model" : "'" + (dir / "bad.onnx").string() + "'")),
                std::string::npos)
          << w;
      EXPECT_NE(w.find("(op Celu, node 'celu_node')"), std::string::npos) << w;
    }
  }
}

// ORT 1.30's own messages (as it printed them for this walk's formerly refused outputs) → op, node.
TEST(OnnxRuntimeCheck, ParsesTheOpAndNodeOutOfOrtsMessages) {
  struct Case {
    const char* message;
    const char* op;
    const char* node;
    bool named_node;
  } cases[] = {
      {"This is an invalid model. Type Error: Type 'tensor(float16)' of input parameter (X_fp16) of operator (Celu) in "
       "node () is invalid.",
       "Celu", "", true},
      {"Type Error: Type (tensor(int64)) of output arg (selected_indices) of node (selected_indices_Cast8) does not "
       "match expected type (tensor(float16)).",
       "", "selected_indices_Cast8", true},
      {"Node () Op (SequenceMap) [TypeInferenceError] Graph attribute inferencing failed: Node: Tensor element type "
       "mismatch. 1 != 10",
       "SequenceMap", "", true},
      {"This is an invalid model. In Node, (\"x_fp16_Cast0\", Cast, \"\", -1) : (\"x\": tensor(float),) -> "
       "(\"x_fp16\",) , Error Mismatched attribute type in 'x_fp16_Cast0 : to'. Expected: 'STRING', actual: 'INT'",
       "Cast", "x_fp16_Cast0", true},
      {"Type Error: Type parameter (T) of Optype (Add) bound to different types (tensor(float16) and tensor(float) in "
       "node ().",
       "Add", "", true},
      {"Could not find an implementation for Add(6) node with name ''", "Add", "", true},
      {"Failed to find kernel for Pow(15) (node:'' ep:'CPUExecutionProvider'). Op with name () domain () and type "
       "(Pow) kernel is not supported in CPUExecutionProvider.",
       "Pow", "", true},
      {"Protobuf parsing failed.", "", "", false},
  };
  for (const auto& c : cases) {
    OrtComplaint got = parse_onnxruntime_error(c.message);
    EXPECT_EQ(got.op, c.op) << c.message;
    EXPECT_EQ(got.node, c.node) << c.message;
    EXPECT_EQ(got.named_node, c.named_node) << c.message;
  }
}

}  // namespace
}  // namespace modelexport::quantize
