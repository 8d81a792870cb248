// The engine as a whole: profile inference, clock, ordering, input forms, keyless mode.
#include "assay/verify.h"

#include <gtest/gtest.h>

#include "assay/request.h"
#include "support/testdata.h"
#include "support/tokens.h"

namespace assay::test {
namespace {

Policy plain_policy() {
  return PolicyBuilder().fixed_now(Seconds{std::chrono::seconds{kNow}}).build().value();
}

TEST(Verify, InfersEntraFromTheAudienceHost) {
  Case c;
  const auto r = verify_input(build_token(c), KeySet{}, plain_policy());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->profile, Profile::kEntra);
  EXPECT_TRUE(r->profile_inferred);
  EXPECT_NE(r->profile_reason.find("login.microsoftonline.com"), std::string::npos);
  EXPECT_EQ(r->skew, std::chrono::seconds{300});
}

TEST(Verify, InfersRfc7523ForOtherHosts) {
  Case c;
  c.payload["aud"] = kTokenEndpoint;
  const auto r = verify_input(build_token(c), KeySet{}, plain_policy());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->profile, Profile::kRfc7523);
  EXPECT_NE(r->profile_reason.find("as.example.test"), std::string::npos);
  EXPECT_EQ(r->skew, std::chrono::seconds{60});
}

TEST(Verify, AuthorityHostPicksEntra) {
  Case c;
  c.payload["aud"] = "https://127.0.0.1:9/t/oauth2/v2.0/token";
  auto p = PolicyBuilder().authority_host("127.0.0.1:9").fixed_now(Seconds{std::chrono::seconds{kNow}}).build();
  ASSERT_TRUE(p);
  const auto r = verify_input(build_token(c), KeySet{}, *p);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->profile, Profile::kEntra);
}

TEST(Verify, InfersEntraFromAnEntraTokenEndpointPathOnAnotherHost) {
  Case c;
  c.payload["aud"] = "https://127.0.0.1:9/8f0d3c2a-6b1e-4c7d-9e5f-2a4b6c8d0e1f/oauth2/v2.0/token";
  const auto r = verify_input(build_token(c), KeySet{}, plain_policy());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->profile, Profile::kEntra);
  EXPECT_TRUE(r->profile_inferred);
  EXPECT_NE(r->profile_reason.find("127.0.0.1"), std::string::npos) << r->profile_reason;
}

TEST(PickProfileForAudience, EntraPathShapesOnAnyHost) {
  for (const char* aud : {"https://127.0.0.1:9/8f0d3c2a-6b1e-4c7d-9e5f-2a4b6c8d0e1f/oauth2/token",
                          "https://127.0.0.1:9/contoso.onmicrosoft.com/oauth2/v2.0/token",
                          "https://sts.contoso.example/organizations/oauth2/v2.0/token",
                          "https://login.microsoftonline.com/anything"}) {
    const ProfilePick p = pick_profile_for_audience(aud);
    EXPECT_EQ(p.profile, Profile::kEntra) << aud;
    EXPECT_FALSE(p.reason.empty()) << aud;
  }
}

TEST(PickProfileForAudience, OtherServersPathsAreRfc7523) {
  for (const char* aud : {"https://login.salesforce.com/services/oauth2/token",  // not a tenant
                          "https://adfs.contoso.example/adfs/oauth2/token",
                          "https://contoso.okta.com/oauth2/default/v1/token",
                          "https://kc.example/realms/x/protocol/openid-connect/token",
                          "https://127.0.0.1:9/contoso.example/oauth2/v2.0/token?x=1",
                          "https://127.0.0.1:9/contoso.example/oauth2/v2.0/token/extra",
                          "https://127.0.0.1:9/oauth2/v2.0/token", "not a url", ""}) {
    EXPECT_EQ(pick_profile_for_audience(aud).profile, Profile::kRfc7523) << aud;
  }
}

TEST(Verify, NoKeyIsSig011AndFindingsAreSorted) {
  Case c;
  c.payload.erase("jti");
  c.payload["exp"] = kNow - 3600;
  const auto r = verify_input(build_token(c), KeySet{}, plain_policy());
  ASSERT_TRUE(r);
  std::vector<std::string> ids;
  for (const auto& f : r->findings) {
    ids.push_back(f.rule_id);
  }
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_TRUE(r->has("SIG011"));
  EXPECT_TRUE(r->has("CLM031"));
  EXPECT_FALSE(r->signature.checked);
  EXPECT_FALSE(r->passes());
  EXPECT_EQ(r->max_severity(), Severity::kError);
}

