// Test-only: named rule cases (a trigger or a near-miss each) shared by the rules tests.
#ifndef ASSAY_TESTS_SUPPORT_RULE_CASES_H_
#define ASSAY_TESTS_SUPPORT_RULE_CASES_H_

#include <functional>
#include <string>
#include <vector>

#include "support/tokens.h"

namespace assay::test {

struct RuleCase {
  std::string name;
  std::function<void(Case&)> setup;
  std::vector<std::string> expect;  // the exact set of rule IDs that fire
};

inline void PrintTo(const RuleCase& c, std::ostream* os) { *os << c.name; }

inline std::string case_name(const ::testing::TestParamInfo<RuleCase>& p) { return p.param.name; }

// The rule cases of each area (defined in tests/rules_<area>_test.cc).
const std::vector<RuleCase>& encoding_rule_cases();
const std::vector<RuleCase>& header_rule_cases();
const std::vector<RuleCase>& key_rule_cases();
const std::vector<RuleCase>& claim_rule_cases();
const std::vector<RuleCase>& audience_rule_cases();
const std::vector<RuleCase>& request_rule_cases();
const std::vector<RuleCase>& realworld_rule_cases();

// Runs a case and compares the set of rule IDs.
inline void expect_rules(const RuleCase& rc) {
  Case c;
  rc.setup(c);
  const Report r = run_case(c);
  std::vector<std::string> want = rc.expect;
  std::sort(want.begin(), want.end());
  std::string detail;
  for (const Finding& f : r.findings) {
    detail += "\n  " + f.rule_id + " [" + std::string(severity_name(f.severity)) + "] " + f.pointer +
              ": " + f.message;
  }
  EXPECT_EQ(rule_ids(r), want) << detail;
}

}  // namespace assay::test

#endif  // ASSAY_TESTS_SUPPORT_RULE_CASES_H_
