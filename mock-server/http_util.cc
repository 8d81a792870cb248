// Helpers shared by the route files, and the State lookups.
#include <cctype>
#include <cstdio>
#include <ctime>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "assay/aadsts.h"
#include "assay/build.h"
#include "json_access.h"
#include "state.h"

namespace assay::mock {
namespace {

bool tm_of(int64_t epoch, struct tm& out) {
  const time_t tt = static_cast<time_t>(epoch);
  return gmtime_r(&tt, &out) != nullptr;
}

struct tm utc(Seconds t) {
  struct tm tm {};
  if (!tm_of(t.time_since_epoch().count(), tm)) {
    tm = {};
    tm.tm_year = 70;
    tm.tm_mday = 1;
  }
  return tm;
}

bool plausible_host(std::string_view h) {
  if (h.empty() || h.size() > 255) {
    return false;
  }
  for (char c : h) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) == 0 && c != '.' && c != '-' && c != ':' && c != '[' && c != ']') {
      return false;
    }
  }
  return true;
}

}  // namespace

// ------------------------------------------------------------------ State

const TenantConfig* State::find_tenant(std::string_view name) const {
  const std::string l = ascii_lower(name);
  for (const TenantConfig& t : config.tenants) {
    if (t.id == l) {
      return &t;
    }
    for (const std::string& d : t.domains) {
      if (d == l) {
        return &t;
      }
    }
  }
  return nullptr;
}

AppState* State::find_app(std::string_view client_id, std::string_view tenant_id) const {
  const std::string l = ascii_lower(client_id);
  for (const auto& a : apps) {
    if (a->config.client_id == l && a->config.tenant_id == tenant_id) {
      return a.get();
    }
  }
  return nullptr;
}

const MailboxConfig* State::find_mailbox(std::string_view upn_or_id,
                                         std::string_view tenant_id) const {
  const std::string l = ascii_lower(upn_or_id);
  for (const MailboxConfig& m : config.mailboxes) {
    if (m.tenant_id == tenant_id && (m.upn == l || m.id == l)) {
      return &m;
    }
  }
  return nullptr;
}

bool State::sleep_unless_stopping(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(stop_mu);
  return !stop_cv.wait_for(lock, d, [this] { return stopping; });
}

void State::record(std::string entry_json) {
  std::lock_guard<std::mutex> lock(journal_mu);
  journal.push_back(std::move(entry_json));
  while (journal.size() > journal_capacity) {
    journal.pop_front();
  }
}

RequestNote& request_note() {
  thread_local RequestNote note;
  return note;
}

// ------------------------------------------------------------------ helpers

std::string request_base(const State& st, const httplib::Request& req) {
  const std::string host = req.get_header_value("Host");
  if (plausible_host(host)) {
    return st.scheme + "://" + host;
  }
  return st.base_url;
}

void send_json(httplib::Response& res, int status, const Json& body,
               std::string_view content_type) {
  res.status = status;
  res.set_content(dump_json(body), std::string(content_type).c_str());
}

std::string entra_timestamp(Seconds t) {
  const struct tm tm = utc(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string graph_date(Seconds t) {
  const struct tm tm = utc(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string us_time(Seconds t) {
  const struct tm tm = utc(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%02d/%02d/%04d %02d:%02d:%02d", tm.tm_mon + 1, tm.tm_mday,
                tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string dotnet_time(Seconds t) {
  return graph_date(t) + ".0000000Z";
}

std::string dotnet_time(std::chrono::system_clock::time_point t) {
  const auto secs = std::chrono::floor<std::chrono::seconds>(t);
  const auto ticks = std::chrono::duration_cast<std::chrono::nanoseconds>(t - secs).count() / 100;
  char frac[32];
  std::snprintf(frac, sizeof frac, ".%07lld", static_cast<long long>(ticks));
  return graph_date(Seconds{secs.time_since_epoch()}) + frac + "Z";
}

std::string correlation_id_for(const httplib::Request& req) {
  const std::string v = req.get_header_value("client-request-id");
  if (v.empty() || v.size() > 64) {
    return random_uuid();
  }
  for (char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) == 0 && c != '-' && c != '_' && c != '.') {
      return random_uuid();
    }
  }
  return v;
}

std::string aadsts_template(int code) {
  const AadstsInfo* info = find_aadsts(code);
  return info != nullptr ? std::string(info->description) : std::string();
}

std::string fill(std::string text, std::string_view name, std::string_view value) {
  const std::string key = "{" + std::string(name) + "}";
  size_t pos = 0;
  while ((pos = text.find(key, pos)) != std::string::npos) {
    text.replace(pos, key.size(), value);
    pos += value.size();
  }
  return text;
}

void send_entra_error(const State& st, const httplib::Request& req, httplib::Response& res,
                      const EntraError& e) {
  const AadstsInfo* info = find_aadsts(e.code);
  const std::string trace = random_uuid();
  const std::string correlation = correlation_id_for(req);
  const std::string stamp = entra_timestamp(now_seconds());
  const int status = e.status.value_or(info != nullptr ? info->http_status : 400);
  const std::string error =
      e.error.value_or(info != nullptr ? std::string(info->error) : std::string("invalid_request"));
  Json body = Json::object();
  body["error"] = error;
  body["error_description"] = "AADSTS" + std::to_string(e.code) + ": " + e.description +
                              "\r\nTrace ID: " + trace + "\r\nCorrelation ID: " + correlation +
                              "\r\nTimestamp: " + stamp;
  body["error_codes"] = Json::array({e.code});
  body["timestamp"] = stamp;
  body["trace_id"] = trace;
  body["correlation_id"] = correlation;
  body["error_uri"] = request_base(st, req) + "/error?code=" + std::to_string(e.code);
  Json rules = Json::array();
  std::string header;
  for (const std::string& r : e.rules) {
    rules.push_back(r);
    header += (header.empty() ? "" : ",") + r;
  }
  body["assay_rules"] = std::move(rules);
  if (!header.empty()) {
    res.set_header("x-assay-rules", header);
  }
  res.set_header("Cache-Control", "no-store, no-cache");
  res.set_header("Pragma", "no-cache");
  res.set_header("x-ms-request-id", trace);
  res.set_header("client-request-id", correlation);
  if (e.retry_after) {
    res.set_header("Retry-After", std::to_string(*e.retry_after));
  }
  request_note().aadsts = e.code;
  send_json(res, status, body);
}

void send_graph_error(const httplib::Request& req, httplib::Response& res, int status,
                      std::string_view code, std::string_view message) {
  const std::string request_id = random_uuid();
  const std::string client_request_id = correlation_id_for(req);
  Json inner = Json::object();
  inner["date"] = graph_date(now_seconds());
  inner["request-id"] = request_id;
  inner["client-request-id"] = client_request_id;
  Json err = Json::object();
  err["code"] = code;
  err["message"] = message;
  err["innerError"] = std::move(inner);
  Json body = Json::object();
  body["error"] = std::move(err);
  res.set_header("request-id", request_id);
  res.set_header("client-request-id", client_request_id);
  res.set_header("Cache-Control", "private");
  send_json(res, status, body, "application/json");
}

}  // namespace assay::mock
