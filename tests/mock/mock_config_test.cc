// assay-mock's world description: the built-in default, the documented example, and errors
// that name the file, the JSON pointer and the reason.
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <gmock/gmock.h>
#include <nlohmann/json.hpp>

#include "config.h"
#include "support/testdata.h"

namespace assay::test {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(MockConfig, BuiltInWorld) {
  const mock::MockConfig c = mock::default_config();
  ASSERT_EQ(c.tenants.size(), 1U);
  EXPECT_EQ(c.tenants[0].domains, std::vector<std::string>{"contoso.onmicrosoft.com"});
  ASSERT_EQ(c.apps.size(), 1U);
  EXPECT_EQ(c.apps[0].display_name, "assay-daemon");
  EXPECT_TRUE(c.apps[0].generate_credentials);
  EXPECT_TRUE(c.apps[0].consented);
  EXPECT_EQ(c.apps[0].roles, std::vector<std::string>{"Mail.Read"});
  ASSERT_GE(c.mailboxes.size(), 2U);
  for (const mock::MailboxConfig& m : c.mailboxes) {
    EXPECT_GE(m.messages.size(), 25U) << m.upn;
    EXPECT_EQ(m.tenant_id, c.tenants[0].id);
  }
  EXPECT_EQ(c.policy.replay, mock::ReplayPolicy::kAllow);
  EXPECT_EQ(c.policy.token_lifetime.count(), 3599);
}

TEST(MockConfig, GeneratedMailIsDeterministicPerMailbox) {
  const auto a = mock::generate_messages("alex@contoso.onmicrosoft.com", "Alex Wilber", 30);
  const auto b = mock::generate_messages("alex@contoso.onmicrosoft.com", "Alex Wilber", 30);
  const auto other = mock::generate_messages("megan@contoso.onmicrosoft.com", "Megan Bowen", 30);
  ASSERT_EQ(a.size(), 30U);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].id, b[i].id);
    EXPECT_EQ(a[i].subject, b[i].subject);
    EXPECT_EQ(a[i].received, b[i].received);
    if (i > 0) {
      EXPECT_GT(a[i - 1].received, a[i].received);  // newest first
    }
  }
  EXPECT_NE(a[0].id, other[0].id);
  EXPECT_EQ(mock::derived_guid("x"), mock::derived_guid("x"));
  EXPECT_TRUE(mock::is_guid(mock::derived_guid("x")));
}

TEST(MockConfig, TheDocumentedExampleLoads) {
  auto c = mock::load_config_file(testdata_path("mock/contoso.json"));
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_EQ(c->apps.size(), 5U);
  EXPECT_EQ(c->tenants[1].id, "2d7e4b9f-1a3c-4e5d-8f60-7b9c1d2e3f4a");
  // keyCredentials.json holds rsa-2048-b.
  ASSERT_EQ(c->apps[1].certificates.size(), 1U);
  EXPECT_EQ(c->apps[1].certificates[0].thumbprints().sha1_hex,
            load_test_certificate("rsa-2048-b.crt.pem").thumbprints().sha1_hex);
  EXPECT_FALSE(c->apps[1].consented);
  EXPECT_FALSE(c->apps[0].generate_credentials);
  EXPECT_EQ(c->apps[4].tenant_id, c->tenants[1].id);
  EXPECT_EQ(c->mailboxes[1].messages.size(), 3U);
  EXPECT_EQ(c->mailboxes[1].id, "48d31887-5fad-4d73-a9f5-3c356e68a038");
  EXPECT_EQ(c->mailboxes[2].tenant_id, c->tenants[1].id);
}

