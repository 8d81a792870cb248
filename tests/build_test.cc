#include "assay/build.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "assay/assertion.h"
#include "assay/base64url.h"
#include "assay/signature.h"
#include "assay/timefmt.h"
#include "support/testdata.h"

namespace assay {
namespace {

using test::load_test_certificate;
using test::load_test_private_key;

AssertionSpec spec_at(int64_t now) {
  AssertionSpec s;
  s.client_id = "6b3c0f0e-5f3e-4a5c-9d61-3f1d2a7b9c10";
  s.audience = "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token";
  s.now = Seconds{std::chrono::seconds{now}};
  s.jti = "0f8e7a52-1c44-4d3e-a0b9-6f5d2c1e8a77";
  return s;
}

TEST(BuildAssertion, DefaultsFollowEntraGuidance) {
  const Key key = load_test_private_key("rsa-2048.key.pem");
  const Certificate cert = load_test_certificate("rsa-2048.crt.pem");
  auto built = build_assertion(spec_at(1767225600), key, &cert);
  ASSERT_TRUE(built) << built.error().message;
  auto a = decode(built->token);
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->findings().empty());
  const Json& h = a->header();
  EXPECT_EQ(h["alg"], "PS256");
  EXPECT_EQ(h["typ"], "JWT");
  EXPECT_EQ(h["x5t#S256"], cert.thumbprints().x5t_s256);
  EXPECT_FALSE(h.contains("x5t"));
  const Json& p = a->payload();
  EXPECT_EQ(p["iss"], p["sub"]);
  EXPECT_EQ(p["iat"], 1767225600);
  EXPECT_EQ(p["nbf"], 1767225600 - 300);
  EXPECT_EQ(p["exp"], 1767225600 + 600);
  EXPECT_EQ(p["jti"], "0f8e7a52-1c44-4d3e-a0b9-6f5d2c1e8a77");
  EXPECT_TRUE(verify_signature(Alg::kPS256, cert.public_key(), a->signing_input(),
                               a->signature_bytes())
                  .valid());
}

TEST(BuildAssertion, FixedClockAndJtiAreReproducibleForDeterministicAlgs) {
  const Key key = load_test_private_key("rsa-2048.key.pem");
  const Certificate cert = load_test_certificate("rsa-2048.crt.pem");
  AssertionSpec s = spec_at(1767225600);
  s.alg = Alg::kRS256;
  s.thumbprints = ThumbprintHeaders::kBoth;
  auto a = build_assertion(s, key, &cert);
  auto b = build_assertion(s, key, &cert);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->token, b->token);  // PKCS#1 v1.5 is deterministic
  EXPECT_EQ(a->header_json, R"({"alg":"RS256","typ":"JWT","x5t":")" + cert.thumbprints().x5t +
                                R"(","x5t#S256":")" + cert.thumbprints().x5t_s256 + R"("})");
}

TEST(BuildAssertion, X5cKidTypAndExtraClaims) {
  const Key key = load_test_private_key("ec-p256.key.pem");
  const Certificate cert = load_test_certificate("ec-p256.crt.pem");
  AssertionSpec s = spec_at(1767225600);
  s.alg = Alg::kES256;
  s.include_x5c = true;
  s.kid = "k1";
  s.typ = "client-authentication+jwt";
  s.extra_claims = {{"tenant", R"("contoso")"}, {"exp", "1767229200"}};
  s.extra_headers = {{"x-note", "[1,2]"}};
  auto built = build_assertion(s, key, &cert);
  ASSERT_TRUE(built) << built.error().message;
  auto a = decode(built->token);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->header()["kid"], "k1");
  EXPECT_EQ(a->header()["typ"], "client-authentication+jwt");
  ASSERT_TRUE(a->header()["x5c"].is_array());
  EXPECT_EQ(a->header()["x-note"], Json::array({1, 2}));
  EXPECT_EQ(a->payload()["tenant"], "contoso");
  EXPECT_EQ(a->payload()["exp"], 1767229200);
}

TEST(BuildAssertion, RandomJtiIsUuidV4) {
  const Key key = load_test_private_key("rsa-2048.key.pem");
  AssertionSpec s = spec_at(1767225600);
  s.jti.reset();
  s.thumbprints = ThumbprintHeaders::kNone;
  auto a = build_assertion(s, key);
  auto b = build_assertion(s, key);
  ASSERT_TRUE(a && b);
  const std::string ja = decode(a->token)->payload()["jti"];
  const std::string jb = decode(b->token)->payload()["jti"];
  EXPECT_NE(ja, jb);
  ASSERT_EQ(ja.size(), 36U);
  EXPECT_EQ(ja[14], '4');
  EXPECT_NE(std::string("89ab").find(ja[19]), std::string::npos);
}

