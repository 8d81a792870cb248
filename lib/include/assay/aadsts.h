// File: assay/aadsts.h
//
// The Entra ID error codes a token request with a client assertion can meet: what each means,
// the HTTP status and `error` value Entra answers with, the text of its error_description, the
// likely causes ranked with the assay rules that detect each, and the command to run next.
// Drives `assay explain`, `assay token`'s failure report and assay-mock's error responses.
#ifndef ASSAY_AADSTS_H_
#define ASSAY_AADSTS_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "assay/result.h"

namespace assay {

struct AadstsCause {
  std::string_view text;   // "the certificate was never uploaded to the app registration"
  std::string_view rules;  // space-separated rule IDs that detect it ("KEY002 KEY001")
};

struct AadstsInfo {
  int code;                     // 700027
  std::string_view name;        // Microsoft's short name where known, e.g. "InvalidClientSecretExpiredKeysProvided"
  std::string_view error;       // OAuth error value: "invalid_client"
  int http_status;              // 400 or 401
  std::string_view description;  // Entra's message (templates use {placeholders})
  std::string_view meaning;      // what it means, in assay's words
  std::vector<AadstsCause> causes;  // most likely first
  std::string_view next;         // the next command to run
  int modern_code;               // for legacy codes (50012, 50027, 90010): the code used today; else 0
};

// Every known code, sorted by code.
std::span<const AadstsInfo> all_aadsts();

// The entry for `code`; nullptr when unknown.
const AadstsInfo* find_aadsts(int code);

// What `assay explain` understood from its input.
struct ExplainTarget {
  std::vector<int> codes;        // every AADSTS code found, in order of appearance
  int primary = 0;               // the code to explain (legacy wrappers resolved)
  std::string description;       // the error_description, when given
  std::string trace_id;
  std::string correlation_id;
  std::string timestamp;
  std::string note;              // how a legacy code was resolved, if it was
};

// Reads "AADSTS700027", "700027", an Entra error response JSON, or error_description text.
// The legacy wrapper 70002 and the reason code 50012 are resolved by their text (invalid
// signature -> 700027, time range -> 700024, audience -> 700023). Fails with
// `kInvalidArgument` when no AADSTS code can be found.
[[nodiscard]] Result<ExplainTarget> parse_explain_input(std::string_view text);

}  // namespace assay

#endif  // ASSAY_AADSTS_H_
