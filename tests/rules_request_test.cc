// EXC rules: the token request around the assertion.
#include <gtest/gtest.h>

#include "support/rule_cases.h"

namespace assay::test {
namespace {

const std::string kType = "urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer";
const std::string kScope = "https%3A%2F%2Fgraph.microsoft.com%2F.default";
const std::string kValid = "grant_type=client_credentials&client_id=" + std::string(kClientId) +
                           "&client_assertion_type=" + kType + "&client_assertion={token}&scope=" + kScope;

std::string without(const std::string& body, const std::string& name) {
  std::string out;
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find('&', start);
    if (end == std::string::npos) {
      end = body.size();
    }
    const std::string pair = body.substr(start, end - start);
    if (pair.rfind(name + "=", 0) != 0) {
      out += (out.empty() ? "" : "&") + pair;
    }
    start = end + 1;
  }
  return out;
}

void form(Case& c, const std::string& body) { c.form = body; }

}  // namespace

const std::vector<RuleCase>& request_rule_cases() {
  static const std::vector<RuleCase> kCases = {
    {"ValidForm", [](Case& c) { form(c, kValid); }, {}},
    {"GrantTypeMissing", [](Case& c) { form(c, without(kValid, "grant_type")); }, {"EXC001"}},
    {"GrantTypePassword",
     [](Case& c) { form(c, "grant_type=password&" + without(kValid, "grant_type")); }, {"EXC002"}},
    {"AssertionTypeMissing", [](Case& c) { form(c, without(kValid, "client_assertion_type")); },
     {"EXC003"}},
    {"AssertionTypeDoubleEncoded",
     [](Case& c) {
       form(c, without(kValid, "client_assertion_type") +
                   "&client_assertion_type=urn%253Aietf%253Aparams%253Aoauth%253Aclient-assertion-type%253Ajwt-bearer");
     },
     {"EXC004"}},
    {"AssertionMissing", [](Case& c) { form(c, without(kValid, "client_assertion")); }, {"EXC005"}},
    {"ClientIdDiffers",
     [](Case& c) {
       form(c, without(kValid, "client_id") + "&client_id=11111111-1111-1111-1111-111111111111");
     },
     {"EXC006"}},
    {"ClientIdMissing", [](Case& c) { form(c, without(kValid, "client_id")); }, {"EXC007"}},
    {"ScopeMissingV2",
     [](Case& c) {
       form(c, without(kValid, "scope"));
       c.args = {"--endpoint", "v2"};
     },
     {"EXC008"}},
    {"ScopeNotDefault",
     [](Case& c) { form(c, without(kValid, "scope") + "&scope=User.Read"); }, {"EXC009"}},
    {"ResourceOnV2",
     [](Case& c) {
       form(c, kValid + "&resource=https%3A%2F%2Fgraph.microsoft.com");
       c.args = {"--endpoint", "v2"};
     },
     {"EXC010"}},
    {"ResourceMissingV1",
     [](Case& c) {
       form(c, without(kValid, "scope"));
       c.payload["aud"] = kV1Endpoint;
       c.args = {"--endpoint", "v1"};
     },
     {"EXC011"}},
    {"V1WithResourceNearMiss",
     [](Case& c) {
       form(c, without(kValid, "scope") + "&resource=https%3A%2F%2Fgraph.microsoft.com");
       c.payload["aud"] = kV1Endpoint;
     },
     {}},
    {"ClientSecretToo", [](Case& c) { form(c, kValid + "&client_secret=s3cr3t"); }, {"EXC012"}},
    {"ScopeRepeated", [](Case& c) { form(c, kValid + "&scope=" + kScope); }, {"EXC013"}},
    {"TwoResources",
     [](Case& c) {
       form(c, without(kValid, "scope") + "&scope=" + kScope + "%20https%3A%2F%2Fvault.azure.net%2F.default");
     },
     {"EXC014"}},
    {"BadEscape", [](Case& c) { form(c, kValid + "&x=%ZZ"); }, {"EXC015"}},
  };
  return kCases;
}

namespace {

class RequestRules : public ::testing::TestWithParam<RuleCase> {};
TEST_P(RequestRules, FireExactly) { expect_rules(GetParam()); }
INSTANTIATE_TEST_SUITE_P(Cases, RequestRules, ::testing::ValuesIn(request_rule_cases()), case_name);

}  // namespace
}  // namespace assay::test
