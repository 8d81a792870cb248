// assay-mock's Entra side over HTTPS: discovery, keys, instance discovery, token successes in
// both shapes, every error class with its AADSTS code, replay policies and admin consent.
#include <filesystem>
#include <fstream>
#include <regex>
#include <tuple>
#include <unistd.h>

#include <gmock/gmock.h>

#include "assay/assertion.h"
#include "assay/base64url.h"
#include "assay/key.h"
#include "assay/signature.h"
#include "assay/timefmt.h"
#include "mock/mock_fixture.h"
#include "support/testdata.h"
#include "support/tokens.h"

namespace assay::test {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

// What every failure must look like: Entra's error JSON plus assay_rules and x-assay-rules.
void expect_entra_error(const httplib::Result& res, int status, const std::string& error, int code,
                        const std::string& base) {
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, status) << res->body;
  const Json b = body_of(res);
  ASSERT_TRUE(b.is_object());
  EXPECT_EQ(b.value("error", ""), error) << res->body;
  EXPECT_EQ(b["error_codes"], Json::array({code})) << res->body;
  const std::string d = b.value("error_description", "");
  EXPECT_TRUE(d.starts_with("AADSTS" + std::to_string(code) + ": ")) << d;
  static const std::regex kTail(
      "\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9A-Za-z._-]+\r\nTimestamp: "
      "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$");
  EXPECT_TRUE(std::regex_search(d, kTail)) << d;
  EXPECT_TRUE(d.find("Trace ID: " + b.value("trace_id", "?")) != std::string::npos);
  EXPECT_TRUE(d.find("Correlation ID: " + b.value("correlation_id", "?")) != std::string::npos);
  EXPECT_TRUE(d.ends_with("Timestamp: " + b.value("timestamp", "?")));
  EXPECT_EQ(b.value("error_uri", ""), base + "/error?code=" + std::to_string(code));
  ASSERT_TRUE(b.contains("assay_rules") && b["assay_rules"].is_array());
  std::vector<std::string> rules;
  for (const Json& r : b["assay_rules"]) {
    rules.push_back(r.get<std::string>());
  }
  EXPECT_EQ(rules, rules_header(res));  // the header is absent when no rule fired
  EXPECT_EQ(res->has_header("x-assay-rules"), !rules.empty());
}

std::vector<std::string> assay_rules(const httplib::Result& res) {
  std::vector<std::string> out;
  const Json b = body_of(res);
  if (b.is_object() && b.contains("assay_rules")) {
    for (const Json& r : b["assay_rules"]) {
      out.push_back(r.get<std::string>());
    }
  }
  return out;
}

std::string description(const httplib::Result& res) {
  const Json b = body_of(res);
  return b.is_object() ? b.value("error_description", "") : std::string();
}

using MockEntra = MockServerTest;

TEST_F(MockEntra, DiscoveryV2IsBuiltFromTheBaseUrl) {
  auto res = get("/" + std::string(kMockDomain) + "/v2.0/.well-known/openid-configuration");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  const Json d = body_of(res);
  const std::string t = base() + "/" + kMockTenant;
  EXPECT_EQ(d["issuer"], t + "/v2.0");
  EXPECT_EQ(d["token_endpoint"], t + "/oauth2/v2.0/token");
  EXPECT_EQ(d["jwks_uri"], t + "/discovery/v2.0/keys");
  EXPECT_EQ(d["authorization_endpoint"], t + "/oauth2/v2.0/authorize");
  EXPECT_EQ(d["end_session_endpoint"], t + "/oauth2/v2.0/logout");
  EXPECT_EQ(d["device_authorization_endpoint"], t + "/oauth2/v2.0/devicecode");
  EXPECT_THAT(d["token_endpoint_auth_methods_supported"], Contains("private_key_jwt"));
}

TEST_F(MockEntra, DiscoveryV1UsesTheMockIssuerAndCommonKeys) {
  auto res = get("/" + std::string(kMockTenant) + "/.well-known/openid-configuration");
  ASSERT_TRUE(res);
  const Json d = body_of(res);
  EXPECT_EQ(d["issuer"], base() + "/" + kMockTenant + "/");
  EXPECT_EQ(d["token_endpoint"], base() + "/" + kMockTenant + "/oauth2/token");
  EXPECT_EQ(d["jwks_uri"], base() + "/common/discovery/keys");
  EXPECT_EQ(d["authorization_endpoint"], base() + "/" + kMockTenant + "/oauth2/authorize");
}

