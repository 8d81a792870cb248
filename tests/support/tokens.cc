#include "support/tokens.h"

#include <algorithm>

#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

#include "assay/base64url.h"
#include "assay/build.h"
#include "assay/key.h"
#include "assay/request.h"
#include "assay/signature.h"
#include "common.h"
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

std::string non_canonical(const std::string& b64url) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  EXPECT_NE(b64url.size() % 4, 0U) << b64url << " has no unused bits";
  std::string out = b64url;
  const size_t v = out.empty() ? std::string_view::npos : kAlphabet.find(out.back());
  if (v == std::string_view::npos || v % 4 != 0) {
    ADD_FAILURE() << b64url << " is not canonical base64url";
    return out;
  }
  out.back() = kAlphabet[v | 1];
  return out;
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

namespace {

bool has_arg(const std::vector<std::string>& args, std::string_view name) {
  return std::find(args.begin(), args.end(), name) != args.end();
}

}  // namespace

std::vector<std::string> verify_args(const Case& c) {
  std::vector<std::string> a;
  for (const std::string& f : c.certificates) {
    a.insert(a.end(), {"--cert", testdata_path("keys/" + f)});
  }
  for (const std::string& f : c.public_keys) {
    a.insert(a.end(), {f.find("jwks") != std::string::npos ? "--jwks" : "--key", testdata_path("keys/" + f)});
  }
  if (c.private_key) {
    a.insert(a.end(), {"--key", testdata_path("keys/" + *c.private_key)});
  }
  if (c.profile) {
    a.insert(a.end(), {"--profile", std::string(profile_name(*c.profile))});
  }
  if (!has_arg(c.args, "--now")) {
    a.insert(a.end(), {"--now", std::to_string(kNow)});
  }
  if (c.default_context) {
    if (!has_arg(c.args, "--client-id")) {
      a.insert(a.end(), {"--client-id", kClientId});
    }
    if ((!c.profile || *c.profile == Profile::kEntra) && !has_arg(c.args, "--aud") &&
        !has_arg(c.args, "--tenant")) {
      a.insert(a.end(), {"--tenant", kTenant});
    }
  }
  a.insert(a.end(), c.args.begin(), c.args.end());
  return a;
}

std::string case_input(const Case& c, const std::string& token) {
  if (!c.form) {
    return token;
  }
  std::string body = *c.form;
  const size_t at = body.find("{token}");
  if (at != std::string::npos) {
    body.replace(at, 7, token);
  }
  return body;
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
  // The policy comes from the same options the CLI parses.
  CLI::App app;
  cli::PolicyOptions po;
  po.add_to(app);
  std::vector<std::string> args = verify_args(c);
  std::vector<std::string> policy_args;
  for (size_t i = 0; i < args.size(); i += 2) {
    if (args[i] != "--cert" && args[i] != "--key" && args[i] != "--jwks") {
      policy_args.push_back(args[i]);
      policy_args.push_back(args[i + 1]);
    }
  }
  std::vector<const char*> argv = {"assay"};
  for (const std::string& x : policy_args) {
    argv.push_back(x.c_str());
  }
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    ADD_FAILURE() << "bad case arguments: " << e.what();
    return Report();
  }
  auto policy = po.build();
  EXPECT_TRUE(policy) << (policy ? "" : policy.error().message);
  if (!policy) {
    return Report();
  }
  const std::string token = build_token(c);
  VerifyOptions opts;
  opts.keyless = c.keyless;
  opts.replay = c.replay;
  auto r = verify_input(case_input(c, token), ks, *policy, opts);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? *r : Report();
}

const Finding* first_finding(const Report& r, std::string_view rule_id) {
  const auto it = std::find_if(r.findings.begin(), r.findings.end(),
                               [&](const Finding& f) { return f.rule_id == rule_id; });
  return it != r.findings.end() ? &*it : nullptr;
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
