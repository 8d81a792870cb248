// CLM rules about aud, through the whole engine.
#include <gtest/gtest.h>

#include "support/rule_cases.h"

namespace assay::test {
namespace {

void bis(Case& c) {
  c.profile = Profile::kRfc7523bis;
  c.header["typ"] = "client-authentication+jwt";
  c.payload["aud"] = kIssuer;
  c.args = {"--issuer", kIssuer, "--token-endpoint", kTokenEndpoint};
}

}  // namespace

const std::vector<RuleCase>& audience_rule_cases() {
  static const std::vector<RuleCase> kCases = {
    {"AudMissing", [](Case& c) { c.payload.erase("aud"); }, {"CLM010"}},
    {"AudSingleElementArray", [](Case& c) { c.payload["aud"] = Json::array({kV2Endpoint}); },
     {"CLM011"}},
    {"AudTwoValues",
     [](Case& c) { c.payload["aud"] = Json::array({kV2Endpoint, "https://login.microsoftonline.com/x/v2.0"}); },
     {"CLM011", "CLM012"}},
    {"AudMismatchRfc7523",
     [](Case& c) {
       c.profile = Profile::kRfc7523;
       c.payload["aud"] = "https://other.example/token";
       c.args = {"--aud", kTokenEndpoint};
     },
     {"CLM013"}},
    {"AudIssuerAcceptedByRfc7523NearMiss",
     [](Case& c) {
       c.profile = Profile::kRfc7523;
       c.payload["aud"] = kIssuer;
       c.args = {"--aud", kTokenEndpoint, "--issuer", kIssuer};
     },
     {}},
    {"AudCommonEndpoint",
     [](Case& c) { c.payload["aud"] = "https://login.microsoftonline.com/common/oauth2/v2.0/token"; },
     {"CLM014"}},
    {"AudV1ToV2Endpoint",
     [](Case& c) {
       c.payload["aud"] = kV1Endpoint;
       c.args = {"--endpoint", "v2"};
     },
     {"CLM015"}},
    {"AudV1WithUnknownEndpointNearMiss", [](Case& c) { c.payload["aud"] = kV1Endpoint; }, {}},
    {"AudIssuerForm",
     [](Case& c) { c.payload["aud"] = "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0"; },
     {"CLM016"}},
    {"AudTokenEndpointUnderRfc7523bis",
     [](Case& c) {
       bis(c);
       c.payload["aud"] = kTokenEndpoint;
     },
     {"CLM013", "CLM017"}},
    {"AudIssuerUnderRfc7523bisNearMiss", [](Case& c) { bis(c); }, {}},
    {"AudIssuerArrayUnderRfc7523bis",
     [](Case& c) {
       bis(c);
       c.payload["aud"] = Json::array({kIssuer});
     },
     {"CLM011"}},
    {"AudHttp",
     [](Case& c) {
       c.payload["aud"] = "http://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token";
     },
     {"CLM018"}},
    {"AudTrailingSlash", [](Case& c) { c.payload["aud"] = std::string(kV2Endpoint) + "/"; },
     {"CLM019"}},
    {"AudOtherCase",
     [](Case& c) {
       c.payload["aud"] = "https://login.microsoftonline.com/Contoso.onmicrosoft.com/oauth2/v2.0/token";
     },
     {"CLM019"}},
    {"AudOtherTenant",
     [](Case& c) {
       c.payload["aud"] = "https://login.microsoftonline.com/fabrikam.onmicrosoft.com/oauth2/v2.0/token";
     },
     {"CLM020"}},
    {"AudAliasHost",
     [](Case& c) {
       c.payload["aud"] = "https://login.windows.net/contoso.onmicrosoft.com/oauth2/v2.0/token";
     },
     {"CLM021"}},
    {"AudPathTypo",
     [](Case& c) { c.payload["aud"] = "https://login.microsoftonline.com/contoso.onmicrosoft.com/V2.0/token"; },
     {"CLM022"}},
    {"AudNumber", [](Case& c) { c.payload["aud"] = 7; }, {"CLM023"}},
    {"AudEmpty", [](Case& c) { c.payload["aud"] = ""; }, {"CLM023"}},
    {"AudShapeWithoutTenantNearMiss",
     [](Case& c) {
       c.default_context = false;
     },
     {}},
    {"AuthorityHostReplacesMicrosoft",
     [](Case& c) {
       c.payload["aud"] = "https://127.0.0.1:8443/contoso.onmicrosoft.com/oauth2/v2.0/token";
       c.args = {"--authority-host", "127.0.0.1:8443"};
     },
     {}},
    {"AuthorityHostMismatch",
     [](Case& c) { c.args = {"--authority-host", "127.0.0.1:8443"}; },
     {"CLM021"}},
  };
  return kCases;
}

namespace {

class AudienceRules : public ::testing::TestWithParam<RuleCase> {};
TEST_P(AudienceRules, FireExactly) { expect_rules(GetParam()); }
INSTANTIATE_TEST_SUITE_P(Cases, AudienceRules, ::testing::ValuesIn(audience_rule_cases()), case_name);

}  // namespace
}  // namespace assay::test
