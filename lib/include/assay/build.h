// File: assay/build.h
//
// Building and signing client assertions. `build_assertion` fills in what Entra and RFC 7523
// expect (iss = sub = client id, aud, a random UUID v4 jti, iat, nbf, exp, and the header with
// alg, typ and the certificate thumbprints); `sign_compact` signs any header and payload, for
// tools that need full control (the mock's access tokens, conformance vectors).
#ifndef ASSAY_BUILD_H_
#define ASSAY_BUILD_H_

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "assay/jose.h"
#include "assay/json.h"
#include "assay/key.h"
#include "assay/result.h"

namespace assay {

// Which certificate thumbprint headers to emit.
enum class ThumbprintHeaders : unsigned char { kNone, kSha1, kSha256, kBoth };

struct AssertionSpec {
  std::string client_id;  // iss and sub
  std::string audience;   // aud: the token endpoint (Entra, RFC 7523) or issuer (rfc7523bis)
  Alg alg = Alg::kPS256;
  ThumbprintHeaders thumbprints = ThumbprintHeaders::kSha256;
  bool include_x5c = false;             // the certificate chain, leaf first
  std::optional<std::string> kid;       // header kid
  std::optional<std::string> typ = std::string("JWT");
  std::chrono::seconds lifetime{600};   // exp = now + lifetime
  std::chrono::seconds nbf_offset{-300};  // nbf = now + nbf_offset; Entra's guidance: 5 min back
  bool include_nbf = true;
  bool include_iat = true;
  std::optional<std::chrono::sys_seconds> now;  // fixed clock (tests, reproducible output)
  std::optional<std::string> jti;               // fixed jti (tests); else a random UUID v4
  // Extra claims and header parameters as (name, JSON text) pairs; they replace defaults of
  // the same name.
  std::vector<std::pair<std::string, std::string>> extra_claims;
  std::vector<std::pair<std::string, std::string>> extra_headers;
};

// The header and claims an assertion will carry, and the token itself.
struct BuiltAssertion {
  std::string token;
  std::string header_json;   // compact JSON as signed
  std::string payload_json;  // compact JSON as signed
};

// Builds and signs an assertion. `certificate` is needed for thumbprint headers and x5c;
// `chain` adds intermediates to x5c. Fails with `kInvalidArgument` (missing client id or
// audience, thumbprints or x5c requested without a certificate, an extra claim that is not
// JSON, a key that does not support `spec.alg`, a key that does not match the certificate),
// or `kCrypto`.
[[nodiscard]] Result<BuiltAssertion> build_assertion(const AssertionSpec& spec, const Key& key,
                                                     const Certificate* certificate = nullptr,
                                                     std::span<const Certificate> chain = {});

// Signs `header` and `payload` (serialized compactly) with `key` under `alg` and returns the
// compact JWS. The header's alg member is written as given; callers set it.
[[nodiscard]] Result<std::string> sign_compact(const Json& header, const Json& payload, Alg alg,
                                               const Key& key);

// Signs raw header and payload bytes (which need not be JSON): for conformance vectors that
// must carry malformed content under a valid signature.
[[nodiscard]] Result<std::string> sign_compact_bytes(std::string_view header_bytes,
                                                     std::string_view payload_bytes, Alg alg,
                                                     const Key& key);

// A random UUID version 4 from OpenSSL's CSPRNG, lower case, e.g.
// "0f8e7a52-1c44-4d3e-a0b9-6f5d2c1e8a77".
std::string random_uuid();

}  // namespace assay

#endif  // ASSAY_BUILD_H_
