// HDR rules, through the whole engine.
#include <openssl/evp.h>

#include <gtest/gtest.h>

#include "assay/base64url.h"
#include "assay/key.h"
#include "assay/signature.h"
#include "support/rule_cases.h"
#include "support/testdata.h"

namespace assay::test {
namespace {

std::string hmac256(const std::string& secret, const std::string& data) {
  return hmac_for_confusion_check("HS256", secret, data);
}

void use_ec(Case& c, Profile p) {
  c.profile = p;
  c.alg = Alg::kES256;
  c.header["alg"] = "ES256";
  c.signing_key = "ec-p256.key.pem";
  c.certificates = {"ec-p256.crt.pem"};
  c.header["x5t#S256"] = x5t_s256_of("ec-p256.crt.pem");
}

std::string der_of(const std::string& cert) { return load_test_certificate(cert).der(); }

}  // namespace

const std::vector<RuleCase>& header_rule_cases() {
  static const std::vector<RuleCase> kCases = {
    {"AlgNone",
     [](Case& c) {
       c.header["alg"] = "none";
       c.tamper = [](const std::string& t) { return t.substr(0, t.rfind('.') + 1); };
     },
     {"HDR001"}},
    {"AlgNoneMixedCaseWithSignature", [](Case& c) { c.header["alg"] = "nOnE"; }, {"HDR001"}},
    {"AlgHmacRandomSecret",
     [](Case& c) {
       c.header["alg"] = "HS256";
       c.custom_sign = [](const std::string& in) { return hmac256("secret", in); };
     },
     {"HDR002"}},
    {"AlgHmacKeyedWithPublicKey",
     [](Case& c) {
       c.header["alg"] = "HS256";
       c.custom_sign = [](const std::string& in) {
         return hmac256(load_test_certificate("rsa-2048.crt.pem").public_key().public_pem(), in);
       };
     },
     {"HDR002", "SIG010"}},
    {"AlgMissing", [](Case& c) { c.header.erase("alg"); }, {"HDR003"}},
    {"AlgNotString", [](Case& c) { c.header["alg"] = 256; }, {"HDR003"}},
    {"AlgWrongCase", [](Case& c) { c.header["alg"] = "ps256"; }, {"HDR004"}},
    {"AlgNotAllowed",
     [](Case& c) { c.args = {"--alg", "RS256"}; },
     {"HDR005"}},
    {"AlgAllowedNearMiss",
     [](Case& c) { c.args = {"--alg", "PS256"}; }, {}},
    {"EcdsaUnderEntra", [](Case& c) { use_ec(c, Profile::kEntra); }, {"HDR006"}},
    {"EcdsaUnderRfc7523", [](Case& c) { use_ec(c, Profile::kRfc7523); }, {}},
    {"Ps384UnderEntra",
     [](Case& c) {
       c.alg = Alg::kPS384;
       c.header["alg"] = "PS384";
     },
     {"HDR007"}},
    {"NoKeyIdentifier", [](Case& c) { c.header.erase("x5t#S256"); }, {"HDR008"}},
    {"NoKeyIdentifierRfc7523",
     [](Case& c) {
       c.profile = Profile::kRfc7523;
       c.header.erase("x5t#S256");
     },
     {"HDR008"}},
    {"X5tOnlyNearMiss",
     [](Case& c) {
       c.header.erase("x5t#S256");
       c.header["x5t"] = x5t_of("rsa-2048.crt.pem");
     },
     {}},
    {"KidOnlyAsThumbprint",
     [](Case& c) {
       c.header.erase("x5t#S256");
       c.header["kid"] = x5t_of("rsa-2048.crt.pem");
     },
     {"HDR009"}},
    {"X5tHoldsSha256",
     [](Case& c) { c.header["x5t"] = x5t_s256_of("rsa-2048.crt.pem"); },
     {"HDR010", "KEY001"}},
    {"X5tS256HoldsSha1",
     [](Case& c) { c.header["x5t#S256"] = x5t_of("rsa-2048.crt.pem"); }, {"HDR010", "KEY001"}},
    {"X5tIsHexThumbprint",
     [](Case& c) {
       c.header.erase("x5t#S256");
       c.header["x5t"] = load_test_certificate("rsa-2048.crt.pem").thumbprints().sha1_hex;
     },
     {"HDR011", "KEY001"}},
    {"X5tIsBase64OfHexText",
     [](Case& c) {
       c.header.erase("x5t#S256");
       c.header["x5t"] = base64url_encode(load_test_certificate("rsa-2048.crt.pem").thumbprints().sha1_hex);
     },
     {"HDR011", "KEY001"}},
    {"X5tPadded",
     [](Case& c) {
       c.header.erase("x5t#S256");
       c.header["x5t"] = x5t_of("rsa-2048.crt.pem") + "=";
     },
     {"HDR012"}},
    {"X5tStandardAlphabet",
     [](Case& c) {
       c.signing_key = "rsa-3072.key.pem";
       c.certificates = {"rsa-3072.crt.pem"};
       c.header.erase("x5t#S256");
       std::string v = x5t_of("rsa-3072.crt.pem");
       for (char& ch : v) {
         ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
       }
       c.header["x5t"] = v;
     },
     {"HDR013"}},
    // Non-zero unused bits in a thumbprint of the right length: a warning under entra (which
    // matches the decoded bytes), an error under the strict profiles; never HDR010.
    {"X5tNonCanonicalBits",
     [](Case& c) {
       c.header.erase("x5t#S256");
       c.header["x5t"] = non_canonical(x5t_of("rsa-2048.crt.pem"));
     },
     {"HDR028"}},
    {"X5tNonCanonicalBitsRfc7523",
     [](Case& c) {
       c.profile = Profile::kRfc7523;
       c.header.erase("x5t#S256");
       c.header["x5t"] = non_canonical(x5t_of("rsa-2048.crt.pem"));
     },
     {"HDR028"}},
    {"X5tS256NonCanonicalBits",
     [](Case& c) { c.header["x5t#S256"] = non_canonical(x5t_s256_of("rsa-2048.crt.pem")); },
     {"HDR028"}},
    {"X5tNonCanonicalPadded",
     [](Case& c) {
       c.header.erase("x5t#S256");
       c.header["x5t"] = non_canonical(x5t_of("rsa-2048.crt.pem")) + "=";
     },
     {"HDR012", "HDR028"}},
    {"X5tNonCanonicalWrongLengthNearMiss",
     [](Case& c) { c.header["x5t"] = non_canonical(x5t_s256_of("rsa-2048.crt.pem")); },
     {"HDR010", "KEY001"}},
    {"KidNotString", [](Case& c) { c.header["kid"] = 5; }, {"HDR014"}},
    {"KidPathTraversal", [](Case& c) { c.header["kid"] = "../../../../dev/null"; }, {"HDR015"}},
    {"EmbeddedJwk",
     [](Case& c) {
       Json jwk;
       load_test_certificate("rsa-2048.crt.pem").public_key().to_public_jwk(jwk);
       c.header["jwk"] = jwk;
     },
     {"HDR016"}},
    {"Jku", [](Case& c) { c.header["jku"] = "https://attacker.example/jwks"; }, {"HDR017"}},
    {"CritUnknown",
     [](Case& c) {
       c.header["x-ext"] = true;
       c.header["crit"] = Json::array({"x-ext"});
     },
     {"HDR018"}},
    {"CritRegisteredName", [](Case& c) { c.header["crit"] = Json::array({"alg"}); }, {"HDR018"}},
    {"CritEmpty", [](Case& c) { c.header["crit"] = Json::array(); }, {"HDR019"}},
    {"B64FalseWithCrit",
     [](Case& c) {
       c.header["b64"] = false;
       c.header["crit"] = Json::array({"b64"});
     },
     {"HDR018", "HDR020"}},
    {"TypAccessToken", [](Case& c) { c.header["typ"] = "at+jwt"; }, {"HDR021"}},
    {"TypMediaTypeNearMiss", [](Case& c) { c.header["typ"] = "application/JWT"; }, {}},
    {"TypJwtUnderRfc7523bis",
     [](Case& c) {
       c.profile = Profile::kRfc7523bis;
       c.payload["aud"] = kIssuer;
       c.args = {"--issuer", kIssuer};
     },
     {"HDR022"}},
    {"TypExplicitUnderRfc7523bis",
     [](Case& c) {
       c.profile = Profile::kRfc7523bis;
       c.header["typ"] = "client-authentication+jwt";
       c.payload["aud"] = kIssuer;
       c.args = {"--issuer", kIssuer};
     },
     {}},
    {"TypExplicitUnderEntra", [](Case& c) { c.header["typ"] = "client-authentication+jwt"; },
     {"HDR023"}},
    {"X5cSingleString",
     [](Case& c) { c.header["x5c"] = base64_encode(der_of("rsa-2048.crt.pem")); }, {"HDR024"}},
    {"X5cArrayNearMiss",
     [](Case& c) { c.header["x5c"] = Json::array({base64_encode(der_of("rsa-2048.crt.pem"))}); }, {}},
    {"X5cNotBase64", [](Case& c) { c.header["x5c"] = Json::array({"%%%"}); }, {"HDR025"}},
    {"X5cLeafDisagrees",
     [](Case& c) { c.header["x5c"] = Json::array({base64_encode(der_of("rsa-2048-b.crt.pem"))}); },
     {"HDR026"}},
    {"CtyJwt", [](Case& c) { c.header["cty"] = "JWT"; }, {"HDR027"}},
  };
  return kCases;
}

namespace {

class HeaderRules : public ::testing::TestWithParam<RuleCase> {};
TEST_P(HeaderRules, FireExactly) { expect_rules(GetParam()); }
INSTANTIATE_TEST_SUITE_P(Cases, HeaderRules, ::testing::ValuesIn(header_rule_cases()), case_name);

// The x5t of the 2015 Exchange daemon-app sample, which Entra accepted: the same 20 bytes as the
// canonical "W-Kt0b4B7RkK34cdXVR91e_nf9w", spelt with a non-zero unused bit.
TEST(HeaderRules, ExchangeSampleThumbprintWarnsUnderEntraFailsStrict) {
  Case c;
  c.header = Json::object({{"alg", "RS256"}, {"x5t", "W-Kt0b4B7RkK34cdXVR91e_nf9x"}});
  c.alg = Alg::kRS256;
  c.keyless = true;  // no certificate of that thumbprint: as `assay inspect` sees the sample
  const Report entra = run_case(c);
  EXPECT_EQ(rule_ids(entra), std::vector<std::string>{"HDR028"});
  const Finding* f = first_finding(entra, "HDR028");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->severity, Severity::kWarning);
  EXPECT_EQ(f->pointer, "/header/x5t");
  EXPECT_NE(f->message.find("5BE2ADD1BE01ED190ADF871D5D547DD5EFE77FDC"), std::string::npos)
      << f->message;
  EXPECT_NE(f->message.find("\"W-Kt0b4B7RkK34cdXVR91e_nf9w\""), std::string::npos) << f->message;
  EXPECT_NE(f->hint.find("dotnet/runtime#105262"), std::string::npos) << f->hint;
  EXPECT_TRUE(entra.passes());

