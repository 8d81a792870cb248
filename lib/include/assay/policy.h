// File: assay/policy.h
//
// What a verifier expects: the profile, the client, the audience (a token endpoint, or for
// rfc7523bis the issuer identifier), the allowed algorithms, the clock and its skew. Built with
// `PolicyBuilder`, which validates combinations; `Policy` is immutable afterwards.
#ifndef ASSAY_POLICY_H_
#define ASSAY_POLICY_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "assay/jose.h"
#include "assay/profile.h"
#include "assay/result.h"
#include "assay/timefmt.h"

namespace assay {

// Which Entra token endpoint the request goes to.
enum class EntraEndpoint : unsigned char { kUnknown, kV1, kV2 };

// "v1", "v2"; "unknown".
std::string_view entra_endpoint_name(EntraEndpoint e);

// Microsoft's public-cloud login host.
inline constexpr std::string_view kEntraDefaultHost = "login.microsoftonline.com";

// The Entra token endpoint URL for `host`, `tenant` and `endpoint` (v1 or v2).
std::string entra_token_endpoint(std::string_view host, std::string_view tenant,
                                 EntraEndpoint endpoint);

// True for the hosts of Entra's public, US Government and China clouds (and their aliases),
// the closed German cloud, and regional hosts ({region}.login.microsoft.com).
bool is_entra_host(std::string_view host);

// The clock skew used when none is configured: 300 s for entra, 60 s otherwise.
std::chrono::seconds default_skew(Profile p);
// The lifetime above which CLM035 fires: 600 s for entra, 3600 s otherwise.
std::chrono::seconds default_max_lifetime(Profile p);
// The algorithms a profile allows by default (entra: RS*, PS*; the others: all of kAllAlgs).
std::vector<Alg> default_algorithms(Profile p);

class Policy {
 public:
  // The profile, or nullopt when it is to be picked from the token (see verify.h).
  const std::optional<Profile>& profile() const { return profile_; }
  const std::optional<std::string>& client_id() const { return client_id_; }
  // The exact expected aud (token endpoint, or issuer under rfc7523bis), if configured.
  const std::optional<std::string>& audience() const { return audience_; }
  // The authorization server's issuer identifier, if configured.
  const std::optional<std::string>& issuer() const { return issuer_; }
  // The AS token endpoint, if configured separately from the audience.
  const std::optional<std::string>& token_endpoint() const { return token_endpoint_; }
  const std::optional<std::string>& tenant() const { return tenant_; }
  EntraEndpoint endpoint() const { return endpoint_; }
  // A host that replaces Microsoft's in the entra profile (assay-mock, private clouds).
  const std::optional<std::string>& authority_host() const { return authority_host_; }
  // Explicitly allowed algorithms; empty means the profile's default.
  const std::vector<Alg>& algorithms() const { return algorithms_; }
  const std::optional<std::chrono::seconds>& skew() const { return skew_; }
  const std::optional<std::chrono::seconds>& max_lifetime() const { return max_lifetime_; }
  const std::optional<Seconds>& fixed_now() const { return now_; }

 private:
  friend class PolicyBuilder;
  std::optional<Profile> profile_;
  std::optional<std::string> client_id_, audience_, issuer_, token_endpoint_, tenant_,
      authority_host_;
  EntraEndpoint endpoint_ = EntraEndpoint::kUnknown;
  std::vector<Alg> algorithms_;
  std::optional<std::chrono::seconds> skew_, max_lifetime_;
  std::optional<Seconds> now_;
};

// tink-style builder: set what is known, then `build()` checks it.
class PolicyBuilder {
 public:
  PolicyBuilder& profile(Profile p);
  PolicyBuilder& expect_client_id(std::string_view id);
  PolicyBuilder& expect_audience(std::string_view aud);
  PolicyBuilder& expect_issuer(std::string_view issuer);
  PolicyBuilder& token_endpoint(std::string_view url);
  // Entra: the tenant (GUID or domain) and endpoint; with `authority_host` they give the
  // expected audience when `expect_audience` is not set.
  PolicyBuilder& tenant(std::string_view tenant);
  PolicyBuilder& endpoint(EntraEndpoint e);
  PolicyBuilder& authority_host(std::string_view host);
  PolicyBuilder& allow_algorithms(std::vector<Alg> algs);
  PolicyBuilder& clock_skew(std::chrono::seconds s);
  PolicyBuilder& max_lifetime(std::chrono::seconds s);
  PolicyBuilder& fixed_now(Seconds now);

  // Fails with `kInvalidArgument` when: the skew is negative or over 10 minutes; the lifetime
  // is not positive; an audience, issuer or token endpoint is not an absolute http(s) URL;
  // `tenant` is given with `expect_audience`; an Entra-only setting (tenant, endpoint,
  // authority host) is combined with a non-entra profile; `expect_issuer` is missing under
  // rfc7523bis while `expect_audience` is also missing (nothing to compare aud with is fine:
  // the check is then skipped); or the algorithm list is empty.
  [[nodiscard]] Result<Policy> build() const;

 private:
  Policy p_;
  bool algorithms_set_ = false;
};

}  // namespace assay

#endif  // ASSAY_POLICY_H_
