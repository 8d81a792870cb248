#include "assay/assertion.h"

#include <optional>
#include <thread>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "assay/base64url.h"

namespace assay {
namespace {

std::string b64(std::string_view s) { return base64url_encode(s); }

std::string token(std::string_view header, std::string_view payload, std::string_view sig = "sig") {
  return b64(header) + "." + b64(payload) + "." + b64(sig);
}

std::vector<std::string> rule_ids(const Assertion& a) {
  std::vector<std::string> ids;
  for (const auto& f : a.findings()) {
    ids.push_back(f.rule_id);
  }
  return ids;
}

TEST(Decode, KeepsSegmentsSigningInputAndJson) {
  const std::string t = token(R"({"alg":"RS256","typ":"JWT"})", R"({"iss":"c","exp":1})");
  auto a = decode(t);
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->compact(), t);
  EXPECT_EQ(a->signing_input(), t.substr(0, t.rfind('.')));
  EXPECT_EQ(a->header_bytes(), R"({"alg":"RS256","typ":"JWT"})");
  EXPECT_EQ(a->header()["alg"], "RS256");
  EXPECT_EQ(a->payload()["exp"], 1);
  EXPECT_EQ(a->signature_bytes(), "sig");
  EXPECT_TRUE(a->findings().empty());
  EXPECT_TRUE(a->header_is_object());
}

TEST(Decode, FailsOnWrongSegmentCountNamingJweAndMissingSignature) {
  auto two = decode("eyJhIjoxfQ.eyJiIjoxfQ");
  ASSERT_FALSE(two);
  EXPECT_EQ(two.error().rule_id, "ENC001");
  EXPECT_NE(two.error().message.find("signature"), std::string::npos);
  auto five = decode("a.b.c.d.e");
  ASSERT_FALSE(five);
  EXPECT_NE(five.error().message.find("JWE"), std::string::npos);
  auto one = decode("eyJhIjoxfQ%2Eabc");
  ASSERT_FALSE(one);
  EXPECT_NE(one.error().message.find("URL-encoded"), std::string::npos);
  EXPECT_EQ(decode("").error().rule_id, "ENC001");
}

TEST(Decode, RecognisesJsonSerialization) {
  auto r = decode(R"({"payload":"x","signatures":[]})");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().rule_id, "ENC013");
}

TEST(Decode, EnforcesTheSizeCap) {
  DecodeOptions opts;
  opts.max_bytes = 16;
  auto r = decode(token("{}", "{}", "0123456789"), opts);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(r.error().rule_id, "ENC012");
}

TEST(Decode, ReportsBase64Irregularities) {
  // Padding on the header, standard alphabet in the signature.
  const std::string h = base64_encode(R"({"alg":"RS256"})");
  ASSERT_NE(h.back(), 'x');
  std::string t = h + "." + b64(R"({"a":1})") + "." + "ab+/";
  auto a = decode(t);
  ASSERT_TRUE(a);
  auto ids = rule_ids(*a);
  EXPECT_NE(std::find(ids.begin(), ids.end(), "ENC003"), ids.end());
  if (h.find('=') != std::string::npos) {
    EXPECT_NE(std::find(ids.begin(), ids.end(), "ENC002"), ids.end());
  }
  EXPECT_EQ(a->header()["alg"], "RS256");
}

TEST(Decode, ReportsUndecodableSegment) {
  auto a = decode("e*J.eyJhIjoxfQ.c2ln");
  ASSERT_TRUE(a);
  EXPECT_EQ(rule_ids(*a), std::vector<std::string>{"ENC005"});
  EXPECT_EQ(a->findings()[0].pointer, "/header");
  EXPECT_TRUE(a->header().is_null());
}

TEST(Decode, ReportsNonCanonicalTrailingBits) {
  // "eyJhIjoxfQ" encodes {"a":1}; changing the final 'Q' to 'R' keeps the bytes.
  auto a = decode("eyJhIjoxfR.eyJhIjoxfQ.c2ln");
  ASSERT_TRUE(a);
  EXPECT_EQ(rule_ids(*a), std::vector<std::string>{"ENC006"});
  EXPECT_EQ(a->header()["a"], 1);
}

