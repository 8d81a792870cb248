// Every rule case, through `assay verify` in process, in text and JSON, against golden files
// under testdata/cli/rules/ (one file per rule area and format).
#include <gtest/gtest.h>

#include "support/golden.h"
#include "support/rule_cases.h"

namespace assay::test {
namespace {

struct Area {
  const char* name;
  const std::vector<RuleCase>& (*cases)();
};

const Area kAreas[] = {{"encoding", encoding_rule_cases}, {"header", header_rule_cases},
                       {"key", key_rule_cases},           {"claim", claim_rule_cases},
                       {"audience", audience_rule_cases}, {"request", request_rule_cases},
                       {"realworld", realworld_rule_cases}};

void PrintTo(const Area& a, std::ostream* os) { *os << a.name; }

class CliGolden : public ::testing::TestWithParam<Area> {};

std::string shell_line(const std::vector<std::string>& args) {
  std::string s = "$ assay";
  for (const std::string& a : args) {
    s += " " + (a.find(' ') != std::string::npos || a.empty() ? "'" + a + "'" : a);
  }
  return s;
}

TEST_P(CliGolden, VerifyOutputMatches) {
  const Area& area = GetParam();
  for (const char* format : {"text", "json"}) {
    std::string transcript;
    for (const RuleCase& rc : area.cases()) {
      Case c;
      rc.setup(c);
      if (c.replay != nullptr) {
        continue;
      }
      const std::string token = build_token(c);
      std::vector<std::string> args = {c.keyless ? "inspect" : "verify", "INPUT"};
      std::vector<std::string> opts = verify_args(c);
      if (c.keyless) {
        // inspect takes no key material
        std::vector<std::string> kept;
        for (size_t i = 0; i < opts.size(); i += 2) {
          if (opts[i] != "--cert" && opts[i] != "--key" && opts[i] != "--jwks") {
            kept.insert(kept.end(), {opts[i], opts[i + 1]});
          }
        }
        opts = kept;
      }
      args.insert(args.end(), opts.begin(), opts.end());
      args.insert(args.end(), {"--format", format});
      std::vector<std::string> real = args;
      real[1] = case_input(c, token);
      const CliResult r = run_cli(real);
      transcript += "=== " + rc.name + "\n" + relative_paths(shell_line(args)) + "\nexit " +
                    std::to_string(r.exit) + "\n" + relative_paths(r.out);
      if (!r.err.empty()) {
        transcript += "stderr: " + relative_paths(r.err);
      }
      transcript += "\n";
      // The CLI's exit status agrees with the library's verdict.
      EXPECT_EQ(r.exit == 0, [&] {
        const Report rep = run_case(c);
        return rep.passes();
      }()) << rc.name;
    }
    expect_golden(std::string("cli/rules/") + area.name + "." + format, transcript);
  }
}

INSTANTIATE_TEST_SUITE_P(Areas, CliGolden, ::testing::ValuesIn(kAreas),
                         [](const ::testing::TestParamInfo<Area>& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace assay::test
