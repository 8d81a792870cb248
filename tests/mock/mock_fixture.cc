#include "mock/mock_fixture.h"

#include <chrono>

#include "assay/assertion.h"
#include "support/testdata.h"

namespace assay::test {

void MockServerTest::SetUp() {
  mock::ServerOptions options;
  options.config_path = testdata_path("mock/contoso.json");
  restart(options);
}

void MockServerTest::TearDown() {
  if (server_) {
    server_->stop();
  }
  if (thread_.joinable()) {
    thread_.join();
  }
  server_.reset();
}

void MockServerTest::restart(mock::ServerOptions options) {
  TearDown();
  options.host = "127.0.0.1";
  options.port = 0;
  options.max_connections = 32;
  auto created = mock::MockServer::create(options);
  ASSERT_TRUE(created) << created.error().message;
  server_ = std::move(*created);
  mock::MockServer* s = server_.get();
  thread_ = std::thread([s] { s->run(); });
  // A wait for a condition, not a measure of speed: on a loaded machine the thread may not run
  // for a while. The deadline only bounds a server that never starts.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!server_->is_running() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(server_->is_running()) << "assay-mock did not start within 30 s";
}

std::unique_ptr<httplib::Client> MockServerTest::client() const {
  auto c = std::make_unique<httplib::Client>(base());
  if (!ready().ca.empty()) {
    c->set_ca_cert_path(ready().ca);
    c->enable_server_certificate_verification(true);
  }
  c->set_tcp_nodelay(true);
  c->set_connection_timeout(std::chrono::seconds(5));
  c->set_read_timeout(std::chrono::seconds(10));
  return c;
}

std::string MockServerTest::token_url(const std::string& tenant, bool v2) const {
  return base() + "/" + tenant + (v2 ? "/oauth2/v2.0/token" : "/oauth2/token");
}

AssertionSpec MockServerTest::spec_for(const std::string& client_id, const std::string& url) const {
  AssertionSpec s;
  s.client_id = client_id;
  s.audience = url;
  s.alg = Alg::kPS256;
  s.thumbprints = ThumbprintHeaders::kBoth;
  return s;
}

std::string MockServerTest::assertion(AssertionSpec spec, const std::string& key,
                                      const std::string& cert) const {
  const Key k = load_test_private_key(key);
  const Certificate c = load_test_certificate(cert);
  auto built = build_assertion(spec, k, &c);
  EXPECT_TRUE(built) << (built ? "" : built.error().message);
  return built ? built->token : std::string();
}

std::vector<FormParam> MockServerTest::form(const std::string& client_id, const std::string& token,
                                            bool v2) const {
  std::vector<FormParam> f = {{"client_id", client_id},
                              {"client_assertion_type", std::string(kJwtBearerAssertionType)},
                              {"client_assertion", token},
                              {"grant_type", "client_credentials"}};
  if (v2) {
    f.push_back({"scope", kGraphScope});
  } else {
    f.push_back({"resource", "https://graph.microsoft.com"});
  }
  return f;
}

std::string MockServerTest::path_of(const std::string& url) const {
  return url.starts_with(base()) ? url.substr(base().size()) : url;
}

httplib::Result MockServerTest::post_form(const std::string& path,
                                          const std::vector<FormParam>& params,
                                          const httplib::Headers& headers) const {
  return client()->Post(path_of(path).c_str(), headers, form_body(params),
                        "application/x-www-form-urlencoded");
}

httplib::Result MockServerTest::request_token(const std::string& client_id,
                                              const std::string& tenant, bool v2) const {
  const std::string url = token_url(tenant, v2);
  const std::string cert =
      client_id == kAwaitingConsent ? "rsa-2048-b.crt.pem" : "rsa-2048.crt.pem";
  const std::string key = client_id == kAwaitingConsent ? "rsa-2048-b.key.pem" : "rsa-2048.key.pem";
  return post_form(url, form(client_id, assertion(spec_for(client_id, url), key, cert), v2));
}

std::string MockServerTest::access_token(const std::string& client_id) const {
  auto res = request_token(client_id);
  EXPECT_TRUE(res) << httplib::to_string(res.error());
  if (!res) {
    return {};
  }
  EXPECT_EQ(res->status, 200) << res->body;
  const Json b = body_of(res);
  return b.is_object() && b.contains("access_token") ? b["access_token"].get<std::string>()
                                                     : std::string();
}

httplib::Result MockServerTest::get(const std::string& path, const std::string& bearer,
                                    const httplib::Headers& headers) const {
  httplib::Headers h = headers;
  if (!bearer.empty()) {
    h.emplace("Authorization", "Bearer " + bearer);
  }
  return client()->Get(path_of(path).c_str(), h);
}

Json body_of(const httplib::Result& res) {
  if (!res) {
    ADD_FAILURE() << "no response: " << httplib::to_string(res.error());
    return Json();
  }
  Json j = Json::parse(res->body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON: " << res->body;
  return j.is_discarded() ? Json() : j;
}

Json jwt_payload(const std::string& token) {
  auto a = decode(token);
  EXPECT_TRUE(a) << token;
  return a ? a->payload() : Json();
}

Json jwt_header(const std::string& token) {
  auto a = decode(token);
  EXPECT_TRUE(a) << token;
  return a ? a->header() : Json();
}

std::vector<std::string> rules_header(const httplib::Result& res) {
  std::vector<std::string> out;
  if (!res) {
    return out;
  }
  const std::string v = res->get_header_value("x-assay-rules");
  size_t pos = 0;
  while (pos < v.size()) {
    const size_t end = std::min(v.find(',', pos), v.size());
    out.push_back(v.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

}  // namespace assay::test
