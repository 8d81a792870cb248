// The CLI's contract: exit codes, input forms, JSON schema, and each command's options.
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "assay/json.h"
#include "assay/request.h"
#include "assay/rules.h"
#include "assay/verify.h"
#include "common.h"
#include "render.h"
#include "support/golden.h"
#include "support/testdata.h"
#include "support/tokens.h"

namespace assay::test {
namespace {

Json parse(const std::string& s) {
  Json j;
  EXPECT_TRUE(parse_json_strict(s, j).parsed) << s;
  return j;
}

std::string key(const char* f) { return testdata_path(std::string("keys/") + f); }

std::string valid_token() { return build_token(Case()); }

std::vector<std::string> verify_args_for(const std::string& input) {
  return {"verify", input, "--cert", key("rsa-2048.crt.pem"), "--tenant", kTenant, "--client-id",
          kClientId, "--now", std::to_string(kNow)};
}

TEST(Cli, HelpAndVersionExitZero) {
  auto help = run_cli({"--help"});
  EXPECT_EQ(help.exit, 0);
  EXPECT_NE(help.out.find("Exit codes"), std::string::npos);
  EXPECT_EQ(run_cli({"--version"}).exit, 0);
  EXPECT_EQ(run_cli({"verify", "--help"}).exit, 0);
}

TEST(Cli, EachCommandHelpStatesItsOwnExitCodes) {
  // Only inspect and verify have --fail-on; the others say what they return.
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"vectors", "--help"}, "run: 0 every test passed"},
      {{"vectors", "run", "--help"}, "3 a test was an error"},
      {{"vectors", "generate", "--help"}, "1 with --check: a file differs"},
      {{"explain", "--help"}, "1 the code is not in assay's catalogue"},
      {{"rules", "--help"}, "0 listed; 2 usage error"},
      {{"cert", "--help"}, "show: 0 valid now"},
      {{"cert", "new", "--help"}, "0 created; 2 usage error"},
      {{"cert", "show", "--help"}, "1 it is not valid now or the key does not match"},
  };
  for (const auto& [args, says] : cases) {
    const auto r = run_cli(args);
    EXPECT_EQ(r.exit, 0) << args[0];
    EXPECT_NE(r.out.find("Exit codes: "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(says), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("--fail-on"), std::string::npos) << r.out;
  }
  for (const char* command : {"inspect", "verify"}) {
    EXPECT_NE(run_cli({command, "--help"}).out.find("--fail-on"), std::string::npos) << command;
  }
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(run_cli({}).exit, 2);
  EXPECT_EQ(run_cli({"frobnicate"}).exit, 2);
  EXPECT_EQ(run_cli({"verify", "x", "--profile", "nope"}).exit, 2);
  EXPECT_EQ(run_cli({"verify", "x", "--now", "yesterday"}).exit, 2);
  EXPECT_EQ(run_cli({"verify", "x", "--aud", "https://a/t", "--tenant", "t"}).exit, 2);
}

TEST(Cli, RuntimeErrorsExitThreeWithOneLine) {
  auto r = run_cli({"verify", valid_token(), "--cert", "/nonexistent.pem"});
  EXPECT_EQ(r.exit, 3);
  EXPECT_EQ(r.err.rfind("assay: error: /nonexistent.pem: ", 0), 0U) << r.err;
  auto pfx = run_cli({"verify", valid_token(), "--pfx", key("rsa-2048.pfx")});
  EXPECT_EQ(pfx.exit, 3);
  EXPECT_NE(pfx.err.find("password"), std::string::npos);
  EXPECT_EQ(run_cli({"inspect", "@/nonexistent.jwt"}).exit, 3);
}

TEST(Cli, VerifyExitCodesFollowFindings) {
  EXPECT_EQ(run_cli(verify_args_for(valid_token())).exit, 0);
  Case expired;
  expired.payload["exp"] = kNow - 3600;
  EXPECT_EQ(run_cli(verify_args_for(build_token(expired))).exit, 1);
  EXPECT_EQ(run_cli(verify_args_for("garbage")).exit, 1);  // undecodable is a finding
  Case warn;
  warn.payload.erase("jti");  // CLM041 is a warning under entra
  auto args = verify_args_for(build_token(warn));
  EXPECT_EQ(run_cli(args).exit, 0);
  args.insert(args.end(), {"--fail-on", "warning"});
  EXPECT_EQ(run_cli(args).exit, 1);
}

