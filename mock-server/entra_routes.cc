// The Entra ID side: token endpoints (v1, v2), discovery documents, JWKS, instance discovery,
// admin consent and the error lookup page.
#include <algorithm>
#include <cctype>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "assay/aadsts.h"
#include "assay/assertion.h"
#include "assay/base64url.h"
#include "assay/build.h"
#include "assay/policy.h"
#include "assay/request.h"
#include "json_access.h"
#include "routes.h"
#include "state.h"
#include "token_verdict.h"

namespace assay::mock {
namespace {

enum class TenantKind : unsigned char { kFound, kGeneral, kMalformed, kUnknown };

struct TenantLookup {
  TenantKind kind = TenantKind::kUnknown;
  const TenantConfig* tenant = nullptr;
};

TenantLookup lookup_tenant(const State& st, std::string_view segment) {
  const std::string l = ascii_lower(segment);
  if (l == "common" || l == "consumers" || l == "organizations") {
    return {TenantKind::kGeneral, nullptr};
  }
  if (!is_guid(segment) && !is_dns_name(segment)) {
    return {TenantKind::kMalformed, nullptr};
  }
  const TenantConfig* t = st.find_tenant(segment);
  return {t != nullptr ? TenantKind::kFound : TenantKind::kUnknown, t};
}

// Answers a tenant that is not a configured one; returns false when the tenant was found.
bool reject_tenant(const State& st, const httplib::Request& req, httplib::Response& res,
                   const TenantLookup& t, std::string_view segment) {
  EntraError e;
  switch (t.kind) {
    case TenantKind::kFound:
      return false;
    case TenantKind::kGeneral:
      e.code = 9001023;
      e.description = aadsts_template(9001023);
      break;
    case TenantKind::kMalformed:
      e.code = 900023;
      e.description = fill(aadsts_template(900023), "tenant", segment);
      break;
    case TenantKind::kUnknown:
      e.code = 90002;
      e.description = fill(aadsts_template(90002), "tenant", segment);
      break;
  }
  send_entra_error(st, req, res, e);
  return true;
}

bool is_form_request(const httplib::Request& req) {
  return ascii_lower(req.get_header_value("Content-Type"))
      .starts_with("application/x-www-form-urlencoded");
}

std::string redact_param(const FormParam& p) {
  if (p.name == "client_assertion" || p.name == "assertion") {
    const size_t dot = p.value.rfind('.');
    return dot == std::string::npos ? "<redacted>" : p.value.substr(0, dot + 1) + "<redacted>";
  }
  if (p.name == "client_secret" || p.name == "password" || p.name == "refresh_token" ||
      p.name == "code" || p.name == "code_verifier") {
    return "<redacted>";
  }
  return p.value;
}

Json redacted_form(const TokenRequest& form) {
  std::vector<std::pair<std::string, std::vector<std::string>>> grouped;
  for (const FormParam& p : form.params) {
    auto it = std::find_if(grouped.begin(), grouped.end(),
                           [&](const auto& g) { return g.first == p.name; });
    if (it == grouped.end()) {
      grouped.push_back({p.name, {redact_param(p)}});
    } else {
      it->second.push_back(redact_param(p));
    }
  }
  Json out = Json::object();
  for (const auto& [name, values] : grouped) {
    out[name] = values.size() == 1 ? Json(values.front()) : Json(values);
  }
  return out;
}

Json findings_json(const Report& r) {
  Json out = Json::array();
  for (const Finding& f : r.findings) {
    Json j = Json::object();
    j["rule_id"] = f.rule_id;
    j["severity"] = severity_name(f.severity);
    j["message"] = f.message;
    j["pointer"] = f.pointer;
    out.push_back(std::move(j));
  }
  return out;
}

void record_token_request(State& st, const httplib::Request& req, int status,
                          std::string_view verdict, int aadsts, const std::string& client_id,
                          std::string_view endpoint, const std::vector<std::string>& rules,
                          const Report* report, const TokenRequest& form) {
  Json j = Json::object();
  j["time"] = format_rfc3339(now_seconds());
  j["method"] = req.method;
  j["path"] = req.path;
  j["status"] = status;
  j["verdict"] = verdict;
  j["aadsts"] = aadsts == 0 ? Json(nullptr) : Json(aadsts);
  j["client_id"] = client_id;
  j["endpoint"] = endpoint;
  j["rules"] = rules;
  j["findings"] = report != nullptr ? findings_json(*report) : Json::array();
  j["form"] = redacted_form(form);
  st.record(dump_json(j));
}

std::string resource_of(const TokenRequest& form, EntraEndpoint ep) {
  if (ep == EntraEndpoint::kV1) {
    return form.get("resource").value_or("");
  }
  std::string scope = form.get("scope").value_or("");
  scope = scope.substr(0, scope.find(' '));
  if (scope.ends_with("/.default")) {
    scope.resize(scope.size() - 9);
  }
  return scope;
}

bool is_graph(std::string_view resource) {
  const std::string l = ascii_lower(resource);
  return l == kGraphResource || l == "https://graph.microsoft.com/" || l == kGraphAppId;
}

std::string opaque(std::string_view seed) {
  auto bytes = hex_decode(seed);
  return bytes ? base64url_encode(*bytes) : base64url_encode(seed);
}

std::string compact_uuid() {
  std::string u = random_uuid();
  u.erase(std::remove(u.begin(), u.end(), '-'), u.end());
  return u;
}

Result<std::string> mint_access_token(const State& st, const AppState& app, const std::string& aud,
                                      Seconds now) {
  const std::string tid = app.config.tenant_id;
  const std::string iss = "https://sts.windows.net/" + tid + "/";
  const int64_t t = now.time_since_epoch().count();
  Json header = Json::object();
  header["typ"] = "JWT";
  header["alg"] = "RS256";
  header["x5t"] = st.signing_kid;
  header["kid"] = st.signing_kid;
  Json c = Json::object();
  c["aud"] = aud;
  c["iss"] = iss;
  c["iat"] = t;
  c["nbf"] = t;
  c["exp"] = t + st.config.policy.token_lifetime.count();
  c["aio"] = "E2" + opaque(compact_uuid() + compact_uuid());
  c["app_displayname"] = app.config.display_name;
  c["appid"] = app.config.client_id;
  c["appidacr"] = "2";
  c["azp"] = app.config.client_id;
  c["azpacr"] = "2";
  c["idp"] = iss;
  c["idtyp"] = "app";
  c["oid"] = app.config.object_id;
  std::string tid_hex = tid;
  tid_hex.erase(std::remove(tid_hex.begin(), tid_hex.end(), '-'), tid_hex.end());
  std::string app_hex = app.config.client_id;
  app_hex.erase(std::remove(app_hex.begin(), app_hex.end(), '-'), app_hex.end());
  c["rh"] = "0.A" + opaque(tid_hex + app_hex) + ".";
  if (app.consented.load() && !app.config.roles.empty()) {
    c["roles"] = app.config.roles;
  }
  c["sub"] = app.config.object_id;
  c["tid"] = tid;
  c["uti"] = opaque(compact_uuid());
  c["ver"] = "1.0";
  return sign_compact(header, c, Alg::kRS256, st.signing_key);
}

void handle_token(State& st, const httplib::Request& req, httplib::Response& res,
                  EntraEndpoint ep) {
  const std::string segment = req.matches[1];
  const std::string endpoint(entra_endpoint_name(ep));
  const auto now_tp = std::chrono::system_clock::now();
  const Seconds now = std::chrono::floor<std::chrono::seconds>(now_tp);
  TokenRequest form;
  if (is_form_request(req)) {
    auto parsed = parse_form(req.body, kMaxInputBytes);
    if (parsed) {
      form = std::move(*parsed);
    }
  }
  const TenantLookup tl = lookup_tenant(st, segment);
  if (reject_tenant(st, req, res, tl, segment)) {
    record_token_request(st, req, res.status, "rejected", request_note().aadsts,
                         form.get("client_id").value_or(""), endpoint, {}, nullptr, form);
    return;
  }
  const TenantConfig& tenant = *tl.tenant;

  // Who is asking: the client_id parameter, else the assertion's iss.
  const bool id_in_form = form.has("client_id");
  std::string client_id = form.get("client_id").value_or("");
  if (!id_in_form) {
    if (auto token = form.get("client_assertion"); token && !token->empty()) {
      if (auto a = decode(*token); a) {
        client_id = string_member(a->payload(), "iss");
      }
    }
  }
  AppState* app = client_id.empty() ? nullptr : st.find_app(client_id, tenant.id);

  PolicyBuilder pb;
  pb.profile(Profile::kEntra)
      .expect_audience(request_base(st, req) + req.path)
      .endpoint(ep)
      .clock_skew(st.config.policy.skew)
      .fixed_now(now);
  if (!id_in_form && !client_id.empty()) {
    pb.expect_client_id(client_id);
  }
  auto policy = pb.build();
  if (!policy) {
    EntraError e{50027, aadsts_template(50027), {}, {}, {}, {}};
    send_entra_error(st, req, res, e);
    return;
  }
  KeySet keys;
  if (app != nullptr) {
    keys.certificates = app->config.certificates;
  }
  VerifyOptions options;
  options.keyless = app == nullptr;
  options.replay = app != nullptr ? &st.replay : nullptr;
  auto report = evaluate_token_request(form, keys, *policy, options);
  if (!report) {
    EntraError e{50027, aadsts_template(50027), {}, {}, {}, {}};
    send_entra_error(st, req, res, e);
    record_token_request(st, req, res.status, "rejected", 50027, client_id, endpoint, {}, nullptr,
                         form);
    return;
  }
  const TokenVerdict v =
      decide_token_verdict(*report, app != nullptr, !client_id.empty(), st.config.policy.replay);
  if (!v.ok) {
    FailureContext fc;
    fc.tenant = segment;
    fc.tenant_name = tenant.display_name;
    fc.client_id = client_id;
    fc.scope = form.get("scope").value_or("");
    fc.now = now_tp;
    fc.report = &*report;
    if (app != nullptr) {
      fc.app_certificates = app->config.certificates;
    }
    EntraError e;
    e.code = v.aadsts;
    e.description = describe_failure(v, fc);
    e.rules = v.rules;
    send_entra_error(st, req, res, e);
    record_token_request(st, req, res.status, "rejected", v.aadsts, client_id, endpoint, v.rules,
                         &*report, form);
    return;
  }

  const std::string resource = resource_of(form, ep);
  const std::string aud = is_graph(resource) ? std::string(kGraphResource) : resource;
  auto token = mint_access_token(st, *app, aud, now);
  if (!token) {
    send_json(res, 500,
              Json{{"error", "server_error"}, {"error_description", token.error().message}});
    return;
  }
  const int64_t lifetime = st.config.policy.token_lifetime.count();
  const int64_t t = now.time_since_epoch().count();
  Json body = Json::object();
  body["token_type"] = "Bearer";
  if (ep == EntraEndpoint::kV1) {
    body["expires_in"] = std::to_string(lifetime);
    body["ext_expires_in"] = std::to_string(lifetime);
    body["expires_on"] = std::to_string(t + lifetime);
    body["not_before"] = std::to_string(t);
    body["resource"] = resource;
  } else {
    body["expires_in"] = lifetime;
    body["ext_expires_in"] = lifetime;
  }
  body["access_token"] = *token;
  std::string rules;
  for (const std::string& r : v.rules) {
    rules += (rules.empty() ? "" : ",") + r;
  }
  if (!rules.empty()) {
    res.set_header("x-assay-rules", rules);
  }
  res.set_header("Cache-Control", "no-store, no-cache");
  res.set_header("Pragma", "no-cache");
  res.set_header("x-ms-request-id", random_uuid());
  res.set_header("client-request-id", correlation_id_for(req));
  send_json(res, 200, body);
  record_token_request(st, req, 200, "issued", 0, client_id, endpoint, v.rules, &*report, form);
}

// ------------------------------------------------------------------ discovery and keys

Json string_array(std::initializer_list<const char*> items) {
  Json a = Json::array();
  for (const char* s : items) {
    a.push_back(s);
  }
  return a;
}

Json discovery_v2(const State& st, const std::string& base, const std::string& t, bool general) {
  const std::string p = base + "/" + t;
  Json d = Json::object();
  d["token_endpoint"] = p + "/oauth2/v2.0/token";
  d["token_endpoint_auth_methods_supported"] =
      string_array({"client_secret_post", "private_key_jwt", "client_secret_basic"});
  d["jwks_uri"] = p + "/discovery/v2.0/keys";
  d["response_modes_supported"] = string_array({"query", "fragment", "form_post"});
  d["subject_types_supported"] = string_array({"pairwise"});
  d["id_token_signing_alg_values_supported"] = string_array({"RS256"});
  d["response_types_supported"] =
      string_array({"code", "id_token", "code id_token", "id_token token"});
  d["scopes_supported"] = string_array({"openid", "profile", "email", "offline_access"});
  d["issuer"] = base + "/" + (general ? std::string("{tenantid}") : t) + "/v2.0";
  d["request_uri_parameter_supported"] = false;
  d["userinfo_endpoint"] = st.base_url + "/oidc/userinfo";
  d["authorization_endpoint"] = p + "/oauth2/v2.0/authorize";
  d["device_authorization_endpoint"] = p + "/oauth2/v2.0/devicecode";
  d["http_logout_supported"] = true;
  d["frontchannel_logout_supported"] = true;
  d["end_session_endpoint"] = p + "/oauth2/v2.0/logout";
  d["claims_supported"] = string_array(
      {"sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
       "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username",
       "name", "tid", "ver", "at_hash", "c_hash", "email"});
  d["kerberos_endpoint"] = p + "/kerberos";
  d["tenant_region_scope"] = general ? Json(nullptr) : Json("NA");
  d["cloud_instance_name"] = "microsoftonline.com";
  d["cloud_graph_host_name"] = "graph.windows.net";
  d["msgraph_host"] = st.authority;
  d["rbac_url"] = "https://pas.windows.net";
  return d;
}

Json discovery_v1(const State& st, const std::string& base, const std::string& t, bool general) {
  const std::string p = base + "/" + t;
  Json d = Json::object();
  d["token_endpoint"] = p + "/oauth2/token";
  d["token_endpoint_auth_methods_supported"] =
      string_array({"client_secret_post", "private_key_jwt", "client_secret_basic"});
  d["jwks_uri"] = base + "/common/discovery/keys";
  d["response_modes_supported"] = string_array({"query", "fragment", "form_post"});
  d["subject_types_supported"] = string_array({"pairwise"});
  d["id_token_signing_alg_values_supported"] = string_array({"RS256"});
  d["response_types_supported"] =
      string_array({"code", "id_token", "code id_token", "token id_token", "token"});
  d["scopes_supported"] = string_array({"openid"});
  d["issuer"] = base + "/" + (general ? std::string("{tenantid}") : t) + "/";
  d["microsoft_multi_refresh_token"] = true;
  d["authorization_endpoint"] = p + "/oauth2/authorize";
  d["device_authorization_endpoint"] = p + "/oauth2/devicecode";
  d["http_logout_supported"] = true;
  d["frontchannel_logout_supported"] = true;
  d["end_session_endpoint"] = p + "/oauth2/logout";
  d["claims_supported"] =
      string_array({"sub", "iss", "cloud_instance_name", "cloud_instance_host_name",
                    "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time",
                    "acr", "amr", "nonce", "email", "given_name", "family_name", "nickname"});
  d["check_session_iframe"] = p + "/oauth2/checksession";
  d["userinfo_endpoint"] = p + "/openid/userinfo";
  d["kerberos_endpoint"] = p + "/kerberos";
  d["tenant_region_scope"] = general ? Json(nullptr) : Json("NA");
  d["cloud_instance_name"] = "microsoftonline.com";
  d["cloud_graph_host_name"] = "graph.windows.net";
  d["msgraph_host"] = st.authority;
  d["rbac_url"] = "https://pas.windows.net";
  return d;
}

void handle_discovery(const State& st, const httplib::Request& req, httplib::Response& res,
                      bool v2) {
  const std::string segment = req.matches[1];
  const TenantLookup tl = lookup_tenant(st, segment);
  const bool general = tl.kind == TenantKind::kGeneral;
  if (!general && reject_tenant(st, req, res, tl, segment)) {
    return;
  }
  const std::string t = general ? ascii_lower(segment) : tl.tenant->id;
  const std::string base = st.base_url;
  send_json(res, 200, v2 ? discovery_v2(st, base, t, general) : discovery_v1(st, base, t, general));
}

Json jwks(const State& st, const std::optional<std::string>& issuer) {
  Json pub = Json::object();
  st.signing_public.to_public_jwk(pub);
  Json k = Json::object();
  k["kty"] = string_member(pub, "kty");
  k["use"] = "sig";
  k["kid"] = st.signing_kid;
  k["x5t"] = st.signing_kid;
  k["n"] = string_member(pub, "n");
  k["e"] = string_member(pub, "e");
  k["x5c"] = Json::array({base64_encode(st.signing_cert.der())});
  if (issuer) {
    k["issuer"] = *issuer;
  }
  Json out = Json::object();
  out["keys"] = Json::array({std::move(k)});
  return out;
}

void handle_keys(const State& st, const httplib::Request& req, httplib::Response& res, bool v2,
                 bool tenant_path) {
  std::string issuer_tenant = "{tenantid}";
  if (tenant_path) {
    const std::string segment = req.matches[1];
    const TenantLookup tl = lookup_tenant(st, segment);
    if (tl.kind != TenantKind::kGeneral) {
      if (reject_tenant(st, req, res, tl, segment)) {
        return;
      }
      issuer_tenant = tl.tenant->id;
    }
  }
  std::optional<std::string> issuer;
  if (v2) {
    issuer = st.base_url + "/" + issuer_tenant + "/v2.0";
  }
  send_json(res, 200, jwks(st, issuer));
}

// "https://host:port/path" -> ("host:port", "path")
std::pair<std::string, std::string> split_url(std::string_view url) {
  const size_t s = url.find("://");
  if (s == std::string_view::npos) {
    return {};
  }
  std::string_view rest = url.substr(s + 3);
  const size_t slash = rest.find('/');
  const std::string_view host = rest.substr(0, slash);
  const std::string_view path =
      slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  return {ascii_lower(host), std::string(path)};
}

void handle_instance_discovery(const State& st, const httplib::Request& req,
                               httplib::Response& res) {
  const std::string port = st.authority.substr(st.authority.rfind(':') + 1);
  std::vector<std::string> aliases = {st.authority};
  for (const std::string& alias : {"127.0.0.1:" + port, "localhost:" + port, "[::1]:" + port}) {
    if (std::find(aliases.begin(), aliases.end(), alias) == aliases.end()) {
      aliases.push_back(alias);
    }
  }
  std::string tenant = "common";
  if (req.has_param("authorization_endpoint")) {
    const auto [host_in_url, path] = split_url(req.get_param_value("authorization_endpoint"));
    const std::string& host = host_in_url;  // clang 14 cannot capture a structured binding
    // MSAL Python sends the authority's host name without its port.
    const bool known = std::any_of(aliases.begin(), aliases.end(), [&](const std::string& a) {
      return a == host || a.substr(0, a.rfind(':')) == host;
    });
    if (!known) {
      EntraError e{50049, aadsts_template(50049), {}, {}, {}, {}};
      send_entra_error(st, req, res, e);
      return;
    }
    const std::string first = path.substr(0, path.find('/'));
    if (!first.empty()) {
      tenant = first;
    }
  }
  Json entry = Json::object();
  entry["preferred_network"] = st.authority;
  entry["preferred_cache"] = st.authority;
  entry["aliases"] = aliases;
  Json body = Json::object();
  body["tenant_discovery_endpoint"] =
      st.base_url + "/" + tenant + "/v2.0/.well-known/openid-configuration";
  body["api-version"] = req.has_param("api-version") ? req.get_param_value("api-version") : "1.1";
  body["metadata"] = Json::array({std::move(entry)});
  send_json(res, 200, body);
}

// ------------------------------------------------------------------ admin consent

std::string with_query(const std::string& uri, const std::vector<FormParam>& params) {
  std::string out = uri;
  out += uri.find('?') == std::string::npos ? '?' : '&';
  return out + form_body(params);
}

void handle_admin_consent(State& st, const httplib::Request& req, httplib::Response& res, bool v2) {
  const std::string segment = req.matches[1];
  const TenantLookup tl = lookup_tenant(st, segment);
  if (reject_tenant(st, req, res, tl, segment)) {
    return;
  }
  for (const char* name : {"client_id", "redirect_uri"}) {
    if (!req.has_param(name) || req.get_param_value(name).empty()) {
      EntraError e{900144, fill(aadsts_template(900144), "name", name), {}, {}, {}, {}};
      send_entra_error(st, req, res, e);
      return;
    }
  }
  const std::string redirect = req.get_param_value("redirect_uri");
  if (!redirect.starts_with("https://") && !redirect.starts_with("http://")) {
    EntraError e{900144, fill(aadsts_template(900144), "name", "redirect_uri"), {}, {}, {}, {}};
    send_entra_error(st, req, res, e);
    return;
  }
  const std::string client_id = req.get_param_value("client_id");
  const std::optional<std::string> state =
      req.has_param("state") ? std::optional<std::string>(req.get_param_value("state"))
                             : std::nullopt;
  std::vector<FormParam> q;
  AppState* app = st.find_app(client_id, tl.tenant->id);
  if (app == nullptr) {
    const std::string description =
        "AADSTS700016: " +
        fill(fill(aadsts_template(700016), "appId", client_id), "tenant", tl.tenant->display_name) +
        "\r\nTrace ID: " + random_uuid() + "\r\nCorrelation ID: " + correlation_id_for(req) +
        "\r\nTimestamp: " + entra_timestamp(now_seconds());
    q = {{"error", "unauthorized_client"}, {"error_description", description}};
  } else if (req.get_param_value("assay_decision") == "deny") {
    if (v2) {
      q = {{"admin_consent", "True"},
           {"error", "consent_required"},
           {"error_description",
            "AADSTS65004: The resource owner or authorization server denied the request.\r\n"
            "Trace ID: " +
                random_uuid() + "\r\nCorrelation ID: " + correlation_id_for(req) +
                "\r\nTimestamp: " + entra_timestamp(now_seconds())}};
    } else {
      q = {{"error", "permission_denied"}, {"error_description", "The admin canceled the request"}};
    }
  } else {
    app->consented.store(true);
    q = {{"admin_consent", "True"}, {"tenant", tl.tenant->id}};
    if (v2 && req.has_param("scope")) {
      q.push_back({"scope", req.get_param_value("scope")});
    }
  }
  if (state) {
    q.push_back({"state", *state});
  }
  res.status = 302;
  res.set_header("Location", with_query(redirect, q));
  res.set_header("Cache-Control", "no-store, no-cache");
}

void handle_error_page(const httplib::Request& req, httplib::Response& res) {
  const std::string code_text = req.get_param_value("code");
  int code = 0;
  if (!code_text.empty() && code_text.size() <= 9 &&
      std::all_of(code_text.begin(), code_text.end(),
                  [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; })) {
    code = std::stoi(code_text);
  }
  const AadstsInfo* info = find_aadsts(code);
  if (info == nullptr) {
    res.status = 404;
    res.set_content("Error code not found: " + code_text + "\n", "text/plain; charset=utf-8");
    return;
  }
  std::string text = "AADSTS" + std::to_string(info->code) +
                     (info->name.empty() ? "" : " " + std::string(info->name)) + "\n\n" +
                     std::string(info->description) + "\n\n" + std::string(info->meaning) + "\n";
  if (!info->causes.empty()) {
    text += "\nLikely causes:\n";
    for (const AadstsCause& c : info->causes) {
      text += "  - " + std::string(c.text) +
              (c.rules.empty() ? "" : " (assay rules: " + std::string(c.rules) + ")") + "\n";
    }
  }
  text += "\nNext: " + std::string(info->next) + "\n";
  res.status = 200;
  res.set_content(text, "text/plain; charset=utf-8");
}

void handle_token_get(const State& st, const httplib::Request& req, httplib::Response& res) {
  EntraError e;
  e.code = 900561;
  e.description =
      "The endpoint only accepts POST, OPTIONS requests. Received a " + req.method + " request.";
  send_entra_error(st, req, res, e);
}

}  // namespace

void add_entra_routes(Routes& routes, State& st) {
  using httplib::Request;
  using httplib::Response;
  State* s = &st;
  routes.post(R"(/([^/]+)/oauth2/token)", [s](const Request& req, Response& res) {
    handle_token(*s, req, res, EntraEndpoint::kV1);
  });
  routes.post(R"(/([^/]+)/oauth2/v2\.0/token)", [s](const Request& req, Response& res) {
    handle_token(*s, req, res, EntraEndpoint::kV2);
  });
  routes.get(R"(/([^/]+)/oauth2/(v2\.0/)?token)",
             [s](const Request& req, Response& res) { handle_token_get(*s, req, res); });
  routes.get(R"(/([^/]+)/\.well-known/openid-configuration)",
             [s](const Request& req, Response& res) { handle_discovery(*s, req, res, false); });
  routes.get(R"(/([^/]+)/v2\.0/\.well-known/openid-configuration)",
             [s](const Request& req, Response& res) { handle_discovery(*s, req, res, true); });
  routes.get(R"(/common/discovery/instance)",
             [s](const Request& req, Response& res) { handle_instance_discovery(*s, req, res); });
  routes.get(R"(/discovery/keys)",
             [s](const Request& req, Response& res) { handle_keys(*s, req, res, false, false); });
  routes.get(R"(/discovery/v2\.0/keys)",
             [s](const Request& req, Response& res) { handle_keys(*s, req, res, true, false); });
  routes.get(R"(/([^/]+)/discovery/keys)",
             [s](const Request& req, Response& res) { handle_keys(*s, req, res, false, true); });
  routes.get(R"(/([^/]+)/discovery/v2\.0/keys)",
             [s](const Request& req, Response& res) { handle_keys(*s, req, res, true, true); });
  routes.get(R"(/([^/]+)/adminconsent)",
             [s](const Request& req, Response& res) { handle_admin_consent(*s, req, res, false); });
  routes.get(R"(/([^/]+)/v2\.0/adminconsent)",
             [s](const Request& req, Response& res) { handle_admin_consent(*s, req, res, true); });
  routes.get("/error", [](const Request& req, Response& res) { handle_error_page(req, res); });
}

}  // namespace assay::mock
