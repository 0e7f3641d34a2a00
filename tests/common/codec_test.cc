#include "modelexport/common/codec.h"

#include <gtest/gtest.h>

#include "modelexport/common/error.h"
#include "support/test_support.h"

namespace modelexport {
namespace {

// RFC 4648 section 10 test vectors.
TEST(Base64, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"}, {"foob", "Zm9vYg=="},  {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(plain), encoded);
    EXPECT_EQ(base64_decode(encoded), plain);
  }
}

TEST(Base64, RoundTripsEveryByte) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(base64_decode(base64_encode(all)), all);
}

TEST(Base64, RejectsInvalidInputNamingThePosition) {
  EXPECT_THROW(base64_decode("Zm9"), MetadataReadError);  // length
  try {
    base64_decode("Zm9v!m9v");
    FAIL();
  } catch (const MetadataReadError& e) {
    EXPECT_NE(std::string(e.what()).find("position 4"), std::string::npos) << e.what();
  }
  EXPECT_THROW(base64_decode("Zg==Zg=="), MetadataReadError);  // padding before the end
  EXPECT_THROW(base64_decode("Z==="), MetadataReadError);
}

TEST(Gzip, InteroperatesWithTheGzipProgram) {
  test::ScratchDir dir;
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "token_" + std::to_string(i % 97) + " ";
  // ours -> gzip -dc
  test::write_bytes(dir / "ours.gz", gzip_compress(text));
  ASSERT_EQ(std::system(("gzip -dc " + (dir / "ours.gz").string() + " > " + (dir / "ours.txt").string()).c_str()), 0);
  EXPECT_EQ(test::read_bytes(dir / "ours.txt"), text);
  // gzip -> ours
  test::write_bytes(dir / "theirs.txt", text);
  ASSERT_EQ(std::system(("gzip -9c " + (dir / "theirs.txt").string() + " > " + (dir / "theirs.gz").string()).c_str()), 0);
  EXPECT_EQ(gzip_decompress(test::read_bytes(dir / "theirs.gz"), 1 << 20), text);
}

TEST(Gzip, RefusesBombsTruncationAndGarbage) {
  std::string zeros(64 << 20, '\0');
  std::string bomb = gzip_compress(zeros, 9);
  EXPECT_LT(bomb.size(), 200u << 10);
  try {
    gzip_decompress(bomb, 1 << 20);
    FAIL();
  } catch (const MetadataReadError& e) {
    EXPECT_NE(std::string(e.what()).find("decompression bomb"), std::string::npos) << e.what();
  }
  // A trailer that understates the size (as a bomb past 4 GiB's does: ISIZE counts modulo 2^32) is
  // refused after ISIZE bytes, without trying a larger buffer (it once grew one up to the cap).
  std::string understated = gzip_compress(std::string(64 << 10, '\0'), 9);
  understated.replace(understated.size() - 4, 4, std::string("\x10\0\0\0", 4));  // ISIZE = 16
  try {
    gzip_decompress(understated, 1 << 20);
    FAIL();
  } catch (const MetadataReadError& e) {
    EXPECT_EQ(std::string(e.what()),
              "gzip data inflates past the 16 bytes its size trailer declares, so to at least 4294967312 bytes (the "
              "trailer counts modulo 2^32), beyond the limit of 1048576 bytes (a decompression bomb, or a corrupt size "
              "trailer)");
  }
  std::string small = gzip_compress("hello hello hello");
  std::string overstated = small;
  overstated[overstated.size() - 4] = 100;  // ISIZE 100 for 17 bytes
  EXPECT_THROW(gzip_decompress(overstated, 1 << 20), MetadataReadError);
  EXPECT_THROW(gzip_decompress(small.substr(0, small.size() - 6), 1 << 20), MetadataReadError);
  EXPECT_THROW(gzip_decompress("not gzip at all, clearly not", 1 << 20), MetadataReadError);
  std::string corrupt = small;
  corrupt[12] ^= 0x55;
  EXPECT_THROW(gzip_decompress(corrupt, 1 << 20), MetadataReadError);
  EXPECT_THROW(gzip_decompress(small + "trailing", 1 << 20), MetadataReadError);
}

}  // namespace
}  // namespace modelexport
