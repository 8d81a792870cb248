// Interoperability with implementations nobody here wrote: signatures made by the openssl
// command line verify with libassay; assertions built by libassay verify with PyJWT; a PKCS#12
// file made by `openssl pkcs12 -export` loads and signs.
#include <openssl/bn.h>
#include <openssl/ec.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "assay/base64url.h"
#include "assay/build.h"
#include "assay/key.h"
#include "assay/signature.h"
#include "assay/verify.h"
#include "support/testdata.h"
#include "support/tokens.h"

namespace assay::test {
namespace {

struct Run {
  int status = -1;
  std::string output;
};

Run run(const std::string& cmd) {
  Run r;
  FILE* p = popen(("(" + cmd + ") 2>&1").c_str(), "r");
  if (p == nullptr) {
    return r;
  }
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) {
    r.output.append(buf, n);
  }
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

std::string tmp(const std::string& name) { return testing::TempDir() + "/assay-interop-" + name; }

void write(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string signing_input(const std::string& alg) {
  Case c;
  c.header["alg"] = alg;
  if (alg == "ES256") {
    c.header["x5t#S256"] = x5t_s256_of("ec-p256.crt.pem");
  }
  return base64url_encode(c.header.dump()) + "." + base64url_encode(c.payload.dump());
}

Report verify_with(const std::string& token, const char* cert) {
  KeySet ks;
  ks.certificates.push_back(load_test_certificate(cert));
  auto p = PolicyBuilder()
               .profile(Profile::kRfc7523)
               .expect_client_id(kClientId)
               .fixed_now(Seconds{std::chrono::seconds{kNow}})
               .build()
               .value();
  auto r = verify_input(token, ks, p);
  EXPECT_TRUE(r);
  return r ? *r : Report();
}

std::string der_to_raw(const std::string& der) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  EXPECT_NE(sig, nullptr);
  std::string raw(64, '\0');
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), reinterpret_cast<unsigned char*>(raw.data()), 32);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), reinterpret_cast<unsigned char*>(raw.data() + 32), 32);
  ECDSA_SIG_free(sig);
  return raw;
}

TEST(OpensslCliInterop, Rs256FromOpensslDgst) {
  const std::string in = signing_input("RS256");
  write(tmp("rs.in"), in);
  auto r = run("openssl dgst -sha256 -sign " + testdata_path("keys/rsa-2048.key.pem") + " -out " +
               tmp("rs.sig") + " " + tmp("rs.in"));
  ASSERT_EQ(r.status, 0) << r.output;
  const Report rep = verify_with(in + "." + base64url_encode(slurp(tmp("rs.sig"))), "rsa-2048.crt.pem");
  EXPECT_TRUE(rep.signature.verified) << rep.signature.status;
  EXPECT_TRUE(rep.passes());
}

TEST(OpensslCliInterop, Ps256FromOpensslPkeyutlWithTheRightSalt) {
  const std::string in = signing_input("PS256");
  write(tmp("ps.in"), in);
  auto r = run("openssl pkeyutl -sign -rawin -digest sha256 -inkey " +
               testdata_path("keys/rsa-2048.key.pem") +
               " -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:32 -pkeyopt rsa_mgf1_md:sha256 -in " +
               tmp("ps.in") + " -out " + tmp("ps.sig"));
  ASSERT_EQ(r.status, 0) << r.output;
  const Report rep = verify_with(in + "." + base64url_encode(slurp(tmp("ps.sig"))), "rsa-2048.crt.pem");
  EXPECT_TRUE(rep.signature.verified) << rep.signature.status;
}

TEST(OpensslCliInterop, Ps256WithTheWrongSaltIsCaught) {
  const std::string in = signing_input("PS256");
  write(tmp("ps64.in"), in);
  auto r = run("openssl dgst -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:64 -sign " +
               testdata_path("keys/rsa-2048.key.pem") + " -out " + tmp("ps64.sig") + " " + tmp("ps64.in"));
  ASSERT_EQ(r.status, 0) << r.output;
  const Report rep = verify_with(in + "." + base64url_encode(slurp(tmp("ps64.sig"))), "rsa-2048.crt.pem");
  EXPECT_FALSE(rep.signature.verified);
  EXPECT_TRUE(rep.has("SIG007"));
}

