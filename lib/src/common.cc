// Small shared pieces: names of enums, the version, finding order.
#include <algorithm>
#include <tuple>

#include "assay/error.h"
#include "assay/finding.h"
#include "assay/profile.h"
#include "assay/version.h"

#ifndef ASSAY_VERSION_STRING
#define ASSAY_VERSION_STRING "0.0.0"
#endif

namespace assay {

std::string_view version() { return ASSAY_VERSION_STRING; }

std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid-argument";
    case ErrorCode::kMalformedToken:
      return "malformed-token";
    case ErrorCode::kMalformedKey:
      return "malformed-key";
    case ErrorCode::kPasswordRequired:
      return "password-required";
    case ErrorCode::kBadPassword:
      return "bad-password";
    case ErrorCode::kNotFound:
      return "not-found";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kTooLarge:
      return "too-large";
    case ErrorCode::kIo:
      return "io";
    case ErrorCode::kCrypto:
      return "crypto";
    case ErrorCode::kNetwork:
      return "network";
    case ErrorCode::kInternal:
      return "internal";
  }
  return "internal";
}

std::string_view profile_name(Profile p) {
  switch (p) {
    case Profile::kEntra:
      return "entra";
    case Profile::kRfc7523:
      return "rfc7523";
    case Profile::kRfc7523bis:
      return "rfc7523bis";
    case Profile::kOidc:
      return "oidc";
  }
  return "entra";
}

std::optional<Profile> parse_profile(std::string_view name) {
  for (Profile p : kAllProfiles) {
    if (profile_name(p) == name) {
      return p;
    }
  }
  return std::nullopt;
}

std::string_view severity_name(Severity s) {
  switch (s) {
    case Severity::kOff:
      return "off";
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "off";
}

Severity parse_severity(std::string_view name) {
  if (name == "info") {
    return Severity::kInfo;
  }
  if (name == "warning") {
    return Severity::kWarning;
  }
  if (name == "error") {
    return Severity::kError;
  }
  return Severity::kOff;
}

void sort_findings(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    return std::tie(a.rule_id, a.pointer, a.message) < std::tie(b.rule_id, b.pointer, b.message);
  });
}

}  // namespace assay
