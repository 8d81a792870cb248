// assay-mock's Graph side: list messages with paging, $select, $orderby, and the Graph-shaped
// 401/403/404 answers behind the bearer token check.
#include <set>

#include <gmock/gmock.h>

#include "assay/key.h"
#include "assay/timefmt.h"
#include "mock/mock_fixture.h"
#include "support/testdata.h"

namespace assay::test {
namespace {

using ::testing::HasSubstr;

using MockGraph = MockServerTest;

const std::string kAlexInbox =
    "/v1.0/users/alex@contoso.onmicrosoft.com/mailFolders/inbox/messages";

void expect_graph_error(const httplib::Result& res, int status, const std::string& code,
                        const std::string& message) {
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, status) << res->body;
  const Json b = body_of(res);
  ASSERT_TRUE(b.is_object() && b.contains("error")) << res->body;
  EXPECT_EQ(b["error"]["code"], code);
  EXPECT_EQ(b["error"]["message"], message);
  const Json& inner = b["error"]["innerError"];
  EXPECT_TRUE(inner.contains("date") && inner.contains("request-id") &&
              inner.contains("client-request-id"))
      << res->body;
  EXPECT_EQ(res->get_header_value("request-id"), inner.value("request-id", "?"));
  EXPECT_TRUE(res->has_header("client-request-id"));
  EXPECT_TRUE(res->get_header_value("Content-Type").starts_with("application/json"));
}

// A token signed with the mock's own signing key (from its state directory).
std::string self_signed_token(const std::string& state_dir, const Json& claims) {
  LoadOptions opts;
  auto key = load_credentials_file(state_dir + "/signing.key.pem", opts);
  auto cert = load_credentials_file(state_dir + "/signing.crt.pem", opts);
  EXPECT_TRUE(key && cert && key->private_key && !cert->certificates.empty());
  if (!key || !cert || !key->private_key || cert->certificates.empty()) {
    return {};
  }
  Json header = {
      {"typ", "JWT"}, {"alg", "RS256"}, {"x5t", cert->certificates.front().thumbprints().x5t}};
  auto token = sign_compact(header, claims, Alg::kRS256, *key->private_key);
  EXPECT_TRUE(token);
  return token ? *token : std::string();
}

TEST_F(MockGraph, ListsTheInboxTenAtATimeNewestFirst) {
  const std::string token = access_token();
  auto res =
      get(kAlexInbox, token, {{"client-request-id", "c0ffee00-0000-4000-8000-000000000001"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_TRUE(res->get_header_value("Content-Type").starts_with("application/json"));
  EXPECT_TRUE(res->has_header("request-id"));
  EXPECT_EQ(res->get_header_value("client-request-id"), "c0ffee00-0000-4000-8000-000000000001");
  const Json b = body_of(res);
  EXPECT_EQ(
      b["@odata.context"],
      base() +
          "/v1.0/$metadata#users('alex%40contoso.onmicrosoft.com')/mailFolders('inbox')/messages");
  ASSERT_EQ(b["value"].size(), 10U);
  for (size_t i = 1; i < b["value"].size(); ++i) {
    EXPECT_GE(b["value"][i - 1]["receivedDateTime"].get<std::string>(),
              b["value"][i]["receivedDateTime"].get<std::string>());
  }
  const Json& m = b["value"][0];
  for (const char* k : {"@odata.etag", "id", "receivedDateTime", "subject", "bodyPreview",
                        "importance", "isRead", "hasAttachments", "webLink", "from", "sender",
                        "toRecipients", "body", "flag", "conversationId", "internetMessageId"}) {
    EXPECT_TRUE(m.contains(k)) << k;
  }
  EXPECT_EQ(m["toRecipients"][0]["emailAddress"]["address"], "alex@contoso.onmicrosoft.com");
  EXPECT_TRUE(m["from"]["emailAddress"].contains("name"));
  EXPECT_EQ(m["body"]["contentType"], "html");
  EXPECT_EQ(b["@odata.nextLink"], base() +
                                      "/v1.0/users/alex@contoso.onmicrosoft.com/mailFolders/"
                                      "inbox/messages?%24top=10&%24skip=10");
}

TEST_F(MockGraph, TopSelectAndNextLinkPageThroughTheMailbox) {
  const std::string token = access_token();
  std::string next =
      "/v1.0/users/ALEX@contoso.onmicrosoft.com/mailFolders/Inbox/messages?%24top=7"
      "&%24select=subject,from&%24orderby=receivedDateTime%20desc";
  std::set<std::string> ids;
  int pages = 0;
  while (!next.empty()) {
    auto res = get(next, token);
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    const Json b = body_of(res);
    if (pages == 0) {
      EXPECT_EQ(b["@odata.context"], base() +
                                         "/v1.0/$metadata#users('ALEX%40contoso.onmicrosoft."
                                         "com')/mailFolders('Inbox')/messages(subject,from)");
    }
    for (const Json& m : b["value"]) {
      std::vector<std::string> keys;
      for (auto it = m.begin(); it != m.end(); ++it) {
        keys.push_back(it.key());
      }
      EXPECT_EQ(keys, (std::vector<std::string>{"@odata.etag", "id", "subject", "from"}));
      EXPECT_TRUE(ids.insert(m["id"].get<std::string>()).second) << "duplicate " << m["id"];
    }
    ++pages;
    if (b.contains("@odata.nextLink")) {
      const std::string link = b["@odata.nextLink"];
      EXPECT_TRUE(link.starts_with(base())) << link;
      EXPECT_THAT(link, HasSubstr("%24top=7"));
      EXPECT_THAT(link, HasSubstr("%24select=subject%2Cfrom"));
      EXPECT_THAT(link, HasSubstr("%24skip=" + std::to_string(pages * 7)));
      next = link;
      EXPECT_EQ(b["value"].size(), 7U);
    } else {
      next.clear();
    }
    ASSERT_LT(pages, 20);
  }
  EXPECT_EQ(ids.size(), 40U);
  EXPECT_EQ(pages, 6);  // 7 * 5 = 35, then 5
}

TEST_F(MockGraph, SkipAscendingOrderAndTheMessagesRoute) {
  const std::string token = access_token();
  const Json asc =
      body_of(get("/v1.0/users/megan@contoso.onmicrosoft.com/messages?$orderby="
                  "receivedDateTime%20asc&$top=2&$skip=1",
                  token));
  ASSERT_EQ(asc["value"].size(), 2U);
  EXPECT_EQ(asc["value"][0]["subject"], "Lunch on Thursday?");
  EXPECT_EQ(asc["value"][1]["subject"], "Quarterly budget review");
  EXPECT_FALSE(asc.contains("@odata.nextLink"));
  EXPECT_EQ(asc["@odata.context"],
            base() + "/v1.0/$metadata#users('megan%40contoso.onmicrosoft.com')/messages");
  // By object id, with the configured messages' fields.
  const Json by_id =
      body_of(get("/v1.0/users/48d31887-5fad-4d73-a9f5-3c356e68a038/messages", token));
  ASSERT_EQ(by_id["value"].size(), 3U);
  const Json& first = by_id["value"][0];
  EXPECT_EQ(first["subject"], "Quarterly budget review");
  EXPECT_EQ(first["importance"], "high");
  EXPECT_EQ(first["hasAttachments"], true);
  EXPECT_EQ(first["from"]["emailAddress"]["name"], "Adele Vance");
  EXPECT_EQ(by_id["value"][2]["flag"]["flagStatus"], "flagged");
  EXPECT_EQ(by_id["value"][2]["ccRecipients"][0]["emailAddress"]["name"], "Alex Wilber");
}

TEST_F(MockGraph, PreferTextBody) {
  const Json b = body_of(get(kAlexInbox + "?$top=1&$select=body", access_token(),
                             {{"Prefer", "outlook.body-content-type=\"text\""}}));
  EXPECT_EQ(b["value"][0]["body"]["contentType"], "text");
}

TEST_F(MockGraph, BadQueryOptions) {
  const std::string token = access_token();
  auto zero = get(kAlexInbox + "?$top=0", token);
  expect_graph_error(zero, 400, "ErrorInvalidUrlQuery",
                     "Invalid page size specified: '0'. Must be between 1 and 1000 inclusive.");
  auto big = get(kAlexInbox + "?$top=1001", token);
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 400);
  auto select = get(kAlexInbox + "?$select=subject,nonsense", token);
  expect_graph_error(
      select, 400, "RequestBroker--ParseUri",
      "Could not find a property named 'nonsense' on type 'microsoft.graph.message'.");
  auto folder = get("/v1.0/users/alex@contoso.onmicrosoft.com/mailFolders/archive/messages", token);
  expect_graph_error(folder, 404, "ErrorItemNotFound",
                     "The specified object was not found in the store.");
}

TEST_F(MockGraph, MissingOrBrokenTokens) {
  auto none = get(kAlexInbox);
  expect_graph_error(none, 401, "InvalidAuthenticationToken", "Access token is empty.");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->get_header_value("WWW-Authenticate"),
            "Bearer realm=\"\", authorization_uri=\"" + base() +
                "/common/oauth2/authorize\", client_id=\"00000003-0000-0000-c000-000000000000\"");
  expect_graph_error(get(kAlexInbox, "garbage"), 401, "InvalidAuthenticationToken",
                     "CompactToken parsing failed with error code: 80049217");
  // Signed by someone else.
  const int64_t now = now_seconds().time_since_epoch().count();
  const Json claims = {{"aud", "https://graph.microsoft.com"},
                       {"tid", kMockTenant},
                       {"iat", now},
                       {"nbf", now},
                       {"exp", now + 600},
                       {"roles", {"Mail.Read"}}};
  auto forged = sign_compact({{"alg", "RS256"}, {"typ", "JWT"}}, claims, Alg::kRS256,
                             load_test_private_key("rsa-2048.key.pem"));
  ASSERT_TRUE(forged);
  expect_graph_error(get(kAlexInbox, *forged), 401, "InvalidAuthenticationToken",
                     "Access token validation failure.");
}

TEST_F(MockGraph, WrongAudienceAndExpiredTokens) {
  // A token the mock issued for another resource.
  const std::string url = token_url();
  auto f = form(kDaemon, assertion(spec_for(kDaemon, url)));
  f.back().value = "api://contoso-reports/.default";
  const Json b = body_of(post_form(url, f));
  expect_graph_error(get(kAlexInbox, b["access_token"]), 401, "InvalidAuthenticationToken",
                     "Access token validation failure. Invalid audience.");

  const int64_t now = now_seconds().time_since_epoch().count();
  Json claims = {{"aud", "00000003-0000-0000-c000-000000000000"},
                 {"tid", kMockTenant},
                 {"iat", now - 7200},
                 {"nbf", now - 7200},
                 {"exp", now - 3600},
                 {"roles", {"Mail.Read"}}};
  expect_graph_error(get(kAlexInbox, self_signed_token(ready().state_dir, claims)), 401,
                     "InvalidAuthenticationToken",
                     "Lifetime validation failed, the token is expired.");
  // The same token, unexpired, with Graph's GUID audience: accepted.
  claims["exp"] = now + 600;
  auto ok = get(kAlexInbox, self_signed_token(ready().state_dir, claims));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200) << ok->body;
}

TEST_F(MockGraph, TokensWithoutMailRolesAreDenied) {
  // The app awaiting admin consent gets a token without roles.
  expect_graph_error(get(kAlexInbox, access_token(kAwaitingConsent)), 403, "ErrorAccessDenied",
                     "Access is denied. Check credentials and try again.");
}

TEST_F(MockGraph, UnknownUsersAndOtherTenantsMailboxes) {
  const std::string token = access_token();
  expect_graph_error(
      get("/v1.0/users/nobody@contoso.onmicrosoft.com/mailFolders/inbox/messages", token), 404,
      "ErrorInvalidUser", "The requested user 'nobody@contoso.onmicrosoft.com' is invalid.");
  // The token's tenant scopes the lookup: Fabrikam's mailbox is not visible to Contoso's app.
  expect_graph_error(get("/v1.0/users/nestor@fabrikam.onmicrosoft.com/messages", token), 404,
                     "ErrorInvalidUser",
                     "The requested user 'nestor@fabrikam.onmicrosoft.com' is invalid.");
  // Fabrikam's own app sees it.
  const std::string url = token_url(kOtherTenant);
  const Json fab =
      body_of(post_form(url, form(kFabrikamApp, assertion(spec_for(kFabrikamApp, url)))));
  auto res = get("/v1.0/users/nestor@fabrikam.onmicrosoft.com/messages", fab["access_token"]);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(body_of(res)["value"].size(), 5U);
}

TEST_F(MockGraph, ReadBasicOmitsBodies) {
  const Json b =
      body_of(get(kAlexInbox + "?$select=subject,body,bodyPreview", access_token(kBasicReader)));
  ASSERT_EQ(b["value"].size(), 10U);
  for (const Json& m : b["value"]) {
    EXPECT_TRUE(m.contains("subject"));
    EXPECT_FALSE(m.contains("body"));
    EXPECT_FALSE(m.contains("bodyPreview"));
  }
}

TEST_F(MockGraph, MeNeedsDelegatedAuthentication) {
  expect_graph_error(get("/v1.0/me/messages", access_token()), 400, "BadRequest",
                     "/me request is only valid with delegated authentication flow.");
}

}  // namespace
}  // namespace assay::test
