// read_metadata indexes a model's keys; values decode on demand and nothing is taken on trust.
#include "modelexport/metadata/reader.h"

#include <gtest/gtest.h>

#include "modelexport/common/codec.h"
#include "modelexport/format/metadata_writer.h"
#include "modelexport/metadata/schema.h"
#include "support/onnx_builder.h"
#include "support/test_support.h"

namespace modelexport::metadata {
namespace {

namespace fs = std::filesystem;

// A model holding exactly these metadata_props.
fs::path model_with(const test::ScratchDir& dir, const format::MetadataEntries& props) {
  test::save_model(test::make_model({{"x", onnx::TensorProto_DataType_FLOAT, {"1"}}}), dir / "bare.onnx");
  format::OnnxFile bare(dir / "bare.onnx");
  format::write_with_metadata(
      bare, dir / "m.onnx", props, [](std::string_view) { return false; }, false);
  return dir / "m.onnx";
}

// gzip with its ISIZE trailer (the last 4 bytes, RFC 1952) replaced, base64-encoded.
std::string gzip_with_isize(std::string_view text, uint32_t isize) {
  std::string gz = gzip_compress(text);
  for (int i = 0; i < 4; ++i) gz[gz.size() - 4 + i] = static_cast<char>((isize >> (8 * i)) & 0xff);
  return base64_encode(gz);
}

// The size analyze reports is the size the value decodes to; a trailer that lies is an error.
TEST(Reader, DecodedSizeIsMeasuredNotReadFromTheGzipTrailer) {
  const std::string text = "{\"twenty\": \"bytes!\"}";  // 20 bytes
  struct Case {
    std::string name, stored;
    std::optional<uint64_t> size;
    std::string error;
  };
  const std::vector<Case> cases = {
      {"honest", gzip_with_isize(text, 20), 20, ""},
      {"trailer says 1.69 GB", gzip_with_isize(text, 1690000000u), std::nullopt, "corrupt size trailer"},
      {"trailer says 1 MB", gzip_with_isize(text, 1u << 20), std::nullopt,
       "(DEFLATE's 1032:1)"},                                                                 // refused unallocated
      {"trailer says 5 bytes", gzip_with_isize(text, 5), std::nullopt, "invalid gzip data"},  // libdeflate checks ISIZE
      {"trailer says 4 GiB - 1", gzip_with_isize(text, 0xffffffffu), std::nullopt, "corrupt size trailer"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    test::ScratchDir dir;
    format::OnnxFile f(model_with(dir, {{"hf_metadata_version", "2.0"}, {"hf_tokenizer_json:compressed", c.stored}}));
    ModelMetadata m = read_metadata(f);
    EXPECT_EQ(m.decoded_size("hf_tokenizer_json"), c.size);
    if (c.size) { EXPECT_EQ(m.value("hf_tokenizer_json"), text); }
    EXPECT_NE(m.decode_error("hf_tokenizer_json").find(c.error), std::string::npos)
        << m.decode_error("hf_tokenizer_json");
  }
}

// One function says when the schema version is one this tool does not know; run, tokenize and
// unpack pass it on, validate reports it.
TEST(Reader, WarnsOnAnUnknownMajorVersion) {
  const std::pair<const char*, bool> cases[] = {{"2.0", false}, {"2.1", false}, {"2", false},  {"99.0", true},
                                                {"1.0", true},  {"20.0", true}, {"two", true}, {"", true}};
  for (const auto& [version, warns] : cases) {
    SCOPED_TRACE(version);
    test::ScratchDir dir;
    format::OnnxFile f(model_with(dir, {{"hf_metadata_version", version}}));
    std::string w = read_metadata(f).version_warning();
    EXPECT_EQ(!w.empty(), warns) << w;
    if (warns) { EXPECT_NE(w.find("'" + std::string(version) + "'"), std::string::npos) << w; }
  }
  test::ScratchDir dir;
  format::OnnxFile none(model_with(dir, {{"producer_note", "x"}}));
  EXPECT_EQ(read_metadata(none).version_warning(), "");  // no modelexport metadata: nothing to misread
}

// hf_quantization is a schema key (written by quantize), not a foreign one; re-embedding keeps it.
TEST(Reader, QuantizationIsASchemaKeyThatEmbeddingKeeps) {
  test::ScratchDir dir;
  format::OnnxFile f(
      model_with(dir, {{"hf_metadata_version", "2.0"}, {"hf_quantization", "{\"dtype\":\"q4\"}"}, {"note", "x"}}));
  ModelMetadata m = read_metadata(f);
  EXPECT_TRUE(m.has(keys::kQuantization));
  ASSERT_EQ(m.foreign.size(), 1u);
  EXPECT_EQ(m.foreign[0].first, "note");
  EXPECT_EQ(find_key(keys::kQuantization)->kind, ValueKind::kJsonObject);
  EXPECT_FALSE(is_owned_key(keys::kQuantization));
  EXPECT_TRUE(is_owned_key("hf_tokenizer_json:compressed"));
}

}  // namespace
}  // namespace modelexport::metadata