TEST(Cli, VerifyReadsStdinFilesFormsAndJson) {
  const std::string t = valid_token();
  auto args = verify_args_for("-");
  EXPECT_EQ(run_cli(args, "Bearer " + t + "\n").exit, 0);
  args[1] = R"({"client_assertion":")" + t + R"("})";
  EXPECT_EQ(run_cli(args).exit, 0);
  args[1] = "grant_type=client_credentials&client_id=" + std::string(kClientId) +
            "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
            "&client_assertion=" + t + "&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default";
  auto form = run_cli(args);
  EXPECT_EQ(form.exit, 0) << form.out;
  EXPECT_NE(form.out.find("input      form"), std::string::npos);
}

TEST(Cli, VerifyJsonSchema) {
  auto args = verify_args_for(valid_token());
  args.insert(args.end(), {"--format", "json"});
  auto r = run_cli(args);
  ASSERT_EQ(r.exit, 0);
  const Json j = parse(r.out);
  for (const char* k : {"schema", "valid", "profile", "header", "payload", "signature", "findings",
                        "now", "skew_seconds", "expected", "counts"}) {
    EXPECT_TRUE(j.contains(k)) << k;
  }
  EXPECT_EQ(j["schema"], 1);
  EXPECT_EQ(j["valid"], true);
  EXPECT_EQ(j["signature"]["verified"], true);
  EXPECT_EQ(j["profile"], "entra");
  EXPECT_EQ(j["skew_seconds"], 300);
}

TEST(Cli, FindingJsonCarriesRuleMetadata) {
  Case c;
  c.payload["aud"] = "https://login.microsoftonline.com/common/oauth2/v2.0/token";
  auto args = verify_args_for(build_token(c));
  args.insert(args.end(), {"--format", "json"});
  const Json j = parse(run_cli(args).out);
  ASSERT_EQ(j["findings"].size(), 1U);
  const Json& f = j["findings"][0];
  EXPECT_EQ(f["rule"], "CLM014");
  EXPECT_EQ(f["name"], "aud-general-tenant");
  EXPECT_EQ(f["severity"], "error");
  EXPECT_EQ(f["pointer"], "/payload/aud");
  EXPECT_EQ(f["aadsts"], 700023);
  EXPECT_FALSE(f["hint"].get<std::string>().empty());
  EXPECT_FALSE(f["ref"].get<std::string>().empty());
}

TEST(Cli, BatchWritesNdjsonInOrder) {
  Case expired;
  expired.payload["exp"] = kNow - 3600;
  const std::string input = valid_token() + "\n" + build_token(expired) + "\n\n" + valid_token() + "\n";
  for (const char* jobs : {"1", "2"}) {
    auto r = run_cli({"verify", "--batch", "-", "--jobs", jobs, "--cert", key("rsa-2048.crt.pem"),
                      "--tenant", kTenant, "--now", std::to_string(kNow)},
                     input);
    EXPECT_EQ(r.exit, 1);
    std::istringstream lines(r.out);
    std::string line;
    std::vector<Json> objs;
    while (std::getline(lines, line)) {
      objs.push_back(parse(line));
    }
    ASSERT_EQ(objs.size(), 3U);  // the empty line 3 is skipped, and numbered as in the input
    EXPECT_EQ(objs[0]["line"], 1);
    EXPECT_EQ(objs[1]["line"], 2);
    EXPECT_EQ(objs[2]["line"], 4);
    EXPECT_EQ(objs[0]["valid"], true);
    EXPECT_EQ(objs[1]["valid"], false);
    EXPECT_EQ(objs[2]["valid"], true);
  }
}

// A blank line (a trailing one after the last newline, white space only, a lone CR) is no
// input: no output line and no effect on the exit code.
TEST(Cli, BatchSkipsBlankLines) {
  const std::vector<std::string> base = {
      "verify", "--batch",     "-",       "--cert", key("rsa-2048.crt.pem"), "--tenant",
      kTenant,  "--client-id", kClientId, "--now",  std::to_string(kNow)};
  auto r = run_cli(base, valid_token() + "\n\n  \t \n\r\n" + valid_token() + "\n\n");
  EXPECT_EQ(r.exit, 0) << r.out;
  std::istringstream lines(r.out);
  std::string line;
  std::vector<Json> objs;
  while (std::getline(lines, line)) {
    objs.push_back(parse(line));
  }
  ASSERT_EQ(objs.size(), 2U) << r.out;
  EXPECT_EQ(objs[1]["line"], 5);
  auto only_blank = run_cli(base, "\n \n");
  EXPECT_EQ(only_blank.exit, 0);
  EXPECT_EQ(only_blank.out, "");
}

TEST(Cli, BatchRefusesAPositionalInput) {
  auto r = run_cli({"verify", valid_token(), "--batch", "-", "--cert", key("rsa-2048.crt.pem")},
                   valid_token() + "\n");
  EXPECT_EQ(r.exit, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "assay: error: input cannot be combined with --batch\n"
            "assay: note: run 'assay verify --help' for the options\n");
}

