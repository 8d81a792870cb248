// Test-only: assay-mock in process (bound to 127.0.0.1 on a free port, served from a thread)
// and the helpers its tests share: an HTTPS client trusting the generated CA, assertions signed
// with the test keys, and JSON access to responses.
#ifndef ASSAY_TESTS_MOCK_MOCK_FIXTURE_H_
#define ASSAY_TESTS_MOCK_MOCK_FIXTURE_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "assay/build.h"
#include "assay/json.h"
#include "assay/request.h"
#include "mock_server.h"

namespace assay::test {

// The identities of testdata/mock/contoso.json.
inline constexpr const char* kMockTenant = "8f0d3c2a-6b1e-4c7d-9e5f-2a4b6c8d0e1f";
inline constexpr const char* kMockDomain = "contoso.onmicrosoft.com";
inline constexpr const char* kOtherTenant = "fabrikam.onmicrosoft.com";
inline constexpr const char* kDaemon = "6b3c0f0e-5f3e-4a5c-9d61-3f1d2a7b9c10";  // rsa-2048
inline constexpr const char* kAwaitingConsent =
    "3f9a2b1c-4d5e-4f60-8a7b-9c0d1e2f3a4b";  // rsa-2048-b
inline constexpr const char* kBasicReader = "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d";
inline constexpr const char* kExpiredCertApp = "7e8f9a0b-1c2d-4e3f-9a4b-5c6d7e8f9a0b";
inline constexpr const char* kFabrikamApp = "9c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f";
inline constexpr const char* kGraphScope = "https://graph.microsoft.com/.default";

class MockServerTest : public ::testing::Test {
 protected:
  // Starts the server on testdata/mock/contoso.json.
  void SetUp() override;
  void TearDown() override;

  // Restarts with other options (the config path, for instance).
  void restart(mock::ServerOptions options);

  const mock::ReadyInfo& ready() const { return server_->ready(); }
  const std::string& base() const { return server_->ready().url; }

  // A client for the server, verifying its certificate against the generated CA.
  std::unique_ptr<httplib::Client> client() const;

  // "BASE/TENANT/oauth2/v2.0/token" (or v1 "/oauth2/token").
  std::string token_url(const std::string& tenant = kMockDomain, bool v2 = true) const;

  // An assertion for `client_id` to `audience` signed with testdata/keys/`key`, identified by
  // the thumbprints of testdata/keys/`cert`.
  std::string assertion(AssertionSpec spec, const std::string& key = "rsa-2048.key.pem",
                        const std::string& cert = "rsa-2048.crt.pem") const;
  // The spec of a valid assertion for `client_id` posted to `url`.
  AssertionSpec spec_for(const std::string& client_id, const std::string& url) const;

  // The form of a v2 (scope) or v1 (resource) client-credentials request.
  std::vector<FormParam> form(const std::string& client_id, const std::string& token,
                              bool v2 = true) const;

  // POSTs `params` form-encoded to `path` (a path on the server or a full URL on it).
  httplib::Result post_form(const std::string& path, const std::vector<FormParam>& params,
                            const httplib::Headers& headers = {}) const;

  // A valid token request for `client_id` to `tenant`: returns the response.
  httplib::Result request_token(const std::string& client_id = kDaemon,
                                const std::string& tenant = kMockDomain, bool v2 = true) const;
  // The access token of a successful request (fails the test otherwise).
  std::string access_token(const std::string& client_id = kDaemon) const;

  // GET with an optional bearer token.
  httplib::Result get(const std::string& path, const std::string& bearer = "",
                      const httplib::Headers& headers = {}) const;

  std::string path_of(const std::string& url) const;

  std::unique_ptr<mock::MockServer> server_;
  std::thread thread_;
};

// The JSON body of a response (null on parse failure, which fails the test).
Json body_of(const httplib::Result& res);

// The decoded payload (or header) of a compact JWS.
Json jwt_payload(const std::string& token);
Json jwt_header(const std::string& token);

// The comma-separated x-assay-rules header as a list.
std::vector<std::string> rules_header(const httplib::Result& res);

}  // namespace assay::test

#endif  // ASSAY_TESTS_MOCK_MOCK_FIXTURE_H_
