#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "assay/json.h"

namespace assay {
namespace {

std::vector<JsonIssueKind> kinds(const JsonParseOutcome& o) {
  std::vector<JsonIssueKind> out;
  for (const auto& i : o.issues) {
    out.push_back(i.kind);
  }
  return out;
}

TEST(JsonStrict, ParsesObjectsKeepingMemberOrder) {
  Json v;
  auto o = parse_json_strict(R"({"z":1,"a":[true,null,"x"],"m":{"k":2.5}})", v);
  EXPECT_TRUE(o.clean());
  EXPECT_EQ(v.dump(), R"({"z":1,"a":[true,null,"x"],"m":{"k":2.5}})");
}

TEST(JsonStrict, ReportsDuplicateMembersWithBothValues) {
  Json v;
  auto o = parse_json_strict(R"({"alg":"RS256","alg":"none"})", v);
  EXPECT_TRUE(o.parsed);
  ASSERT_EQ(kinds(o), std::vector{JsonIssueKind::kDuplicateMember});
  EXPECT_EQ(o.issues[0].pointer, "/alg");
  EXPECT_NE(o.issues[0].message.find("\"RS256\""), std::string::npos);
  EXPECT_NE(o.issues[0].message.find("\"none\""), std::string::npos);
  EXPECT_EQ(v["alg"], "none");  // the lexically last, as RFC 7515 §4 allows
  // Callers may refuse the text (a JWKS, assay-mock's configuration), so the message does not
  // claim the last value is used.
  EXPECT_EQ(o.issues[0].message.find("last value"), std::string::npos) << o.issues[0].message;
}

TEST(JsonStrict, ReportsNestedDuplicatesWithPointer) {
  Json v;
  auto o = parse_json_strict(R"({"a":[{"b":1},{"c/d":1,"c/d":2}]})", v);
  ASSERT_EQ(kinds(o), std::vector{JsonIssueKind::kDuplicateMember});
  EXPECT_EQ(o.issues[0].pointer, "/a/1/c~1d");
}

TEST(JsonStrict, ReportsBomAndStillParses) {
  Json v;
  auto o = parse_json_strict("\xEF\xBB\xBF{\"a\":1}", v);
  EXPECT_TRUE(o.parsed);
  EXPECT_EQ(kinds(o), std::vector{JsonIssueKind::kBom});
  EXPECT_EQ(v["a"], 1);
}

TEST(JsonStrict, ReportsNulInStringsAndNames) {
  Json v;
  auto o = parse_json_strict(R"({"iss":"client\u0000x","k\u0000":1})", v);
  EXPECT_TRUE(o.parsed);
  ASSERT_EQ(kinds(o), (std::vector{JsonIssueKind::kNulInString, JsonIssueKind::kNulInString}));
  EXPECT_EQ(o.issues[0].pointer, "/iss");
}

TEST(JsonStrict, RejectsTrailingData) {
  Json v;
  auto o = parse_json_strict(R"({"a":1}x)", v);
  EXPECT_FALSE(o.parsed);
  EXPECT_EQ(kinds(o), std::vector{JsonIssueKind::kSyntax});
  EXPECT_TRUE(v.is_null());
}

TEST(JsonStrict, RejectsSyntaxErrorsAndOverflow) {
  Json v;
  EXPECT_FALSE(parse_json_strict(R"({"a":1,})", v).parsed);
  EXPECT_FALSE(parse_json_strict(R"({"a":NaN})", v).parsed);
  EXPECT_FALSE(parse_json_strict(R"({"exp":1e400})", v).parsed);
  EXPECT_FALSE(parse_json_strict("{\"a\":\"\xff\"}", v).parsed);
  EXPECT_FALSE(parse_json_strict("", v).parsed);
}

TEST(JsonStrict, FlagsNonObjectTopLevel) {
  Json v;
  auto o = parse_json_strict("[1,2]", v);
  EXPECT_TRUE(o.parsed);
  EXPECT_EQ(kinds(o), std::vector{JsonIssueKind::kNotObject});
  auto any = parse_json_strict("\"x\"", v, {}, /*require_object=*/false);
  EXPECT_TRUE(any.clean());
}

TEST(JsonStrict, EnforcesDepthLimit) {
  Json v;
  JsonLimits limits;
  limits.max_depth = 4;
  EXPECT_TRUE(parse_json_strict(R"({"a":{"b":{"c":{}}}})", v, limits).clean());
  auto o = parse_json_strict(R"({"a":{"b":{"c":{"d":{}}}}})", v, limits);
  EXPECT_FALSE(o.parsed);
  EXPECT_EQ(kinds(o), std::vector{JsonIssueKind::kTooDeep});
  const std::string deep(100000, '[');
  auto d = parse_json_strict(deep, v);
  EXPECT_FALSE(d.parsed);
}

TEST(JsonStrict, EnforcesSizeLimit) {
  Json v;
  JsonLimits limits;
  limits.max_bytes = 10;
  auto o = parse_json_strict(R"({"aaaaaaaaaa":1})", v, limits);
  EXPECT_FALSE(o.parsed);
  EXPECT_EQ(kinds(o), std::vector{JsonIssueKind::kTooLarge});
}

TEST(JsonPointer, EscapesTokens) { EXPECT_EQ(json_pointer_escape("a~b/c"), "a~0b~1c"); }

}  // namespace
}  // namespace assay
