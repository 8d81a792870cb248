#include "assay/pki.h"

#include <gtest/gtest.h>

#include "assay/build.h"
#include "assay/signature.h"

namespace assay {
namespace {

Seconds at(int64_t s) { return Seconds{std::chrono::seconds{s}}; }

TEST(GenerateKey, EverySpec) {
  for (auto [spec, type, bits] : {std::tuple{KeySpec::kRsa2048, KeyType::kRsa, 2048},
                                  std::tuple{KeySpec::kEcP256, KeyType::kEc, 256},
                                  std::tuple{KeySpec::kEcP384, KeyType::kEc, 384}}) {
    auto k = generate_key(spec);
    ASSERT_TRUE(k) << k.error().message;
    EXPECT_EQ(k->type(), type);
    EXPECT_EQ(k->bits(), bits);
    EXPECT_TRUE(k->has_private());
  }
  EXPECT_EQ(parse_key_spec("rsa3072"), KeySpec::kRsa3072);
  EXPECT_FALSE(parse_key_spec("dsa"));
}

TEST(CreateCertificate, SelfSignedForClientAssertions) {
  auto k = generate_key(KeySpec::kEcP256);
  ASSERT_TRUE(k);
  CertificateRequest req;
  req.subject = "CN=assay-daemon,O=Contoso\\, Ltd";
  req.not_before = at(1767225600);
  req.not_after = at(1767225600 + 365 * 86400);
  auto cert = create_certificate(req, *k, *k);
  ASSERT_TRUE(cert) << cert.error().message;
  EXPECT_EQ(cert->subject(), "CN=assay-daemon,O=Contoso\\, Ltd");
  EXPECT_TRUE(cert->self_issued());
  EXPECT_EQ(cert->not_before(), req.not_before);
  EXPECT_EQ(cert->not_after(), req.not_after);
  EXPECT_TRUE(key_matches_certificate(*k, *cert));
  EXPECT_EQ(cert->serial_hex().size(), 32U);
}

TEST(CreateCertificate, CaIssuedTlsServer) {
  auto ca_key = generate_key(KeySpec::kEcP256);
  auto srv_key = generate_key(KeySpec::kEcP256);
  ASSERT_TRUE(ca_key && srv_key);
  CertificateRequest ca_req{"CN=assay-mock test CA", at(1767225600), at(1767225600 + 86400),
                            CertificateUsage::kCa, {}, {}};
  auto ca = create_certificate(ca_req, *ca_key, *ca_key);
  ASSERT_TRUE(ca);
  CertificateRequest srv_req{"CN=localhost", at(1767225600), at(1767225600 + 86400),
                             CertificateUsage::kTlsServer, {"localhost"}, {"127.0.0.1", "::1"}};
  auto srv = create_certificate(srv_req, *srv_key, *ca_key, &*ca);
  ASSERT_TRUE(srv) << srv.error().message;
  EXPECT_EQ(srv->issuer(), "CN=assay-mock test CA");
  EXPECT_FALSE(srv->self_issued());
}

TEST(CreateCertificate, RejectsBadInput) {
  auto k = generate_key(KeySpec::kEcP256);
  ASSERT_TRUE(k);
  CertificateRequest req{"CN=x", at(100), at(50), CertificateUsage::kClientAssertion, {}, {}};
  EXPECT_EQ(create_certificate(req, *k, *k).error().code, ErrorCode::kInvalidArgument);
  req.not_after = at(200);
  req.subject = "nonsense";
  EXPECT_EQ(create_certificate(req, *k, *k).error().code, ErrorCode::kInvalidArgument);
  req.subject = "XX=y";
  EXPECT_EQ(create_certificate(req, *k, *k).error().code, ErrorCode::kInvalidArgument);
  req.subject = "CN=x";
  req.ip_addresses = {"not-an-ip"};
  EXPECT_EQ(create_certificate(req, *k, *k).error().code, ErrorCode::kInvalidArgument);
  req.ip_addresses.clear();
  EXPECT_EQ(create_certificate(req, *k, k->public_key()).error().code, ErrorCode::kInvalidArgument);
}

TEST(ExportPkcs12, RoundTripsThroughTheLoader) {
  auto k = generate_key(KeySpec::kRsa2048);
  ASSERT_TRUE(k);
  CertificateRequest req{"CN=assay-daemon", at(1767225600), at(1767225600 + 86400),
                         CertificateUsage::kClientAssertion, {}, {}};
  auto cert = create_certificate(req, *k, *k);
  ASSERT_TRUE(cert);
  auto pfx = export_pkcs12(*k, *cert, {}, "pw");
  ASSERT_TRUE(pfx) << pfx.error().message;
  LoadOptions o;
  o.password = "pw";
  auto c = load_credentials(*pfx, o);
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_TRUE(c->private_key);
  EXPECT_TRUE(c->private_key->same_public_key(*k));
  EXPECT_EQ(c->certificates.at(0).thumbprints().x5t, cert->thumbprints().x5t);
  auto other = generate_key(KeySpec::kRsa2048);
  EXPECT_FALSE(export_pkcs12(*other, *cert, {}, "pw"));
}

}  // namespace
}  // namespace assay