TEST(Verify, KeylessModeSkipsKeyRules) {
  Case c;
  c.keyless = true;
  c.certificates.clear();
  const Report r = run_case(c);
  EXPECT_TRUE(r.findings.empty());
  EXPECT_FALSE(r.signature.checked);
}

TEST(Verify, UndecodableTokenIsAFinding) {
  const auto r = verify_input("not-a-jwt", KeySet{}, plain_policy());
  ASSERT_TRUE(r);
  ASSERT_EQ(r->findings.size(), 1U);
  EXPECT_EQ(r->findings[0].rule_id, "ENC001");
  EXPECT_FALSE(r->assertion.has_value());
}

TEST(Verify, EmptyInputIsAnError) {
  const auto r = verify_input("   \n", KeySet{}, plain_policy());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

TEST(Verify, SameVerdictForBareFormAndJsonInput) {
  Case c;
  const std::string token = build_token(c);
  KeySet ks;
  ks.certificates.push_back(load_test_certificate("rsa-2048.crt.pem"));
  auto p = PolicyBuilder().tenant(kTenant).expect_client_id(kClientId)
               .fixed_now(Seconds{std::chrono::seconds{kNow}}).build().value();
  const auto bare = verify_input("  Bearer " + token + "\n", ks, p);
  const auto json = verify_input(R"({"client_assertion":")" + token + R"("})", ks, p);
  const auto form = verify_input(
      "grant_type=client_credentials&client_id=" + std::string(kClientId) +
          "&client_assertion_type=" + form_encode(kJwtBearerAssertionType) +
          "&client_assertion=" + token + "&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default",
      ks, p);
  ASSERT_TRUE(bare && json && form);
  EXPECT_TRUE(bare->findings.empty());
  EXPECT_TRUE(json->findings.empty());
  EXPECT_TRUE(form->findings.empty());
  EXPECT_TRUE(bare->signature.verified && json->signature.verified && form->signature.verified);
  EXPECT_EQ(form->endpoint, EntraEndpoint::kV2);
}

TEST(Verify, JsonWithoutClientAssertionIsAnError) {
  const auto r = verify_input(R"({"foo":1})", KeySet{}, plain_policy());
  ASSERT_FALSE(r);
}

TEST(Verify, FormWithoutAssertionRunsRequestRules) {
  const auto r = verify_input("grant_type=client_credentials&client_id=x", KeySet{}, plain_policy());
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->has("EXC003"));
  EXPECT_TRUE(r->has("EXC005"));
}

TEST(Verify, PassesHonoursFailOn) {
  Case c;
  c.header["x5t#S256"] = x5t_s256_of("rsa-2048.crt.pem");
  c.payload.erase("jti");  // CLM041: a warning under entra
  const Report r = run_case(c);
  ASSERT_EQ(r.max_severity(), Severity::kWarning);
  EXPECT_TRUE(r.passes(Severity::kError));
  EXPECT_FALSE(r.passes(Severity::kWarning));
}

TEST(PolicyBuilder, RejectsContradictions) {
  EXPECT_FALSE(PolicyBuilder().clock_skew(std::chrono::seconds{601}).build());
  EXPECT_FALSE(PolicyBuilder().clock_skew(std::chrono::seconds{-1}).build());
  EXPECT_FALSE(PolicyBuilder().expect_audience("not a url").build());
  EXPECT_FALSE(PolicyBuilder().tenant("t").expect_audience("https://x/y").build());
  EXPECT_FALSE(PolicyBuilder().profile(Profile::kOidc).tenant("t").build());
  EXPECT_FALSE(PolicyBuilder().allow_algorithms({}).build());
  EXPECT_FALSE(PolicyBuilder().authority_host("https://x/").build());
  EXPECT_TRUE(PolicyBuilder().profile(Profile::kEntra).tenant("t").authority_host("h:1").build());
}

TEST(EntraEndpoints, Urls) {
  EXPECT_EQ(entra_token_endpoint("login.microsoftonline.com", "t", EntraEndpoint::kV2),
            "https://login.microsoftonline.com/t/oauth2/v2.0/token");
  EXPECT_EQ(entra_token_endpoint("h", "t", EntraEndpoint::kV1), "https://h/t/oauth2/token");
  EXPECT_TRUE(is_entra_host("login.microsoftonline.us"));
  EXPECT_TRUE(is_entra_host("westus2.login.microsoft.com"));
  EXPECT_FALSE(is_entra_host("login.microsoftonline.com.evil.example"));
}

}  // namespace
}  // namespace assay::test
