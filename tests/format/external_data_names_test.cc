// rename_external_data: every TensorProto location the graph can hold (initializers, sparse
// initializers, attribute tensors inside subgraphs, model-local functions) is renamed, and the result
// is byte for byte what ONNX's own protobuf classes serialize for the renamed model.
#include "modelexport/format/external_data_names.h"

#include <gtest/gtest.h>

#include <functional>

#include "support/onnx_builder.h"

namespace modelexport::format {
namespace {

void external(onnx::TensorProto* t, const std::string& name, const std::string& location) {
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->add_dims(4);
  t->set_data_location(onnx::TensorProto::EXTERNAL);
  for (auto [k, v] : {std::pair<std::string, std::string>{"location", location}, {"offset", "0"}, {"length", "16"}}) {
    auto* e = t->add_external_data();
    e->set_key(k);
    e->set_value(v);
  }
}

onnx::ModelProto model_with_locations(const std::function<std::string(const std::string&)>& loc) {
  onnx::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("g");
  external(g->add_initializer(), "w", loc("a.bin"));
  external(g->add_initializer(), "kept", loc("c.bin"));
  auto* sparse = g->add_sparse_initializer();
  external(sparse->mutable_values(), "sv", loc("b.bin"));
  external(sparse->mutable_indices(), "si", loc("a.bin"));
  auto* iff = g->add_node();
  iff->set_op_type("If");
  auto* branch = iff->add_attribute();
  branch->set_name("then_branch");
  branch->set_type(onnx::AttributeProto::GRAPH);
  auto* constant = branch->mutable_g()->add_node();
  constant->set_op_type("Constant");
  auto* value = constant->add_attribute();
  value->set_name("value");
  value->set_type(onnx::AttributeProto::TENSOR);
  external(value->mutable_t(), "inner", loc("a.bin"));
  auto* f = m.add_functions();
  f->set_name("fn");
  auto* fnode = f->add_node();
  fnode->set_op_type("Constant");
  auto* fv = fnode->add_attribute();
  fv->set_name("value");
  fv->set_type(onnx::AttributeProto::TENSOR);
  external(fv->mutable_t(), "in_function", loc("b.bin"));
  auto* meta = m.add_metadata_props();
  meta->set_key("location");  // a metadata entry named like the key is not a tensor's: untouched
  meta->set_value("a.bin");
  return m;
}

TEST(ExternalDataNames, EveryLocationIsRenamedAndNothingElse) {
  std::map<std::string, std::string> renames = {{"a.bin", "model.onnx_data"}, {"b.bin", "model.onnx_data_1"}};
  std::string original, expected;
  model_with_locations([](const std::string& l) { return l; }).SerializeToString(&original);
  auto renamed = model_with_locations([&](const std::string& l) { return renames.count(l) ? renames.at(l) : l; });
  renamed.mutable_metadata_props(0)->set_value("a.bin");
  renamed.SerializeToString(&expected);
  EXPECT_EQ(rename_external_data(original, renames, "m.onnx"), expected);
  EXPECT_EQ(rename_external_data(original, {}, "m.onnx"), original);
  EXPECT_EQ(rename_external_data(original, {{"nowhere.bin", "x"}}, "m.onnx"), original);
}

TEST(ExternalDataNames, TransformersJsChunkNames) {
  EXPECT_EQ(transformers_js_data_names("model_q4.onnx", 3),
            (std::vector<std::string>{"model_q4.onnx_data", "model_q4.onnx_data_1", "model_q4.onnx_data_2"}));
  EXPECT_TRUE(transformers_js_data_names("model.onnx", 0).empty());
}

}  // namespace
}  // namespace modelexport::format
