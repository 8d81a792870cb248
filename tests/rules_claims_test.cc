// CLM rules other than aud, through the whole engine.
#include <gtest/gtest.h>

#include "assay/replay.h"
#include "support/rule_cases.h"

namespace assay::test {
namespace {

}  // namespace

const std::vector<RuleCase>& claim_rule_cases() {
  static const std::vector<RuleCase> kCases = {
    {"IssMissing", [](Case& c) { c.payload.erase("iss"); }, {"CLM001"}},
    {"IssNotClientId",
     [](Case& c) {
       c.payload["iss"] = "00000000-0000-0000-0000-000000000000";
       c.payload["sub"] = "00000000-0000-0000-0000-000000000000";
     },
     {"CLM002"}},
    {"SubMissing", [](Case& c) { c.payload.erase("sub"); }, {"CLM003"}},
    {"SubDiffers", [](Case& c) { c.payload["sub"] = "someone-else"; }, {"CLM004"}},
    {"IssNotGuid",
     [](Case& c) {
       c.payload["iss"] = "my-app";
       c.payload["sub"] = "my-app";
       c.args = {"--client-id", "my-app"};
     },
     {"CLM005"}},
    {"IssNotGuidRfc7523NearMiss",
     [](Case& c) {
       c.profile = Profile::kRfc7523;
       c.payload["iss"] = "my-app";
       c.payload["sub"] = "my-app";
       c.args = {"--client-id", "my-app"};
     },
     {}},
    {"IssNumber", [](Case& c) { c.payload["iss"] = 42; }, {"CLM006"}},
    {"ExpMissing", [](Case& c) { c.payload.erase("exp"); }, {"CLM030"}},
    {"Expired",
     [](Case& c) {
       c.payload["iat"] = kNow - 800;
       c.payload["nbf"] = kNow - 800;
       c.payload["exp"] = kNow - 301;
     },
     {"CLM031"}},
    {"ExpiredWithinSkewNearMiss",
     [](Case& c) {
       c.payload["iat"] = kNow - 800;
       c.payload["nbf"] = kNow - 800;
       c.payload["exp"] = kNow - 299;
     },
     {}},
    {"ExpBeforeNbf",
     [](Case& c) {
       c.payload.erase("iat");
       c.payload["exp"] = kNow - 10;
     },
     {"CLM032"}},
    {"NbfInFuture", [](Case& c) { c.payload["nbf"] = kNow + 400; }, {"CLM033"}},
    {"NbfWithinSkewNearMiss", [](Case& c) { c.payload["nbf"] = kNow + 299; }, {}},
    {"IatInFuture", [](Case& c) { c.payload["iat"] = kNow + 400; }, {"CLM034"}},
    {"LifetimeLong", [](Case& c) { c.payload["exp"] = kNow + 3600; }, {"CLM035"}},
    {"LifetimeLongRfc7523NearMiss",
     [](Case& c) {
       c.profile = Profile::kRfc7523;
       c.payload["exp"] = kNow + 3600;
     },
     {}},
    {"LifetimeExcessive", [](Case& c) { c.payload["exp"] = kNow + 2 * 86400; }, {"CLM036"}},
    {"IatOld",
     [](Case& c) {
       c.payload["iat"] = kNow - 7200;
       c.payload["nbf"] = kNow - 7200;
     },
     {"CLM035", "CLM037"}},
    {"ExpAsString", [](Case& c) { c.payload["exp"] = std::to_string(kNow + 600); }, {"CLM038"}},
    {"IatFractional", [](Case& c) { c.payload["iat"] = static_cast<double>(kNow) + 0.25; },
     {"CLM039"}},
    {"IatIntegralFloatNearMiss", [](Case& c) { c.payload["iat"] = static_cast<double>(kNow); }, {}},
    {"ExpNegative", [](Case& c) { c.payload["exp"] = -1; }, {"CLM040"}},
    {"ExpBoolean", [](Case& c) { c.payload["exp"] = true; }, {"CLM040"}},
    {"ExpHuge", [](Case& c) { c.payload["exp"] = 1e15; }, {"CLM040"}},
    {"JtiMissing", [](Case& c) { c.payload.erase("jti"); }, {"CLM041"}},
    {"JtiMissingOidc",
     [](Case& c) {
       c.profile = Profile::kOidc;
       c.payload.erase("jti");
     },
     {"CLM041"}},
  };
  return kCases;
}

namespace {

class ClaimRules : public ::testing::TestWithParam<RuleCase> {};
TEST_P(ClaimRules, FireExactly) { expect_rules(GetParam()); }
INSTANTIATE_TEST_SUITE_P(Cases, ClaimRules, ::testing::ValuesIn(claim_rule_cases()), case_name);

TEST(ClaimRules, ReplayedJtiIsAWarningForEntraAndAnErrorForOidc) {
  for (Profile p : {Profile::kEntra, Profile::kOidc}) {
    ReplayCache cache;
    Case c;
    c.profile = p;
    c.replay = &cache;
    EXPECT_FALSE(run_case(c).has("CLM042"));
    const Report again = run_case(c);
    ASSERT_TRUE(again.has("CLM042"));
    EXPECT_EQ(again.findings.back().severity,
              p == Profile::kEntra ? Severity::kWarning : Severity::kError);
  }
}

TEST(ClaimRules, ExpiredMessageCarriesTheActualValues) {
  Case c;
  c.payload["iat"] = 1423168000;
  c.payload["nbf"] = 1423168000;
  c.payload["exp"] = 1423168488;
  const Report r = run_case(c);
  ASSERT_TRUE(r.has("CLM031"));
  const Finding& f = r.findings.front();
  EXPECT_EQ(f.pointer, "/payload/exp");
  EXPECT_NE(f.message.find("1423168488 (2015-02-05T20:34:48Z) is 10y 332d before now"),
            std::string::npos)
      << f.message;
  EXPECT_NE(f.message.find("clock skew 300 s"), std::string::npos);
}

}  // namespace
}  // namespace assay::test
