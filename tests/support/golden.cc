#include "support/golden.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "assay/terminal.h"
#include "cli.h"
#include "support/testdata.h"

namespace assay::test {

void expect_golden(std::string_view relative, const std::string& actual) {
  const std::string path = testdata_path(relative);
  const char* update = std::getenv("ASSAY_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
    return;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path << " is missing; run the tests with ASSAY_UPDATE_GOLDEN=1 to create it";
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string expected = ss.str();
  if (expected == actual) {
    return;
  }
  std::istringstream e(expected);
  std::istringstream a(actual);
  std::string el;
  std::string al;
  int line = 0;
  while (true) {
    ++line;
    const bool he = static_cast<bool>(std::getline(e, el));
    const bool ha = static_cast<bool>(std::getline(a, al));
    if (!he && !ha) {
      break;
    }
    if (el != al || he != ha) {
      ADD_FAILURE() << path << ":" << line << " differs\n  golden: " << (he ? el : "<end>")
                    << "\n  actual: " << (ha ? al : "<end>")
                    << "\n(ASSAY_UPDATE_GOLDEN=1 rewrites the golden files after review)";
      return;
    }
  }
}

CliResult run_cli(const std::vector<std::string>& args, const std::string& stdin_text) {
  std::vector<const char*> argv = {"assay"};
  for (const std::string& a : args) {
    argv.push_back(a.c_str());
  }
  std::istringstream in(stdin_text);
  std::ostringstream out;
  std::ostringstream err;
  CliResult r;
  r.exit = cli::run_main(static_cast<int>(argv.size()), argv.data(), {in, out, err, false},
                         cli::kNetworkCommands);
  r.out = out.str();
  r.err = err.str();
  return r;
}

void expect_terminal_safe(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    EXPECT_EQ(terminal_safe(line), line) << "line " << n;
  }
}

std::string relative_paths(std::string s) {
  const std::string dir = testdata_dir();
  size_t pos = 0;
  while ((pos = s.find(dir, pos)) != std::string::npos) {
    s.replace(pos, dir.size(), "testdata");
    pos += 8;
  }
  return s;
}

}  // namespace assay::test
