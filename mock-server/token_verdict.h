// File: mock-server/token_verdict.h
//
// How assay-mock turns libassay's findings into Entra's answer: the token request is evaluated
// by the rules engine (every finding at once), then the first ERROR finding in Entra's
// validation order decides the AADSTS code, and the catalogue's template is filled with the
// request's real values. No HTTP here, so the mapping is tested directly.
#ifndef ASSAY_MOCK_SERVER_TOKEN_VERDICT_H_
#define ASSAY_MOCK_SERVER_TOKEN_VERDICT_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "assay/finding.h"
#include "assay/key.h"
#include "assay/policy.h"
#include "assay/request.h"
#include "assay/result.h"
#include "assay/verify.h"
#include "config.h"

namespace assay::mock {

// Runs the rules engine over a token request: the assertion in `form` (when it decodes) with
// the request around it; a missing or undecodable assertion still gets the request rules and
// the structural finding (ENC001, ENC012, ENC013). Fails only on engine misuse.
[[nodiscard]] Result<Report> evaluate_token_request(const TokenRequest& form, const KeySet& keys,
                                                    const Policy& policy,
                                                    const VerifyOptions& options);

// The AADSTS code Entra answers for a finding of rule `rule_id`: the rule's catalogue code, or
// the mock's choice for error rules the catalogue maps to none (documented in README).
int aadsts_for_rule(std::string_view rule_id);

// Entra's validation order as a rank: smaller answers first. Codes outside the order rank last.
int aadsts_rank(int code);

// The AADSTS code for a jti replay under policy "reject" (an assay choice: Entra does not
// enforce jti uniqueness).
inline constexpr int kReplayAadsts = 50012;
// The AADSTS code for an unregistered application.
inline constexpr int kAppNotFoundAadsts = 700016;

struct TokenVerdict {
  bool ok = true;
  int aadsts = 0;
  std::optional<Finding> decisive;  // the finding that decided (none for 700016)
  std::vector<std::string> rules;   // IDs of every error and warning finding, sorted, unique
};

// Picks the answer: request-level errors first, then an unknown app (when `client_identified`
// and not `app_found`), then the remaining errors in Entra's order. Warnings never fail;
// CLM042 fails only under ReplayPolicy::kReject.
TokenVerdict decide_token_verdict(const Report& report, bool app_found, bool client_identified,
                                  ReplayPolicy replay);

// What a failure description is filled with.
struct FailureContext {
  std::string tenant;       // the tenant segment of the URL, as given
  std::string tenant_name;  // the directory's display name (700016)
  std::string client_id;    // as identified (form or iss)
  std::string scope;        // the form's scope
  std::chrono::system_clock::time_point now;
  const Report* report = nullptr;
  std::vector<Certificate> app_certificates;
};

// Entra's error_description text (without "AADSTSn: " and the trace block) for `verdict`.
std::string describe_failure(const TokenVerdict& verdict, const FailureContext& ctx);

}  // namespace assay::mock

#endif  // ASSAY_MOCK_SERVER_TOKEN_VERDICT_H_
