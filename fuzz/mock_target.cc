#include "mock_target.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "assay/assertion.h"
#include "assay/build.h"
#include "assay/jose.h"
#include "assay/json.h"
#include "assay/key.h"
#include "assay/request.h"
#include "assay/signature.h"
#include "mock_server.h"

namespace assay::fuzz {
namespace {

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "mock fuzz target: %.2000s\n", what.c_str());
  std::abort();
}

// One mock for the whole fuzzing process: the built-in world over plain HTTP (the port is
// bound, never served), and what a client of it holds.
struct World {
  std::unique_ptr<mock::MockServer> server;
  mock::ReadyInfo ready;
  Key app_key;
  Certificate app_cert;
  std::string graph_token;  // a valid app-only Graph token, for the Graph shapes
  std::chrono::steady_clock::time_point minted;
};

std::string token_path(const World& w) {
  return "/" + w.ready.tenant + "/oauth2/v2.0/token";
}

// Every request names this host, so the audience the mock expects (the URL a request was
// posted to) is the same in every fuzzing process, whatever port was bound: recorded inputs
// replay.
constexpr const char* kHost = "login.assay.test";

httplib::Response call(World& w, httplib::Request req) {
  req.set_header("Host", kHost);
  httplib::Response res;
  w.server->handle(req, res);
  return res;
}

// A valid app-only Graph token from the mock's token endpoint (they live 3599 s).
std::string mint_graph_token(World& w);

World& world() {
  // Destroyed at exit, which removes the mock's temporary state directory (its keys).
  static const std::unique_ptr<World> w = [] {
    auto world = std::make_unique<World>();
    mock::ServerOptions o;
    o.plain_http = true;
    auto s = mock::MockServer::create(o);
    if (!s) {
      fail("cannot start the mock: " + s.error().message);
    }
    world->server = std::move(*s);
    world->ready = world->server->ready();
    auto key_pem = read_file(world->ready.key);
    auto cert_pem = read_file(world->ready.certificate);
    if (!key_pem || !cert_pem) {
      fail("cannot read the mock's app credentials");
    }
    auto key = load_private_key(*key_pem);
    auto cert = load_certificate(*cert_pem);
    if (!key || !cert) {
      fail("cannot load the mock's app credentials");
    }
    world->app_key = *key;
    world->app_cert = *cert;
    world->graph_token = mint_graph_token(*world);
    world->minted = std::chrono::steady_clock::now();
    return world;
  }();
  if (std::chrono::steady_clock::now() - w->minted > std::chrono::minutes(50)) {
    w->graph_token = mint_graph_token(*w);
    w->minted = std::chrono::steady_clock::now();
  }
  return *w;
}

std::string mint_graph_token(World& w) {
  AssertionSpec spec;
  spec.client_id = w.ready.client_id;
  spec.audience = std::string("http://") + kHost + token_path(w);
  spec.alg = Alg::kRS256;
  spec.thumbprints = ThumbprintHeaders::kSha1;
  auto a = build_assertion(spec, w.app_key, &w.app_cert);
  if (!a) {
    fail("cannot build an assertion: " + a.error().message);
  }
  httplib::Request req;
  req.method = "POST";
  req.path = token_path(w);
  req.set_header("Content-Type", "application/x-www-form-urlencoded");
  req.body = form_body({{"grant_type", "client_credentials"},
                        {"client_id", w.ready.client_id},
                        {"client_assertion_type", std::string(kJwtBearerAssertionType)},
                        {"client_assertion", a->token},
                        {"scope", "https://graph.microsoft.com/.default"}});
  const httplib::Response res = call(w, req);
  Json body;
  if (res.status != 200 || !parse_json_strict(res.body, body).parsed ||
      !body.contains("access_token")) {
    fail("the mock refused a valid assertion: " + res.body);
  }
  return body["access_token"].get<std::string>();
}

void set_params(httplib::Request& req, std::string_view query) {
  auto form = parse_form(query);
  if (!form) {
    return;
  }
  for (const FormParam& p : form->params) {
    req.params.emplace(p.name, p.value);
  }
}