TEST_F(MockEntra, DiscoveryOfCommonKeepsTheTenantPlaceholder) {
  const Json d = body_of(get("/common/v2.0/.well-known/openid-configuration"));
  EXPECT_EQ(d["issuer"], base() + "/{tenantid}/v2.0");
  EXPECT_EQ(d["token_endpoint"], base() + "/common/oauth2/v2.0/token");
}

TEST_F(MockEntra, DiscoveryOfAnUnknownTenantFails) {
  auto res = get("/nowhere.onmicrosoft.com/v2.0/.well-known/openid-configuration");
  expect_entra_error(res, 400, "invalid_tenant", 90002, base());
  EXPECT_THAT(description(res), HasSubstr("Tenant 'nowhere.onmicrosoft.com' not found"));
}

TEST_F(MockEntra, JwksPublishesTheSigningCertificate) {
  for (const std::string path :
       {"/common/discovery/keys", "/discovery/v2.0/keys", "/contoso.onmicrosoft.com/discovery/keys",
        "/contoso.onmicrosoft.com/discovery/v2.0/keys"}) {
    SCOPED_TRACE(path);
    auto res = get(path);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    const Json j = body_of(res);
    ASSERT_EQ(j["keys"].size(), 1U);
    const Json& k = j["keys"][0];
    EXPECT_EQ(k["kty"], "RSA");
    EXPECT_EQ(k["use"], "sig");
    EXPECT_EQ(k["kid"], k["x5t"]);
    EXPECT_EQ(k["e"], "AQAB");
    auto der = base64_decode(k["x5c"][0].get<std::string>());
    ASSERT_TRUE(der);
    auto cert = load_certificate(*der);
    ASSERT_TRUE(cert);
    EXPECT_EQ(k["x5t"], cert->thumbprints().x5t);
    const bool v2 = path.find("v2.0") != std::string::npos;
    EXPECT_EQ(k.contains("issuer"), v2);
    if (path == "/contoso.onmicrosoft.com/discovery/v2.0/keys") {
      EXPECT_EQ(k["issuer"], base() + "/" + kMockTenant + "/v2.0");
    }
  }
}

TEST_F(MockEntra, InstanceDiscoveryPointsAtTheMock) {
  const std::string port = std::to_string(server_->port());
  auto res = get("/common/discovery/instance?api-version=1.1&authorization_endpoint=" +
                 form_encode(base() + "/contoso.onmicrosoft.com/oauth2/v2.0/authorize"));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  const Json j = body_of(res);
  EXPECT_EQ(j["tenant_discovery_endpoint"],
            base() + "/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration");
  EXPECT_EQ(j["api-version"], "1.1");
  EXPECT_EQ(j["metadata"][0]["preferred_network"], "127.0.0.1:" + port);
  EXPECT_EQ(j["metadata"][0]["preferred_cache"], "127.0.0.1:" + port);
  EXPECT_THAT(j["metadata"][0]["aliases"], Contains("localhost:" + port));

  auto foreign = get("/common/discovery/instance?api-version=1.1&authorization_endpoint=" +
                     form_encode("https://login.example.com/common/oauth2/v2.0/authorize"));
  expect_entra_error(foreign, 400, "invalid_instance", 50049, base());
}

