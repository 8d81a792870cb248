#include "assay/key.h"

#include <fstream>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "assay/base64url.h"
#include "support/testdata.h"

namespace assay {
namespace {

using test::kTestPassword;
using test::load_test_credentials;
using test::read_testdata;

LoadOptions with_password() {
  LoadOptions o;
  o.password = std::string(kTestPassword);
  return o;
}

TEST(LoadCredentials, Pkcs8Pem) {
  auto c = load_credentials(read_testdata("keys/rsa-2048.key.pem"));
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_TRUE(c->private_key);
  EXPECT_EQ(c->private_key->type(), KeyType::kRsa);
  EXPECT_EQ(c->private_key->bits(), 2048);
  EXPECT_TRUE(c->private_key->has_private());
  EXPECT_EQ(c->private_key->describe(), "RSA 2048-bit private key");
}

TEST(LoadCredentials, Pkcs1PemPlainAndEncrypted) {
  auto plain = load_private_key(read_testdata("keys/rsa-2048.pkcs1.pem"));
  ASSERT_TRUE(plain) << plain.error().message;
  auto enc = load_private_key(read_testdata("keys/rsa-2048.pkcs1-enc.pem"), with_password());
  ASSERT_TRUE(enc) << enc.error().message;
  EXPECT_TRUE(plain->same_public_key(*enc));
}

TEST(LoadCredentials, EncryptedPkcs8NeedsTheRightPassword) {
  const std::string pem = read_testdata("keys/rsa-2048.enc.pem");
  auto missing = load_private_key(pem);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kPasswordRequired);
  LoadOptions wrong;
  wrong.password = "wrong";
  auto bad = load_private_key(pem, wrong);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kBadPassword);
  auto good = load_private_key(pem, with_password());
  ASSERT_TRUE(good) << good.error().message;
}

TEST(LoadCredentials, Sec1EcKey) {
  auto k = load_private_key(read_testdata("keys/ec-p256.sec1.pem"));
  ASSERT_TRUE(k) << k.error().message;
  EXPECT_EQ(k->type(), KeyType::kEc);
  EXPECT_EQ(k->curve(), "P-256");
  EXPECT_TRUE(k->supports(Alg::kES256));
  EXPECT_FALSE(k->supports(Alg::kES384));
  EXPECT_FALSE(k->supports(Alg::kRS256));
}

TEST(LoadCredentials, DerPrivateKey) {
  auto c = load_credentials(read_testdata("keys/rsa-2048.key.der"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->format, KeyFormat::kDerPrivateKey);
  EXPECT_TRUE(c->private_key);
}

TEST(LoadCredentials, PublicKeyForms) {
  auto spki = load_public_key(read_testdata("keys/rsa-2048.pub.pem"));
  auto pkcs1 = load_public_key(read_testdata("keys/rsa-2048.pkcs1pub.pem"));
  auto cert = load_public_key(read_testdata("keys/rsa-2048.crt.pem"));
  auto der = load_public_key(read_testdata("keys/rsa-2048.crt.der"));
  auto jwk = load_public_key(read_testdata("keys/rsa-2048.pub.jwk.json"));
  for (auto* k : {&spki, &pkcs1, &cert, &der, &jwk}) {
    ASSERT_TRUE(*k) << k->error().message;
    EXPECT_FALSE((*k)->has_private());
    EXPECT_TRUE((*k)->same_public_key(*spki));
  }
}

TEST(LoadCredentials, CertificateFacts) {
  auto cert = load_certificate(read_testdata("keys/rsa-2048.crt.pem"));
  ASSERT_TRUE(cert) << cert.error().message;
  EXPECT_EQ(cert->subject(), "CN=assay test rsa-2048,O=assay test keys");
  EXPECT_TRUE(cert->self_issued());
  EXPECT_FALSE(cert->serial_hex().empty());
  EXPECT_EQ(cert->not_before().time_since_epoch().count(), 1735689600);  // 2025-01-01T00:00:00Z
  EXPECT_EQ(cert->not_after().time_since_epoch().count(), 2366841600);   // 2045-01-01T00:00:00Z
  EXPECT_EQ(cert->public_key().bits(), 2048);
}

TEST(LoadCredentials, ThumbprintsAgreeAcrossForms) {
  auto cert = load_certificate(read_testdata("keys/rsa-2048.crt.pem"));
  ASSERT_TRUE(cert);
  const Thumbprints& t = cert->thumbprints();
  EXPECT_EQ(t.sha1.size(), 20U);
  EXPECT_EQ(t.sha256.size(), 32U);
  EXPECT_EQ(t.sha1_hex, hex_upper(t.sha1));
  EXPECT_EQ(t.sha1_hex.size(), 40U);
  EXPECT_EQ(t.x5t, base64url_encode(t.sha1));
  EXPECT_EQ(t.x5t.size(), 27U);
  EXPECT_EQ(t.x5t_s256.size(), 43U);
  EXPECT_EQ(t.custom_key_identifier, base64_encode(t.sha1));
  auto der = load_certificate(read_testdata("keys/rsa-2048.crt.der"));
  ASSERT_TRUE(der);
  EXPECT_EQ(der->thumbprints().x5t_s256, t.x5t_s256);
}

TEST(LoadCredentials, Pkcs12ModernAndLegacy) {
  for (const char* name : {"keys/rsa-2048.pfx", "keys/rsa-2048-legacy.pfx"}) {
    auto c = load_credentials(read_testdata(name), with_password());
    ASSERT_TRUE(c) << name << ": " << c.error().message << " " << c.error().detail;
    EXPECT_EQ(c->format, KeyFormat::kPkcs12);
    ASSERT_TRUE(c->private_key);
    ASSERT_EQ(c->certificates.size(), 1U);
    EXPECT_TRUE(key_matches_certificate(*c->private_key, c->certificates[0]));
  }
}

TEST(LoadCredentials, Pkcs12PasswordErrors) {
  const std::string pfx = read_testdata("keys/rsa-2048.pfx");
  auto none = load_credentials(pfx);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::kPasswordRequired);
  LoadOptions wrong;
  wrong.password = "nope";
  auto bad = load_credentials(pfx, wrong);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kBadPassword);
}

