#include "assay/signature.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <gtest/gtest.h>

#include "assay/base64url.h"
#include "assay/key.h"
#include "support/testdata.h"

namespace assay {
namespace {

using test::load_test_private_key;

struct AlgKey {
  Alg alg;
  const char* key;
};

class SignVerify : public ::testing::TestWithParam<AlgKey> {};

TEST_P(SignVerify, RoundTripsAndRejectsTampering) {
  const Key key = load_test_private_key(GetParam().key);
  const Alg alg = GetParam().alg;
  const std::string data = "eyJhbGciOiJQUzI1NiJ9.eyJpc3MiOiJjIn0";
  auto sig = sign(alg, key, data);
  ASSERT_TRUE(sig) << sig.error().message;
  if (alg_family(alg) == AlgFamily::kEcdsa) {
    EXPECT_EQ(sig->size(), ecdsa_signature_size(alg));
  } else {
    EXPECT_EQ(sig->size(), static_cast<size_t>(key.bits() / 8));
  }
  EXPECT_EQ(verify_signature(alg, key.public_key(), data, *sig).status, SignatureStatus::kValid);
  EXPECT_EQ(verify_signature(alg, key, data, *sig).status, SignatureStatus::kValid);
  std::string tampered = *sig;
  tampered[tampered.size() / 2] = static_cast<char>(tampered[tampered.size() / 2] ^ 1);
  EXPECT_FALSE(verify_signature(alg, key.public_key(), data, tampered).valid());
  EXPECT_FALSE(verify_signature(alg, key.public_key(), data + "x", *sig).valid());
}

INSTANTIATE_TEST_SUITE_P(
    AllAlgorithms, SignVerify,
    ::testing::Values(AlgKey{Alg::kRS256, "rsa-2048.key.pem"}, AlgKey{Alg::kRS384, "rsa-2048.key.pem"},
                      AlgKey{Alg::kRS512, "rsa-3072.key.pem"}, AlgKey{Alg::kPS256, "rsa-2048.key.pem"},
                      AlgKey{Alg::kPS384, "rsa-3072.key.pem"}, AlgKey{Alg::kPS512, "rsa-2048.key.pem"},
                      AlgKey{Alg::kES256, "ec-p256.key.pem"}, AlgKey{Alg::kES384, "ec-p384.key.pem"},
                      AlgKey{Alg::kES512, "ec-p521.key.pem"}),
    [](const ::testing::TestParamInfo<AlgKey>& p) { return std::string(alg_name(p.param.alg)); });

TEST(Sign, RefusesPublicKeysAndMismatchedAlgs) {
  const Key rsa = load_test_private_key("rsa-2048.key.pem");
  EXPECT_EQ(sign(Alg::kRS256, rsa.public_key(), "x").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(sign(Alg::kES256, rsa, "x").error().code, ErrorCode::kInvalidArgument);
  const Key p384 = load_test_private_key("ec-p384.key.pem");
  EXPECT_FALSE(sign(Alg::kES256, p384, "x"));
}

TEST(Verify, BindsKeyTypeToAlg) {
  const Key rsa = load_test_private_key("rsa-2048.key.pem");
  const Key ec = load_test_private_key("ec-p256.key.pem");
  auto rs = sign(Alg::kRS256, rsa, "data");
  ASSERT_TRUE(rs);
  EXPECT_EQ(verify_signature(Alg::kES256, rsa, "data", *rs).status,
            SignatureStatus::kKeyAlgMismatch);
  auto es = sign(Alg::kES256, ec, "data");
  ASSERT_TRUE(es);
  EXPECT_EQ(verify_signature(Alg::kRS256, ec, "data", *es).status,
            SignatureStatus::kKeyAlgMismatch);
  const Key p384 = load_test_private_key("ec-p384.key.pem");
  EXPECT_EQ(verify_signature(Alg::kES256, p384, "data", *es).status,
            SignatureStatus::kKeyAlgMismatch);
}

TEST(Verify, EmptySignature) {
  const Key rsa = load_test_private_key("rsa-2048.key.pem");
  EXPECT_EQ(verify_signature(Alg::kRS256, rsa, "data", "").status, SignatureStatus::kEmpty);
}

TEST(Verify, RsaLengthMustEqualModulus) {
  const Key rsa = load_test_private_key("rsa-2048.key.pem");
  auto sig = sign(Alg::kRS256, rsa, "data");
  ASSERT_TRUE(sig);
  EXPECT_EQ(verify_signature(Alg::kRS256, rsa, "data", std::string(1, '\0') + *sig).status,
            SignatureStatus::kWrongLength);
  EXPECT_EQ(verify_signature(Alg::kRS256, rsa, "data", sig->substr(1)).status,
            SignatureStatus::kWrongLength);
}

TEST(Verify, DetectsRsPsPaddingSwap) {
  const Key rsa = load_test_private_key("rsa-2048.key.pem");
  auto pkcs1 = sign(Alg::kRS256, rsa, "data");
  auto pss = sign(Alg::kPS256, rsa, "data");
  ASSERT_TRUE(pkcs1 && pss);
  EXPECT_EQ(verify_signature(Alg::kPS256, rsa, "data", *pkcs1).status,
            SignatureStatus::kPaddingMismatch);
  EXPECT_EQ(verify_signature(Alg::kRS256, rsa, "data", *pss).status,
            SignatureStatus::kPaddingMismatch);
  EXPECT_EQ(verify_signature(Alg::kPS256, rsa, "data", *pkcs1, /*diagnose=*/false).status,
            SignatureStatus::kInvalid);
}

// Signs with raw OpenSSL RSA-PSS and an explicit salt length.
std::string pss_with_salt(const char* keyfile, int salt, std::string_view data) {
  auto pem = test::read_testdata(std::string("keys/") + keyfile);
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), nullptr, pkey);
  EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
  EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt);
  EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256());
  size_t len = 0;
  EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  std::string sig(len, '\0');
  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                 reinterpret_cast<const unsigned char*>(data.data()), data.size());
  sig.resize(len);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(pkey);
  return sig;
}

