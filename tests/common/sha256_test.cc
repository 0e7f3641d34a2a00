#include "modelexport/common/sha256.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace modelexport {
namespace {

// FIPS 180-2 appendix B examples.
TEST(Sha256, FipsVectors) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, MatchesSha256sumOnARealFile) {
  auto file = test::fixtures_dir() / "tiny-text-classifier" / "model.onnx";
  test::ScratchDir dir;
  ASSERT_EQ(std::system(("sha256sum " + file.string() + " | cut -c1-64 > " + (dir / "h").string()).c_str()), 0);
  EXPECT_EQ(sha256_hex(test::read_bytes(file)) + "\n", test::read_bytes(dir / "h"));
}

}  // namespace
}  // namespace modelexport