TEST(LoadCredentials, BundleOfKeyAndCertificate) {
  auto c = load_credentials(read_testdata("keys/rsa-2048.bundle.pem"));
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_TRUE(c->private_key);
  ASSERT_EQ(c->certificates.size(), 1U);
  EXPECT_TRUE(key_matches_certificate(*c->private_key, c->certificates[0]));
}

TEST(LoadCredentials, JwkPrivateAndJwks) {
  auto jwk = load_credentials(read_testdata("keys/ec-p384.jwk.json"));
  ASSERT_TRUE(jwk) << jwk.error().message;
  EXPECT_EQ(jwk->format, KeyFormat::kJwk);
  ASSERT_TRUE(jwk->private_key);
  EXPECT_EQ(jwk->private_key->curve(), "P-384");
  auto pem = load_private_key(read_testdata("keys/ec-p384.key.pem"));
  ASSERT_TRUE(pem);
  EXPECT_TRUE(pem->same_public_key(*jwk->private_key));

  auto rsa = load_private_key(read_testdata("keys/rsa-2048.jwk.json"));
  ASSERT_TRUE(rsa) << rsa.error().message;

  auto set = load_jwks(read_testdata("keys/jwks.json"));
  ASSERT_TRUE(set) << set.error().message;
  ASSERT_EQ(set->size(), 3U);
  EXPECT_EQ((*set)[0].jwk().kid, "rsa-2048");
  EXPECT_EQ((*set)[2].jwk().kid, "ec-p256");
  EXPECT_EQ((*set)[0].jwk().use, "sig");
}

TEST(LoadCredentials, JwkRoundTripAndThumbprint) {
  auto k = load_public_key(read_testdata("keys/rsa-2048.pub.pem"));
  ASSERT_TRUE(k);
  Json jwk;
  k->to_public_jwk(jwk);
  auto again = load_public_key(jwk.dump());
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_TRUE(again->same_public_key(*k));
  EXPECT_EQ(k->jwk_thumbprint().size(), 43U);
  EXPECT_EQ(k->jwk_thumbprint(), again->jwk_thumbprint());
}

