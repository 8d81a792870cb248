// SIG and KEY rules, through the whole engine.
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "assay/base64url.h"
#include "assay/key.h"
#include "assay/replay.h"
#include "assay/signature.h"
#include "support/rule_cases.h"
#include "support/testdata.h"

namespace assay::test {
namespace {

constexpr const char* kP256Order = "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551";

void use_ec(Case& c) {
  c.profile = Profile::kRfc7523;
  c.alg = Alg::kES256;
  c.header["alg"] = "ES256";
  c.signing_key = "ec-p256.key.pem";
  c.certificates = {"ec-p256.crt.pem"};
  c.header["x5t#S256"] = x5t_s256_of("ec-p256.crt.pem");
}

// An ES256 signature whose s is in the upper half of the order (s or n - s).
std::string high_s_signature(const std::string& input) {
  const std::string sig = sign(Alg::kES256, load_test_private_key("ec-p256.key.pem"), input).value();
  BIGNUM* n = nullptr;
  BN_hex2bn(&n, kP256Order);
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(sig.data() + 32), 32, nullptr);
  BIGNUM* half = BN_dup(n);
  BN_rshift1(half, half);
  std::string out = sig;
  if (BN_cmp(s, half) <= 0) {
    BIGNUM* flipped = BN_new();
    BN_sub(flipped, n, s);
    BN_bn2binpad(flipped, reinterpret_cast<unsigned char*>(out.data() + 32), 32);
    BN_free(flipped);
  }
  BN_free(n);
  BN_free(s);
  BN_free(half);
  return out;
}

std::string der_ecdsa_once(const std::string& input);

// A DER ECDSA signature of exactly 71 bytes (so golden output is stable): r with its top bit
// set (33 bytes with the sign byte), s of exactly 32 bytes.
std::string der_ecdsa(const std::string& input) {
  for (;;) {
    std::string der = der_ecdsa_once(input);
    if (der.size() == 71) {
      return der;
    }
  }
}

std::string der_ecdsa_once(const std::string& input) {
  const std::string raw = sign(Alg::kES256, load_test_private_key("ec-p256.key.pem"), input).value();
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data()), 32, nullptr),
                 BN_bin2bn(reinterpret_cast<const unsigned char*>(raw.data() + 32), 32, nullptr));
  unsigned char* der = nullptr;
  const int len = i2d_ECDSA_SIG(sig, &der);
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  ECDSA_SIG_free(sig);
  return out;
}

std::string pss_salt0(const std::string& input) {
  const std::string pem = read_testdata("keys/rsa-2048.key.pem");
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), nullptr, pkey);
  EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
  EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 0);
  size_t len = 0;
  EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()), input.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pkey);
  return sig;
}

// Moves every time claim so that `now` is `at` (for certificate-date cases).
void shift_clock(Case& c, int64_t at) {
  c.payload["iat"] = at;
  c.payload["nbf"] = at;
  c.payload["exp"] = at + 600;
  c.args = {"--now", std::to_string(at)};
}

}  // namespace

