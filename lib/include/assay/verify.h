// File: assay/verify.h
//
// The rules engine: `verify` evaluates every rule of the catalogue against a decoded assertion,
// the key material the caller trusts, and (when the input was a form body) the token request,
// and collects all findings at once. It fails only on misuse; every problem with the token is a
// `Finding` in the `Report`.
#ifndef ASSAY_VERIFY_H_
#define ASSAY_VERIFY_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "assay/assertion.h"
#include "assay/finding.h"
#include "assay/key.h"
#include "assay/policy.h"
#include "assay/request.h"
#include "assay/result.h"

namespace assay {

class ReplayCache;

// The key material a verifier trusts: registered certificates, public keys (JWK/JWKS entries
// carry their kid), and optionally the private key the client signs with (to check it against
// the certificate, KEY003).
struct KeySet {
  std::vector<Certificate> certificates;
  std::vector<Key> keys;
  std::optional<Key> private_key;
  bool empty() const { return certificates.empty() && keys.empty() && !private_key; }
};

struct VerifyOptions {
  // Evaluate the rules that need no key only (`assay inspect`): no SIG011, no key rules.
  bool keyless = false;
  // jti replay detection (CLM042); null disables it.
  ReplayCache* replay = nullptr;
  DecodeOptions decode;
};

struct SignatureInfo {
  bool checked = false;   // a key was tried
  bool verified = false;  // a trusted key verified it
  std::string alg;        // the header's alg as given
  std::string key;        // which key verified (or was tried): "certificate CN=..., SHA-1 ..."
  std::string status;     // signature_status_name() of the outcome, or "not-checked"
};

struct Report {
  Profile profile = Profile::kEntra;
  bool profile_inferred = false;
  std::string profile_reason;  // why this profile was picked, when inferred
  Seconds now;
  std::chrono::seconds skew{0};
  std::chrono::seconds max_lifetime{0};
  std::string expected_client_id;  // empty when not known
  std::string expected_audience;   // empty when not known (aud value then not compared)
  EntraEndpoint endpoint = EntraEndpoint::kUnknown;
  SignatureInfo signature;
  std::vector<Finding> findings;  // sorted by (rule_id, pointer)
  std::optional<Assertion> assertion;  // absent when the token could not be decoded

  // The highest severity among the findings (kOff when there are none).
  Severity max_severity() const;
  // True when no finding is at or above `fail_on`.
  bool passes(Severity fail_on = Severity::kError) const;
  bool has(std::string_view rule_id) const;
};

// A profile picked for lack of a configured one, and why.
struct ProfilePick {
  Profile profile = Profile::kRfc7523;
  std::string reason;  // "picked from aud: ..."
};

// The profile an assertion whose aud is `aud` (a token endpoint URL) is judged by when none is
// configured: entra when the host is a Microsoft Entra login host (`is_entra_host`), or when the
// path is an Entra token endpoint's (/{tenant}/oauth2/token or /{tenant}/oauth2/v2.0/token, the
// tenant a GUID, a domain name, common, organizations or consumers) on another host, as
// assay-mock's and private clouds' are; rfc7523 otherwise. Never fails.
ProfilePick pick_profile_for_audience(std::string_view aud);

// Evaluates every rule. The profile is `policy.profile()` or, when unset, picked from the
// token's aud (see `pick_profile_for_audience`; a policy with a tenant, endpoint or authority
// host picks entra), with the reason in `Report::profile_reason`. `now` is the policy's
// fixed clock or the wall clock. `request` adds the EXC rules. Fails only with
// `kInvalidArgument` on misuse (none today; reserved).
[[nodiscard]] Result<Report> verify(const Assertion& assertion, const KeySet& keys,
                                    const Policy& policy, const TokenRequest* request = nullptr,
                                    const VerifyOptions& options = {});

// Decodes `input` (see parse_input: a bare token, a form body or JSON with client_assertion)
// and verifies it. A token too malformed to decode becomes a finding (ENC001, ENC012, ENC013,
// or EXC005 when a form carries no assertion), never an error. Fails with `kInvalidArgument`
// or `kTooLarge` only when the input itself is unusable (empty, JSON without
// client_assertion).
[[nodiscard]] Result<Report> verify_input(std::string_view input, const KeySet& keys,
                                          const Policy& policy, const VerifyOptions& options = {});

}  // namespace assay

#endif  // ASSAY_VERIFY_H_
