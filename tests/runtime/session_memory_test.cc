// session_memory: which initializers ONNX Runtime's CPU session keeps as they are and which it casts
// to float32 (a table of one-node models), the budget's variable, and the rule held against a real
// onnxruntime 1.30 session's resident memory.
#include "runtime/session_memory.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <random>

#include "format/model_proto.h"
#include "modelexport/common/error.h"
#include "modelexport/runtime/auto_model.h"
#include "support/onnx_builder.h"
#include "support/test_support.h"

namespace modelexport::runtime {
namespace {

namespace fs = std::filesystem;

void add_half_initializer(onnx::GraphProto* g, const std::string& name, std::vector<int64_t> dims, unsigned seed) {
  auto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT16);
  int64_t count = 1;
  for (auto d : dims) t->add_dims(d), count *= d;
  std::string raw(static_cast<size_t>(count) * 2, '\0');
  std::mt19937 rng(seed);
  for (size_t i = 0; i < raw.size(); i += 2) raw[i + 1] = static_cast<char>(0x20 + rng() % 0x10);  // small normals
  t->set_raw_data(raw);
}

// x [1, K] -> op(x, w) -> y, w a K x K initializer of `type`.
onnx::ModelProto one_node(const std::string& op, int type, int64_t K) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("g");
  if (type == onnx::TensorProto::FLOAT16) add_half_initializer(g, "w", {K, K}, 1);
  else test::add_float_initializer(g, "w", {K, K}, std::vector<float>(static_cast<size_t>(K * K), 0.5f));
  test::set_value(g->add_input(), "x", op == "Gather" ? onnx::TensorProto::INT64 : type, {1, K});
  test::add_node(g, op, op == "Gather" ? std::vector<std::string>{"w", "x"} : std::vector<std::string>{"x", "w"}, "y");
  test::set_value(g->add_output(), "y", type, {});
  return m;
}

TEST(SessionMemory, CountsWhatTheCpuSessionCastsToFloat32) {
  struct Row {
    const char* what;
    std::string op;
    int type;
    uint64_t plain, cast;
  };
  const int64_t K = 64;
  const uint64_t half = K * K * 2, single = K * K * 4;
  const std::vector<Row> rows = {
      {"float32 MatMul weight: kept", "MatMul", onnx::TensorProto::FLOAT, single, 0},
      {"float16 MatMul weight: cast", "MatMul", onnx::TensorProto::FLOAT16, 0, half},
      {"float16 Add operand: cast", "Add", onnx::TensorProto::FLOAT16, 0, half},
      {"float16 Gather table: kept (data movement)", "Gather", onnx::TensorProto::FLOAT16, half, 0},
  };
  test::ScratchDir dir;
  for (const auto& row : rows) {
    SCOPED_TRACE(row.what);
    onnx::ModelProto m = one_node(row.op, row.type, K);
    format::save_model_proto(m, dir / "m.onnx", /*external_data=*/true);  // counted from dims, not read
    SessionMemory s = estimate_session_memory(dir / "m.onnx");
    EXPECT_EQ(s.plain_bytes, row.plain);
    EXPECT_EQ(s.cast_float16_bytes, row.cast);
    EXPECT_EQ(s.at_level(0), row.plain + 3 * row.cast);
    EXPECT_EQ(s.largest_cast_bytes, row.cast);  // one weight
    EXPECT_EQ(s.at_level(99), row.plain + 4 * row.cast);
  }
}

// A merged decoder keeps its weights in the main graph and uses them inside If branches.
TEST(SessionMemory, WeightsUsedInsideSubgraphsCount) {
  onnx::ModelProto m = one_node("Identity", onnx::TensorProto::FLOAT16, 32);
  auto* g = m.mutable_graph();
  g->mutable_node()->Clear();
  auto* branch = new onnx::GraphProto();
  branch->set_name("then");
  test::add_node(branch, "MatMul", {"x", "w"}, "z");
  test::set_value(branch->add_output(), "z", onnx::TensorProto::FLOAT16, {});
  onnx::NodeProto* node = test::add_node(g, "If", {"cond"}, "y");
  auto* a = node->add_attribute();
  a->set_name("then_branch");
  a->set_type(onnx::AttributeProto::GRAPH);
  a->set_allocated_g(branch);
  test::ScratchDir dir;
  format::save_model_proto(m, dir / "m.onnx", false);
  EXPECT_EQ(estimate_session_memory(dir / "m.onnx").cast_float16_bytes, 32u * 32 * 2);
}