const std::vector<RuleCase>& key_rule_cases() {
  static const std::vector<RuleCase> kCases = {
    {"EmptySignature",
     [](Case& c) { c.tamper = [](const std::string& t) { return t.substr(0, t.rfind('.') + 1); }; },
     {"SIG001"}},
    {"WrongSigningKey", [](Case& c) { c.signing_key = "rsa-2048-b.key.pem"; }, {"SIG002"}},
    {"RsaSignatureTooLong",
     [](Case& c) {
       c.tamper = [](const std::string& t) {
         const std::string sig = base64url_decode(t.substr(t.rfind('.') + 1)).value();
         return t.substr(0, t.rfind('.') + 1) + base64url_encode(std::string(1, '\0') + sig);
       };
     },
     {"SIG003"}},
    {"EcdsaZeroSignature",
     [](Case& c) {
       use_ec(c);
       c.custom_sign = [](const std::string&) { return std::string(64, '\0'); };
     },
     {"SIG004"}},
    {"EcdsaZeroSignatureKeyless",
     [](Case& c) {
       use_ec(c);
       c.keyless = true;
       c.custom_sign = [](const std::string&) { return std::string(64, '\0'); };
     },
     {"SIG004"}},
    {"EcdsaDer",
     [](Case& c) {
       use_ec(c);
       c.custom_sign = der_ecdsa;
     },
     {"SIG005"}},
    {"EcdsaHighS",
     [](Case& c) {
       use_ec(c);
       c.custom_sign = high_s_signature;
     },
     {"SIG006"}},
    {"EcdsaValidNearMiss", [](Case& c) { use_ec(c); }, {}},
    {"PssSaltZero", [](Case& c) { c.custom_sign = pss_salt0; }, {"SIG007"}},
    {"Pkcs1UnderPs256",
     [](Case& c) {
       c.custom_sign = [](const std::string& in) {
         return sign(Alg::kRS256, load_test_private_key("rsa-2048.key.pem"), in).value();
       };
     },
     {"SIG008"}},
    {"EcdsaAlgWithRsaCertificate",
     [](Case& c) {
       c.profile = Profile::kRfc7523;
       c.alg = Alg::kES256;
       c.header["alg"] = "ES256";
       c.signing_key = "ec-p256.key.pem";
     },
     {"SIG009"}},
    {"NoKeyMaterial", [](Case& c) { c.certificates.clear(); }, {"SIG011"}},
    {"ThumbprintOfAnotherCertificate",
     [](Case& c) { c.header["x5t#S256"] = x5t_s256_of("rsa-2048-b.crt.pem"); }, {"KEY001"}},
    // The header and the key both belong to another certificate: KEY001 and SIG002.
    {"ThumbprintAndKeyOfAnotherCertificate",
     [](Case& c) {
       c.signing_key = "rsa-2048-b.key.pem";
       c.header["x5t#S256"] = x5t_s256_of("rsa-2048-b.crt.pem");
     },
     {"KEY001", "SIG002"}},
    // x5t names the certificate, x5t#S256 and the signing key another one.
    {"OneThumbprintMatchesAnotherKeySigned",
     [](Case& c) {
       c.signing_key = "rsa-2048-b.key.pem";
       c.header["x5t#S256"] = x5t_s256_of("rsa-2048-b.crt.pem");
       c.header["x5t"] = x5t_of("rsa-2048.crt.pem");
     },
     {"KEY001", "SIG002"}},
    {"UnknownKidInJwks",
     [](Case& c) {
       c.profile = Profile::kRfc7523;
       c.certificates.clear();
       c.public_keys = {"jwks.json"};
       c.header.erase("x5t#S256");
       c.header["kid"] = "rotated-away";
     },
     {"KEY002"}},
    {"KidSelectsFromJwks",
     [](Case& c) {
       c.profile = Profile::kRfc7523;
       c.certificates.clear();
       c.public_keys = {"jwks.json"};
       c.header.erase("x5t#S256");
       c.header["kid"] = "rsa-2048";
     },
     {}},
    {"KidPointsAtAnotherJwksKey",
     [](Case& c) {
       c.profile = Profile::kRfc7523;
       c.certificates.clear();
       c.public_keys = {"jwks.json"};
       c.header.erase("x5t#S256");
       c.header["kid"] = "rsa-2048-b";
     },
     {"SIG002"}},
    {"PrivateKeyDoesNotMatchCertificate",
     [](Case& c) { c.private_key = "rsa-2048-b.key.pem"; }, {"KEY003"}},
    {"PrivateKeyMatchesNearMiss", [](Case& c) { c.private_key = "rsa-2048.key.pem"; }, {}},
    {"CertificateExpired",
     [](Case& c) {
       c.certificates = {"rsa-2048-expired.crt.pem"};
       c.header["x5t#S256"] = x5t_s256_of("rsa-2048-expired.crt.pem");
     },
     {"KEY004"}},
    {"CertificateNotYetValid",
     [](Case& c) {
       c.certificates = {"rsa-2048-future.crt.pem"};
       c.header["x5t#S256"] = x5t_s256_of("rsa-2048-future.crt.pem");
     },
     {"KEY005"}},
    {"WeakRsaKey",
     [](Case& c) {
       c.signing_key = "rsa-1024.key.pem";
       c.certificates = {"rsa-1024.crt.pem"};
       c.header["x5t#S256"] = x5t_s256_of("rsa-1024.crt.pem");
     },
     {"KEY006"}},
    {"CertificateExpiringSoon",
     [](Case& c) {
       c.certificates = {"rsa-2048-expired.crt.pem"};
       c.header["x5t#S256"] = x5t_s256_of("rsa-2048-expired.crt.pem");
       shift_clock(c, 1608854400);  // 2020-12-25, a week before notAfter
     },
     {"KEY007"}},
    {"KidDoesNotIdentifyTheKey",
     [](Case& c) {
       c.profile = Profile::kRfc7523;
       c.header.erase("x5t#S256");
       c.header["kid"] = "some-other-key";
     },
     {"KEY008"}},
  };
  return kCases;
}

