#include "targets.h"

#include <cstdlib>
#include <set>
#include <string_view>

#include <nlohmann/json.hpp>

#include "assay/assertion.h"
#include "assay/base64url.h"
#include "assay/json.h"
#include "assay/key.h"
#include "assay/request.h"
#include "assay/verify.h"

namespace assay::fuzz {
namespace {

std::string_view view(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

void check(bool ok) {
  if (!ok) {
    std::abort();
  }
}

const KeySet& trusted() {
  static const KeySet ks = [] {
    KeySet k;
    // The public halves of testdata/keys/rsa-2048 and ec-p256 (embedded: fuzzers run anywhere),
    // so that seeds taken from the conformance vectors reach the signature checks.
    static constexpr const char* kPems[] = {
        "-----BEGIN PUBLIC KEY-----\n"
        "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAs4/d5TPRLUxg48uz2TT7\n"
        "oOd8lURE++3NoCmaT17aZ0+WLLYmwWiAZF8UBHYseyjbOweBPF81TynxI7jHZ9JV\n"
        "aX8ifuIKeHSaj7ahBodgBu+4+UbSquOcXlZ1TJ2ReAff/BmVeamyx4qda7R5Jk04\n"
        "1Rml6SqSlaQPmXzDfatn+0Uctnv9eZo54K3i/0wSeGm3KzOQdlRvOsntJ5OmpwKG\n"
        "GEMUisg9677Qq3ymICW2OeC/XwaRdYVl8Z4VtaND2ZI8mD4AY1RsGHIyezCaZufA\n"
        "ssqvZJd2uBLPwoHupgmj7WDSQh+wDAUyqF23+NpmVXMmgM6/HaZcJJ07Jt7T/9Uq\n"
        "dQIDAQAB\n"
        "-----END PUBLIC KEY-----\n",
        "-----BEGIN PUBLIC KEY-----\n"
        "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE+qaJ5llZedOImYJNzr9y41xdR98a\n"
        "y5jxi3L2lu75jhCglSrq5QmnyZ88mQTCBOG2gdXEEGOoo2qIEP0HmVK30A==\n"
        "-----END PUBLIC KEY-----\n"};
    for (const char* pem : kPems) {
      auto key = load_public_key(pem);
      if (key) {
        k.keys.push_back(*key);
      }
    }
    return k;
  }();
  return ks;
}

const Policy& policy() {
  static const Policy p = PolicyBuilder()
                              .profile(Profile::kEntra)
                              .tenant("contoso.onmicrosoft.com")
                              .expect_client_id("6b3c0f0e-5f3e-4a5c-9d61-3f1d2a7b9c10")
                              .fixed_now(Seconds{std::chrono::seconds{1767225600}})
                              .build()
                              .value();
  return p;
}

std::multiset<std::string> non_request_rules(const Report& r) {
  std::multiset<std::string> ids;
  for (const Finding& f : r.findings) {
    if (f.rule_id.rfind("EXC", 0) != 0) {
      ids.insert(f.rule_id + "|" + f.pointer);
    }
  }
  return ids;
}

}  // namespace

void base64url(const uint8_t* data, size_t size) {
  const std::string_view in = view(data, size);
  auto strict = base64url_decode(in);
  if (strict) {
    check(base64url_encode(*strict) == in);  // canonical: re-encoding is byte-identical
  }
  auto lenient = base64url_decode_lenient(in);
  if (strict) {
    check(lenient && lenient->bytes == *strict && lenient->canonical());
  }
  (void)base64_decode(in);
  (void)hex_decode(in);
}

void json(const uint8_t* data, size_t size) {
  Json out;
  JsonParseOutcome o = parse_json_strict(view(data, size), out);
  if (o.parsed) {
    (void)out.dump();
  }
  Json any;
  (void)parse_json_strict(view(data, size), any, {}, /*require_object=*/false);
}

void verify(const uint8_t* data, size_t size) {
  const std::string token(view(data, size));
  auto a = decode(token);
  if (a) {
    (void)a->header().dump();
    (void)a->payload().dump();
  }
  VerifyOptions keyless;
  keyless.keyless = true;
  auto bare = verify_input(token, trusted(), policy());
  (void)verify_input(token, KeySet{}, policy(), keyless);
  // Differential: the same token bare, as JSON and in a form body gets the same findings
  // (apart from the request rules only a form can trigger). Only for tokens that survive the
  // wrapping unchanged: no whitespace, '&', '%', '+', quotes or backslashes, no leading '{'
  // and no "Bearer " prefix, which input detection handles by design.
  if (!bare || token.empty() || token.find_first_of(" \t\r\n\f\v&%+\"\\=") != std::string::npos ||
      token.front() == '{' || token.rfind("Bearer", 0) == 0 || token.rfind("bearer", 0) == 0) {
    return;
  }
  for (char c : token) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
      return;
    }
  }
  auto as_json = verify_input("{\"client_assertion\":\"" + token + "\"}", trusted(), policy());
  auto as_form = verify_input("grant_type=client_credentials&client_assertion=" + token, trusted(), policy());
  check(as_json && as_form);
  check(non_request_rules(*bare) == non_request_rules(*as_json));
  check(non_request_rules(*bare) == non_request_rules(*as_form));
  check(bare->signature.verified == as_json->signature.verified &&
        bare->signature.verified == as_form->signature.verified);
}

void keys(const uint8_t* data, size_t size) {
  const std::string_view in = view(data, size);
  LoadOptions with_pw;
  with_pw.password = "assay-test";
  for (const LoadOptions& o : {LoadOptions{}, with_pw}) {
    auto c = load_credentials(in, o);
    if (!c) {
      continue;
    }
    for (const Certificate& cert : c->certificates) {
      (void)cert.subject();
      (void)cert.thumbprints();
      (void)cert.not_after();
      (void)cert.public_key().jwk_thumbprint();
    }
    for (const Key& k : c->public_keys) {
      (void)k.jwk_thumbprint();
      (void)k.public_pem();
    }
  }
  (void)load_jwks(in);
}

void form(const uint8_t* data, size_t size) {
  const std::string_view in = view(data, size);
  auto f = parse_form(in);
  if (f) {
    for (const FormParam& p : f->params) {
      // Encoding then decoding a decoded value is the identity.
      auto again = parse_form("x=" + form_encode(p.value));
      check(again && again->get("x") == p.value);
    }
  }
  (void)parse_input(in);
}

const std::vector<Target>& all_targets() {
  static const std::vector<Target> kTargets = {
      {"base64url", base64url}, {"json", json}, {"verify", verify}, {"keys", keys}, {"form", form}};
  return kTargets;
}

}  // namespace assay::fuzz
