// File: assay/rules.h
//
// The rule catalogue: one constant table, sorted by ID, that drives the rules engine, `assay
// rules`, the generated docs/rules.md and the tests. An ID is never renumbered or reused; a
// retired rule stays in the table marked `retired`.
//
// ID scheme: <AREA><NNN> with AREA one of ENC (encoding and structure), HDR (JOSE header),
// SIG (signature), KEY (keys and certificates), CLM (claims), EXC (the token request around the
// assertion). Each rule also has a kebab-case name ("HDR001 alg-none").
#ifndef ASSAY_RULES_H_
#define ASSAY_RULES_H_

#include <array>
#include <span>
#include <string_view>

#include "assay/finding.h"
#include "assay/profile.h"

namespace assay {

struct RuleInfo {
  std::string_view id;       // "CLM031"
  std::string_view name;     // "exp-expired"
  std::string_view summary;  // one sentence: what the rule detects
  std::string_view hint;     // the default fix (findings may carry a more specific one)
  std::string_view ref;      // the spec or document the rule comes from
  int aadsts;                // the AADSTS code Entra answers for this cause; 0 if none known
  std::array<Severity, kProfileCount> severity;  // indexed by Profile
  bool needs_key;            // fires only when key material is given (not in `inspect`)
  bool retired;

  Severity severity_for(Profile p) const { return severity[static_cast<size_t>(p)]; }
};

// Every rule, sorted by ID.
std::span<const RuleInfo> all_rules();

// The rule with this ID ("CLM031") or name ("exp-expired"); nullptr when unknown.
const RuleInfo* find_rule(std::string_view id_or_name);

}  // namespace assay

#endif  // ASSAY_RULES_H_
