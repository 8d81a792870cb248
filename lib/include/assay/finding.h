// File: assay/finding.h
//
// A `Finding` is something assay found about a token or a token request: the rule that fired,
// how serious it is under the active profile, what exactly was seen, how to fix it and where.
// Findings are collected, never returned as failures (that is what `Error` is for).
#ifndef ASSAY_FINDING_H_
#define ASSAY_FINDING_H_

#include <string>
#include <string_view>
#include <vector>

namespace assay {

// Severity of a finding; kOff appears only in the rule catalogue (the rule does not apply to
// a profile) and never on a Finding.
enum class Severity : unsigned char { kOff, kInfo, kWarning, kError };

// "off", "info", "warning", "error".
std::string_view severity_name(Severity s);

// Parses "info", "warning" or "error"; kOff for anything else.
Severity parse_severity(std::string_view name);

struct Finding {
  std::string rule_id;  // stable, e.g. "CLM031"
  Severity severity = Severity::kError;
  std::string message;  // the actual values: "exp 1423168488 (2015-02-05T20:34:48Z) is ..."
  std::string hint;     // actionable fix; may carry the correct value
  std::string pointer;  // RFC 6901 location: "/payload/exp", "/header/x5t", "/form/scope"
};

// Sorts findings by (rule_id, pointer, message): the deterministic order of every report.
void sort_findings(std::vector<Finding>& findings);

}  // namespace assay

#endif  // ASSAY_FINDING_H_