TEST(MockConfig, InlinePemCertificates) {
  const std::string pem = read_testdata("keys/rsa-2048.crt.pem");
  const std::string text =
      R"({"tenants":[{"id":"8F0D3C2A-6B1E-4C7D-9E5F-2A4B6C8D0E1F","domains":["Contoso.com"]}],
          "apps":[{"client_id":"6b3c0f0e-5f3e-4a5c-9d61-3f1d2a7b9c10","tenant":"contoso.com",
                   "certificates":[)" +
      Json(pem).dump() + "]}]}";
  auto c = mock::parse_config(text, "inline.json", testdata_path("mock"));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->tenants[0].id, "8f0d3c2a-6b1e-4c7d-9e5f-2a4b6c8d0e1f");
  EXPECT_EQ(c->tenants[0].domains[0], "contoso.com");
  EXPECT_EQ(c->apps[0].certificates.size(), 1U);
  EXPECT_TRUE(c->apps[0].consented);
  EXPECT_TRUE(c->mailboxes.empty());
}

struct BadConfig {
  const char* name;
  std::string text;
  std::string expected;  // "POINTER: reason" fragment after "bad.json: "
};

TEST(MockConfig, ErrorsNameTheFilePointerAndReason) {
  const std::string tenants =
      R"("tenants":[{"id":"8f0d3c2a-6b1e-4c7d-9e5f-2a4b6c8d0e1f","domains":["contoso.com"]}])";
  auto app = [](const std::string& members) {
    return R"("apps":[{"client_id":"6b3c0f0e-5f3e-4a5c-9d61-3f1d2a7b9c10","tenant":"contoso.com")" +
           members + "}]";
  };
  const std::vector<BadConfig> cases = {
      {"not json", "{", "(root): syntax: "},
      {"array", "[]", "(root): expected a JSON object"},
      {"duplicate member", "{" + tenants + "," + tenants + "}",
       "/tenants: duplicate-member: this member appears more than once; give it once"},
      {"unknown member", "{" + tenants + "," + app("") + R"(,"extra":1})",
       "/extra: unknown member"},
      {"no tenants", "{" + app("") + "}", "(root): expected a non-empty array 'tenants'"},
      {"tenant id", R"({"tenants":[{"id":"contoso","domains":["contoso.com"]}]})",
       "/tenants/0/id: 'contoso' is not a GUID"},
      {"domain",
       R"({"tenants":[{"id":"8f0d3c2a-6b1e-4c7d-9e5f-2a4b6c8d0e1f","domains":["not a domain"]}]})",
       "/tenants/0/domains/0: expected a DNS name"},
      {"no apps", "{" + tenants + "}", "(root): expected a non-empty array 'apps'"},
      {"client id", "{" + tenants + R"(,"apps":[{"client_id":"x","tenant":"contoso.com"}]})",
       "/apps/0/client_id: 'x' is not a GUID"},
      {"undeclared tenant",
       "{" + tenants +
           R"(,"apps":[{"client_id":"6b3c0f0e-5f3e-4a5c-9d61-3f1d2a7b9c10","tenant":"fabrikam.com"}]})",
       "/apps/0/tenant: tenant 'fabrikam.com' is not declared in /tenants"},
      {"certificate file", "{" + tenants + "," + app(R"(,"certificates":["missing.pem"])") + "}",
       "/apps/0/certificates/0: "},
      {"not a certificate",
       "{" + tenants + "," + app(R"(,"certificates":["../keys/rsa-2048.pub.pem"])") + "}",
       "/apps/0/certificates/0: "},
      {"roles", "{" + tenants + "," + app(R"(,"roles":"Mail.Read")") + "}",
       "/apps/0/roles: expected an array"},
      {"role name", "{" + tenants + "," + app(R"(,"roles":["Mail.Read","Mail.Raed"])") + "}",
       "/apps/0/roles/1: 'Mail.Raed' is not a Graph application permission the mock knows; did "
       "you mean 'Mail.Read'? (known: Mail.ReadBasic.All, Mail.Read, Mail.ReadWrite)"},
      {"role case", "{" + tenants + "," + app(R"(,"roles":["mail.readwrite"])") + "}",
       "/apps/0/roles/0: 'mail.readwrite' is not a Graph application permission the mock "
       "knows; did you mean 'Mail.ReadWrite'?"},
      {"role unrelated", "{" + tenants + "," + app(R"(,"roles":["Directory.ReadWrite.All"])") + "}",
       "/apps/0/roles/0: 'Directory.ReadWrite.All' is not a Graph application permission the "
       "mock knows (known: "},
      {"consented", "{" + tenants + "," + app(R"(,"consented":"yes")") + "}",
       "/apps/0/consented: expected true or false"},
      {"upn", "{" + tenants + "," + app("") + R"(,"mailboxes":[{"upn":"alex"}]})",
       "/mailboxes/0/upn: 'alex' is not a user principal name"},
      {"upn tenant",
       "{" + tenants + "," + app("") + R"(,"mailboxes":[{"upn":"alex@fabrikam.com"}]})",
       "/mailboxes/0/upn: the domain of 'alex@fabrikam.com' belongs to no tenant"},
      {"generate",
       "{" + tenants + "," + app("") +
           R"(,"mailboxes":[{"upn":"a@contoso.com","generate":100000}]})",
       "/mailboxes/0/generate: 100000 is not between 0 and 10000"},
      {"both",
       "{" + tenants + "," + app("") +
           R"(,"mailboxes":[{"upn":"a@contoso.com","generate":1,"messages":[]}]})",
       "/mailboxes/0/generate: give either 'messages' or 'generate', not both"},
      {"message time",
       "{" + tenants + "," + app("") +
           R"(,"mailboxes":[{"upn":"a@contoso.com","messages":[{"subject":"s","from":"b@c.com","receivedDateTime":"yesterday"}]}]})",
       "/mailboxes/0/messages/0/receivedDateTime: 'yesterday' is not an RFC 3339 time"},
      {"replay", "{" + tenants + "," + app("") + R"(,"policy":{"replay":"sometimes"}})",
       "/policy/replay: 'sometimes' is not \"allow\" or \"reject\""},
      {"skew", "{" + tenants + "," + app("") + R"(,"policy":{"skew_seconds":3600}})",
       "/policy/skew_seconds: 3600 is not between 0 and 600"},
  };
  for (const BadConfig& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = mock::parse_config(c.text, "bad.json", testdata_path("mock"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(r.error().message, StartsWith("bad.json: " + c.expected));
    EXPECT_EQ(r.error().message.find('\n'), std::string::npos);
  }
}

TEST(MockConfig, KeyCredentialErrorsNameTheNestedFile) {
  const std::string dir = testdata_path("mock");
  const std::string kc = dir + "/.bad-kc-" + std::to_string(::getpid()) + ".json";
  {
    std::ofstream out(kc);
    out << R"({"keyCredentials":[{"type":"AsymmetricX509Cert","usage":"Sign","value":"AAAA"}]})";
  }
  const std::string text =
      R"({"tenants":[{"id":"8f0d3c2a-6b1e-4c7d-9e5f-2a4b6c8d0e1f","domains":["contoso.com"]}],
          "apps":[{"client_id":"6b3c0f0e-5f3e-4a5c-9d61-3f1d2a7b9c10","tenant":"contoso.com",
                   "certificates":[")" +
      std::filesystem::path(kc).filename().string() + R"("]}]})";
  auto r = mock::parse_config(text, "world.json", dir);
  std::filesystem::remove(kc);
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, StartsWith(kc + ": /keyCredentials/0/usage: 'Sign' is not"));
  EXPECT_THAT(r.error().message, HasSubstr("(certificate /apps/0/certificates/0 of world.json)"));
}

TEST(MockConfig, UnreadableFile) {
  auto r = mock::load_config_file("/nonexistent/world.json");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
  EXPECT_THAT(r.error().message, HasSubstr("/nonexistent/world.json"));
}

}  // namespace
}  // namespace assay::test
