// The original job end to end, against assay-mock in process over HTTPS: cert new -> register
// -> token -> mail, every failure path with its AADSTS or Graph code and assay's explanation,
// retries under injected faults, and assay probe reporting nothing wrongly accepted.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "assay/terminal.h"
#include "assay/timefmt.h"
#include "mock/mock_fixture.h"
#include "support/golden.h"
#include "support/testdata.h"

namespace assay::test {
namespace {

std::string key(const char* f) {
  return testdata_path(std::string("keys/") + f);
}

class Flow : public MockServerTest {
 protected:
  std::string authority() const { return base().substr(std::string("https://").size()); }

  // The credential and connection options for `client` signing with testdata key/cert.
  std::vector<std::string> creds(const std::string& client,
                                 const std::string& k = "rsa-2048.key.pem",
                                 const std::string& c = "rsa-2048.crt.pem",
                                 const std::string& tenant = kMockDomain) const {
    return {"--client-id", client,        "--tenant", tenant,  "--authority-host",
            authority(),   "--ca-file",   ready().ca, "--key", key(k.c_str()),
            "--cert",      key(c.c_str())};
  }

  CliResult cli(std::vector<std::string> args, const std::vector<std::string>& more) const {
    args.insert(args.end(), more.begin(), more.end());
    return run_cli(args);
  }

  // `assay probe --profile entra` against the mock as the daemon app, with `more` options.
  CliResult probe(const std::vector<std::string>& more) const {
    return cli({"probe", "--token-endpoint", token_url(), "--client-id", kDaemon, "--key",
                key("rsa-2048.key.pem"), "--cert", key("rsa-2048.crt.pem"), "--ca-file", ready().ca,
                "--profile", "entra"},
               more);
  }

  void inject(const std::string& fault) const {
    auto res = client()->Post("/_assay/faults", fault, "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status / 100, 2) << res->body;
  }
};

TEST_F(Flow, CertNewRegisterTokenMail) {
  const std::string dir = testing::TempDir() + "/assay-e2e-flow";
  std::filesystem::remove_all(dir);
  auto made = run_cli({"cert", "new", "--subject", "CN=assay e2e daemon", "--out", dir, "--name",
                       "daemon", "--password", "pfx-pw"});
  ASSERT_EQ(made.exit, 0) << made.err;
  // Register: a world whose app trusts the keyCredentials.json `cert new` wrote.
  const std::string app = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
  const std::string config = dir + "/world.json";
  std::ofstream(config)
      << R"({"tenants":[{"id":")" << kMockTenant << R"(","domains":[")" << kMockDomain
      << R"("]}],"apps":[{"client_id":")" << app << R"(","tenant":")" << kMockDomain
      << R"(","display_name":"e2e","certificates":["keyCredentials.json"],"roles":["Mail.Read"],"consented":true}],)"
      << R"("mailboxes":[{"upn":"alex@contoso.onmicrosoft.com","display_name":"Alex","generate":25}]})";
  mock::ServerOptions o;
  o.config_path = config;
  restart(o);
  const std::vector<std::string> pfx = {
      "--client-id", app,        "--tenant", kMockDomain,         "--authority-host", authority(),
      "--ca-file",   ready().ca, "--pfx",    dir + "/daemon.pfx", "--password",       "pfx-pw"};
  auto token = cli({"token"}, pfx);
  ASSERT_EQ(token.exit, 0) << token.out << token.err;
  EXPECT_NE(token.out.find("OK  token from"), std::string::npos);
  EXPECT_NE(token.out.find("Mail.Read"), std::string::npos);
  auto raw = cli({"token", "--raw"}, pfx);
  ASSERT_EQ(raw.exit, 0);
  EXPECT_EQ(jwt_payload(raw.out.substr(0, raw.out.find('\n')))["appid"], app);

  auto mail = cli(
      {"mail", "--user", "alex@contoso.onmicrosoft.com", "--graph-url", ready().graph_url}, pfx);
  ASSERT_EQ(mail.exit, 0) << mail.out << mail.err;
  EXPECT_NE(mail.out.find("10 most recent messages in the Inbox"), std::string::npos) << mail.out;
  auto json = cli({"mail", "--user", "alex@contoso.onmicrosoft.com", "--graph-url",
                   ready().graph_url, "--format", "json", "--top", "5"},
                  pfx);
  ASSERT_EQ(json.exit, 0);
  Json j;
  ASSERT_TRUE(parse_json_strict(json.out, j).parsed);
  EXPECT_EQ(j["count"], 5);
  EXPECT_TRUE(j.contains("next_link"));
  // Received times descend.
  EXPECT_GE(j["messages"][0]["receivedDateTime"].get<std::string>(),
            j["messages"][4]["receivedDateTime"].get<std::string>());
}

