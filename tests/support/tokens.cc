#include "support/tokens.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "assay/base64url.h"
#include "assay/build.h"
#include "assay/key.h"
#include "assay/request.h"
#include "assay/signature.h"
#include "support/testdata.h"

namespace assay::test {

Case::Case() {
  header = Json::object();
  header["alg"] = "PS256";
  header["typ"] = "JWT";
  header["x5t#S256"] = x5t_s256_of("rsa-2048.crt.pem");
  payload = Json::object();
  payload["aud"] = kV2Endpoint;
  payload["iss"] = kClientId;
  payload["sub"] = kClientId;
  payload["jti"] = "0f8e7a52-1c44-4d3e-a0b9-6f5d2c1e8a77";
  payload["iat"] = kNow;
  payload["nbf"] = kNow;
  payload["exp"] = kNow + 600;
}

std::string x5t_of(const std::string& cert_file) {
  return load_test_certificate(cert_file).thumbprints().x5t;
}
std::string x5t_s256_of(const std::string& cert_file) {
  return load_test_certificate(cert_file).thumbprints().x5t_s256;
}

std::string build_token(const Case& c) {
  const Key key = load_test_private_key(c.signing_key);
  const std::string h = c.raw_header.value_or(c.header.dump());
  const std::string p = c.raw_payload.value_or(c.payload.dump());
  std::string input = base64url_encode(h) + "." + base64url_encode(p);
  if (c.pre_sign) {
    input = c.pre_sign(input);
  }
  std::string sig;
  if (c.custom_sign) {
    sig = c.custom_sign(input);
  } else if (key.supports(c.alg)) {
    auto s = sign(c.alg, key, input);
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    sig = s ? *s : "";
  }
  std::string token = input + "." + base64url_encode(sig);
  return c.tamper ? c.tamper(token) : token;
}

Report run_case(const Case& c) {
  KeySet ks;
  for (const std::string& f : c.certificates) {
    ks.certificates.push_back(load_test_certificate(f));
  }
  for (const std::string& f : c.public_keys) {
    Credentials cred = load_test_credentials(f);
    for (const Key& k : cred.public_keys) {
      ks.keys.push_back(k);
    }
  }
  if (c.private_key) {
    ks.private_key = load_test_private_key(*c.private_key);
  }
  PolicyBuilder pb;
  if (c.profile) {
    pb.profile(*c.profile);
  }
  pb.fixed_now(Seconds{std::chrono::seconds{kNow}});
  if (!c.profile || *c.profile == Profile::kEntra) {
    pb.tenant(kTenant).expect_client_id(kClientId);
  } else {
    pb.expect_client_id(kClientId);
  }
  if (c.policy) {
    c.policy(pb);
  }
  auto policy = pb.build();
  EXPECT_TRUE(policy) << (policy ? "" : policy.error().message);
  const std::string token = build_token(c);
  VerifyOptions opts;
  opts.keyless = c.keyless;
  opts.replay = c.replay;
  Result<Report> r = make_error(ErrorCode::kInternal, "unset");
  if (c.form) {
    std::string body = *c.form;
    const size_t at = body.find("{token}");
    if (at != std::string::npos) {
      body.replace(at, 7, token);
    }
    r = verify_input(body, ks, *policy, opts);
  } else {
    r = verify_input(token, ks, *policy, opts);
  }
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? *r : Report();
}

std::vector<std::string> rule_ids(const Report& r) {
  std::vector<std::string> ids;
  for (const Finding& f : r.findings) {
    ids.push_back(f.rule_id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace assay::test
