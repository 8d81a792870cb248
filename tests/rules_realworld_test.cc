// Assertions shaped exactly as real Entra clients send them (see the reference's table of what
// MSAL and ADAL put in the assertion) pass under the entra profile: at most warnings, and
// exactly the warnings their known deviations deserve.
#include <cmath>

#include <gtest/gtest.h>

#include "support/rule_cases.h"

namespace assay::test {
namespace {

void no_times(Case& c) {
  c.payload.erase("iat");
  c.payload.erase("nbf");
  c.payload.erase("exp");
}

}  // namespace

const std::vector<RuleCase>& realworld_rule_cases() {
  static const std::vector<RuleCase> kCases = {
      // MSAL.NET >= 4.61: PS256 + x5t#S256, nbf/exp as strings, no iat.
      {"MsalDotnet",
       [](Case& c) {
         no_times(c);
         c.payload["nbf"] = std::to_string(kNow);
         c.payload["exp"] = std::to_string(kNow + 600);
       },
       {"CLM038"}},
      // MSAL.NET 4.10-4.59: RS256 + x5t, numeric times, no iat.
      {"MsalDotnetRs256",
       [](Case& c) {
         c.alg = Alg::kRS256;
         c.header["alg"] = "RS256";
         c.header.erase("x5t#S256");
         c.header["x5t"] = x5t_of("rsa-2048.crt.pem");
         c.payload.erase("iat");
       },
       {}},
      // MSAL Python >= 1.30 with a PFX: PS256, x5t#S256 with '=' padding, float exp/iat, no nbf.
      {"MsalPythonPfx",
       [](Case& c) {
         c.header["x5t#S256"] = x5t_s256_of("rsa-2048.crt.pem") + "=";
         no_times(c);
         c.payload["exp"] = static_cast<double>(kNow) + 600.318;
         c.payload["iat"] = static_cast<double>(kNow) + 0.318;
       },
       {"CLM039", "HDR012"}},
      // MSAL Python with a PEM key and SHA-1 thumbprint: RS256 + padded x5t.
      {"MsalPythonPem",
       [](Case& c) {
         c.alg = Alg::kRS256;
         c.header["alg"] = "RS256";
         c.header.erase("x5t#S256");
         c.header["x5t"] = x5t_of("rsa-2048.crt.pem") + "=";
         no_times(c);
         c.payload["exp"] = static_cast<double>(kNow) + 600.5;
         c.payload["iat"] = static_cast<double>(kNow) + 0.5;
       },
       {"CLM039", "HDR012"}},
      // MSAL Node with thumbprintSha256: PS256, nbf = iat, exp = iat + 600.
      {"MsalNode", [](Case&) {}, {}},
      // MSAL Java: RS256 + x5t#S256, no typ, no iat.
      {"MsalJava",
       [](Case& c) {
         c.alg = Alg::kRS256;
         c.header["alg"] = "RS256";
         c.header.erase("typ");
         c.payload.erase("iat");
       },
       {}},
      // ADAL Python: RS256 + x5t, v1 audience, nbf and exp.
      {"AdalPython",
       [](Case& c) {
         c.alg = Alg::kRS256;
         c.header = Json::object({{"typ", "JWT"}, {"alg", "RS256"}, {"x5t", x5t_of("rsa-2048.crt.pem")}});
         c.payload["aud"] = kV1Endpoint;
         c.payload.erase("iat");
       },
       {}},
      // The 2015 Exchange daemon-app sample: RS256, an x5t with a non-zero unused bit (Entra
      // matches the decoded bytes), v1 audience, nbf five minutes back and exp ten after it.
      {"ExchangeSample2015",
       [](Case& c) {
         c.alg = Alg::kRS256;
         c.header = Json::object(
             {{"alg", "RS256"}, {"x5t", non_canonical(x5t_of("rsa-2048.crt.pem"))}});
         c.payload["aud"] = kV1Endpoint;
         c.payload.erase("iat");
         c.payload["nbf"] = kNow - 300;
         c.payload["exp"] = kNow + 300;
       },
       {"HDR028"}},
      // MSAL Python and Node reuse one assertion for minutes: a second use is a warning only.
      {"MsalReuseLaterInItsLife",
       [](Case& c) { c.args = {"--now", std::to_string(kNow + 540)}; }, {}},
  };
  return kCases;
}

namespace {

class RealWorldShapes : public ::testing::TestWithParam<RuleCase> {};
TEST_P(RealWorldShapes, PassUnderEntra) {
  expect_rules(GetParam());
  Case c;
  GetParam().setup(c);
  EXPECT_TRUE(run_case(c).passes()) << GetParam().name << " must pass under entra";
}
INSTANTIATE_TEST_SUITE_P(Clients, RealWorldShapes, ::testing::ValuesIn(realworld_rule_cases()), case_name);

TEST(RealWorldShapes, StrictProfilesRejectTheLenientOnes) {
  for (const RuleCase& rc : realworld_rule_cases()) {
    if (rc.expect.empty()) {
      continue;
    }
    Case c;
    rc.setup(c);
    c.profile = Profile::kRfc7523;
    EXPECT_FALSE(run_case(c).passes()) << rc.name << " deviates from RFC 7519/7515";
  }
}

}  // namespace
}  // namespace assay::test