namespace {

class KeyRules : public ::testing::TestWithParam<RuleCase> {};
TEST_P(KeyRules, FireExactly) { expect_rules(GetParam()); }
INSTANTIATE_TEST_SUITE_P(Cases, KeyRules, ::testing::ValuesIn(key_rule_cases()), case_name);

TEST(KeyRules, ThumbprintMismatchShowsEveryForm) {
  Case c;
  c.header["x5t#S256"] = x5t_s256_of("rsa-2048-b.crt.pem");
  c.header["x5t"] = x5t_of("rsa-2048-b.crt.pem");
  const Report r = run_case(c);
  const Certificate other = load_test_certificate("rsa-2048-b.crt.pem");
  const Certificate mine = load_test_certificate("rsa-2048.crt.pem");
  bool saw_sha1 = false;
  for (const Finding& f : r.findings) {
    ASSERT_EQ(f.rule_id, "KEY001");
    if (f.pointer == "/header/x5t") {
      saw_sha1 = true;
      // The uppercase hex Entra echoes in AADSTS700027, and every form of the expected value.
      EXPECT_NE(f.message.find(other.thumbprints().sha1_hex), std::string::npos) << f.message;
      EXPECT_NE(f.message.find(mine.thumbprints().x5t), std::string::npos);
      EXPECT_NE(f.message.find(mine.thumbprints().sha1_hex), std::string::npos);
      EXPECT_NE(f.message.find(mine.thumbprints().custom_key_identifier), std::string::npos);
      EXPECT_NE(f.message.find("does verify"), std::string::npos);
      EXPECT_EQ(f.hint, "set x5t to \"" + mine.thumbprints().x5t + "\"");
    }
  }
  EXPECT_TRUE(saw_sha1);
  EXPECT_TRUE(r.signature.verified);
}

// KEY001 tells the user to change the header only when the named certificate's key made the
// signature; when SIG002 says it did not, a corrected header would still fail.
TEST(KeyRules, ThumbprintFixDependsOnWhoSigned) {
  const std::string mine = x5t_s256_of("rsa-2048.crt.pem");
  const std::string set_hint = "set x5t#S256 to \"" + mine + "\"";

  Case header_only;  // signed with the certificate's key: the header is the only mistake
  header_only.header["x5t#S256"] = x5t_s256_of("rsa-2048-b.crt.pem");
  const Report a = run_case(header_only);
  ASSERT_NE(first_finding(a, "KEY001"), nullptr);
  EXPECT_EQ(first_finding(a, "KEY001")->hint, set_hint);

  Case padding = header_only;  // the key signed, with PKCS#1 v1.5 under PS256 (SIG008)
  padding.custom_sign = [](const std::string& in) {
    return sign(Alg::kRS256, load_test_private_key("rsa-2048.key.pem"), in).value();
  };
  const Report b = run_case(padding);
  ASSERT_NE(first_finding(b, "SIG008"), nullptr);
  EXPECT_EQ(first_finding(b, "KEY001")->hint, set_hint);

  for (const std::string name :
       {"ThumbprintAndKeyOfAnotherCertificate", "OneThumbprintMatchesAnotherKeySigned"}) {
    const auto& cases = key_rule_cases();
    const auto it = std::find_if(cases.begin(), cases.end(),
                                 [&](const RuleCase& rc) { return rc.name == name; });
    ASSERT_NE(it, cases.end()) << name;
    Case c;
    it->setup(c);
    const Report r = run_case(c);
    ASSERT_NE(first_finding(r, "SIG002"), nullptr) << name;
    const Finding* f = first_finding(r, "KEY001");
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(f->pointer, "/header/x5t#S256") << name;
    EXPECT_FALSE(f->hint.starts_with("set ")) << name << ": " << f->hint;
    EXPECT_NE(f->hint.find("does not verify"), std::string::npos) << f->hint;
    EXPECT_NE(f->hint.find("cannot help"), std::string::npos) << f->hint;
    EXPECT_NE(f->hint.find(mine), std::string::npos) << f->hint;
  }
}

TEST(KeyRules, HexThumbprintHintCarriesTheCorrectValue) {
  Case c;
  c.header.erase("x5t#S256");
  const Certificate mine = load_test_certificate("rsa-2048.crt.pem");
  c.header["x5t"] = mine.thumbprints().sha1_hex;
  const Report r = run_case(c);
  ASSERT_TRUE(r.has("HDR011"));
  for (const Finding& f : r.findings) {
    if (f.rule_id == "HDR011") {
      EXPECT_EQ(f.hint, "set x5t to \"" + mine.thumbprints().x5t + "\"");
    }
  }
}

TEST(KeyRules, SignatureInfoNamesTheKey) {
  Case c;
  const Report r = run_case(c);
  EXPECT_TRUE(r.signature.checked);
  EXPECT_TRUE(r.signature.verified);
  EXPECT_EQ(r.signature.status, "valid");
  EXPECT_NE(r.signature.key.find("CN=assay test rsa-2048"), std::string::npos) << r.signature.key;
}

}  // namespace
}  // namespace assay::test

namespace assay::test {
namespace {

// KEY009: JWK metadata that forbids signature verification.
TEST(KeyRules, JwkMetadataConflicts) {
  const std::string base = read_testdata("keys/rsa-2048.pub.jwk.json");
  for (const char* extra : {R"("use":"enc")", R"("key_ops":["encrypt"])", R"("alg":"RS256")"}) {
    const std::string jwk = base.substr(0, base.rfind('}')) + "," + extra + "}";
    const std::string path = testing::TempDir() + "/assay-jwk-conflict.json";
    std::ofstream(path) << jwk;
    KeySet ks;
    ks.keys.push_back(load_credentials_file(path).value().public_keys.at(0));
    Case c;
    c.header.erase("x5t#S256");
    c.header["kid"] = "k";
    auto p = PolicyBuilder().profile(Profile::kRfc7523).expect_client_id(kClientId)
                 .fixed_now(Seconds{std::chrono::seconds{kNow}}).build().value();
    auto r = verify_input(build_token(c), ks, p);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->has("KEY009")) << extra;
  }
}

}  // namespace
}  // namespace assay::test