// --format json (or no --format) writes NDJSON; an explicit --format text one line per input.
TEST(Cli, BatchWritesTextLinesWithFormatText) {
  Case expired;
  expired.payload["exp"] = kNow - 3600;
  const std::string input =
      valid_token() + "\n" + build_token(expired) + "\n\n" + R"({"no_assertion": 1})" + "\n";
  for (const char* jobs : {"1", "2"}) {
    auto r = run_cli({"verify", "--batch", "-", "--format", "text", "--jobs", jobs, "--cert",
                      key("rsa-2048.crt.pem"), "--tenant", kTenant, "--client-id", kClientId,
                      "--now", std::to_string(kNow)},
                     input);
    EXPECT_EQ(r.exit, 1);
    std::istringstream lines(r.out);
    std::vector<std::string> got;
    for (std::string line; std::getline(lines, line);) {
      got.push_back(line);
    }
    ASSERT_EQ(got.size(), 3U) << r.out;
    EXPECT_EQ(got[0], "line 1: VALID  no findings");
    EXPECT_EQ(got[1], "line 2: INVALID  2 errors: CLM031 exp-expired, CLM032 exp-before-nbf");
    EXPECT_EQ(got[2].rfind("line 4: INVALID  ", 0), 0U) << got[2];
  }
}

// Every --batch line is the JSON of that input's report (or error), whatever the chunking and
// the number of jobs: lines past several chunks, blank lines, CRLF, a last line without a
// newline, and findings whose text needs JSON escaping.
TEST(Cli, BatchLinesAreTheJsonOfEachReport) {
  Case escaped;
  escaped.header["kid"] = "k\"\\\u00e9\x01";  // HDR015 quotes it back
  escaped.payload["exp"] = kNow - 60;
  const std::vector<std::string> inputs = {
      valid_token(), build_token(escaped), "", "garbage", valid_token() + "\r",
      R"({"client_assertion": 7})", "grant_type=client_credentials&client_assertion=x.y.z"};
  KeySet ks;
  ks.certificates.push_back(load_test_certificate("rsa-2048.crt.pem"));
  auto policy = PolicyBuilder()
                    .tenant(kTenant)
                    .expect_client_id(kClientId)
                    .fixed_now(Seconds{std::chrono::seconds{kNow}})
                    .build();
  ASSERT_TRUE(policy);
  std::string input;
  std::string expected;
  constexpr size_t kLines = 700;  // beyond two chunks of lines
  for (size_t i = 0; i < kLines; ++i) {
    const std::string& line = inputs[i % inputs.size()];
    input += line;
    if (i + 1 < kLines) {
      input += '\n';  // the last line has no newline
    }
    if (line.empty()) {
      continue;  // blank lines are skipped
    }
    Json obj;
    auto r = verify_input(line, ks, *policy);
    if (r) {
      cli::report_to_batch_json(*r, i + 1, obj, Severity::kError);
    } else {
      obj = Json::object();
      obj["line"] = i + 1;
      obj["valid"] = false;
      obj["error"] = r.error().message;
    }
    expected += obj.dump() + "\n";
  }
  for (const char* jobs : {"1", "2", "3"}) {
    auto r = run_cli({"verify", "--batch", "-", "--jobs", jobs, "--cert", key("rsa-2048.crt.pem"),
                      "--tenant", kTenant, "--client-id", kClientId, "--now", std::to_string(kNow)},
                     input);
    EXPECT_EQ(r.exit, 1) << jobs;
    EXPECT_EQ(r.out, expected) << jobs;
  }
  auto empty = run_cli({"verify", "--batch", "-", "--cert", key("rsa-2048.crt.pem")}, "");
  EXPECT_EQ(empty.exit, 0);
  EXPECT_EQ(empty.out, "");
}

