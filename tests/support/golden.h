// Test-only: golden files. ASSAY_UPDATE_GOLDEN=1 rewrites them instead of comparing.
#ifndef ASSAY_TESTS_SUPPORT_GOLDEN_H_
#define ASSAY_TESTS_SUPPORT_GOLDEN_H_

#include <string>
#include <string_view>
#include <vector>

namespace assay::test {

// Compares `actual` with testdata/<relative> (or rewrites it); reports the first differing
// line on failure.
void expect_golden(std::string_view relative, const std::string& actual);

struct CliResult {
  int exit = -1;
  std::string out;
  std::string err;
};

// Runs `assay ARGS...` in process with `stdin_text` as standard input and colour off.
CliResult run_cli(const std::vector<std::string>& args, const std::string& stdin_text = "");

// Fails the test for every line of `text` (one of run_cli's outputs) that is not already
// terminal-safe: a C0 control other than the newlines between lines, DEL, a C1 control, or
// bytes that are not UTF-8 (each would change under terminal_safe).
void expect_terminal_safe(const std::string& text);

// Replaces the absolute testdata directory in `s` with "testdata".
std::string relative_paths(std::string s);

}  // namespace assay::test

#endif  // ASSAY_TESTS_SUPPORT_GOLDEN_H_