TEST(OpensslCliInterop, Es256FromOpensslDgstConvertedFromDer) {
  const std::string in = signing_input("ES256");
  write(tmp("es.in"), in);
  auto r = run("openssl dgst -sha256 -sign " + testdata_path("keys/ec-p256.key.pem") + " -out " +
               tmp("es.sig") + " " + tmp("es.in"));
  ASSERT_EQ(r.status, 0) << r.output;
  const std::string der = slurp(tmp("es.sig"));
  // As OpenSSL wrote it (DER), assay names the mistake; converted to R||S it verifies.
  EXPECT_TRUE(verify_with(in + "." + base64url_encode(der), "ec-p256.crt.pem").has("SIG005"));
  const Report rep = verify_with(in + "." + base64url_encode(der_to_raw(der)), "ec-p256.crt.pem");
  EXPECT_TRUE(rep.signature.verified) << rep.signature.status;
}

TEST(OpensslCliInterop, Pkcs12FromOpensslExportLoadsAndSigns) {
  const std::string key = tmp("p12.key");
  const std::string cert = tmp("p12.crt");
  const std::string pfx = tmp("p12.pfx");
  auto r = run("openssl req -x509 -newkey rsa:2048 -nodes -keyout " + key + " -out " + cert +
               " -days 30 -subj /CN=interop && openssl pkcs12 -export -inkey " + key + " -in " + cert +
               " -out " + pfx + " -passout pass:s3cret");
  ASSERT_EQ(r.status, 0) << r.output;
  LoadOptions o;
  o.password = "s3cret";
  auto c = load_credentials_file(pfx, o);
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_TRUE(c->private_key);
  ASSERT_EQ(c->certificates.size(), 1U);
  AssertionSpec s;
  s.client_id = kClientId;
  s.audience = kV2Endpoint;
  auto built = build_assertion(s, *c->private_key, &c->certificates[0]);
  ASSERT_TRUE(built) << built.error().message;
  auto a = decode(built->token);
  ASSERT_TRUE(a);
  EXPECT_TRUE(verify_signature(Alg::kPS256, c->certificates[0].public_key(), a->signing_input(),
                               a->signature_bytes())
                  .valid());
}

class PyJwtInterop : public ::testing::TestWithParam<std::pair<Alg, const char*>> {};

TEST_P(PyJwtInterop, AssertionsBuiltByAssayVerifyWithPyJwt) {
  const auto [alg, name] = GetParam();
  const std::string key = std::string(name) + ".key.pem";
  const std::string cert = std::string(name) + ".crt.pem";
  AssertionSpec s;
  s.client_id = kClientId;
  s.audience = kV2Endpoint;
  s.alg = alg;
  const Certificate c = load_test_certificate(cert);
  auto built = build_assertion(s, load_test_private_key(key), &c);
  ASSERT_TRUE(built) << built.error().message;
  const std::string file = tmp(std::string("pyjwt-") + std::string(alg_name(alg)) + ".jwt");
  write(file, built->token);
  auto r = run("/usr/bin/python3 " + std::string(ASSAY_TESTS_DIR) + "/interop/pyjwt_verify.py " + file +
               " " + testdata_path("keys/" + cert) + " " + std::string(alg_name(alg)) + " " + kV2Endpoint);
  EXPECT_EQ(r.status, 0) << r.output;
}

INSTANTIATE_TEST_SUITE_P(Algs, PyJwtInterop,
                         ::testing::Values(std::pair{Alg::kRS256, "rsa-2048"},
                                           std::pair{Alg::kPS256, "rsa-2048"},
                                           std::pair{Alg::kES256, "ec-p256"}),
                         [](const auto& p) { return std::string(alg_name(p.param.first)); });

}  // namespace
}  // namespace assay::test