TEST(LoadCredentials, Rfc7638ThumbprintExample) {
  // RFC 7638 §3.1 example key and its thumbprint.
  const std::string jwk = R"({"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"})";
  auto k = load_public_key(jwk);
  ASSERT_TRUE(k) << k.error().message;
  EXPECT_EQ(k->jwk_thumbprint(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  EXPECT_EQ(k->jwk().kid, "2011-04-29");
}

TEST(LoadCredentials, KeyMatchesCertificate) {
  auto a = load_private_key(read_testdata("keys/rsa-2048.key.pem"));
  auto b = load_private_key(read_testdata("keys/rsa-2048-b.key.pem"));
  auto cert = load_certificate(read_testdata("keys/rsa-2048.crt.pem"));
  ASSERT_TRUE(a && b && cert);
  EXPECT_TRUE(key_matches_certificate(*a, *cert));
  EXPECT_FALSE(key_matches_certificate(*b, *cert));
}

TEST(LoadCredentials, ClearErrorsNamingTheFormat) {
  auto garbage = load_credentials("hello world");
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code, ErrorCode::kMalformedKey);

  auto damaged = load_credentials("-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n");
  ASSERT_FALSE(damaged);
  EXPECT_NE(damaged.error().message.find("PEM"), std::string::npos);

  auto weird = load_credentials("-----BEGIN DSA PARAMETERS-----\nMAA=\n-----END DSA PARAMETERS-----\n");
  ASSERT_FALSE(weird);
  EXPECT_EQ(weird.error().code, ErrorCode::kUnsupported);

  auto ed = load_credentials(read_testdata("keys/ed25519.key.pem"));
  ASSERT_FALSE(ed);
  EXPECT_EQ(ed.error().code, ErrorCode::kUnsupported);

  auto oct = load_credentials(R"({"kty":"oct","k":"c2VjcmV0"})");
  ASSERT_FALSE(oct);
  EXPECT_EQ(oct.error().code, ErrorCode::kUnsupported);

  auto badjwk = load_credentials(R"({"kty":"EC","crv":"P-256","x":"AA","y":"AA"})");
  ASSERT_FALSE(badjwk);
  EXPECT_EQ(badjwk.error().code, ErrorCode::kMalformedKey);

  auto der = load_credentials(std::string("\x30\x03\x02\x01\x00", 5));
  ASSERT_FALSE(der);
  EXPECT_EQ(der.error().code, ErrorCode::kMalformedKey);

  LoadOptions tiny;
  tiny.max_bytes = 8;
  EXPECT_EQ(load_credentials("0123456789", tiny).error().code, ErrorCode::kTooLarge);
}

TEST(LoadCredentials, Base64DerCertificate) {
  auto cert = load_certificate(read_testdata("keys/rsa-2048.crt.pem"));
  ASSERT_TRUE(cert);
  auto again = load_certificate(base64_encode(cert->der()));
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_EQ(again->thumbprints().x5t, cert->thumbprints().x5t);
}

TEST(LoadCredentialsFile, NamesThePathOnFailure) {
  auto r = load_credentials_file("/nonexistent/key.pem");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
  EXPECT_NE(r.error().message.find("/nonexistent/key.pem"), std::string::npos);
}

TEST(ReadFile, SaysWhatIsWrongWithThePath) {
  auto empty = read_file("");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(empty.error().message, "the file name is empty");
  const std::string dir = testing::TempDir();
  auto directory = read_file(dir);
  ASSERT_FALSE(directory);
  EXPECT_EQ(directory.error().code, ErrorCode::kIo);
  EXPECT_EQ(directory.error().message, dir + ": is a directory");
}

TEST(ReadFile, StatesTheLimitInItsUnit) {
  const std::string path = testing::TempDir() + "/read-file-limit.bin";
  std::ofstream(path) << std::string(3000, 'x');
  auto big = read_file(path, 2048);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, ErrorCode::kTooLarge);
  EXPECT_EQ(big.error().message, path + ": the file is 3000 bytes; the limit is 2 KiB");
  auto fits = read_file(path, 3000);
  ASSERT_TRUE(fits);
  EXPECT_EQ(fits->size(), 3000U);
}

TEST(LoadJwks, RecognisesPemText) {
  auto r = load_jwks(read_testdata("keys/rsa-2048.crt.pem"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kMalformedKey);
  EXPECT_EQ(r.error().message, "JWK/JWKS: this is PEM text, not JSON");
}

TEST(KeyExport, PrivatePemRoundTripsEncrypted) {
  auto k = load_private_key(read_testdata("keys/ec-p256.key.pem"));
  ASSERT_TRUE(k);
  auto pem = k->private_pem("pw");
  ASSERT_TRUE(pem) << pem.error().message;
  EXPECT_NE(pem->find("ENCRYPTED PRIVATE KEY"), std::string::npos);
  LoadOptions o;
  o.password = "pw";
  auto back = load_private_key(*pem, o);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->same_public_key(*k));
  EXPECT_FALSE(k->public_key().private_pem());
}

}  // namespace
}  // namespace assay