// A token was issued: the request's assertion must carry a signature the app's registered
// certificate verifies (whatever else the rules allow, a forged one never gets a token).
void check_issued(const World& w, const httplib::Request& req) {
  auto form = parse_form(req.body);
  const auto assertion = form ? form->get("client_assertion") : std::nullopt;
  if (!assertion) {
    fail("a token without a client_assertion: " + req.body);
  }
  auto a = decode(*assertion);
  if (!a || !a->header_is_object() || !a->header().contains("alg") ||
      !a->header()["alg"].is_string()) {
    fail("a token for an assertion without an alg: " + *assertion);
  }
  const auto alg = parse_alg(a->header()["alg"].get<std::string>());
  if (!alg || !verify_signature(*alg, w.app_cert.public_key(), a->signing_input(),
                                a->signature_bytes(), false)
                   .valid()) {
    fail("a token for an assertion the registered certificate does not verify: " + *assertion);
  }
}

}  // namespace

void mock(const uint8_t* data, size_t size) {
  if (size == 0) {
    return;
  }
  World& w = world();
  const std::string payload(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string upn = w.ready.users.empty() ? "alex" : w.ready.users.front();
  const std::string bearer = "Bearer " + w.graph_token;
  httplib::Request req;
  req.method = "GET";
  bool token_route = false;
  switch (data[0] % 12) {
    case 0:  // the v2 token endpoint: any form body
      req.method = "POST";
      req.path = token_path(w);
      req.set_header("Content-Type", "application/x-www-form-urlencoded");
      req.body = payload;
      token_route = true;
      break;
    case 1:  // v1, by domain
      req.method = "POST";
      req.path = "/" + w.ready.tenant_domain + "/oauth2/token";
      req.set_header("Content-Type", "application/x-www-form-urlencoded");
      req.body = payload;
      token_route = true;
      break;
    case 2: {  // the v2 endpoint with a fuzzed Content-Type (first line) and body
      const size_t nl = payload.find('\n');
      req.method = "POST";
      req.path = token_path(w);
      req.set_header("Content-Type", payload.substr(0, nl));
      req.body = nl == std::string::npos ? "" : payload.substr(nl + 1);
      token_route = true;
      break;
    }
    case 3:  // Graph messages with a valid token: fuzzed query
      req.path = "/v1.0/users/" + upn + "/mailFolders/inbox/messages";
      req.set_header("Authorization", bearer);
      set_params(req, payload);
      break;
    case 4:  // Graph with a fuzzed user segment
      req.path = "/v1.0/users/" + payload + "/messages";
      req.set_header("Authorization", bearer);
      break;
    case 5:  // Graph with a fuzzed Authorization header
      req.path = "/v1.0/users/" + upn + "/messages";
      req.set_header("Authorization", payload);
      break;
    case 6:  // registering a fault: the JSON body
      req.method = "POST";
      req.path = "/_assay/faults";
      req.set_header("Content-Type", "application/json");
      req.body = payload;
      break;
    case 7:  // discovery for a fuzzed tenant segment
      req.path = "/" + payload + "/v2.0/.well-known/openid-configuration";
      break;
    case 8:  // admin consent with fuzzed parameters
      req.path = "/" + w.ready.tenant + "/v2.0/adminconsent";
      set_params(req, payload);
      break;
    case 9:  // the error page
      req.path = "/error";
      set_params(req, payload);
      break;
    case 10:  // the journal
      req.path = "/_assay/requests";
      set_params(req, payload);
      break;
    default: {  // any method and target: "METHOD PATH[?QUERY]\nBODY"
      const size_t sp = payload.find(' ');
      const size_t nl = payload.find('\n');
      req.method = payload.substr(0, sp);
      const std::string target =
          sp == std::string::npos ? "/" : payload.substr(sp + 1, nl - sp - 1);
      const size_t q = target.find('?');
      req.path = target.substr(0, q);
      if (q != std::string::npos) {
        set_params(req, std::string_view(target).substr(q + 1));
      }
      req.body = nl == std::string::npos ? "" : payload.substr(nl + 1);
      token_route = req.method == "POST";
      break;
    }
  }
  const httplib::Response res = call(w, req);
  if (res.status >= 500) {
    fail("HTTP " + std::to_string(res.status) + " for " + req.method + " " + req.path + ": " +
         res.body);
  }
  const std::string type = res.get_header_value("Content-Type");
  Json body;
  if (type.starts_with("application/json") &&
      !parse_json_strict(res.body, body, {64 * 1024 * 1024, 64}, false).parsed) {
    fail("an answer that is not JSON: " + res.body);
  }
  if (token_route && res.status == 200 && body.is_object() && body.contains("access_token")) {
    check_issued(w, req);
  }
  if (req.method == "POST") {  // a fault registered (never applied here) goes again
    httplib::Request clear;
    clear.method = "DELETE";
    clear.path = "/_assay/faults";
    call(w, clear);
  }
}

}  // namespace assay::fuzz