TEST(BuildAssertion, RejectsMisuse) {
  const Key key = load_test_private_key("rsa-2048.key.pem");
  const Key other = load_test_private_key("rsa-2048-b.key.pem");
  const Certificate cert = load_test_certificate("rsa-2048.crt.pem");
  AssertionSpec s = spec_at(1767225600);
  EXPECT_EQ(build_assertion(s, key).error().code, ErrorCode::kInvalidArgument);  // no cert
  EXPECT_EQ(build_assertion(s, other, &cert).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(build_assertion(s, key.public_key(), &cert).error().code, ErrorCode::kInvalidArgument);
  AssertionSpec es = s;
  es.alg = Alg::kES256;
  EXPECT_EQ(build_assertion(es, key, &cert).error().code, ErrorCode::kInvalidArgument);
  AssertionSpec nocid = s;
  nocid.client_id.clear();
  EXPECT_FALSE(build_assertion(nocid, key, &cert));
  AssertionSpec badclaim = s;
  badclaim.extra_claims = {{"x", "not json"}};
  EXPECT_FALSE(build_assertion(badclaim, key, &cert));
}

// build_assertion writes the header and claims without nlohmann when it can; the text must be
// exactly what dumping the same members in the same order gives, and strings that need
// escaping must come out as nlohmann escapes them.
TEST(BuildAssertion, JsonTextIsNlohmannDumpOfTheMembers) {
  const Key key = load_test_private_key("ec-p256.key.pem");
  const Certificate cert = load_test_certificate("ec-p256.crt.pem");
  for (int variant = 0; variant < 6; ++variant) {
    AssertionSpec s = spec_at(1767225600);
    s.alg = Alg::kES256;
    s.thumbprints = variant == 1   ? ThumbprintHeaders::kNone
                    : variant == 2 ? ThumbprintHeaders::kBoth
                                   : ThumbprintHeaders::kSha256;
    s.include_x5c = variant == 2;
    if (variant == 3) {
      s.kid = "k\"1\\\x01\xC3\xA9";  // quote, backslash, control, non-ASCII
      s.typ.reset();
      s.include_nbf = false;
    }
    if (variant == 4) {
      s.client_id = "client \"with\" quotes";
      s.include_iat = false;
      s.now = Seconds{std::chrono::seconds{-5}};
    }
    if (variant == 5) {
      s.extra_headers = {{"alg", R"("ES256")"}};
    }
    auto built = build_assertion(s, key, &cert);
    ASSERT_TRUE(built) << variant << ": " << built.error().message;
    Json h = Json::object();
    h["alg"] = "ES256";
    if (s.typ) {
      h["typ"] = *s.typ;
    }
    if (variant == 2) {
      h["x5t"] = cert.thumbprints().x5t;
    }
    if (variant != 1) {
      h["x5t#S256"] = cert.thumbprints().x5t_s256;
    }
    if (s.kid) {
      h["kid"] = *s.kid;
    }
    if (s.include_x5c) {
      h["x5c"] = Json::array({base64_encode(cert.der())});
    }
    Json p = Json::object();
    const int64_t t = s.now->time_since_epoch().count();
    p["aud"] = s.audience;
    p["iss"] = s.client_id;
    p["sub"] = s.client_id;
    p["jti"] = *s.jti;
    if (s.include_nbf) {
      p["nbf"] = t - 300;
    }
    if (s.include_iat) {
      p["iat"] = t;
    }
    p["exp"] = t + 600;
    EXPECT_EQ(built->header_json, h.dump()) << variant;
    EXPECT_EQ(built->payload_json, p.dump()) << variant;
    auto a = decode(built->token);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->header_bytes(), built->header_json);
    EXPECT_EQ(a->payload_bytes(), built->payload_json);
  }
}

TEST(SignCompact, SignsArbitraryBytes) {
  const Key key = load_test_private_key("rsa-2048.key.pem");
  auto t = sign_compact_bytes("not json", "{}", Alg::kRS256, key);
  ASSERT_TRUE(t);
  auto a = decode(*t);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->header_bytes(), "not json");
  EXPECT_TRUE(verify_signature(Alg::kRS256, key, a->signing_input(), a->signature_bytes()).valid());
}

}  // namespace
}  // namespace assay