TEST(Decode, ReportsJsonProblemsPerSegment) {
  auto bom = decode(token("\xEF\xBB\xBF{\"alg\":\"RS256\"}", "{}"));
  ASSERT_TRUE(bom);
  EXPECT_EQ(rule_ids(*bom), std::vector<std::string>{"ENC007"});

  auto dup = decode(token(R"({"alg":"RS256","alg":"none"})", R"({"exp":1,"exp":2})"));
  ASSERT_TRUE(dup);
  EXPECT_EQ(rule_ids(*dup), (std::vector<std::string>{"ENC008", "ENC008"}));
  EXPECT_EQ(dup->findings()[0].pointer, "/header/alg");
  EXPECT_EQ(dup->findings()[1].pointer, "/payload/exp");

  auto nul = decode(token(R"({"alg":"RS256"})", R"({"iss":"a\u0000b"})"));
  ASSERT_TRUE(nul);
  EXPECT_EQ(rule_ids(*nul), std::vector<std::string>{"ENC009"});
  EXPECT_EQ(nul->findings()[0].pointer, "/payload/iss");

  auto garbage = decode(token(R"({"alg":"RS256"}xyz)", "{}"));
  ASSERT_TRUE(garbage);
  EXPECT_EQ(rule_ids(*garbage), std::vector<std::string>{"ENC010"});
  EXPECT_FALSE(garbage->header_is_object());

  auto array = decode(token(R"({"alg":"RS256"})", "[1]"));
  ASSERT_TRUE(array);
  EXPECT_EQ(rule_ids(*array), std::vector<std::string>{"ENC011"});
  EXPECT_FALSE(array->payload_is_object());

  auto empty = decode(token("", "{}"));
  ASSERT_TRUE(empty);
  EXPECT_EQ(rule_ids(*empty), std::vector<std::string>{"ENC010"});
}

TEST(Decode, EmptySignatureIsNotADecodeFinding) {
  auto a = decode(b64(R"({"alg":"RS256"})") + "." + b64("{}") + ".");
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->findings().empty());
  EXPECT_TRUE(a->signature_bytes().empty());
}

TEST(Decode, TokensWithTheSameHeaderGetTheSameDecodingOfIt) {
  // The header a thread decoded last is reused for the next token with the same segment:
  // its findings come along, the payload stays each token's own, and a different depth limit
  // decodes it again.
  const std::string header = R"({"alg":"RS256","x":{"y":{"z":12}}})";
  const std::string h = base64_encode(header);  // padded ("=="): ENC002
  ASSERT_EQ(h.substr(h.size() - 2), "==");
  auto a = decode(h + "." + b64(R"({"n":1})") + ".c2ln");
  auto b = decode(h + "." + b64(R"({"n":2})") + ".c2ln");
  ASSERT_TRUE(a && b);
  EXPECT_EQ(rule_ids(*a), std::vector<std::string>{"ENC002"});
  EXPECT_EQ(rule_ids(*b), std::vector<std::string>{"ENC002"});
  EXPECT_EQ(b->header(), Json::parse(header));
  EXPECT_EQ(b->header_bytes(), header);
  EXPECT_EQ(a->payload()["n"], 1);
  EXPECT_EQ(b->payload()["n"], 2);

  DecodeOptions shallow;
  shallow.max_json_depth = 2;
  auto c = decode(h + "." + b64("{}") + ".c2ln", shallow);
  ASSERT_TRUE(c);
  EXPECT_EQ(rule_ids(*c), (std::vector<std::string>{"ENC002", "ENC010"}));
  EXPECT_FALSE(c->header_is_object());
  auto d = decode(h + "." + b64("{}") + ".c2ln");
  ASSERT_TRUE(d);
  EXPECT_EQ(rule_ids(*d), std::vector<std::string>{"ENC002"});
  EXPECT_TRUE(d->header_is_object());

  // A different header right after: its own decoding, not the previous one.
  auto e = decode(b64(R"({"alg":"ES256"})") + "." + b64("{}") + ".c2ln");
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->findings().empty());
  EXPECT_EQ(e->header()["alg"], "ES256");
}

TEST(Decode, AnAssertionOutlivesItsThreadAndIsReadableFromAnother) {
  std::optional<Assertion> made;
  std::thread t([&] {
    auto a = decode(b64(R"({"alg":"PS256"})") + "." + b64(R"({"iss":"x"})") + ".c2ln");
    ASSERT_TRUE(a);
    made = *a;
  });
  t.join();
  ASSERT_TRUE(made);
  EXPECT_EQ(made->header()["alg"], "PS256");
  EXPECT_EQ(made->payload()["iss"], "x");
}

}  // namespace
}  // namespace assay