TEST_F(MockEntra, V2SuccessHasEntraShapeAndAnAppOnlyGraphToken) {
  auto res = request_token();
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const Json b = body_of(res);
  std::vector<std::string> keys;
  for (auto it = b.begin(); it != b.end(); ++it) {
    keys.push_back(it.key());
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"token_type", "expires_in", "ext_expires_in",
                                            "access_token"}));
  EXPECT_EQ(b["token_type"], "Bearer");
  EXPECT_EQ(b["expires_in"], 3599);
  EXPECT_EQ(b["ext_expires_in"], 3599);

  const std::string token = b["access_token"];
  const Json h = jwt_header(token);
  EXPECT_EQ(h["typ"], "JWT");
  EXPECT_EQ(h["alg"], "RS256");
  EXPECT_EQ(h["kid"], h["x5t"]);
  const Json c = jwt_payload(token);
  EXPECT_EQ(c["aud"], "https://graph.microsoft.com");
  EXPECT_EQ(c["iss"], "https://sts.windows.net/" + std::string(kMockTenant) + "/");
  EXPECT_EQ(c["tid"], kMockTenant);
  EXPECT_EQ(c["appid"], kDaemon);
  EXPECT_EQ(c["azp"], kDaemon);
  EXPECT_EQ(c["appidacr"], "2");
  EXPECT_EQ(c["azpacr"], "2");
  EXPECT_EQ(c["app_displayname"], "assay-daemon");
  EXPECT_EQ(c["roles"], Json::array({"Mail.Read"}));
  EXPECT_EQ(c["oid"], c["sub"]);
  EXPECT_EQ(c["idtyp"], "app");
  EXPECT_EQ(c["ver"], "1.0");
  EXPECT_TRUE(c.contains("uti") && c.contains("rh"));
  EXPECT_EQ(c["exp"].get<int64_t>() - c["iat"].get<int64_t>(), 3599);
  EXPECT_EQ(c["nbf"], c["iat"]);

  // Signed by the key the JWKS publishes.
  const Json jwks = body_of(get("/common/discovery/keys"));
  auto der = base64_decode(jwks["keys"][0]["x5c"][0].get<std::string>());
  ASSERT_TRUE(der);
  auto cert = load_certificate(*der);
  ASSERT_TRUE(cert);
  auto a = decode(token);
  ASSERT_TRUE(a);
  EXPECT_TRUE(
      verify_signature(Alg::kRS256, cert->public_key(), a->signing_input(), a->signature_bytes())
          .valid());
  // The same object id for every token of the app.
  EXPECT_EQ(jwt_payload(access_token())["oid"], c["oid"]);
}

TEST_F(MockEntra, V1SuccessUsesStringNumbersAndEchoesTheResource) {
  auto res = request_token(kDaemon, kMockTenant, false);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  const Json b = body_of(res);
  EXPECT_EQ(b["token_type"], "Bearer");
  EXPECT_EQ(b["expires_in"], "3599");
  EXPECT_EQ(b["ext_expires_in"], "3599");
  EXPECT_EQ(b["resource"], "https://graph.microsoft.com");
  ASSERT_TRUE(b["expires_on"].is_string() && b["not_before"].is_string());
  EXPECT_EQ(std::stoll(b["expires_on"].get<std::string>()) -
                std::stoll(b["not_before"].get<std::string>()),
            3599);
  EXPECT_EQ(jwt_payload(b["access_token"])["aud"], "https://graph.microsoft.com");
}

TEST_F(MockEntra, OtherResourcesBecomeTheAudience) {
  const std::string url = token_url();
  auto f = form(kDaemon, assertion(spec_for(kDaemon, url)));
  f.back().value = "api://contoso-reports/.default";
  auto res = post_form(url, f);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(jwt_payload(body_of(res)["access_token"])["aud"], "api://contoso-reports");
}

TEST_F(MockEntra, TenantByGuidOrDomainAndAudMustMatchThePath) {
  auto by_guid = request_token(kDaemon, kMockTenant);
  ASSERT_TRUE(by_guid);
  EXPECT_EQ(by_guid->status, 200) << by_guid->body;
  auto by_alias = request_token(kDaemon, "CONTOSO.COM");
  ASSERT_TRUE(by_alias);
  EXPECT_EQ(by_alias->status, 200) << by_alias->body;
  // aud names the domain, the request goes to the GUID: Entra compares the strings.
  const std::string url = token_url(kMockTenant);
  auto res = post_form(url, form(kDaemon, assertion(spec_for(kDaemon, token_url()))));
  expect_entra_error(res, 401, "invalid_client", 700023, base());
  EXPECT_THAT(assay_rules(res), Contains("CLM020"));
}

