// What the CLI does with hostile input: text from tokens, forms, servers and files reaches the
// terminal escaped (never ESC, BEL, C1 controls or broken UTF-8), and `cert new --name` cannot
// write outside --out.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "assay/base64url.h"
#include "assay/json.h"
#include "support/golden.h"
#include "support/testdata.h"
#include "support/tokens.h"

namespace assay::test {
namespace {

namespace fs = std::filesystem;

// A JSON object's text with hostile member names and values (JSON escapes in the source, so the
// parsed strings hold the raw bytes: CSI, OSC ... BEL, a C1 CSI and DEL).
std::string hostile_token(const std::string& aud = "https://login.microsoftonline.com/t/x") {
  const std::string header =
      R"({"alg":"PS256","typ":"JWT","\u001b[31mX":1,"\u001b]0;PWNED\u0007":"\u009b2J\u007f"})";
  const std::string payload = R"({"iss":"c","sub":"c","aud":")" + aud +
                              R"(","exp":1767226200,"\u0007bel\u001b[2J":"v\u009b31m"})";
  return base64url_encode(header) + "." + base64url_encode(payload) + ".AAAA";
}

std::string key(const char* f) {
  return testdata_path(std::string("keys/") + f);
}

TEST(CliSafety, InspectEscapesMemberNamesAndValues) {
  auto r = run_cli({"inspect", hostile_token(), "--now", std::to_string(kNow)});
  EXPECT_EQ(r.exit, 1) << r.err;
  expect_terminal_safe(r.out);
  expect_terminal_safe(r.err);
  EXPECT_NE(r.out.find("\\u001b[31mX"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\\u001b]0;PWNED\\u0007"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\\u009b2J\\u007f"), std::string::npos) << r.out;  // the value
  EXPECT_NE(r.out.find("\\u0007bel\\u001b[2J"), std::string::npos) << r.out;
  // Member names line up by the columns they take once escaped.
  const size_t widest = std::string("\\u001b]0;PWNED\\u0007").size();
  EXPECT_NE(r.out.find("  alg" + std::string(widest - 3 + 2, ' ') + "\"PS256\""), std::string::npos)
      << r.out;
  // JSON output carries the exact strings (its own escaping is enough).
  auto json = run_cli({"inspect", hostile_token(), "--format", "json"});
  Json j;
  ASSERT_TRUE(parse_json_strict(json.out, j).parsed) << json.out;
  EXPECT_EQ(j["header"]["\x1b[31mX"], 1);
}

