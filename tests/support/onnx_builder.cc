#include "support/onnx_builder.h"

#include <fcntl.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <random>
#include <stdexcept>

#include "format/wire.h"

namespace modelexport::test {

namespace {
void set_shape(onnx::ValueInfoProto* v, const std::string& name, int elem_type, const std::vector<std::string>& dims) {
  v->set_name(name);
  auto* t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(elem_type);
  auto* shape = t->mutable_shape();
  for (const auto& d : dims) {
    auto* dim = shape->add_dim();
    if (!d.empty() && std::isdigit(static_cast<unsigned char>(d[0]))) dim->set_dim_value(std::stoll(d));
    else dim->set_dim_param(d);
  }
}
}  // namespace

onnx::ModelProto make_model(const std::vector<InputSpec>& inputs) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("modelexport-tests");
  auto* op = m.add_opset_import();
  op->set_domain("");
  op->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("test_graph");
  for (const auto& in : inputs) set_shape(g->add_input(), in.name, in.elem_type, in.dims);
  auto* node = g->add_node();
  node->set_op_type("Identity");
  node->add_input(inputs.front().name);
  node->add_output("output");
  set_shape(g->add_output(), "output", inputs.front().elem_type, inputs.front().dims);
  auto* w = g->add_initializer();
  w->set_name("unused_weight");
  w->set_data_type(onnx::TensorProto_DataType_FLOAT);
  w->add_dims(2);
  w->add_float_data(1.0f);
  w->add_float_data(2.0f);
  return m;
}

void save_model(const onnx::ModelProto& model, const std::filesystem::path& path) {
  std::ofstream out(path, std::ios::binary);
  if (!model.SerializeToOstream(&out)) throw std::runtime_error("cannot write " + path.string());
}

onnx::ModelProto load_model(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  onnx::ModelProto m;
  if (!m.ParseFromIstream(&in)) throw std::runtime_error("protobuf cannot parse " + path.string());
  return m;
}

void write_external_data_model(const std::filesystem::path& path,
                               const std::vector<std::pair<std::string, std::string>>& external_data,
                               const std::string& data_file, const std::string& data) {
  onnx::ModelProto m = make_model({{"x", onnx::TensorProto_DataType_FLOAT, {"4"}}});
  auto* g = m.mutable_graph();
  g->clear_node();
  g->clear_initializer();
  auto* node = g->add_node();
  node->set_op_type("Add");
  node->add_input("x");
  node->add_input("w");
  node->add_output("output");
  auto* w = g->add_initializer();
  w->set_name("w");
  w->set_data_type(onnx::TensorProto_DataType_FLOAT);
  w->add_dims(4);
  w->set_data_location(onnx::TensorProto_DataLocation_EXTERNAL);
  for (const auto& [k, v] : external_data) {
    auto* e = w->add_external_data();
    e->set_key(k);
    e->set_value(v);
  }
  save_model(m, path);
  if (!data_file.empty()) std::ofstream(path.parent_path() / data_file, std::ios::binary) << data;
}

void write_external_data_model(const std::filesystem::path& path, const std::string& data_name) {
  float data[4] = {1, 2, 3, 4};
  write_external_data_model(path, {{"location", data_name}, {"offset", "0"}, {"length", "16"}}, data_name,
                            std::string(reinterpret_cast<const char*>(data), sizeof data));
}

uint64_t write_large_sparse_model(const std::filesystem::path& path, uint64_t payload) {
  using format::append_len_field;
  using format::append_varint;
  // TensorProto header: dims (1), data_type (2) = UINT8, name (8), then raw_data (9) of `payload` bytes.
  std::string tensor_head;
  append_varint(tensor_head, 1 << 3 | 0);
  append_varint(tensor_head, payload);
  append_varint(tensor_head, 2 << 3 | 0);
  append_varint(tensor_head, 2);
  append_len_field(tensor_head, 8, "big");
  append_varint(tensor_head, 9 << 3 | 2);
  append_varint(tensor_head, payload);
  uint64_t tensor_len = tensor_head.size() + payload;

  onnx::ModelProto small = make_model({{"x", onnx::TensorProto_DataType_FLOAT, {"batch", "4"}}});
  small.mutable_graph()->clear_initializer();
  std::string graph_rest = small.graph().SerializeAsString();
  std::string graph_head = graph_rest;
  append_varint(graph_head, 5 << 3 | 2);  // initializer
  append_varint(graph_head, tensor_len);
  graph_head += tensor_head;
  uint64_t graph_len = graph_head.size() + payload;

  onnx::ModelProto top = small;
  top.clear_graph();
  std::string file = top.SerializeAsString();
  append_varint(file, 7 << 3 | 2);
  append_varint(file, graph_len);
  file += graph_head;

  int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
  if (fd < 0 || ::write(fd, file.data(), file.size()) != static_cast<ssize_t>(file.size()) ||
      ::ftruncate(fd, static_cast<off_t>(file.size() + payload)) != 0)
    throw std::runtime_error("cannot write " + path.string());
  ::close(fd);
  return file.size() + payload;
}

std::vector<float> random_matrix(int64_t K, int64_t N, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, 0.05f);
  std::vector<float> w(static_cast<size_t>(K * N));
  for (auto& x : w) x = d(rng);
  return w;
}

void add_float_initializer(onnx::GraphProto* g, const std::string& name, std::vector<int64_t> dims,
                           const std::vector<float>& values) {
  auto* t = g->add_initializer();
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  for (auto d : dims) t->add_dims(d);
  t->set_raw_data(values.data(), values.size() * 4);
}

void set_value(onnx::ValueInfoProto* v, const std::string& name, int type, const std::vector<int64_t>& dims) {
  v->set_name(name);
  v->mutable_type()->mutable_tensor_type()->set_elem_type(type);
  for (auto d : dims) v->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
}

onnx::NodeProto* add_node(onnx::GraphProto* g, const std::string& op, const std::vector<std::string>& in,
                          const std::string& out, const std::string& name) {
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (const auto& i : in) n->add_input(i);
  n->add_output(out);
  return n;
}

onnx::ModelProto matmul_layernorm_model(float scale) {
  constexpr int64_t K = 64, N = 16;
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("matmul_layernorm");
  std::vector<float> w = random_matrix(K, N, 7);
  for (auto& x : w) x = scale * (1.0f + std::fabs(x) * 10.0f);  // scale .. ~2.5 scale
  add_float_initializer(g, "W", {K, N}, w);
  add_float_initializer(g, "gamma", {N}, std::vector<float>(N, 1.0f));
  add_float_initializer(g, "beta", {N}, std::vector<float>(N, 0.0f));
  set_value(g->add_input(), "x", onnx::TensorProto::FLOAT, {1, 8, K});
  add_node(g, "Abs", {"x"}, "ax", "abs");
  add_node(g, "MatMul", {"ax", "W"}, "h", "proj");
  auto* ln = add_node(g, "LayerNormalization", {"h", "gamma", "beta"}, "y", "ln");
  auto* axis = ln->add_attribute();
  axis->set_name("axis");
  axis->set_type(onnx::AttributeProto::INT);
  axis->set_i(-1);
  set_value(g->add_output(), "y", onnx::TensorProto::FLOAT, {1, 8, N});
  return m;
}

}  // namespace modelexport::test
