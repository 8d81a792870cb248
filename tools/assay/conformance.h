// The negative classes of a client-assertion conformance suite (sections A-E of the research
// notes: encoding, algorithm, key selection, header semantics, claims) and the valid shapes of
// real clients, as mutations of a good assertion. Shared by `assay vectors generate` (offline
// Wycheproof-style files) and `assay probe` (requests to a live token endpoint).
#ifndef ASSAY_TOOLS_CONFORMANCE_H_
#define ASSAY_TOOLS_CONFORMANCE_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assay/jose.h"
#include "assay/json.h"
#include "assay/key.h"
#include "assay/policy.h"
#include "assay/profile.h"

namespace assay::cli {

// What a verifier expects, per profile: the context every vector group carries.
struct ProfileContext {
  Profile profile = Profile::kEntra;
  int64_t now = 0;
  std::string client_id;
  std::string tenant;          // entra only
  std::string issuer;          // the AS issuer identifier
  std::string token_endpoint;
  std::string audience;        // the aud a good assertion carries
  std::vector<Alg> allowed_algs;
  int skew = 0;
  int max_lifetime = 0;
  bool require_jti = false;
};

// The fixed contexts of the published vectors (now = 2026-01-01T00:00:00Z).
ProfileContext vector_context(Profile p);

// A token under construction.
struct Draft {
  Json header;
  Json payload;
  Alg alg = Alg::kPS256;
  std::optional<std::string> raw_header;   // replaces header.dump()
  std::optional<std::string> raw_payload;  // replaces payload.dump()
  std::function<std::string(const std::string& input)> pre_sign;  // rewrite "h.p" before signing
  std::function<std::string(const std::string& input)> signer;    // replaces the signature bytes
  std::function<std::string(const std::string& token)> tamper;    // rewrite the final token
};

// What a class may use: the signing key and its certificate, another key of the same type
// (never registered), the algorithm and the context.
struct ClassEnv {
  const ProfileContext& ctx;
  Alg alg;
  const Key& key;
  const Certificate& cert;
  const Key& other_key;
  const Certificate& other_cert;
};

enum class AlgScope : unsigned char { kAny, kRsa, kPss, kPkcs1, kEcdsa };

// Which key material a vector group carries for a class.
enum class Material : unsigned char { kCertificate, kWeakKey, kExpiredCertificate, kJwks, kJwksEncUse };

// "certificate", "weak-key", "expired-certificate", "jwks", "jwks-enc-use".
std::string_view material_name(Material m);

struct ConformanceClass {
  std::string id;           // stable: "alg-none", "exp-expired" (never renamed)
  std::string flag;         // Wycheproof-style note name: "AlgNone"
  std::string section;      // "B.11"
  std::string bug_type;     // BASIC, AUTH_BYPASS, MODIFIED_PARAMETER, EDGE_CASE, ...
  std::string description;
  bool positive = false;    // a valid shape (a real client) rather than a negative
  bool wire = true;         // can be sent to a token endpoint by `assay probe`
  AlgScope scope = AlgScope::kAny;
  Material material = Material::kCertificate;
  std::vector<Profile> only;  // when non-empty, the profiles the class is meaningful for
  std::function<void(Draft&, const ClassEnv&)> apply;
};

// Every class, in a stable order (new classes are appended).
const std::vector<ConformanceClass>& conformance_classes();

// A good assertion for `ctx` signed with `alg`: typ JWT (client-authentication+jwt under
// rfc7523bis), x5t#S256 of `cert`, iss = sub = client id, aud = ctx.audience, iat = nbf = now,
// exp = now + 300, jti.
Draft baseline(const ProfileContext& ctx, Alg alg, const Certificate& cert, int64_t now,
               const std::string& jti);

// Signs and assembles the token of `d` with `key`.
[[nodiscard]] Result<std::string> realize(const Draft& d, const Key& key);

bool class_applies(const ConformanceClass& c, Alg alg, Profile p);

// Whether `assay probe` sends `c` for `alg` under `p`: a negative class that can go over the
// wire with the registered certificate.
bool probe_sends(const ConformanceClass& c, Alg alg, Profile p);

// The policy of a server that enforces `ctx`: its profile, client, audience (the issuer under
// rfc7523bis), issuer, skew and maximum lifetime; the clock is left to the caller.
PolicyBuilder context_policy(const ProfileContext& ctx);

// What a flag (a family of classes) is about, for the vector files' notes.
std::string flag_description(const std::string& flag);

}  // namespace assay::cli

#endif  // ASSAY_TOOLS_CONFORMANCE_H_
