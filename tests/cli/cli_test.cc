// The CLI's contract: exit codes, input forms, JSON schema, and each command's options.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "assay/json.h"
#include "assay/rules.h"
#include "assay/verify.h"

#include <fstream>
#include <sstream>
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
    ASSERT_EQ(objs.size(), 4U);
    for (size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(objs[i]["line"], i + 1);
    }
    EXPECT_EQ(objs[0]["valid"], true);
    EXPECT_EQ(objs[1]["valid"], false);
    EXPECT_TRUE(objs[2].contains("error"));  // the empty line
    EXPECT_EQ(objs[3]["valid"], true);
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

}  // namespace
}  // namespace assay::test
