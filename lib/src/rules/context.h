// Internal: the state every rule module reads, and the one place findings are emitted (with
// the severity of the active profile; rules off for the profile are dropped).
#ifndef ASSAY_SRC_RULES_CONTEXT_H_
#define ASSAY_SRC_RULES_CONTEXT_H_

#include <array>
#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "assay/assertion.h"
#include "assay/policy.h"
#include "assay/replay.h"
#include "assay/request.h"
#include "assay/rules.h"
#include "assay/verify.h"

namespace assay::internal {

struct RuleContext {
  const Assertion& assertion;
  const Policy& policy;
  Profile profile;
  Seconds now;
  std::chrono::seconds skew;
  std::chrono::seconds max_lifetime;
  const KeySet* keys;  // null in keyless mode
  const TokenRequest* request;
  ReplayCache* replay;
  std::vector<Finding>& findings;
  SignatureInfo& signature;
  // Settled by verify() before the rules run. The views point into the Report (which is not
  // moved until the rules are done) and the Policy.
  std::string_view client_id{};  // expected client id (policy, else the form's); may be empty
  EntraEndpoint endpoint = EntraEndpoint::kUnknown;
  std::string_view expected_audience{};  // the primary expected aud; may be empty
  std::array<std::string_view, 3> accepted_storage{};  // audience, token endpoint, issuer
  size_t accepted_count = 0;
  std::string_view token_endpoint{};  // rfc7523bis: the value that must NOT be aud
  // The header's x5t and x5t#S256 as check_header decoded them (leniently; empty when they do
  // not decode), for the key rules to reuse; unset when check_header did not decode them.
  std::optional<std::string> x5t_bytes{};
  std::optional<std::string> x5ts_bytes{};

  // Every value that counts as an aud match.
  std::span<const std::string_view> accepted_audiences() const {
    return {accepted_storage.data(), accepted_count};
  }
  void accept_audience(std::string_view aud) { accepted_storage[accepted_count++] = aud; }

  const Json& header() const { return assertion.header(); }
  const Json& payload() const { return assertion.payload(); }

  // True when `rule_id` is not off under the active profile (use before building costly text).
  bool applies(std::string_view rule_id) const;
  // Adds a finding with the profile's severity; an empty hint takes the catalogue's.
  void emit(std::string_view rule_id, std::string message, std::string pointer,
            std::string hint = {});
};

// Each area's rules.
void check_header(RuleContext& ctx);
void check_claims(RuleContext& ctx);
void check_audience(RuleContext& ctx);
void check_signature_and_keys(RuleContext& ctx);
void check_request(RuleContext& ctx);

// Helpers shared by the modules.
std::string quote(std::string_view s);  // JSON-quoted, for messages
std::string time_phrase(int64_t epoch, Seconds now);  // "1423168488 (2015-...Z, 11y 298d ago)"
bool is_guid(std::string_view s);

}  // namespace assay::internal

#endif  // ASSAY_SRC_RULES_CONTEXT_H_