  for (Profile p : {Profile::kRfc7523, Profile::kRfc7523bis, Profile::kOidc}) {
    c.profile = p;
    const Report strict = run_case(c);
    const Finding* s = first_finding(strict, "HDR028");
    ASSERT_NE(s, nullptr) << profile_name(p);
    EXPECT_EQ(s->severity, Severity::kError) << profile_name(p);
    EXPECT_EQ(first_finding(strict, "HDR010"), nullptr) << profile_name(p);
  }
}

// The decoded bytes name the certificate, so the signature is checked with it and no key rule
// fires; the x5t#S256 form too.
TEST(HeaderRules, NonCanonicalThumbprintStillSelectsTheCertificate) {
  for (const char* name : {"x5t", "x5t#S256"}) {
    Case c;
    c.header.erase("x5t#S256");
    const std::string canonical = std::string_view(name) == "x5t"
                                      ? x5t_of("rsa-2048.crt.pem")
                                      : x5t_s256_of("rsa-2048.crt.pem");
    c.header[name] = non_canonical(canonical);
    const Report r = run_case(c);
    EXPECT_EQ(rule_ids(r), std::vector<std::string>{"HDR028"}) << name;
    EXPECT_TRUE(r.signature.verified) << name;
    const Finding* f = first_finding(r, "HDR028");
    ASSERT_NE(f, nullptr);
    EXPECT_NE(f->message.find("\"" + canonical + "\""), std::string::npos) << f->message;
  }
}

}  // namespace
}  // namespace assay::test
