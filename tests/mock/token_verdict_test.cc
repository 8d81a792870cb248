// How assay-mock turns findings into Entra's answer, without HTTP: the order of checks, the
// catalogue codes, the mock's choices for rules without one, and the filled templates.
#include "token_verdict.h"

#include <gmock/gmock.h>

#include "assay/build.h"
#include "support/testdata.h"
#include "support/tokens.h"

namespace assay::test {
namespace {

using ::testing::HasSubstr;

Finding finding(const char* id, Severity s = Severity::kError, const char* pointer = "") {
  return Finding{id, s, "message", "", pointer};
}

Report report_with(std::vector<Finding> findings) {
  Report r;
  r.findings = std::move(findings);
  sort_findings(r.findings);
  return r;
}

TEST(TokenVerdict, CatalogueCodesAndTheMocksChoices) {
  EXPECT_EQ(mock::aadsts_for_rule("KEY002"), 700027);
  EXPECT_EQ(mock::aadsts_for_rule("CLM031"), 700024);
  EXPECT_EQ(mock::aadsts_for_rule("CLM020"), 700023);
  EXPECT_EQ(mock::aadsts_for_rule("EXC009"), 1002012);
  EXPECT_EQ(mock::aadsts_for_rule("ENC001"), 50027);
  EXPECT_EQ(mock::aadsts_for_rule("HDR006"), 5002738);  // no catalogue code: unsupported alg
  EXPECT_EQ(mock::aadsts_for_rule("EXC012"), 7000215);
  EXPECT_EQ(mock::aadsts_for_rule("CLM042"), mock::kReplayAadsts);
  EXPECT_EQ(mock::aadsts_for_rule("HDR021"), 50027);
}

TEST(TokenVerdict, EntrasOrder) {
  // Request problems come before everything in the assertion.
  auto v = mock::decide_token_verdict(
      report_with({finding("CLM031"), finding("EXC008", Severity::kError, "/form/scope")}), true,
      true, mock::ReplayPolicy::kAllow);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.aadsts, 900144);
  EXPECT_EQ(v.decisive->rule_id, "EXC008");
  // The audience before the key, the time before the key.
  v = mock::decide_token_verdict(report_with({finding("KEY002"), finding("CLM013")}), true, true,
                                 mock::ReplayPolicy::kAllow);
  EXPECT_EQ(v.aadsts, 700023);
  v = mock::decide_token_verdict(report_with({finding("SIG002"), finding("CLM031")}), true, true,
                                 mock::ReplayPolicy::kAllow);
  EXPECT_EQ(v.aadsts, 700024);
  // Malformed before missing claims before sub != iss.
  v = mock::decide_token_verdict(
      report_with({finding("CLM004"), finding("CLM010"), finding("ENC008")}), true, true,
      mock::ReplayPolicy::kAllow);
  EXPECT_EQ(v.aadsts, 50027);
  // The certificate's validity comes last.
  v = mock::decide_token_verdict(report_with({finding("KEY004"), finding("SIG002")}), true, true,
                                 mock::ReplayPolicy::kAllow);
  EXPECT_EQ(v.aadsts, 700027);
}

TEST(TokenVerdict, UnknownAppAfterTheRequestBeforeTheAssertion) {
  auto v = mock::decide_token_verdict(report_with({finding("CLM031")}), false, true,
                                      mock::ReplayPolicy::kAllow);
  EXPECT_EQ(v.aadsts, mock::kAppNotFoundAadsts);
  EXPECT_FALSE(v.decisive);
  v = mock::decide_token_verdict(report_with({finding("EXC004")}), false, true,
                                 mock::ReplayPolicy::kAllow);
  EXPECT_EQ(v.aadsts, 90011);
  // Nothing identifies the client: the assertion's own problem is the answer.
  v = mock::decide_token_verdict(report_with({finding("ENC001")}), false, false,
                                 mock::ReplayPolicy::kAllow);
  EXPECT_EQ(v.aadsts, 50027);
}

TEST(TokenVerdict, WarningsNeverFailButAreListed) {
  auto v = mock::decide_token_verdict(
      report_with({finding("HDR012", Severity::kWarning), finding("CLM039", Severity::kWarning),
                   finding("CLM042", Severity::kWarning), finding("KEY007", Severity::kInfo)}),
      true, true, mock::ReplayPolicy::kAllow);
  EXPECT_TRUE(v.ok);
  EXPECT_EQ(v.rules, (std::vector<std::string>{"CLM039", "CLM042", "HDR012"}));
  v = mock::decide_token_verdict(report_with({finding("CLM042", Severity::kWarning)}), true, true,
                                 mock::ReplayPolicy::kReject);
  EXPECT_FALSE(v.ok);
  EXPECT_EQ(v.aadsts, mock::kReplayAadsts);
}

// A thumbprint with a non-zero unused bit that names the registered certificate: Entra (and
// the mock) issue the token with a warning; a strict judgement refuses it on HDR028 alone.
TEST(TokenVerdict, NonCanonicalThumbprintPassesEntraFailsStrict) {
  const std::string url = kV2Endpoint;
  const Json header = {
      {"alg", "RS256"}, {"typ", "JWT"}, {"x5t", non_canonical(x5t_of("rsa-2048.crt.pem"))}};
  const Json claims = {{"aud", url},
                       {"iss", kClientId},
                       {"sub", kClientId},
                       {"iat", kNow},
                       {"nbf", kNow},
                       {"exp", kNow + 300},
                       {"jti", "bc1b1f8e-9a7d-4c3b-8e2f-1a0b9c8d7e6f"}};
  auto token = sign_compact(header, claims, Alg::kRS256, load_test_private_key("rsa-2048.key.pem"));
  ASSERT_TRUE(token);
  auto form = parse_form(form_body(
      {{"grant_type", "client_credentials"},
       {"client_id", kClientId},
       {"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
       {"client_assertion", *token},
       {"scope", "https://graph.microsoft.com/.default"}}));
  ASSERT_TRUE(form);
  KeySet keys;
  keys.certificates = {load_test_certificate("rsa-2048.crt.pem")};

  for (Profile p : {Profile::kEntra, Profile::kRfc7523}) {
    SCOPED_TRACE(profile_name(p));
    PolicyBuilder pb;
    pb.profile(p).expect_audience(url).expect_client_id(kClientId).fixed_now(
        Seconds{std::chrono::seconds{kNow}});
    if (p == Profile::kEntra) {
      pb.endpoint(EntraEndpoint::kV2);
    }
    auto policy = pb.build();
    ASSERT_TRUE(policy) << policy.error().message;
    auto report = mock::evaluate_token_request(*form, keys, *policy, VerifyOptions{});
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_TRUE(report->signature.verified);
    const mock::TokenVerdict v =
        mock::decide_token_verdict(*report, true, true, mock::ReplayPolicy::kAllow);
    EXPECT_EQ(v.rules, std::vector<std::string>{"HDR028"});
    if (p == Profile::kEntra) {
      EXPECT_TRUE(v.ok);
    } else {
      EXPECT_FALSE(v.ok);
      ASSERT_TRUE(v.decisive);
      EXPECT_EQ(v.decisive->rule_id, "HDR028");
      EXPECT_EQ(v.aadsts, 50027);  // no catalogue code: "JWT token is invalid or malformed"
    }
  }
}

TEST(TokenVerdict, DescriptionsCarryTheRealValues) {
  mock::FailureContext ctx;
  ctx.client_id = "6b3c0f0e-5f3e-4a5c-9d61-3f1d2a7b9c10";
  ctx.tenant = "contoso.onmicrosoft.com";
  ctx.tenant_name = "Contoso";
  ctx.scope = "User.Read";
  ctx.now = std::chrono::system_clock::time_point{std::chrono::seconds{1767225600}} +
            std::chrono::microseconds{123456};

  mock::TokenVerdict v;
  v.ok = false;
  v.aadsts = 900144;
  v.decisive = finding("EXC011", Severity::kError, "/form/resource");
  EXPECT_EQ(mock::describe_failure(v, ctx),
            "The request body must contain the following parameter: 'resource'.");
  v.aadsts = 1002012;
  EXPECT_THAT(mock::describe_failure(v, ctx), HasSubstr("scope User.Read is not valid"));
  v.aadsts = mock::kAppNotFoundAadsts;
  v.decisive.reset();
  EXPECT_THAT(mock::describe_failure(v, ctx),
              HasSubstr("Application with identifier '6b3c0f0e-5f3e-4a5c-9d61-3f1d2a7b9c10' was "
                        "not found in the directory 'Contoso'."));

  // 700024 with a decoded assertion: exp and a missing nbf (read as 1970).
  auto a =
      decode("eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjE3NjcyMjI0MDAsImlzcyI6IngifQ.c2ln");  // exp 1767222400
  ASSERT_TRUE(a);
  Report r;
  r.assertion = *a;
  ctx.report = &r;
  v.aadsts = 700024;
  v.decisive = finding("CLM031");
  EXPECT_THAT(mock::describe_failure(v, ctx),
              HasSubstr("Current time: 2026-01-01T00:00:00.1234560Z, assertion valid from "
                        "1970-01-01T00:00:00.0000000Z, expiry time of assertion "
                        "2025-12-31T23:06:40.0000000Z."));

  // Times far beyond the clock (the probe sends exp 2^53 + 1): shown as the last second of
  // 9999, never an overflow; a negative time as 1970.
  struct Far {
    const char* payload;
    const char* nbf;
  };
  for (const Far& far :
       {Far{"eyJleHAiOjkwMDcxOTkyNTQ3NDA5OTMsIm5iZiI6MWUzMDB9",  // 2^53+1, 1e300
            "9999-12-31T23:59:59.0000000Z"},
        Far{"eyJleHAiOjE4NDQ2NzQ0MDczNzA5NTUxNjE1LCJuYmYiOiItNSJ9",  // 2^64-1, "-5"
            "1970-01-01T00:00:00.0000000Z"}}) {
    auto a2 = decode(std::string("eyJhbGciOiJSUzI1NiJ9.") + far.payload + ".c2ln");
    ASSERT_TRUE(a2);
    r.assertion = *a2;
    const std::string text = mock::describe_failure(v, ctx);
    EXPECT_THAT(text, HasSubstr(std::string("valid from ") + far.nbf)) << text;
    EXPECT_THAT(text, HasSubstr("expiry time of assertion 9999-12-31T23:59:59.0000000Z")) << text;
  }
}

}  // namespace
}  // namespace assay::test