TEST(SessionMemory, BudgetVariableAndShortfallMessage) {
  SessionMemory need{1'000'000'000, 6'600'000'000, 1'300'000'000};
  {
    test::EnvGuard env({{"MODELEXPORT_CHECK_MEMORY_BYTES", "17900000000"}});
    EXPECT_EQ(check_memory_budget(), 17'900'000'000u);
    EXPECT_EQ(memory_shortfall(need, 0, "'m.onnx'"),
              "'m.onnx' needs about 20.8 GB in ONNX Runtime's CPU session (6.6 GB of float16 weights cast to "
              "float32), 17.9 GB is available (MODELEXPORT_CHECK_MEMORY_BYTES overrides)");
    EXPECT_EQ(memory_shortfall(need, 99, "'m.onnx'"), "");  // 16.8 GB fits
  }
  for (const char* bad : {"0", "-5", "12GB", "1e9"}) {
    test::EnvGuard env({{"MODELEXPORT_CHECK_MEMORY_BYTES", bad}});
    EXPECT_THROW(check_memory_budget(), UsageError) << bad;
  }
  test::EnvGuard unset({{"MODELEXPORT_CHECK_MEMORY_BYTES", ""}});
  ::unsetenv("MODELEXPORT_CHECK_MEMORY_BYTES");
  EXPECT_GT(check_memory_budget(), 0u);  // MemAvailable
}

uint64_t resident_bytes() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  return 0;
}

// The rule against the real thing: a chain of 64 float16 MatMuls (128 MB of weights in external data),
// run once; the session's resident growth is within 25% of the estimate at levels 0 and 99
// (measured on onnxruntime 1.30: 3.07x and 2.0x the float16 bytes for a 1 GB chain).
TEST(SessionMemory, EstimateHoldsForARealSession) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "the sanitizers' allocators change resident memory";
#endif
  const int64_t K = 1024, layers = 64;
  test::ScratchDir dir;
  {
    onnx::ModelProto m;
    m.set_ir_version(8);
    m.add_opset_import()->set_version(17);
    auto* g = m.mutable_graph();
    g->set_name("chain");
    test::set_value(g->add_input(), "h0", onnx::TensorProto::FLOAT16, {1, K});
    for (int64_t i = 0; i < layers; ++i) {
      add_half_initializer(g, "w" + std::to_string(i), {K, K}, static_cast<unsigned>(i));
      test::add_node(g, "MatMul", {"h" + std::to_string(i), "w" + std::to_string(i)}, "h" + std::to_string(i + 1));
    }
    test::set_value(g->add_output(), "h" + std::to_string(layers), onnx::TensorProto::FLOAT16, {1, K});
    format::save_model_proto(m, dir / "chain.onnx", /*external_data=*/true);
  }
  SessionMemory need = estimate_session_memory(dir / "chain.onnx");
  ASSERT_EQ(need.cast_float16_bytes, static_cast<uint64_t>(layers * K * K * 2));
  for (int level : {0, 99}) {
    SCOPED_TRACE(level);
    // Each session in a child process of its own: a process's resident size does not shrink back
    // reliably after a session is gone, so a second session in the same process would measure both.
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(fds[0]);
      const uint64_t before = resident_bytes();
      SessionOptions o;
      o.graph_optimization_level = level;
      o.intra_op_threads = 1;
      AutoModel model = AutoModel::from_model(dir / "chain.onnx", o);
      model.run({{"h0", Tensor::float32({1, K}, std::vector<float>(K, 0.1f))}});  // fed as float16
      const uint64_t grown = resident_bytes() - before;
      ssize_t written = ::write(fds[1], &grown, sizeof grown);
      ::_exit(written == sizeof grown ? 0 : 1);
    }
    ::close(fds[1]);
    uint64_t grown = 0;
    ssize_t got = ::read(fds[0], &grown, sizeof grown);
    ::close(fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_EQ(got, static_cast<ssize_t>(sizeof grown));
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    const double growth = static_cast<double>(grown);
    const double estimate = static_cast<double>(need.at_level(level));
    std::printf("level %d: %.1f MB grown, %.1f MB estimated (%.2fx the float16 weights)\n", level, growth / 1e6,
                estimate / 1e6, growth / static_cast<double>(need.cast_float16_bytes));
    EXPECT_GT(growth, 0.8 * estimate) << growth / 1e6 << " MB grown, " << estimate / 1e6 << " MB estimated";
    EXPECT_LT(growth, 1.25 * estimate) << growth / 1e6 << " MB grown, " << estimate / 1e6 << " MB estimated";
  }
}

}  // namespace
}  // namespace modelexport::runtime