TEST(CliSafety, InspectEscapesFormParameterNames) {
  // A clean assertion: only the parameter names are hostile. They reach the findings of a
  // repeated parameter (EXC013) and of a malformed percent-escape (EXC015), message and pointer.
  const std::string token = base64url_encode(R"({"alg":"PS256","typ":"JWT"})") + "." +
                            base64url_encode(R"({"iss":"c","sub":"c","aud":"https://x/t"})") +
                            ".AAAA";
  const std::string form = "grant_type=client_credentials&client_assertion=" + token +
                           "&%1B%5B31mX=1&%1B%5B31mX=2&%C2%9B2J=1&%C2%9B2J=2&%FF=1&%FF=2" +
                           "&%1B%5D0%3BPWNED%07%ZZ=3";
  auto r = run_cli({"inspect", form, "--now", std::to_string(kNow)});
  EXPECT_EQ(r.exit, 1) << r.err;
  expect_terminal_safe(r.out);
  expect_terminal_safe(r.err);
  EXPECT_NE(r.out.find("EXC013 param-repeated  /form/\\u001b[31mX\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("parameter '\\u001b[31mX' appears 2 times"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("parameter '\\u009b2J' appears 2 times"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("parameter '\\xff' appears 2 times"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("parameter '\\u001b]0;PWNED\\u0007%ZZ' has a malformed percent-escape"),
            std::string::npos)
      << r.out;
}

TEST(CliSafety, VerifyEscapesTheAudHostAndFindings) {
  // No tenant or profile: the profile is picked from the aud host, which the output names.
  auto r = run_cli({"verify", hostile_token("https://\\u001b[2Jev\\u009bil.example/t"), "--cert",
                    key("rsa-2048.crt.pem"), "--now", std::to_string(kNow)});
  EXPECT_EQ(r.exit, 1) << r.err;
  expect_terminal_safe(r.out);
  EXPECT_NE(r.out.find("\\u001b[2Jev\\u009bil.example"), std::string::npos) << r.out;
}

TEST(CliSafety, ExplainEscapesWhatTheServerSaid) {
  const std::string response =
      R"({"error":"invalid_client","error_description":"AADSTS700027: Client assertion contains an invalid signature. [Reason - x, Thumbprint of key used by client: '\u001b]0;PWNED\u0007', y]","error_codes":[700027],"trace_id":"\u001b[31m1111","correlation_id":"\u009b2J","timestamp":"\u007f"})";
  auto r = run_cli({"explain", "-"}, response);
  EXPECT_EQ(r.exit, 0) << r.err;
  expect_terminal_safe(r.out);
  EXPECT_NE(r.out.find("\\u001b]0;PWNED\\u0007"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("trace \\u001b[31m1111  correlation \\u009b2J"), std::string::npos) << r.out;
}

TEST(CliSafety, ErrorMessagesAreEscaped) {
  auto r = run_cli({"inspect", "@/nonexistent/\x1b]0;PWNED\x07\xc2\x9b"});
  EXPECT_EQ(r.exit, 3);
  expect_terminal_safe(r.err);
  EXPECT_EQ(r.err.rfind("assay: error: /nonexistent/\\u001b]0;PWNED\\u0007\\u009b", 0), 0U)
      << r.err;
  auto rule = run_cli({"rules", "X\x1b[2J"});
  EXPECT_EQ(rule.exit, 2);
  expect_terminal_safe(rule.err);
}

TEST(CliSafety, BuildEchoesClaimsEscaped) {
  auto r = run_cli({"build", "--client-id", kClientId, "--tenant", kTenant, "--key",
                    key("rsa-2048.key.pem"), "--cert", key("rsa-2048.crt.pem"), "--claim",
                    "x=\"\\u009b2J\\u007f\\u001b\""});
  ASSERT_EQ(r.exit, 0) << r.err;
  expect_terminal_safe(r.err);
  EXPECT_NE(r.err.find("\\u009b2J\\u007f"), std::string::npos) << r.err;
}

TEST(CliSafety, CertNewNameIsAFileName) {
  const fs::path root = fs::path(testing::TempDir()) / "assay-cert-name";
  fs::remove_all(root);
  fs::create_directories(root);
  const fs::path out = root / "out";
  const std::string absolute = (root / "abs").string();
  for (const std::string name : {"../x", "..", ".", "a/b", absolute.c_str(), "a\\b", "x\x1b[2J"}) {
    auto r = run_cli({"cert", "new", "--subject", "CN=x", "--out", out.string(), "--name", name,
                      "--key-type", "ec256"});
    EXPECT_EQ(r.exit, 2) << name << ": " << r.err;
    EXPECT_NE(r.err.find("--name"), std::string::npos) << r.err;
    expect_terminal_safe(r.err);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  // Nothing was written: neither --out nor anything beside it.
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(root)) {
    ++entries;
  }
  EXPECT_EQ(entries, 0U);
  // A plain name (dots inside are fine) works.
  auto ok = run_cli({"cert", "new", "--subject", "CN=x", "--out", out.string(), "--name", "app.v2",
                     "--key-type", "ec256"});
  EXPECT_EQ(ok.exit, 0) << ok.err;
  EXPECT_TRUE(fs::exists(out / "app.v2.key.pem"));
  fs::remove_all(root);
}

TEST(CliSafety, VectorsRunWritesIntoItsOwnTemporaryDirectory) {
  // The directory `vectors run --exec` used to take, /tmp/assay-vectors-PID, made beforehand
  // by someone else with a symlink where the group's certificate is written.
  const fs::path planted =
      fs::temp_directory_path() / ("assay-vectors-" + std::to_string(::getpid()));
  const fs::path victim = fs::path(testing::TempDir()) / "assay-vectors-victim";
  fs::remove_all(planted);
  fs::create_directories(planted);
  std::ofstream(victim) << "keep";
  fs::create_symlink(victim, planted / "certificate.pem");
  auto r = run_cli({"vectors", "run", "--dir", testdata_path("vectors"), "--exec", "true",
                    "--filter", "^alg-none$", "--profile", "entra"});
  EXPECT_NE(r.out.find("passed"), std::string::npos) << r.out << r.err;
  std::ifstream in(victim);
  std::string content;
  std::getline(in, content);
  EXPECT_EQ(content, "keep");
  fs::remove_all(planted);
  fs::remove(victim);
}

TEST(CliSafety, VectorsReportsThatCannotBeWrittenAreErrors) {
  for (const char* option : {"--junit", "--markdown"}) {
    auto r = run_cli({"vectors", "run", "--dir", testdata_path("vectors"), "--filter", "^alg-none$",
                      option, "/nonexistent/dir/report"});
    EXPECT_EQ(r.exit, 3) << option << ": " << r.out << r.err;
    EXPECT_EQ(r.err.rfind("assay: error: cannot write /nonexistent/dir/report: ", 0), 0U) << r.err;
  }
}

}  // namespace
}  // namespace assay::test