TEST_F(MockEntra, CorrelationIdEchoesClientRequestId) {
  const std::string url = token_url();
  auto res = post_form(url, {{"grant_type", "client_credentials"}},
                       {{"client-request-id", "2f9b1c66-0d7e-4d8a-9f1b-7c1e2d3a4b5c"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(body_of(res)["correlation_id"], "2f9b1c66-0d7e-4d8a-9f1b-7c1e2d3a4b5c");
  EXPECT_EQ(res->get_header_value("client-request-id"), "2f9b1c66-0d7e-4d8a-9f1b-7c1e2d3a4b5c");
}

// ------------------------------------------------------------------ tenants

TEST_F(MockEntra, GeneralTenantsAreRefused) {
  for (const char* t : {"common", "consumers", "organizations", "Common"}) {
    SCOPED_TRACE(t);
    auto res = request_token(kDaemon, t);
    expect_entra_error(res, 400, "invalid_request", 9001023, base());
    EXPECT_THAT(description(res), HasSubstr("/common or /consumers endpoints"));
  }
}

TEST_F(MockEntra, UnknownAndMalformedTenants) {
  auto unknown = request_token(kDaemon, "8f0d3c2a-0000-4c7d-9e5f-2a4b6c8d0e1f");
  expect_entra_error(unknown, 400, "invalid_tenant", 90002, base());
  EXPECT_THAT(description(unknown),
              HasSubstr("Tenant '8f0d3c2a-0000-4c7d-9e5f-2a4b6c8d0e1f' not found"));
  auto malformed = request_token(kDaemon, "bad_tenant!");
  expect_entra_error(malformed, 400, "invalid_request", 900023, base());
  EXPECT_THAT(description(malformed), HasSubstr("'bad_tenant!' is neither a valid DNS name"));
}

// ------------------------------------------------------------------ request-level errors

TEST_F(MockEntra, RequestParameterErrors) {
  const std::string url = token_url();
  const std::string token = assertion(spec_for(kDaemon, url));
  struct Case {
    const char* name;
    std::vector<FormParam> form;
    int status;
    const char* error;
    int code;
    const char* rule;
    const char* text;
  };
  auto base_form = [&] { return form(kDaemon, token); };
  auto without = [&](const char* name) {
    auto f = base_form();
    std::erase_if(f, [&](const FormParam& p) { return p.name == name; });
    return f;
  };
  auto with = [&](const char* name, const char* value) {
    auto f = base_form();
    for (FormParam& p : f) {
      if (p.name == name) {
        p.value = value;
      }
    }
    return f;
  };
  auto plus = [&](const char* name, const char* value) {
    auto f = base_form();
    f.push_back({name, value});
    return f;
  };
  const std::vector<Case> cases = {
      {"no grant_type", without("grant_type"), 400, "invalid_request", 900144, "EXC001",
       "parameter: 'grant_type'"},
      {"password grant", with("grant_type", "password"), 400, "unsupported_grant_type", 70003,
       "EXC002", ""},
      {"no assertion", without("client_assertion"), 401, "invalid_client", 7000218, "EXC005",
       "'client_assertion' or 'client_secret'"},
      {"no assertion type", without("client_assertion_type"), 401, "invalid_client", 7000218,
       "EXC003", ""},
      {"wrong assertion type", with("client_assertion_type", "urn:ietf:params:oauth:jwt-bearer"),
       400, "invalid_request", 90011, "EXC004", "Unexpected client assertion type."},
      {"no scope", without("scope"), 400, "invalid_request", 900144, "EXC008",
       "parameter: 'scope'"},
      {"scope not .default", with("scope", "https://graph.microsoft.com/Mail.Read"), 400,
       "invalid_scope", 1002012, "EXC009",
       "The provided value for scope https://graph.microsoft.com/Mail.Read is not valid."},
      {"resource on v2", plus("resource", "https://graph.microsoft.com"), 400, "invalid_request",
       901002, "EXC010", "The 'resource' request parameter isn't supported."},
      {"two resources",
       with("scope", "https://graph.microsoft.com/.default https://vault.azure.net/.default"), 400,
       "invalid_scope", 700022, "EXC014", ""},
      {"client secret too", plus("client_secret", "s3cr3t"), 401, "invalid_client", 7000215,
       "EXC012", "Invalid client secret is provided."},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto res = post_form(url, c.form);
    expect_entra_error(res, c.status, c.error, c.code, base());
    EXPECT_THAT(assay_rules(res), Contains(c.rule));
    EXPECT_THAT(description(res), HasSubstr(c.text));
  }
}

TEST_F(MockEntra, JsonBodyIsNotReadLikeEntra) {
  auto res = client()->Post(path_of(token_url()).c_str(), R"({"grant_type":"client_credentials"})",
                            "application/json");
  expect_entra_error(res, 400, "invalid_request", 900144, base());
  EXPECT_THAT(description(res), HasSubstr("'grant_type'"));
}

TEST_F(MockEntra, GetOnTheTokenEndpointIsRefused) {
  auto res = get(path_of(token_url()));
  expect_entra_error(res, 400, "invalid_request", 900561, base());
}

// ------------------------------------------------------------------ the application

TEST_F(MockEntra, UnknownApplication) {
  const std::string other = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
  const std::string url = token_url();
  auto res = post_form(url, form(other, assertion(spec_for(other, url))));
  expect_entra_error(res, 400, "unauthorized_client", 700016, base());
  EXPECT_THAT(description(res), HasSubstr("Application with identifier '" + other +
                                          "' was not found in the directory 'Contoso'"));
  // An app of another tenant is unknown here too.
  auto cross = post_form(url, form(kFabrikamApp, assertion(spec_for(kFabrikamApp, url))));
  expect_entra_error(cross, 400, "unauthorized_client", 700016, base());
}

TEST_F(MockEntra, ClientIdComesFromIssWhenTheFormHasNone) {
  const std::string url = token_url();
  auto f = form(kDaemon, assertion(spec_for(kDaemon, url)));
  std::erase_if(f, [](const FormParam& p) { return p.name == "client_id"; });
  auto res = post_form(url, f);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_THAT(rules_header(res), Contains("EXC007"));  // a warning only
}

// ------------------------------------------------------------------ the assertion

TEST_F(MockEntra, MalformedAssertion) {
  auto res = post_form(token_url(), form(kDaemon, "not-a-jwt"));
  expect_entra_error(res, 400, "invalid_request", 50027, base());
  EXPECT_THAT(assay_rules(res), Contains("ENC001"));
  EXPECT_THAT(description(res), HasSubstr("JWT token is invalid or malformed."));
}

TEST_F(MockEntra, MissingClaimNamesTheField) {
  const std::string url = token_url();
  Json header = {{"alg", "RS256"},
                 {"typ", "JWT"},
                 {"x5t", load_test_certificate("rsa-2048.crt.pem").thumbprints().x5t}};
  const int64_t now = now_seconds().time_since_epoch().count();
  Json claims = {{"iss", kDaemon},
                 {"sub", kDaemon},
                 {"jti", "5c1b1f8e-9a7d-4c3b-8e2f-1a0b9c8d7e6f"},
                 {"nbf", now - 60},
                 {"exp", now + 600}};
  auto token = sign_compact(header, claims, Alg::kRS256, load_test_private_key("rsa-2048.key.pem"));
  ASSERT_TRUE(token);
  auto res = post_form(url, form(kDaemon, *token));
  expect_entra_error(res, 400, "invalid_request", 90014, base());
  EXPECT_THAT(description(res), HasSubstr("The required field 'aud' is missing"));
}

TEST_F(MockEntra, UnsupportedAlgorithm) {
  const std::string url = token_url();
  const int64_t now = now_seconds().time_since_epoch().count();
  Json header = {{"alg", "HS256"}, {"typ", "JWT"}, {"kid", "k1"}};
  Json claims = {{"aud", url}, {"iss", kDaemon},   {"sub", kDaemon},
                 {"nbf", now}, {"exp", now + 600}, {"jti", "6c1b1f8e-9a7d-4c3b-8e2f-1a0b9c8d7e6f"}};
  const std::string h = base64url_encode(header.dump());
  const std::string p = base64url_encode(claims.dump());
  auto res = post_form(url, form(kDaemon, h + "." + p + "." + base64url_encode("mac-bytes")));
  expect_entra_error(res, 401, "invalid_client", 5002738, base());
  EXPECT_THAT(description(res), HasSubstr("'HS256' is not a supported signature algorithm"));
}

TEST_F(MockEntra, NoKeyIdentifierInTheHeader) {
  const std::string url = token_url();
  AssertionSpec s = spec_for(kDaemon, url);
  s.thumbprints = ThumbprintHeaders::kNone;
  auto res = post_form(url, form(kDaemon, assertion(s)));
  expect_entra_error(res, 401, "invalid_client", 5002723, base());
  EXPECT_THAT(assay_rules(res), Contains("HDR008"));
}

TEST_F(MockEntra, SubjectMustMatchIssuer) {
  const std::string url = token_url();
  AssertionSpec s = spec_for(kDaemon, url);
  s.extra_claims = {{"sub", "\"00000000-1111-2222-3333-444444444444\""}};
  auto res = post_form(url, form(kDaemon, assertion(s)));
  expect_entra_error(res, 401, "invalid_client", 50048, base());
  EXPECT_THAT(assay_rules(res), Contains("CLM004"));
}

TEST_F(MockEntra, ClientIdParameterMustMatchTheAssertion) {
  const std::string url = token_url();
  auto res = post_form(url, form(kBasicReader, assertion(spec_for(kDaemon, url))));
  expect_entra_error(res, 401, "invalid_client", 700021, base());
  EXPECT_THAT(assay_rules(res), Contains("EXC006"));
}

TEST_F(MockEntra, WrongAudience) {
  const std::string url = token_url();
  const std::vector<std::string> auds = {
      token_url(kOtherTenant), token_url(kMockDomain, false), base() + "/common/oauth2/v2.0/token",
      "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"};
  for (const std::string& aud : auds) {
    SCOPED_TRACE(aud);
    auto res = post_form(url, form(kDaemon, assertion(spec_for(kDaemon, aud))));
    expect_entra_error(res, 401, "invalid_client", 700023, base());
    EXPECT_THAT(description(res), HasSubstr("does not match Realm issuer"));
  }
}

TEST_F(MockEntra, ExpiredAssertion) {
  const std::string url = token_url();
  AssertionSpec s = spec_for(kDaemon, url);
  s.now = now_seconds() - std::chrono::hours(2);
  auto res = post_form(url, form(kDaemon, assertion(s)));
  expect_entra_error(res, 401, "invalid_client", 700024, base());
  EXPECT_THAT(assay_rules(res), Contains("CLM031"));
  const std::string d = description(res);
  static const std::regex kTimes(
      "Current time: \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{7}Z, assertion valid from "
      "\\d{4}-.{14}\\.0000000Z, expiry time of assertion \\d{4}-.{14}\\.0000000Z\\.");
  EXPECT_TRUE(std::regex_search(d, kTimes)) << d;
  const std::string exp = format_rfc3339(*s.now + std::chrono::seconds{600});
  EXPECT_THAT(d, HasSubstr("expiry time of assertion " + exp.substr(0, 19) + ".0000000Z"));
}

TEST_F(MockEntra, UnregisteredKeyEchoesTheThumbprint) {
  const std::string url = token_url();
  auto res = post_form(url, form(kDaemon, assertion(spec_for(kDaemon, url), "rsa-2048-b.key.pem",
                                                    "rsa-2048-b.crt.pem")));
  expect_entra_error(res, 401, "invalid_client", 700027, base());
  const auto rules = assay_rules(res);
  EXPECT_TRUE(std::find(rules.begin(), rules.end(), "KEY001") != rules.end() ||
              std::find(rules.begin(), rules.end(), "KEY002") != rules.end());
  const std::string hex = load_test_certificate("rsa-2048-b.crt.pem").thumbprints().sha1_hex;
  EXPECT_THAT(description(res),
              HasSubstr("[Reason - The key was not found., Thumbprint of key used by client: '" +
                        hex + "'"));
  EXPECT_THAT(description(res), HasSubstr("configured keys for app Id '" + std::string(kDaemon)));
}

TEST_F(MockEntra, WrongPrivateKeyFailsTheSignature) {
  const std::string url = token_url();
  // The registered certificate's thumbprint, another key's signature (build_assertion refuses
  // a key that does not match the certificate, so sign by hand).
  const Certificate registered = load_test_certificate("rsa-2048.crt.pem");
  const int64_t now = now_seconds().time_since_epoch().count();
  Json header = {{"alg", "RS256"}, {"typ", "JWT"}, {"x5t", registered.thumbprints().x5t}};
  Json claims = {{"aud", url}, {"iss", kDaemon},   {"sub", kDaemon},
                 {"nbf", now}, {"exp", now + 600}, {"jti", "7c1b1f8e-9a7d-4c3b-8e2f-1a0b9c8d7e6f"}};
  auto token =
      sign_compact(header, claims, Alg::kRS256, load_test_private_key("rsa-2048-b.key.pem"));
  ASSERT_TRUE(token);
  auto bad = post_form(url, form(kDaemon, *token));
  expect_entra_error(bad, 401, "invalid_client", 700027, base());
  EXPECT_THAT(assay_rules(bad), Contains("SIG002"));
  EXPECT_THAT(description(bad),
              HasSubstr("The provided signature value did not match the expected signature "
                        "value., Thumbprint of key used by client: '" +
                        registered.thumbprints().sha1_hex +
                        "', Found key 'Start=01/01/2025 00:00:00, End=01/01/2045 00:00:00'"));
}

TEST_F(MockEntra, PaddedThumbprintIsAcceptedWithAWarning) {
  const std::string url = token_url();
  const Certificate cert = load_test_certificate("rsa-2048.crt.pem");
  const int64_t now = now_seconds().time_since_epoch().count();
  // MSAL Python's shape: RS256, x5t with '=' padding, fractional times, no nbf.
  Json header = {{"alg", "RS256"}, {"typ", "JWT"}, {"x5t", cert.thumbprints().x5t + "="}};
  Json claims = {{"aud", url},
                 {"iss", kDaemon},
                 {"sub", kDaemon},
                 {"iat", static_cast<double>(now) + 0.25},
                 {"exp", static_cast<double>(now) + 600.25},
                 {"jti", "8c1b1f8e-9a7d-4c3b-8e2f-1a0b9c8d7e6f"}};
  auto token = sign_compact(header, claims, Alg::kRS256, load_test_private_key("rsa-2048.key.pem"));
  ASSERT_TRUE(token);
  auto res = post_form(url, form(kDaemon, *token));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_THAT(rules_header(res), Contains("HDR012"));
  EXPECT_THAT(rules_header(res), Contains("CLM039"));
}

// The shape of the 2015 Exchange daemon-app sample, signed with testdata/keys/`key`: RS256,
// thumbprint header `name` = `thumbprint` spelt with a non-zero unused bit, nbf five minutes
// back, exp five minutes ahead.
std::string exchange_sample(const std::string& url, const char* name, const std::string& thumbprint,
                            const std::string& key, const std::string& jti) {
  const int64_t now = now_seconds().time_since_epoch().count();
  const Json header = {{"alg", "RS256"}, {name, non_canonical(thumbprint)}};
  const Json claims = {{"aud", url},       {"iss", kDaemon},   {"sub", kDaemon},
                       {"nbf", now - 300}, {"exp", now + 300}, {"jti", jti}};
  auto token = sign_compact(header, claims, Alg::kRS256, load_test_private_key(key));
  EXPECT_TRUE(token) << token.error().message;
  return token ? *token : std::string();
}

// Entra matches the decoded bytes, so the registered certificate is found and the token issued;
// assay notes the non-canonical spelling (HDR028), which is not a length problem (HDR010).
TEST_F(MockEntra, NonCanonicalThumbprintIsAcceptedWithAWarning) {
  const std::string url = token_url();
  const Thumbprints t = load_test_certificate("rsa-2048.crt.pem").thumbprints();
  for (const auto& [name, canonical, jti] :
       {std::tuple{"x5t", t.x5t, "9c1b1f8e-9a7d-4c3b-8e2f-1a0b9c8d7e60"},
        std::tuple{"x5t#S256", t.x5t_s256, "9c1b1f8e-9a7d-4c3b-8e2f-1a0b9c8d7e61"}}) {
    SCOPED_TRACE(name);
    auto res = post_form(
        url, form(kDaemon, exchange_sample(url, name, canonical, "rsa-2048.key.pem", jti)));
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200) << res->body;
    EXPECT_TRUE(body_of(res).contains("access_token")) << res->body;
    EXPECT_THAT(rules_header(res), Contains("HDR028"));
    EXPECT_THAT(rules_header(res), Not(Contains("HDR010")));
  }
}

// The decoded bytes still have to name a registered certificate.
TEST_F(MockEntra, NonCanonicalThumbprintOfAnotherCertificateIsNotFound) {
  const std::string url = token_url();
  const Thumbprints other = load_test_certificate("rsa-2048-b.crt.pem").thumbprints();
  auto res = post_form(url, form(kDaemon, exchange_sample(url, "x5t", other.x5t,
                                                          "rsa-2048-b.key.pem",
                                                          "ac1b1f8e-9a7d-4c3b-8e2f-1a0b9c8d7e6f")));
  expect_entra_error(res, 401, "invalid_client", 700027, base());
  EXPECT_THAT(assay_rules(res), Contains("HDR028"));
  EXPECT_THAT(description(res),
              HasSubstr("[Reason - The key was not found., Thumbprint of key used by client: '" +
                        other.sha1_hex + "'"));
}

TEST_F(MockEntra, ExpiredRegisteredCertificate) {
  const std::string url = token_url();
  auto res = post_form(
      url, form(kExpiredCertApp, assertion(spec_for(kExpiredCertApp, url), "rsa-2048.key.pem",
                                           "rsa-2048-expired.crt.pem")));
  expect_entra_error(res, 401, "invalid_client", 1000502, base());
  EXPECT_THAT(assay_rules(res), Contains("KEY004"));
}

TEST_F(MockEntra, WarningsNeverFailARequest) {
  const std::string url = token_url();
  AssertionSpec s = spec_for(kDaemon, url);
  s.lifetime = std::chrono::hours(2);  // CLM035/CLM036 are warnings under entra
  auto res = post_form(url, form(kDaemon, assertion(s)));
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200) << res->body;
  EXPECT_THAT(rules_header(res), Contains("CLM035"));
}

// ------------------------------------------------------------------ replay

TEST_F(MockEntra, ReplayIsAllowedByDefaultWithAWarning) {
  const std::string url = token_url();
  const auto f = form(kDaemon, assertion(spec_for(kDaemon, url)));
  auto first = post_form(url, f);
  auto second = post_form(url, f);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(second->status, 200) << second->body;
  EXPECT_THAT(rules_header(first), Not(Contains("CLM042")));
  EXPECT_THAT(rules_header(second), Contains("CLM042"));
}

TEST_F(MockEntra, ReplayIsRejectedUnderPolicyReject) {
  // contoso.json with replay "reject", written next to it so relative paths still resolve.
  std::string text = read_testdata("mock/contoso.json");
  const size_t p = text.find("\"replay\": \"allow\"");
  ASSERT_NE(p, std::string::npos);
  text.replace(p, 17, "\"replay\": \"reject\"");
  const std::string path =
      testdata_path("mock") + "/.reject-" + std::to_string(::getpid()) + ".json";
  {
    std::ofstream out(path);
    out << text;
  }
  mock::ServerOptions options;
  options.config_path = path;
  restart(options);
  std::filesystem::remove(path);

  const std::string url = token_url();
  const auto f = form(kDaemon, assertion(spec_for(kDaemon, url)));
  auto first = post_form(url, f);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200) << first->body;
  auto second = post_form(url, f);
  expect_entra_error(second, 401, "invalid_client", 50012, base());
  EXPECT_THAT(assay_rules(second), Contains("CLM042"));
  EXPECT_THAT(description(second), HasSubstr("Entra ID itself does not enforce jti uniqueness"));
}