TEST(Cli, InspectIsKeylessAndExplainsTimes) {
  auto r = run_cli({"inspect", valid_token(), "--now", std::to_string(kNow + 60)});
  EXPECT_EQ(r.exit, 0);
  EXPECT_NE(r.out.find("UNVERIFIED"), std::string::npos);
  EXPECT_NE(r.out.find("2026-01-01T00:10:00Z  (in 9m)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("SHA-256 "), std::string::npos);
  auto json = run_cli({"inspect", valid_token(), "--format", "json"});
  const Json j = parse(json.out);
  EXPECT_EQ(j["command"], "inspect");
  EXPECT_EQ(j["signature"]["checked"], false);
  EXPECT_EQ(j["valid"], false);  // inspect never claims validity
}

TEST(Cli, InspectNeverPrintsColourWhenOff) {
  auto r = run_cli({"inspect", valid_token()});
  EXPECT_EQ(r.out.find('\x1b'), std::string::npos);
}

TEST(Cli, ExplainAcceptsEveryInputForm) {
  for (const std::string in : {"AADSTS700027", "700027", "  AADSTS700027: Client assertion contains an invalid signature."}) {
    auto r = run_cli({"explain", in});
    EXPECT_EQ(r.exit, 0) << in;
    EXPECT_NE(r.out.find("AADSTS700027"), std::string::npos);
    EXPECT_NE(r.out.find("KEY002"), std::string::npos);
  }
  const std::string response =
      R"({"error":"invalid_client","error_description":"AADSTS700027: Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: 'C76BDE3C55E51610DBC4CEE36442B1F14CD79A6B', Please visit the Azure Portal]\r\nTrace ID: 1111\r\nCorrelation ID: 2222\r\nTimestamp: 2026-01-01 00:00:00Z","error_codes":[700027],"trace_id":"1111","correlation_id":"2222"})";
  auto r = run_cli({"explain", "-", "--format", "json"}, response);
  ASSERT_EQ(r.exit, 0) << r.err;
  const Json j = parse(r.out);
  EXPECT_EQ(j["code"], 700027);
  EXPECT_EQ(j["thumbprint_used_by_client"], "C76BDE3C55E51610DBC4CEE36442B1F14CD79A6B");
  EXPECT_EQ(j["trace_id"], "1111");
  EXPECT_EQ(j["causes"][0]["rules"][0]["rule"], "KEY002");
}

TEST(Cli, ExplainResolvesLegacyCodes) {
  const std::string legacy =
      R"({"error":"invalid_client","error_description":"AADSTS70002: Error validating credentials. AADSTS50012: Client assertion is not within its valid time range.\r\nTrace ID: a","error_codes":[70002,50012]})";
  const Json j = parse(run_cli({"explain", legacy, "--format", "json"}).out);
  EXPECT_EQ(j["code"], 700024);
  EXPECT_NE(j["note"].get<std::string>().find("50012"), std::string::npos);
  EXPECT_EQ(parse(run_cli({"explain", "50027", "--format", "json"}).out)["code"], 50027);
  EXPECT_EQ(run_cli({"explain", "AADSTS1"}).exit, 2);
  EXPECT_EQ(run_cli({"explain", "no code here"}).exit, 2);
}

TEST(Cli, ExplainCoversEveryCodeItsRulesName) {
  for (const RuleInfo& r : all_rules()) {
    if (r.aadsts != 0) {
      EXPECT_EQ(run_cli({"explain", std::to_string(r.aadsts)}).exit, 0) << r.id << " " << r.aadsts;
    }
  }
}

TEST(Cli, RulesListsTheCatalogue) {
  auto text = run_cli({"rules"});
  EXPECT_EQ(text.exit, 0);
  EXPECT_NE(text.out.find("HDR001 alg-none"), std::string::npos);
  const Json j = parse(run_cli({"rules", "--format", "json"}).out);
  EXPECT_EQ(j["rules"].size(), all_rules().size());
  auto one = run_cli({"rules", "CLM031"});
  EXPECT_NE(one.out.find("fix:"), std::string::npos);
  EXPECT_EQ(run_cli({"rules", "XYZ999"}).exit, 2);
  auto bis = parse(run_cli({"rules", "--profile", "rfc7523bis", "--format", "json"}).out);
  for (const Json& r : bis["rules"]) {
    EXPECT_NE(r["severity"]["rfc7523bis"], "off");
  }
}

TEST(Cli, DocsRulesMatchesTheCatalogue) {
  auto r = run_cli({"rules", "--format", "markdown"});
  ASSERT_EQ(r.exit, 0);
  const std::string docs = read_testdata("../docs/rules.md");
  EXPECT_EQ(docs, r.out) << "docs/rules.md is stale: regenerate it with "
                            "`assay rules --format markdown > docs/rules.md`";
}

TEST(Cli, BuildSignsWithEveryCredentialForm) {
  const std::vector<std::vector<std::string>> creds = {
      {"--pfx", key("rsa-2048.pfx"), "--password", "assay-test"},
      {"--pfx", key("rsa-2048-legacy.pfx"), "--password", "assay-test"},
      {"--key", key("rsa-2048.key.pem"), "--cert", key("rsa-2048.crt.pem")},
      {"--key", key("rsa-2048.pkcs1.pem"), "--cert", key("rsa-2048.crt.der")},
      {"--key", key("rsa-2048.bundle.pem")},
  };
  for (const auto& c : creds) {
    std::vector<std::string> args = {"build", "--client-id", kClientId, "--tenant", kTenant,
                                     "--now", std::to_string(kNow)};
    args.insert(args.end(), c.begin(), c.end());
    auto r = run_cli(args);
    ASSERT_EQ(r.exit, 0) << r.err;
    std::string token = r.out.substr(0, r.out.find('\n'));
    EXPECT_EQ(run_cli(verify_args_for(token)).exit, 0) << c[1];
  }
}

TEST(Cli, BuildPasswordFromFileAndStdin) {
  const std::string file = testing::TempDir() + "/pw.txt";
  std::ofstream(file) << "assay-test\n";
  auto f = run_cli({"build", "--client-id", kClientId, "--tenant", kTenant, "--pfx",
                    key("rsa-2048.pfx"), "--password-file", file});
  EXPECT_EQ(f.exit, 0) << f.err;
  auto s = run_cli({"build", "--client-id", kClientId, "--tenant", kTenant, "--pfx",
                    key("rsa-2048.pfx"), "--password-stdin"},
                   "assay-test\n");
  EXPECT_EQ(s.exit, 0) << s.err;
  EXPECT_EQ(s.err.find("assay-test"), std::string::npos);  // never echoed
}

TEST(Cli, BuildDefaultsAndChoices) {
  auto base = std::vector<std::string>{"build", "--client-id", kClientId, "--tenant", kTenant,
                                       "--key", key("rsa-2048.key.pem"), "--cert",
                                       key("rsa-2048.crt.pem"), "--format", "json",
                                       "--now", std::to_string(kNow), "--jti", "j1"};
  const Json def = parse(run_cli(base).out);
  EXPECT_EQ(def["header"]["alg"], "PS256");
  EXPECT_TRUE(def["header"].contains("x5t#S256"));
  EXPECT_EQ(def["payload"]["nbf"], kNow - 300);
  EXPECT_EQ(def["payload"]["exp"], kNow + 600);
  EXPECT_EQ(def["payload"]["jti"], "j1");

  auto rs = base;
  rs.insert(rs.end(), {"--alg", "RS256", "--x5c", "--kid", "k", "--claim", "tid=\"t\"", "--lifetime", "120"});
  const Json r = parse(run_cli(rs).out);
  EXPECT_EQ(r["header"]["alg"], "RS256");
  EXPECT_TRUE(r["header"].contains("x5t"));
  EXPECT_FALSE(r["header"].contains("x5t#S256"));
  EXPECT_TRUE(r["header"]["x5c"].is_array());
  EXPECT_EQ(r["header"]["kid"], "k");
  EXPECT_EQ(r["payload"]["tid"], "t");
  EXPECT_EQ(r["payload"]["exp"], kNow + 120);

  auto v1 = base;
  v1.insert(v1.end(), {"--endpoint", "v1", "--form"});
  const Json f = parse(run_cli(v1).out);
  EXPECT_EQ(f["payload"]["aud"], kV1Endpoint);
  EXPECT_NE(f["form"].get<std::string>().find("resource=https%3A%2F%2Fgraph.microsoft.com"), std::string::npos);
  EXPECT_NE(f["form"].get<std::string>().find("grant_type=client_credentials"), std::string::npos);
}

TEST(Cli, BuildRefusesAMismatchedKey) {
  auto r = run_cli({"build", "--client-id", kClientId, "--tenant", kTenant, "--key",
                    key("rsa-2048-b.key.pem"), "--cert", key("rsa-2048.crt.pem")});
  EXPECT_EQ(r.exit, 2);
  EXPECT_NE(r.err.find("AADSTS700027"), std::string::npos);
  EXPECT_EQ(run_cli({"build", "--client-id", kClientId, "--tenant", kTenant}).exit, 2);
  EXPECT_EQ(run_cli({"build", "--client-id", kClientId, "--key", key("rsa-2048.key.pem"),
                     "--cert", key("rsa-2048.crt.pem")})
                .exit,
            2);  // no tenant or aud
}

TEST(Cli, UnknownCommandSuggestsTheNearest) {
  auto typo = run_cli({"inpsect", "x"});
  EXPECT_EQ(typo.exit, 2);
  EXPECT_EQ(typo.out, "");
  EXPECT_EQ(typo.err, "assay: error: unknown command 'inpsect'; did you mean 'inspect'?\n");
  auto nested = run_cli({"cert", "nwe", "--subject", "CN=x"});
  EXPECT_EQ(nested.exit, 2);
  EXPECT_EQ(nested.err, "assay: error: unknown command 'cert nwe'; did you mean 'cert new'?\n");
  // Nothing close: no suggestion, but the list of commands.
  auto none = run_cli({"frobnicate"});
  EXPECT_EQ(none.exit, 2);
  EXPECT_EQ(none.err.find("did you mean"), std::string::npos) << none.err;
  EXPECT_EQ(none.err.rfind("assay: error: unknown command 'frobnicate'\nassay: note: the "
                           "commands are inspect, verify, ",
                           0),
            0U)
      << none.err;
}

// CLI11's own errors read like every other diagnostic: "assay: error: " and a lower-case
// message, then where the options are described.
TEST(Cli, UsageErrorsCarryThePrefix) {
  const std::vector<std::vector<std::string>> cases = {
      {},
      {"verify", "x", "--bogus"},
      {"verify", "x", "--profile", "nope"},
      {"inspect", "a", "b"},
      {"cert"},
  };
  for (const auto& args : cases) {
    auto r = run_cli(args);
    EXPECT_EQ(r.exit, 2);
    EXPECT_EQ(r.err.rfind("assay: error: ", 0), 0U) << r.err;
    const char c = r.err.size() > 14 ? r.err[14] : '\0';
    EXPECT_FALSE(c >= 'A' && c <= 'Z') << r.err;
    EXPECT_NE(r.err.find("\nassay: note: run 'assay"), std::string::npos) << r.err;
  }
  EXPECT_NE(run_cli({"verify", "x", "--bogus"}).err.find("run 'assay verify --help'"),
            std::string::npos);
  EXPECT_EQ(run_cli({"cert"}).err,
            "assay: error: a command is required\nassay: note: run 'assay cert --help' for the "
            "options\n");
}

TEST(Cli, ConflictingOptionsAreRefusedNamingBoth) {
  const std::string file = testing::TempDir() + "/pw-conflict.txt";
  std::ofstream(file) << "assay-test\n";
  const std::vector<std::string> base = {"build", "--client-id", kClientId,          "--tenant",
                                         kTenant, "--pfx",       key("rsa-2048.pfx")};
  struct Conflict {
    std::vector<std::string> extra;
    std::string first, second;
  };
  const std::vector<Conflict> conflicts = {
      {{"--password", "assay-test", "--password-file", file}, "--password", "--password-file"},
      {{"--password-file", file, "--password-stdin"}, "--password-file", "--password-stdin"},
      {{"--password", "assay-test", "--password-stdin"}, "--password", "--password-stdin"},
      {{"--password", "assay-test", "--typ", "JWT", "--no-typ"}, "--typ", "--no-typ"},
  };
  for (const Conflict& c : conflicts) {
    auto args = base;
    args.insert(args.end(), c.extra.begin(), c.extra.end());
    auto r = run_cli(args, "assay-test\n");
    EXPECT_EQ(r.exit, 2) << c.first;
    EXPECT_EQ(r.out, "") << c.first;
    EXPECT_EQ(r.err.rfind("assay: error: ", 0), 0U) << r.err;
    EXPECT_NE(r.err.find(c.first + " cannot be combined with " + c.second), std::string::npos)
        << r.err;
  }
}

TEST(Cli, PasswordFromTheEnvironmentYieldsToAnOption) {
  const std::string file = testing::TempDir() + "/pw-env.txt";
  std::ofstream(file) << "assay-test\n";
  ::setenv("ASSAY_PFX_PASSWORD", "wrong", 1);
  auto r = run_cli({"build", "--client-id", kClientId, "--tenant", kTenant, "--pfx",
                    key("rsa-2048.pfx"), "--password-file", file});
  ::unsetenv("ASSAY_PFX_PASSWORD");
  EXPECT_EQ(r.exit, 0) << r.err;
}

TEST(Cli, EmptyPasswordIsReportedAsEmpty) {
  const std::vector<std::string> args = {
      "build", "--client-id", kClientId,           "--tenant",
      kTenant, "--pfx",       key("rsa-2048.pfx"), "--password-stdin"};
  for (const std::string in : {"\n", "", "\r\n"}) {
    auto r = run_cli(args, in);
    EXPECT_EQ(r.exit, 2);
    EXPECT_EQ(r.err, "assay: error: the password read from stdin is empty\n");
  }
  const std::string file = testing::TempDir() + "/pw-empty.txt";
  std::ofstream(file) << "\nassay-test\n";
  auto f = run_cli({"build", "--client-id", kClientId, "--tenant", kTenant, "--pfx",
                    key("rsa-2048.pfx"), "--password-file", file});
  EXPECT_EQ(f.exit, 2);
  EXPECT_EQ(f.err, "assay: error: the first line of the password file " + file + " is empty\n");
}

std::vector<std::string> build_args(std::vector<std::string> extra) {
  std::vector<std::string> args = {
      "build", "--client-id",           kClientId, "--tenant",          kTenant,
      "--key", key("rsa-2048.key.pem"), "--now",   std::to_string(kNow)};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// build checks what it signed: stdout stays exactly the token, the findings go to stderr, the
// exit code stays 0 unless --fail-on asks otherwise.
TEST(Cli, BuildReportsWhatEntraWouldRefuse) {
  auto expired = run_cli(build_args({"--cert", key("rsa-2048-expired.crt.pem")}));
  EXPECT_EQ(expired.exit, 0) << expired.err;
  ASSERT_EQ(std::count(expired.out.begin(), expired.out.end(), '\n'), 1) << expired.out;
  EXPECT_NE(expired.err.find("assay: check of what was signed (profile entra"), std::string::npos)
      << expired.err;
  EXPECT_NE(expired.err.find(" KEY004 "), std::string::npos) << expired.err;
  EXPECT_NE(expired.err.find("AADSTS"), std::string::npos) << expired.err;

  auto late = run_cli(build_args({"--cert", key("rsa-2048.crt.pem"), "--lifetime", "-5"}));
  EXPECT_EQ(late.exit, 0) << late.err;
  EXPECT_NE(late.err.find(" CLM031 exp-expired"), std::string::npos) << late.err;

  auto clean = run_cli(build_args({"--cert", key("rsa-2048.crt.pem")}));
  EXPECT_EQ(clean.exit, 0);
  EXPECT_EQ(clean.err.find("assay: check"), std::string::npos) << clean.err;

  // --fail-on: exit 1 and nothing on stdout, as a failed check should not leave a token behind.
  auto refused =
      run_cli(build_args({"--cert", key("rsa-2048-expired.crt.pem"), "--fail-on", "error"}));
  EXPECT_EQ(refused.exit, 1);
  EXPECT_EQ(refused.out, "");
  EXPECT_NE(refused.err.find("--fail-on error"), std::string::npos) << refused.err;
  EXPECT_EQ(run_cli(build_args({"--cert", key("rsa-2048.crt.pem"), "--fail-on", "warning"})).exit,
            0);

  // JSON carries the check too.
  const Json j = parse(
      run_cli(build_args({"--cert", key("rsa-2048-expired.crt.pem"), "--format", "json"})).out);
  EXPECT_EQ(j["check"]["profile"], "entra");
  ASSERT_FALSE(j["check"]["findings"].empty());
  EXPECT_EQ(j["check"]["findings"][0]["rule"], "KEY004");
}

TEST(Cli, BuildChecksWithTheProfileGivenOrPicked) {
  // An EC key: fine for rfc7523 (picked from a non-Microsoft aud), refused by Entra.
  const std::vector<std::string> ec = {"build",
                                       "--client-id",
                                       kClientId,
                                       "--key",
                                       key("ec-p256.key.pem"),
                                       "--cert",
                                       key("ec-p256.crt.pem"),
                                       "--now",
                                       std::to_string(kNow)};
  auto other = ec;
  other.insert(other.end(), {"--aud", "https://as.example.com/token"});
  auto r = run_cli(other);
  EXPECT_EQ(r.exit, 0) << r.err;
  EXPECT_EQ(r.err.find("assay: check"), std::string::npos) << r.err;
  auto entra = other;
  entra.insert(entra.end(), {"--profile", "entra"});
  auto e = run_cli(entra);
  EXPECT_EQ(e.exit, 0) << e.err;
  EXPECT_NE(e.err.find("assay: check of what was signed (profile entra"), std::string::npos)
      << e.err;
  auto contradiction = ec;
  contradiction.insert(contradiction.end(), {"--tenant", kTenant, "--profile", "rfc7523"});
  EXPECT_EQ(run_cli(contradiction).exit, 2);
}

TEST(Cli, FileArgumentErrorsSayWhatIsWrong) {
  auto dir = run_cli({"inspect", "@" + testing::TempDir()});
  EXPECT_EQ(dir.exit, 3);
  EXPECT_NE(dir.err.find(": is a directory"), std::string::npos) << dir.err;
  auto pfx_dir = run_cli({"verify", valid_token(), "--pfx", testing::TempDir()});
  EXPECT_EQ(pfx_dir.exit, 3);
  EXPECT_NE(pfx_dir.err.find(": is a directory"), std::string::npos) << pfx_dir.err;
  auto empty = run_cli({"inspect", "@"});
  EXPECT_EQ(empty.exit, 2);
  EXPECT_EQ(empty.err, "assay: error: '@' takes a file name (@FILE), and the file name is empty\n");
  auto cert_as_jwks = run_cli({"verify", valid_token(), "--jwks", key("rsa-2048.crt.pem")});
  EXPECT_EQ(cert_as_jwks.exit, 2);
  EXPECT_EQ(cert_as_jwks.err,
            "assay: error: " + key("rsa-2048.crt.pem") +
                " is a PEM certificate, not a JWK or JWKS: give it with --cert\n");
  auto key_as_jwks = run_cli({"verify", valid_token(), "--jwks", key("rsa-2048.pub.pem")});
  EXPECT_NE(key_as_jwks.err.find("is a PEM public key, not a JWK or JWKS: give it with --key"),
            std::string::npos)
      << key_as_jwks.err;
}

// The token limit (ENC012, a finding) and the input limit (a runtime error) state their unit;
// the input limit is one constant, applied to stdin, @FILE and the text itself alike.
TEST(Cli, SizeLimitsStateTheirUnit) {
  Case big;
  big.payload["pad"] = std::string(100 * 1024, 'a');
  auto token = run_cli(verify_args_for(build_token(big)));
  EXPECT_EQ(token.exit, 1);
  EXPECT_NE(token.out.find("bytes; the limit is 64 KiB"), std::string::npos) << token.out;

  const std::string huge(kMaxInputBytes + 1, 'a');
  auto in = run_cli({"inspect", "-"}, huge);
  EXPECT_EQ(in.exit, 3);
  EXPECT_EQ(in.err, "assay: error: standard input is larger than the limit of 256 KiB\n");
  const std::string file = testing::TempDir() + "/huge.jwt";
  std::ofstream(file) << std::string(10 * 1024 * 1024, 'a');
  auto f = run_cli({"inspect", "@" + file});
  EXPECT_EQ(f.exit, 3);
  EXPECT_EQ(f.err,
            "assay: error: " + file + ": the file is 10485760 bytes; the limit is 256 KiB\n");
  auto arg = run_cli({"inspect", huge});
  EXPECT_EQ(arg.exit, 3);
  EXPECT_EQ(arg.err, "assay: error: the input is 262145 bytes; the limit is 256 KiB\n");
}

TEST(AuthorityHost, AcceptsHostsAndHttpsUrls) {
  for (const auto& [in, out] : std::vector<std::pair<std::string, std::string>>{
           {"login.microsoftonline.us", "login.microsoftonline.us"},
           {"127.0.0.1:39299", "127.0.0.1:39299"},
           {"https://127.0.0.1:39299", "127.0.0.1:39299"},  // what assay-mock prints as url
           {"HTTPS://127.0.0.1:39299/", "127.0.0.1:39299"},
           {"localhost/", "localhost"},
           {"[::1]:8443", "[::1]:8443"},
           {"https://[::1]", "[::1]"}}) {
    auto h = cli::parse_authority_host(in);
    ASSERT_TRUE(h) << in << ": " << h.error().message;
    EXPECT_EQ(*h, out) << in;
  }
}

TEST(AuthorityHost, RefusesSchemesPathsAndBadPorts) {
  for (const char* in :
       {"http://127.0.0.1:39299", "ftp://host", "https://host/tenant", "host?x=1", "host#f",
        "https://https://host", "user@host", "", "https://", "host:", "host:0", "host:65536",
        "host:80x", ":443", "::1:8443", "[::1", "[::1]x", "a host", "host\x1b[31m"}) {
    auto h = cli::parse_authority_host(in);
    ASSERT_FALSE(h) << in << " gave " << *h;
    EXPECT_EQ(h.error().code, ErrorCode::kInvalidArgument) << in;
    EXPECT_EQ(h.error().message.find('\x1b'), std::string::npos) << "echoed an escape";
  }
}

TEST(Cli, AuthorityHostTakesAnHttpsUrlAndRefusesTheRestInOneLine) {
  std::vector<std::string> base = {"build", "--client-id", kClientId, "--tenant", kTenant};
  base.insert(base.end(), {"--key", key("rsa-2048.key.pem"), "--cert", key("rsa-2048.crt.pem"),
                           "--format", "json"});
  auto with = [&](const std::string& host) {
    std::vector<std::string> args = base;
    args.insert(args.end(), {"--authority-host", host});
    return run_cli(args);
  };
  auto ok = with("https://127.0.0.1:39299/");
  ASSERT_EQ(ok.exit, 0) << ok.err;
  EXPECT_EQ(parse(ok.out)["payload"]["aud"],
            std::string("https://127.0.0.1:39299/") + kTenant + "/oauth2/v2.0/token");
  for (const std::string bad : {"http://127.0.0.1:39299", "https://127.0.0.1:39299/t"}) {
    auto r = with(bad);
    EXPECT_EQ(r.exit, 2) << bad;
    EXPECT_EQ(r.err.rfind("assay: error: --authority-host '" + bad + "': ", 0), 0U) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_TRUE(r.out.empty());
  }
  // verify takes the same values.
  auto token = parse(ok.out)["assertion"].get<std::string>();
  auto v = run_cli({"verify", token, "--cert", key("rsa-2048.crt.pem"), "--tenant", kTenant,
                    "--client-id", kClientId, "--authority-host", "https://127.0.0.1:39299"});
  EXPECT_EQ(v.exit, 0) << v.out << v.err;
  EXPECT_EQ(run_cli({"verify", token, "--tenant", kTenant, "--authority-host", "http://x"}).exit,
            2);
}

}  // namespace
}  // namespace assay::test
