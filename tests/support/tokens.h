// Test-only: building assertions from JSON with the test keys, and running the rules engine on
// them with a fixed clock.
#ifndef ASSAY_TESTS_SUPPORT_TOKENS_H_
#define ASSAY_TESTS_SUPPORT_TOKENS_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assay/jose.h"
#include "assay/json.h"
#include "assay/policy.h"
#include "assay/verify.h"

namespace assay::test {

inline constexpr int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z
inline constexpr const char* kClientId = "6b3c0f0e-5f3e-4a5c-9d61-3f1d2a7b9c10";
inline constexpr const char* kTenant = "contoso.onmicrosoft.com";
inline constexpr const char* kV2Endpoint =
    "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token";
inline constexpr const char* kV1Endpoint =
    "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/token";
inline constexpr const char* kIssuer = "https://as.example.test";
inline constexpr const char* kTokenEndpoint = "https://as.example.test/oauth2/token";

// A token to build and the context to verify it in. Defaults: a valid Entra v2 assertion
// (PS256, typ JWT, x5t#S256 of rsa-2048, iat = nbf = now, exp = now + 600, jti), verified
// against rsa-2048.crt.pem under the entra profile with tenant contoso and client kClientId.
struct Case {
  Json header;
  Json payload;
  Alg alg = Alg::kPS256;
  std::string signing_key = "rsa-2048.key.pem";
  std::optional<std::string> raw_header;   // replaces the header bytes
  std::optional<std::string> raw_payload;  // replaces the payload bytes
  // Transforms the signing input "h.p" before it is signed (to sign irregular encodings).
  std::function<std::string(const std::string&)> pre_sign;
  // Replaces the signature bytes: given the signing input, returns the raw signature.
  std::function<std::string(const std::string&)> custom_sign;
  std::function<std::string(const std::string&)> tamper;  // applied to the final token
  std::vector<std::string> certificates = {"rsa-2048.crt.pem"};
  std::vector<std::string> public_keys;  // PEM/JWK/JWKS files
  std::optional<std::string> private_key;
  // Extra `assay verify` options (--alg, --aud, --issuer, --now, ...), parsed exactly as the
  // CLI parses them, after the defaults: --now kNow, --profile, and for entra --tenant kTenant
  // and --client-id kClientId (other profiles: --client-id only), unless default_context is
  // false or the option is given here.
  std::vector<std::string> args;
  bool default_context = true;
  std::optional<Profile> profile = Profile::kEntra;
  std::optional<std::string> form;  // a form body; "{token}" is replaced by the assertion
  bool keyless = false;
  ReplayCache* replay = nullptr;

  Case();
};

// The x5t / x5t#S256 of a test certificate.
std::string x5t_of(const std::string& cert_file);
std::string x5t_s256_of(const std::string& cert_file);

// `b64url` (canonical base64url whose length is not a multiple of 4, so its last character has
// unused bits) spelt with the lowest unused bit set: the same bytes, another string, like the
// x5t "W-Kt0b4B7RkK34cdXVR91e_nf9x" of the 2015 Exchange sample.
std::string non_canonical(const std::string& b64url);

// Builds the token of `c`.
std::string build_token(const Case& c);

// The `assay verify` options for `c` (key material, profile, clock, expectations), without
// the input and --format.
std::vector<std::string> verify_args(const Case& c);

// The input `assay verify` gets for `c`: the token, or the form body around it.
std::string case_input(const Case& c, const std::string& token);

// Builds and verifies; fails the test on an engine error.
Report run_case(const Case& c);

// The first finding of rule `rule_id` in `r`, or null.
const Finding* first_finding(const Report& r, std::string_view rule_id);

// The rule IDs of a report, sorted and de-duplicated.
std::vector<std::string> rule_ids(const Report& r);

}  // namespace assay::test

#endif  // ASSAY_TESTS_SUPPORT_TOKENS_H_