// ------------------------------------------------------------------ admin consent

TEST_F(MockEntra, AdminConsentAddsTheRolesToLaterTokens) {
  const Json before = jwt_payload(access_token(kAwaitingConsent));
  EXPECT_FALSE(before.contains("roles")) << before.dump();

  auto res =
      get("/contoso.onmicrosoft.com/adminconsent?client_id=" + std::string(kAwaitingConsent) +
          "&redirect_uri=" + form_encode("https://localhost/cb") + "&state=12345");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 302);
  EXPECT_EQ(res->get_header_value("Location"), "https://localhost/cb?admin_consent=True&tenant=" +
                                                   std::string(kMockTenant) + "&state=12345");

  const Json after = jwt_payload(access_token(kAwaitingConsent));
  EXPECT_EQ(after["roles"], Json::array({"Mail.Read"}));
}

TEST_F(MockEntra, AdminConsentV2EchoesScopeAndRefusals) {
  const std::string cb = form_encode("https://localhost/cb?x=1");
  auto v2 =
      get("/contoso.onmicrosoft.com/v2.0/adminconsent?client_id=" + std::string(kAwaitingConsent) +
          "&scope=" + form_encode(kGraphScope) + "&redirect_uri=" + cb + "&state=s");
  ASSERT_TRUE(v2);
  EXPECT_EQ(v2->status, 302);
  EXPECT_EQ(v2->get_header_value("Location"),
            "https://localhost/cb?x=1&admin_consent=True&tenant=" + std::string(kMockTenant) +
                "&scope=" + kGraphScope + "&state=s");  // httplib's client decodes headers

  auto unknown =
      get("/contoso.onmicrosoft.com/adminconsent?client_id=0a1b2c3d-4e5f-4a6b-8c7d-"
          "9e0f1a2b3c4d&redirect_uri=" +
          cb + "&state=s");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 302);
  EXPECT_THAT(unknown->get_header_value("Location"),
              HasSubstr("error=unauthorized_client&error_description=AADSTS700016"));

  auto denied = get("/contoso.onmicrosoft.com/adminconsent?client_id=" + std::string(kDaemon) +
                    "&redirect_uri=" + cb + "&assay_decision=deny");
  ASSERT_TRUE(denied);
  EXPECT_THAT(denied->get_header_value("Location"),
              HasSubstr("error=permission_denied&error_description=The admin canceled"));

  auto no_redirect = get("/contoso.onmicrosoft.com/adminconsent?client_id=" + std::string(kDaemon));
  expect_entra_error(no_redirect, 400, "invalid_request", 900144, base());
}

TEST_F(MockEntra, ErrorPageExplainsACode) {
  auto res = get("/error?code=700027");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_THAT(res->body, HasSubstr("AADSTS700027"));
  auto unknown = get("/error?code=1");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
}

}  // namespace
}  // namespace assay::test
