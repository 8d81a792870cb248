#include "assay/base64url.h"

#include <gtest/gtest.h>

namespace assay {
namespace {

TEST(Base64UrlEncode, IsCanonicalWithoutPadding) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
}

TEST(Base64UrlDecode, RoundTripsEveryLength) {
  std::string bytes;
  for (int i = 0; i < 64; ++i) {
    bytes.push_back(static_cast<char>(i * 37 + 11));
    auto decoded = base64url_decode(base64url_encode(bytes));
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(*decoded, bytes);
  }
}

TEST(Base64UrlDecode, RejectsPadding) {
  auto r = base64url_decode("Zg==");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kMalformedToken);
}

TEST(Base64UrlDecode, RejectsStandardAlphabet) {
  EXPECT_FALSE(base64url_decode("+_8"));
  EXPECT_FALSE(base64url_decode("-/8"));
}

TEST(Base64UrlDecode, RejectsWhitespace) {
  EXPECT_FALSE(base64url_decode("Zm9v Zm9v"));
  EXPECT_FALSE(base64url_decode("Zm9v\n"));
}

TEST(Base64UrlDecode, RejectsImpossibleLength) { EXPECT_FALSE(base64url_decode("Zm9vZ")); }

TEST(Base64UrlDecode, RejectsNonZeroTrailingBits) {
  // "Zg" is canonical for "f"; "Zh" decodes to the same byte with a non-zero unused bit.
  EXPECT_TRUE(base64url_decode("Zg"));
  EXPECT_FALSE(base64url_decode("Zh"));
  EXPECT_TRUE(base64url_decode("Zm8"));
  EXPECT_FALSE(base64url_decode("Zm9"));
}

TEST(Base64UrlDecode, RejectsForeignCharacters) {
  EXPECT_FALSE(base64url_decode("Zm9v%"));
  EXPECT_FALSE(base64url_decode(std::string("Zm\0v", 4)));
}

TEST(Base64UrlDecodeLenient, ReportsEachIrregularity) {
  auto r = base64url_decode_lenient("+/8=");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->bytes, "\xfb\xff");
  EXPECT_EQ(r->irregularities,
            (std::vector{Base64Irregularity::kPadding, Base64Irregularity::kStandardAlphabet}));

  auto ws = base64url_decode_lenient("Zm9v\r\nZm9v");
  ASSERT_TRUE(ws);
  EXPECT_EQ(ws->bytes, "foofoo");
  EXPECT_EQ(ws->irregularities, std::vector{Base64Irregularity::kWhitespace});

  auto bits = base64url_decode_lenient("Zh");
  ASSERT_TRUE(bits);
  EXPECT_EQ(bits->bytes, "f");
  EXPECT_EQ(bits->irregularities, std::vector{Base64Irregularity::kNonCanonicalBits});
}

TEST(Base64UrlDecodeLenient, CanonicalInputHasNoIrregularities) {
  auto r = base64url_decode_lenient("Zm9v");
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->canonical());
}

TEST(Base64UrlDecodeLenient, FailsWhenNothingCanBeRecovered) {
  EXPECT_FALSE(base64url_decode_lenient("Zm9v*"));
  EXPECT_FALSE(base64url_decode_lenient("Zg=g"));
  EXPECT_FALSE(base64url_decode_lenient("Zg==="));
  EXPECT_FALSE(base64url_decode_lenient("Z"));
}

TEST(Base64, StandardRoundTripAndLineBreaks) {
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
  auto r = base64_decode("Zm9v\nYmFy");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "foobar");
  EXPECT_FALSE(base64_decode("Zm9v-_"));
  EXPECT_FALSE(base64_decode("Zg=x"));
}

TEST(Hex, UpperCaseAndSeparators) {
  EXPECT_EQ(hex_upper("\x84\xe0\x5c"), "84E05C");
  auto r = hex_decode("84:e0 5C");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, "\x84\xe0\x5c");
  EXPECT_FALSE(hex_decode("abc"));
  EXPECT_FALSE(hex_decode("zz"));
}

TEST(Hex, EntraDocumentationThumbprint) {
  // The one correct example of the Entra docs: hex thumbprint -> x5t.
  auto raw = hex_decode("84E05C1D98BCE3A5421D225B140B36E86A3D5534");
  ASSERT_TRUE(raw);
  EXPECT_EQ(base64url_encode(*raw), "hOBcHZi846VCHSJbFAs26Go9VTQ");
}

}  // namespace
}  // namespace assay
