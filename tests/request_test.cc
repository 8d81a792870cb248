#include "assay/request.h"

#include <gtest/gtest.h>

namespace assay {
namespace {

TEST(ParseForm, DecodesAndKeepsOrder) {
  auto r = parse_form("a=1&b=x%20y+z&c=&d");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->params.size(), 4U);
  EXPECT_EQ(r->params[1].value, "x y z");
  EXPECT_EQ(r->get("c"), "");
  EXPECT_EQ(r->get("d"), "");
  EXPECT_FALSE(r->get("e"));
  EXPECT_TRUE(r->findings.empty());
}

TEST(ParseForm, ReportsRepeatsAndBadEscapes) {
  auto r = parse_form("a=1&a=2&b=%zz");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->findings.size(), 2U);
  EXPECT_EQ(r->findings[0].rule_id, "EXC015");
  EXPECT_EQ(r->findings[1].rule_id, "EXC013");
  EXPECT_EQ(r->get("b"), "%zz");
  EXPECT_EQ(r->count("a"), 2U);
}

TEST(ParseForm, EnforcesTheLimit) {
  EXPECT_EQ(parse_form(std::string(100, 'a'), 10).error().code, ErrorCode::kTooLarge);
  auto big = parse_form(std::string(kMaxInputBytes + 1, 'a'));
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().message, "the form body is 262145 bytes; the limit is 256 KiB");
}

TEST(ParseInput, StatesTheLimitInItsUnit) {
  auto big = parse_input(std::string(10 * 1024 * 1024, 'a'));
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(big.error().message, "the input is 10485760 bytes; the limit is 256 KiB");
  EXPECT_TRUE(parse_input(std::string(kMaxInputBytes, 'a')));
}

TEST(FormEncode, RoundTrips) {
  const std::string v = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer & more/=?";
  auto r = parse_form("x=" + form_encode(v));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get("x"), v);
  EXPECT_EQ(form_body({{"a", "1 2"}, {"b", "&"}}), "a=1%202&b=%26");
}

TEST(ParseInput, RecognisesEachForm) {
  auto bare = parse_input("  eyJ.eyJ.sig \n");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->kind, InputKind::kToken);
  EXPECT_EQ(bare->token, "eyJ.eyJ.sig");
  auto bearer = parse_input("Bearer eyJ.eyJ.sig");
  ASSERT_TRUE(bearer);
  EXPECT_EQ(bearer->token, "eyJ.eyJ.sig");
  auto padded = parse_input("eyJ==.eyJ=.sig");
  ASSERT_TRUE(padded);
  EXPECT_EQ(padded->kind, InputKind::kToken);
  auto form = parse_input("grant_type=client_credentials&client_assertion=a.b.c");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->kind, InputKind::kForm);
  EXPECT_EQ(form->token, "a.b.c");
  auto json = parse_input(R"({"client_assertion":" a.b.c ","x":1})");
  ASSERT_TRUE(json);
  EXPECT_EQ(json->kind, InputKind::kJson);
  EXPECT_EQ(json->token, "a.b.c");
  EXPECT_FALSE(parse_input(""));
  EXPECT_FALSE(parse_input(R"({"client_assertion":5})"));
  EXPECT_FALSE(parse_input(R"({"a":1})"));
}

}  // namespace
}  // namespace assay