TEST(Verify, PssSaltMustBeTheDigestLength) {
  const Key rsa = load_test_private_key("rsa-2048.key.pem");
  EXPECT_EQ(verify_signature(Alg::kPS256, rsa, "data", pss_with_salt("rsa-2048.key.pem", 32, "data"))
                .status,
            SignatureStatus::kValid);
  for (int salt : {0, 20, 64}) {
    auto c = verify_signature(Alg::kPS256, rsa, "data", pss_with_salt("rsa-2048.key.pem", salt, "data"));
    EXPECT_EQ(c.status, SignatureStatus::kPssSalt) << "salt " << salt;
    EXPECT_NE(c.detail.find(std::to_string(salt)), std::string::npos) << c.detail;
  }
}

TEST(Verify, EcdsaFormChecks) {
  const Key ec = load_test_private_key("ec-p256.key.pem");
  EXPECT_EQ(verify_signature(Alg::kES256, ec, "data", std::string(64, '\0')).status,
            SignatureStatus::kEcdsaRange);
  EXPECT_EQ(check_ecdsa_form(Alg::kES256, std::string(64, '\0')).status,
            SignatureStatus::kEcdsaRange);
  // r = n (the P-256 order) is out of range too.
  const std::string n = *hex_decode("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
  EXPECT_EQ(check_ecdsa_form(Alg::kES256, n + std::string(31, '\0') + "\x01").status,
            SignatureStatus::kEcdsaRange);
  // The DER "psychic signature" MAYCAQACAQA (r = s = 0).
  EXPECT_EQ(check_ecdsa_form(Alg::kES256, std::string("\x30\x06\x02\x01\x00\x02\x01\x00", 8)).status,
            SignatureStatus::kEcdsaDer);
  EXPECT_EQ(check_ecdsa_form(Alg::kES256, std::string(63, '\x01')).status,
            SignatureStatus::kWrongLength);
}

TEST(Verify, EcdsaHighSIsValidButFlagged) {
  const Key ec = load_test_private_key("ec-p256.key.pem");
  auto sig = sign(Alg::kES256, ec, "data");
  ASSERT_TRUE(sig);
  BIGNUM* n = nullptr;
  BN_hex2bn(&n, "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
  BIGNUM* s = BN_bin2bn(reinterpret_cast<const unsigned char*>(sig->data() + 32), 32, nullptr);
  BIGNUM* flipped = BN_new();
  BN_sub(flipped, n, s);
  std::string other = sig->substr(0, 32) + std::string(32, '\0');
  BN_bn2binpad(flipped, reinterpret_cast<unsigned char*>(other.data() + 32), 32);
  auto a = verify_signature(Alg::kES256, ec, "data", *sig);
  auto b = verify_signature(Alg::kES256, ec, "data", other);
  EXPECT_TRUE(a.valid());
  EXPECT_TRUE(b.valid());
  EXPECT_FALSE(a.high_s);  // sign() always emits low-S
  EXPECT_TRUE(b.high_s);
  BN_free(n);
  BN_free(s);
  BN_free(flipped);
}

TEST(HmacConfusion, ComputesHs256) {
  // RFC 4231 test case 2.
  EXPECT_EQ(hex_upper(hmac_for_confusion_check("HS256", "Jefe", "what do ya want for nothing?")),
            "5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843");
  EXPECT_EQ(hmac_for_confusion_check("RS256", "k", "d"), "");
}

}  // namespace
}  // namespace assay
