// link_external_data: the exposed copies of quantize's float16 range check share the source's weight
// files through hard links instead of copies. Table of locations: linked where they stay inside the
// model's folder, refused (nothing left linked) where they do not or the file is missing. Also
// external_bytes' bounds and element_size's table of data type widths.
#include "format/model_proto.h"

#include <gtest/gtest.h>

#include <array>
#include <fstream>

#include "modelexport/common/error.h"
#include "support/test_support.h"

namespace modelexport::format {
namespace {

namespace fs = std::filesystem;

void add_external(onnx::TensorProto* t, const std::string& name, const std::string& location) {
  t->set_name(name);
  t->set_data_type(onnx::TensorProto::FLOAT);
  t->add_dims(2);
  t->set_data_location(onnx::TensorProto::EXTERNAL);
  for (auto [k, v] : {std::pair<std::string, std::string>{"location", location}, {"offset", "0"}, {"length", "8"}}) {
    auto* e = t->add_external_data();
    e->set_key(k);
    e->set_value(v);
  }
}

// A graph whose initializer keeps its data at `top` and whose If branch keeps another at `branch`.
onnx::ModelProto model_with(const std::string& top, const std::string& branch) {
  onnx::ModelProto m;
  auto* g = m.mutable_graph();
  add_external(g->add_initializer(), "w", top);
  auto* attr = g->add_node()->add_attribute();
  attr->set_name("then_branch");
  add_external(attr->mutable_g()->add_initializer(), "b", branch);
  return m;
}

void write_floats(const fs::path& p, float a, float b) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(std::array<float, 2>{a, b}.data()), 8);
}

struct Case {
  const char* what;
  std::string top, branch;
  bool linked;
};

TEST(LinkExternalData, LinksInsideTheFolderAndRefusesTheRest) {
  const Case cases[] = {
      {"both files beside the model", "w.bin", "b.bin", true},
      {"a file in a subfolder", "data/w.bin", "b.bin", true},
      {"the same file twice", "w.bin", "w.bin", true},
      {"a location leaving the folder", "w.bin", "../outside.bin", false},
      {"an absolute location", "w.bin", "/etc/hostname", false},
      {"a missing file (after one linked)", "w.bin", "zz-missing.bin", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    test::ScratchDir scratch;
    fs::path model_dir = scratch.path() / "model", dir = scratch.path() / "copy";
    fs::create_directories(dir);
    write_floats(model_dir / "w.bin", 1.5f, -2.0f);
    write_floats(model_dir / "data/w.bin", 1.5f, -2.0f);
    write_floats(model_dir / "b.bin", 3.0f, 4.0f);
    write_floats(scratch.path() / "outside.bin", 5.0f, 6.0f);
    onnx::ModelProto m = model_with(c.top, c.branch);
    EXPECT_EQ(link_external_data(m, model_dir, dir), c.linked);
    if (!c.linked) {
      // Nothing stays linked: the caller inlines instead.
      size_t files = 0;
      for (const auto& e : fs::recursive_directory_iterator(dir)) files += e.is_regular_file();
      EXPECT_EQ(files, 0u);
      continue;
    }
    // The copy's folder reads the same values, and the file is the same inode (a link, not a copy).
    EXPECT_EQ(float_values(m.graph().initializer(0), dir), (std::vector<float>{1.5f, -2.0f}));
    EXPECT_EQ(fs::hard_link_count(model_dir / c.top), 2u);
    EXPECT_EQ(float_values(m.graph().node(0).attribute(0).g().initializer(0), dir),
              float_values(m.graph().node(0).attribute(0).g().initializer(0), model_dir));
  }
}

// external_bytes on hostile offset/length values (found reading the code after fuzz_chat_template's
// std::stoll finding): each is a FormatError naming the initializer, never a foreign exception or a
// read outside the file. "-1" once wrapped around to 2^64 - 1, and an offset + length past 2^64 wrapped
// to a small sum that passed the bounds check.
TEST(ExternalBytes, OffsetsAndLengthsAreCheckedByteCounts) {
  test::ScratchDir scratch;
  write_floats(scratch.path() / "w.bin", 1.5f, -2.0f);
  struct Row {
    const char *offset, *length, *expected;  // expected: the error, or "" for the 8 bytes
  } rows[] = {
      {"0", "8", ""},
      {"4", "0", ""},  // length 0: to the end of the file
      {"x", "8", "initializer 'w': external data offset 'x' is not a byte count (a non-negative decimal integer)"},
      {"-1", "8", "initializer 'w': external data offset '-1' is not a byte count (a non-negative decimal integer)"},
      {"0", "8 ", "initializer 'w': external data length '8 ' is not a byte count (a non-negative decimal integer)"},
      {"0", "99999999999999999999999", "external data length '99999999999999999999999' is not a byte count"},
      {"18446744073709551615", "2",
       "initializer 'w': external data [18446744073709551615, +2) is past the end of 'w.bin'"},
      {"4", "18446744073709551615", "initializer 'w': external data [4, +18446744073709551615) is past the end"},
      {"0", "9", "initializer 'w': external data [0, +9) is past the end of 'w.bin'"},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(std::string(r.offset) + ", " + r.length);
    onnx::TensorProto t;
    add_external(&t, "w", "w.bin");
    t.mutable_external_data(1)->set_value(r.offset);
    t.mutable_external_data(2)->set_value(r.length);
    std::string message;
    std::string bytes;
    try {
      bytes = external_bytes(t, scratch.path());
    } catch (const FormatError& e) { message = e.what(); }
    if (*r.expected == '\0') {
      EXPECT_EQ(message, "");
      EXPECT_EQ(bytes.size(), std::string(r.offset) == "0" ? 8u : 4u);
    } else {
      EXPECT_NE(message.find(r.expected), std::string::npos) << message;
    }
  }
}

// element_size: onnx.proto's DataType widths (ONNX 1.12), 0 where an element is not whole bytes.
TEST(ElementSize, OnnxDataTypeWidths) {
  const std::vector<std::pair<int32_t, size_t>> table = {
      {onnx::TensorProto::FLOAT, 4},    {onnx::TensorProto::UINT8, 1},     {onnx::TensorProto::INT8, 1},
      {onnx::TensorProto::UINT16, 2},   {onnx::TensorProto::INT16, 2},     {onnx::TensorProto::INT32, 4},
      {onnx::TensorProto::INT64, 8},    {onnx::TensorProto::STRING, 0},    {onnx::TensorProto::BOOL, 1},
      {onnx::TensorProto::FLOAT16, 2},  {onnx::TensorProto::DOUBLE, 8},    {onnx::TensorProto::UINT32, 4},
      {onnx::TensorProto::UINT64, 8},   {onnx::TensorProto::COMPLEX64, 8}, {onnx::TensorProto::COMPLEX128, 16},
      {onnx::TensorProto::BFLOAT16, 2}, {onnx::TensorProto::UNDEFINED, 0}, {99, 0}};
  for (const auto& [type, bytes] : table) EXPECT_EQ(element_size(type), bytes) << "data type " << type;
}

}  // namespace
}  // namespace modelexport::format