TEST_F(Flow, WrongKeyIsExplainedAs700027) {
  const std::string saved = testing::TempDir() + "/assay-e2e-wrong-key.jwt";
  std::filesystem::remove(saved);
  auto r = cli({"token", "--save-assertion", saved},
               creds(kDaemon, "rsa-2048-b.key.pem", "rsa-2048-b.crt.pem"));
  EXPECT_EQ(r.exit, 1) << r.err;
  // The rejected assertion is kept for assay inspect: one line, private.
  std::ifstream in(saved);
  std::string token;
  std::getline(in, token);
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2) << token;
  EXPECT_EQ(std::filesystem::status(saved).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(run_cli({"inspect", "@" + saved, "--authority-host", authority()}).exit, 0);
  EXPECT_NE(r.out.find("AADSTS700027"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("likely causes"), std::string::npos);
  EXPECT_NE(r.out.find("trace_id"), std::string::npos);
  // The thumbprint Entra echoes is the wrong certificate's.
  EXPECT_NE(r.out.find(load_test_certificate("rsa-2048-b.crt.pem").thumbprints().sha1_hex),
            std::string::npos);
}

TEST_F(Flow, ExpiredCertificateIsExplained) {
  auto r = cli({"token", "--format", "json"},
               creds(kExpiredCertApp, "rsa-2048.key.pem", "rsa-2048-expired.crt.pem"));
  EXPECT_EQ(r.exit, 1);
  Json j;
  ASSERT_TRUE(parse_json_strict(r.out, j).parsed) << r.out;
  EXPECT_EQ(j["aadsts"][0], 1000502);
  EXPECT_EQ(j["explanation"]["code"], 1000502);
  // assay's own check of the sent assertion names the expired certificate.
  bool key004 = false;
  for (const Json& f : j["assertion_findings"]) {
    key004 = key004 || f["rule"] == "KEY004";
  }
  EXPECT_TRUE(key004) << j.dump(1);
}

TEST_F(Flow, WrongTenantIs700016) {
  auto r = cli({"token", "--format", "json"},
               creds(kDaemon, "rsa-2048.key.pem", "rsa-2048.crt.pem", kOtherTenant));
  EXPECT_EQ(r.exit, 1);
  Json j;
  ASSERT_TRUE(parse_json_strict(r.out, j).parsed) << r.out;
  EXPECT_EQ(j["aadsts"][0], 700016);
  EXPECT_EQ(j["error"], "unauthorized_client");
}

TEST_F(Flow, MissingRoleIsExplainedByMail) {
  auto r = cli({"mail", "--user", "alex@contoso.onmicrosoft.com", "--graph-url", ready().graph_url},
               creds(kAwaitingConsent, "rsa-2048-b.key.pem", "rsa-2048-b.crt.pem"));
  EXPECT_EQ(r.exit, 1);
  EXPECT_NE(r.out.find("403 ErrorAccessDenied"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Grant admin consent"), std::string::npos);
}

TEST_F(Flow, UnknownUserIs404) {
  auto r =
      cli({"mail", "--user", "nobody@contoso.onmicrosoft.com", "--graph-url", ready().graph_url},
          creds(kDaemon));
  EXPECT_EQ(r.exit, 1);
  EXPECT_NE(r.out.find("404 ErrorInvalidUser"), std::string::npos) << r.out;
}

TEST_F(Flow, RetriesHonourRetryAfterAndGiveUpCleanly) {
  inject(R"({"path":"/oauth2/","count":1,"status":429,"retry_after":1})");
  auto once = cli({"token"}, creds(kDaemon));
  EXPECT_EQ(once.exit, 0) << once.out << once.err;
  EXPECT_NE(once.err.find("answered 429; retrying in 1 s (attempt 2 of 4)"), std::string::npos)
      << once.err;

  inject(R"({"path":"/oauth2/","count":5,"status":503,"retry_after":1})");
  auto gives_up = cli({"token", "--retries", "2"}, creds(kDaemon));
  EXPECT_EQ(gives_up.exit, 1) << gives_up.err;
  EXPECT_NE(gives_up.out.find("HTTP 503 after 3 attempts"), std::string::npos) << gives_up.out;
  auto res = client()->Delete("/_assay/faults");
  ASSERT_TRUE(res);

  inject(R"({"path":"/oauth2/","count":1,"status":429,"retry_after":120})");
  auto too_long = cli({"token"}, creds(kDaemon));
  EXPECT_EQ(too_long.exit, 1) << too_long.err;
  EXPECT_NE(too_long.err.find("giving up"), std::string::npos) << too_long.err;
}

TEST_F(Flow, DroppedConnectionIsAClearRuntimeError) {
  inject(R"({"path":"/oauth2/","count":1,"drop":true})");
  auto r = cli({"token"}, creds(kDaemon));
  EXPECT_EQ(r.exit, 3);
  EXPECT_EQ(r.err.rfind("assay: error: POST https://", 0), 0U) << r.err;
}

TEST_F(Flow, UntrustedCertificateNamesTheFix) {
  std::vector<std::string> args = creds(kDaemon);
  auto ca = std::find(args.begin(), args.end(), "--ca-file");
  args.erase(ca, ca + 2);
  auto r = cli({"token"}, args);
  EXPECT_EQ(r.exit, 3);
  EXPECT_NE(r.err.find("--ca-file"), std::string::npos) << r.err;
}

TEST_F(Flow, V1EndpointWithResource) {
  auto r = cli({"token", "--endpoint", "v1", "--format", "json"}, creds(kDaemon));
  ASSERT_EQ(r.exit, 0) << r.out;
  Json j;
  ASSERT_TRUE(parse_json_strict(r.out, j).parsed);
  EXPECT_TRUE(j["expires_in"].is_string());  // v1 answers numbers as strings
  EXPECT_EQ(j["claims"]["aud"], "https://graph.microsoft.com");
}

TEST_F(Flow, TokenEndpointAloneIsTheAudience) {
  auto r = run_cli({"token", "--token-endpoint", token_url(), "--client-id", kDaemon, "--key",
                    key("rsa-2048.key.pem"), "--cert", key("rsa-2048.crt.pem"), "--ca-file",
                    ready().ca, "--format", "json"});
  ASSERT_EQ(r.exit, 0) << r.out << r.err;
  Json j;
  ASSERT_TRUE(parse_json_strict(r.out, j).parsed) << r.out;
  EXPECT_EQ(j["token_endpoint"], token_url());
  auto v1 = run_cli({"token", "--token-endpoint", token_url(kMockDomain, false), "--client-id",
                     kDaemon, "--key", key("rsa-2048.key.pem"), "--cert", key("rsa-2048.crt.pem"),
                     "--ca-file", ready().ca});
  EXPECT_EQ(v1.exit, 0) << v1.out << v1.err;  // a v1 path sends resource, as --aud does
  auto none = run_cli({"token", "--client-id", kDaemon, "--key", key("rsa-2048.key.pem"), "--cert",
                       key("rsa-2048.crt.pem")});
  EXPECT_EQ(none.exit, 2);
  EXPECT_NE(none.err.find("--token-endpoint"), std::string::npos) << none.err;
  auto bad = run_cli({"token", "--token-endpoint", "notaurl", "--client-id", kDaemon, "--key",
                      key("rsa-2048.key.pem"), "--cert", key("rsa-2048.crt.pem")});
  EXPECT_EQ(bad.exit, 2);
  EXPECT_NE(bad.err.find("'notaurl' is not an http(s) URL"), std::string::npos) << bad.err;
}

TEST_F(Flow, AuthorityHostTakesTheMocksUrl) {
  for (const std::string& host : {base(), base() + "/", authority()}) {
    std::vector<std::string> args = creds(kDaemon);
    *(std::find(args.begin(), args.end(), "--authority-host") + 1) = host;
    auto r = cli({"token"}, args);
    EXPECT_EQ(r.exit, 0) << host << "\n" << r.out << r.err;
  }
}

TEST_F(Flow, RawFailureKeepsStdoutEmpty) {
  const auto args = creds(kDaemon, "rsa-2048-b.key.pem", "rsa-2048-b.crt.pem");
  for (const char* format : {"text", "json"}) {
    auto r = cli({"token", "--raw", "--format", format}, args);
    EXPECT_EQ(r.exit, 1) << format;
    EXPECT_EQ(r.out, "") << format;
    EXPECT_NE(r.err.find("700027"), std::string::npos) << format << r.err;
  }
}

TEST_F(Flow, CaFileProblemsNameTheFileAndTheReason) {
  const std::string dir = testing::TempDir() + "/assay-e2e-ca";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string der = dir + "/ca.der";
  { std::ofstream(der, std::ios::binary) << load_test_certificate("rsa-2048.crt.pem").der(); }
  const std::vector<std::pair<std::string, std::string>> cases = {
      {dir + "/nope.pem", "No such file or directory"},
      {dir, "is a directory"},
      {key("rsa-2048.key.pem"), "holds a private key"},
      {der, "is a DER certificate"},
      {testdata_path("mock/contoso.json"), "holds no PEM certificate"}};
  for (const auto& [file, why] : cases) {
    std::vector<std::string> args = creds(kDaemon);
    *(std::find(args.begin(), args.end(), "--ca-file") + 1) = file;
    auto r = cli({"token"}, args);
    EXPECT_EQ(r.exit, 3) << file;
    EXPECT_EQ(r.err.rfind("assay: error: --ca-file " + file + ": ", 0), 0U) << r.err;
    EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.out, "");
  }
}

TEST_F(Flow, Sha256ThumbprintIsLabelledSha256) {
  const Certificate other = load_test_certificate("rsa-2048-b.crt.pem");
  const auto args = creds(kDaemon, "rsa-2048-b.key.pem", "rsa-2048-b.crt.pem");
  auto s256 = cli({"token", "--x5t", "sha256"}, args);
  EXPECT_EQ(s256.exit, 1);
  EXPECT_NE(s256.out.find(other.thumbprints().sha256_hex +
                          ": compare it with the SHA-256 of `assay cert show CERT`"),
            std::string::npos)
      << s256.out;
  auto s1 = cli({"token", "--x5t", "sha1", "--alg", "RS256"}, args);
  EXPECT_EQ(s1.exit, 1);
  EXPECT_NE(s1.out.find(other.thumbprints().sha1_hex +
                        ": compare it with the SHA-1 of `assay cert show CERT`"),
            std::string::npos)
      << s1.out;
}

TEST_F(Flow, ProbeFindsNothingWronglyAccepted) {
  const std::string saved = testing::TempDir() + "/assay-e2e-probe.ndjson";
  std::filesystem::remove(saved);
  auto r = probe({"--rate", "0", "--format", "json", "--save-requests", saved});
  ASSERT_EQ(r.exit, 0) << r.out << r.err;
  Json j;
  ASSERT_TRUE(parse_json_strict(r.out, j).parsed) << r.out;
  EXPECT_EQ(j["baseline_accepted"], true);
  EXPECT_FALSE(j["counts"].contains("wrongly-accepted")) << j["counts"].dump();
  EXPECT_GE(j["classes"].size(), 100U);
  // --save-requests: one line per request, in order, private, each body verifiable again.
  EXPECT_EQ(std::filesystem::status(saved).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::ifstream in(saved);
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    Json s;
    ASSERT_TRUE(parse_json_strict(line, s).parsed) << line;
    ASSERT_LT(n, j["classes"].size());
    EXPECT_EQ(s["class"], j["classes"][n]["class"]);
    EXPECT_EQ(s["status"], j["classes"][n]["status"]);
    EXPECT_NE(s["body"].get<std::string>().find("grant_type=client_credentials"),
              std::string::npos);
    ++n;
  }
  EXPECT_EQ(n, j["classes"].size());
  // The mock answers with the codes the rules predict.
  size_t other = 0;
  for (const Json& c : j["classes"]) {
    if (c["verdict"] == "rejected-other-reason") {
      ++other;
      ADD_FAILURE() << c.dump();
    }
  }
  EXPECT_EQ(other, 0U);
}

TEST_F(Flow, MailShowsHostileMessagesEscapedInTheirColumns) {
  const std::string dir = testing::TempDir() + "/assay-e2e-hostile-mail";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string config = dir + "/world.json";
  // A sender controls the subject, its display name and the preview: CSI, OSC ... BEL, C1, DEL,
  // line breaks, and a long display name in several scripts (cut at a character boundary).
  std::ofstream(config)
      << R"({"tenants":[{"id":")" << kMockTenant << R"(","domains":[")" << kMockDomain
      << R"("]}],"apps":[{"client_id":")" << kDaemon << R"(","tenant":")" << kMockDomain
      << R"(","certificates":[")" << key("rsa-2048.crt.pem")
      << R"("],"roles":["Mail.Read"],"consented":true}],"mailboxes":[{"upn":"alex@contoso.onmicrosoft.com","messages":[)"
      << R"({"subject":"hi \u001b]0;PWNED\u0007\u001b[2J","from":{"name":"\u001b[31mMallory \u009b1m","address":"mallory@evil.example"},)"
      << R"("receivedDateTime":"2026-01-05T09:30:00Z","bodyPreview":"line one\r\nline two \u001b[5m\u007f"},)"
      << R"({"subject":"Zo\u00eb's report","from":{"name":"\u5c71\u7530\u592a\u90ce Yamada Taro \u00c5ngstr\u00f6m","address":"yamada@contoso.com"},)"
      << R"("receivedDateTime":"2026-01-04T09:30:00Z"}]},{"upn":"empty@contoso.onmicrosoft.com","messages":[]}]})";
  mock::ServerOptions o;
  o.config_path = config;
  restart(o);
  const std::vector<std::string> user = {"mail", "--user", "alex@contoso.onmicrosoft.com",
                                         "--graph-url", ready().graph_url};
  auto r = cli(user, creds(kDaemon));
  ASSERT_EQ(r.exit, 0) << r.out << r.err;
  expect_terminal_safe(r.out);
  expect_terminal_safe(r.err);
  EXPECT_NE(r.out.find("2 most recent messages in the Inbox"), std::string::npos) << r.out;
  // The sender is cut to its column and two spaces always part it from the subject.
  EXPECT_NE(r.out.find("\\u001b[31mMallory \\u009b1m <m...  hi \\u001b]0;PWNED\\u0007\\u001b[2J"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("line one  line two \\u001b[5m\\u007f"), std::string::npos) << r.out;
  // Wide characters take two columns each: the cut leaves the subject in the same column.
  std::istringstream lines(r.out);
  std::string line;
  size_t hostile_at = 0;
  size_t wide_at = 0;
  while (std::getline(lines, line)) {
    if (line.find("PWNED") != std::string::npos) {
      hostile_at = terminal_width(line.substr(0, line.find("hi ")));
    }
    if (line.find("report") != std::string::npos) {
      wide_at = terminal_width(line.substr(0, line.find("Zo")));
      EXPECT_NE(line.find("...  Zo"), std::string::npos) << line;
    }
  }
  EXPECT_GT(hostile_at, 0U);
  EXPECT_EQ(hostile_at, wide_at) << r.out;

  auto one = cli({"mail", "--user", "alex@contoso.onmicrosoft.com", "--graph-url",
                  ready().graph_url, "--top", "1"},
                 creds(kDaemon));
  ASSERT_EQ(one.exit, 0) << one.err;
  EXPECT_NE(one.out.find(": 1 most recent message in the Inbox\n"), std::string::npos) << one.out;
  auto empty =
      cli({"mail", "--user", "empty@contoso.onmicrosoft.com", "--graph-url", ready().graph_url},
          creds(kDaemon));
  ASSERT_EQ(empty.exit, 0) << empty.err;
  EXPECT_EQ(empty.out, "empty@contoso.onmicrosoft.com: the Inbox is empty\n");
}

TEST_F(Flow, TokenFailureShowsTheServersDescriptionEscaped) {
  // The mock echoes the unknown client ID in its AADSTS700016 description, as Entra does.
  auto r = cli({"token"}, creds("\x1b]0;PWNED\x07\x1b[2J"));
  EXPECT_EQ(r.exit, 1) << r.out << r.err;
  expect_terminal_safe(r.out);
  expect_terminal_safe(r.err);
  EXPECT_NE(r.out.find("AADSTS700016: Application with identifier '\\u001b]0;PWNED\\u0007"),
            std::string::npos)
      << r.out;
}

TEST_F(Flow, MailNeedsGraphUrlForAnotherAuthoritysToken) {
  ASSERT_TRUE(client()->Delete("/_assay/requests"));
  auto r = cli({"mail", "--user", "alex@contoso.onmicrosoft.com"}, creds(kDaemon));
  EXPECT_EQ(r.exit, 2) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("not Microsoft Entra ID: pass --graph-url"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(authority()), std::string::npos) << r.err;
  // Refused before any request: the mock saw no token request.
  EXPECT_TRUE(body_of(client()->Get("/_assay/requests"))["requests"].empty());
  // --token-endpoint is where the token comes from, whatever the audience.
  auto by_endpoint = cli({"mail", "--user", "alex@contoso.onmicrosoft.com", "--token-endpoint",
                          token_url(), "--client-id", kDaemon, "--tenant", kMockDomain, "--key",
                          key("rsa-2048.key.pem"), "--cert", key("rsa-2048.crt.pem")},
                         {});
  EXPECT_EQ(by_endpoint.exit, 2) << by_endpoint.err;
  EXPECT_TRUE(body_of(client()->Get("/_assay/requests"))["requests"].empty());
}

TEST_F(Flow, ProbePicksEntraForTheMockWithoutProfile) {
  const std::vector<std::string> opts = {"--client-id", kDaemon,
                                         "--key",       key("rsa-2048.key.pem"),
                                         "--cert",      key("rsa-2048.crt.pem"),
                                         "--ca-file",   ready().ca,
                                         "--rate",      "0",
                                         "--format",    "json"};
  auto r = cli({"probe", "--token-endpoint", token_url()}, opts);
  ASSERT_EQ(r.exit, 0) << r.out << r.err;
  Json j;
  ASSERT_TRUE(parse_json_strict(r.out, j).parsed) << r.out;
  EXPECT_EQ(j["profile"], "entra");
  EXPECT_NE(j["profile_reason"].get<std::string>().find("127.0.0.1"), std::string::npos);
  EXPECT_EQ(j["baseline_accepted"], true);
  EXPECT_FALSE(j["counts"].contains("wrongly-accepted")) << j["counts"].dump();
  EXPECT_FALSE(j["counts"].contains("rejected-other-reason")) << j["counts"].dump();
  EXPECT_GE(j["classes"].size(), 100U);
  // --tenant with the mock's url as --authority-host, as token takes them (baseline only).
  for (const char* endpoint : {"v2", "v1"}) {
    auto t = cli({"probe", "--tenant", kMockDomain, "--authority-host", base(), "--endpoint",
                  endpoint, "--only", "^none$"},
                 opts);
    ASSERT_EQ(t.exit, 0) << t.out << t.err;
    Json tj;
    ASSERT_TRUE(parse_json_strict(t.out, tj).parsed) << t.out;
    EXPECT_EQ(tj["target"], token_url(kMockDomain, endpoint == std::string("v2")));
    EXPECT_EQ(tj["profile"], "entra");
    EXPECT_EQ(tj["baseline_accepted"], true);
  }
}

TEST_F(Flow, ProbeReportsAMissingScopeAsASetUpProblem) {
  const std::string saved = testing::TempDir() + "/assay-e2e-probe-900144.ndjson";
  std::filesystem::remove(saved);
  auto r = run_cli({"probe", "--token-endpoint", token_url(), "--client-id", kDaemon, "--key",
                    key("rsa-2048.key.pem"), "--cert", key("rsa-2048.crt.pem"), "--ca-file",
                    ready().ca, "--profile", "rfc7523", "--rate", "0", "--format", "json",
                    "--save-requests", saved});
  EXPECT_EQ(r.exit, 2) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("AADSTS900144: it needs 'scope'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("give --scope"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("wrongly"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  std::ifstream in(saved);  // what was sent is still saved: the baseline alone
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_NE(line.find("\"aadsts\":900144"), std::string::npos) << line;
  EXPECT_NE(line.find("\"verdict\":\"not-judged\""), std::string::npos) << line;
  EXPECT_FALSE(std::getline(in, line));
}

TEST_F(Flow, ProbeSaysANonUrlIsNotAUrl) {
  auto r = run_cli({"probe", "--token-endpoint", "notaurl", "--client-id", kDaemon, "--key",
                    key("rsa-2048.key.pem"), "--cert", key("rsa-2048.crt.pem")});
  EXPECT_EQ(r.exit, 2);
  EXPECT_EQ(r.err, "assay: error: --token-endpoint 'notaurl' is not an http(s) URL\n");
  auto none = run_cli({"probe", "--client-id", kDaemon, "--key", key("rsa-2048.key.pem"), "--cert",
                       key("rsa-2048.crt.pem")});
  EXPECT_EQ(none.exit, 2);
  EXPECT_NE(none.err.find("give --token-endpoint URL, or --tenant"), std::string::npos) << none.err;
}

// Every token request waits 1.1 s before the mock reads its clock, so each class is judged at
// least a second after it was built, as on a loaded machine: no verdict may change.
TEST_F(Flow, ProbeVerdictsHoldWhenTheServerChecksLate) {
  inject(R"({"path":"/oauth2/","count":1000,"delay_ms":1100})");
  auto r = probe({"--rate", "0", "--format", "json", "--only", "skew|future|past"});
  ASSERT_EQ(r.exit, 0) << r.out << r.err;
  Json j;
  ASSERT_TRUE(parse_json_strict(r.out, j).parsed) << r.out;
  EXPECT_GE(j["classes"].size(), 9U);  // the baseline and every class near a clock boundary
  for (const Json& c : j["classes"]) {
    EXPECT_FALSE(c["verdict"].get<std::string>().starts_with("wrongly")) << c.dump();
  }
}

// --rate pauses before a request is built, not between building and sending it: with a 2 s
// pause, a request still reaches the mock within a second or so of its assertion's iat.
TEST_F(Flow, ProbePausesBeforeBuildingARequest) {
  const std::string saved = testing::TempDir() + "/assay-e2e-probe-rate.ndjson";
  std::filesystem::remove(saved);
  ASSERT_TRUE(client()->Delete("/_assay/requests"));
  auto r = probe({"--rate", "0.5", "--format", "json", "--only", "^jti-(empty|number)$",
                  "--save-requests", saved});
  ASSERT_EQ(r.exit, 0) << r.out << r.err;
  const Json recorded = body_of(client()->Get("/_assay/requests"));
  std::ifstream in(saved);
  std::string line;
  std::vector<int64_t> lag;  // seconds from each assertion's iat to the mock's answer
  for (size_t i = 0; std::getline(in, line); ++i) {
    Json s;
    ASSERT_TRUE(parse_json_strict(line, s).parsed) << line;
    ASSERT_LT(i, recorded["requests"].size()) << recorded.dump();
    const std::string body = s["body"].get<std::string>();
    const size_t at = body.find("client_assertion=");
    ASSERT_NE(at, std::string::npos);
    const std::string token = body.substr(at + 17, body.find('&', at) - at - 17);
    auto answered = parse_time(recorded["requests"][i]["time"].get<std::string>());
    ASSERT_TRUE(answered);
    lag.push_back(answered->time_since_epoch().count() - jwt_payload(token)["iat"].get<int64_t>());
  }
  ASSERT_EQ(lag.size(), 3U);  // the baseline and the two classes
  // Paused between building and sending, every lag would be 2 s or more; one delayed request
  // on a loaded machine is no failure, all three would be.
  EXPECT_LT(*std::min_element(lag.begin(), lag.end()), 2) << ::testing::PrintToString(lag);
}

TEST_F(Flow, ProbeRefusesNonLoopbackWithoutYes) {
  auto r = run_cli({"probe", "--token-endpoint", "https://login.example.com/t/oauth2/v2.0/token",
                    "--client-id", kDaemon, "--key", key("rsa-2048.key.pem"), "--cert",
                    key("rsa-2048.crt.pem")});
  EXPECT_EQ(r.exit, 2);
  EXPECT_NE(r.err.find("--yes"), std::string::npos);
}

}  // namespace
}  // namespace assay::test
