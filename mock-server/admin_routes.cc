// The operator's side: /_assay/health, the token-request journal, and fault injection (delays,
// throttling and transient errors shaped as Entra or Graph sends them, dropped connections).
#include <algorithm>
#include <arpa/inet.h>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <netinet/in.h>
#include <sys/socket.h>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <openssl/ssl.h>

#include "assay/build.h"
#include "assay/version.h"
#include "json_access.h"
#include "routes.h"
#include "state.h"

namespace assay::mock {
namespace {

constexpr size_t kMaxPatternBytes = 512;
constexpr size_t kMaxFaults = 1000;
constexpr size_t kMatchedPathBytes = 1024;  // faults match on the first 1 KiB of the path

std::string address_of(const sockaddr_storage& ss, int& port) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET) {
    sockaddr_in sin{};
    std::memcpy(&sin, &ss, sizeof sin);
    port = ntohs(sin.sin_port);
    inet_ntop(AF_INET, &sin.sin_addr, buf, sizeof buf);
  } else if (ss.ss_family == AF_INET6) {
    sockaddr_in6 sin6{};
    std::memcpy(&sin6, &ss, sizeof sin6);
    port = ntohs(sin6.sin6_port);
    inet_ntop(AF_INET6, &sin6.sin6_addr, buf, sizeof buf);
  } else {
    port = -1;
  }
  return buf;
}

// The server-side socket of a plain-http request (cpp-httplib does not expose it): the open
// descriptor whose local port and peer match the request's.
int find_socket(const httplib::Request& req) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    const std::string name = entry.path().filename().string();
    char* end = nullptr;
    const long fd = std::strtol(name.c_str(), &end, 10);
    if (end == nullptr || *end != '\0' || fd < 0) {
      continue;
    }
    sockaddr_storage local{};
    sockaddr_storage peer{};
    socklen_t llen = sizeof local;
    socklen_t plen = sizeof peer;
    if (getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&local), &llen) != 0 ||
        getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&peer), &plen) != 0) {
      continue;
    }
    int lport = -1;
    int pport = -1;
    address_of(local, lport);
    const std::string paddr = address_of(peer, pport);
    if (lport == req.local_port && pport == req.remote_port && paddr == req.remote_addr) {
      return static_cast<int>(fd);
    }
  }
  return -1;
}

// Ends the connection without a response: cpp-httplib's later write fails and it closes.
void drop_connection(const httplib::Request& req) {
  int fd = -1;
  if (req.ssl != nullptr) {
    fd = SSL_get_fd(req.ssl);
  } else {
    fd = find_socket(req);
  }
  if (fd >= 0) {
    linger lg{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    shutdown(fd, SHUT_RDWR);
  }
}

bool is_graph_path(std::string_view path) {
  return path.starts_with("/v1.0/") || path.starts_with("/beta/");
}

void send_graph_fault(const httplib::Request& req, httplib::Response& res, const Fault& f) {
  if (f.retry_after) {
    res.set_header("Retry-After", std::to_string(*f.retry_after));
  }
  if (f.status != 429) {
    if (f.status == 503) {
      send_graph_error(req, res, 503, "serviceNotAvailable",
                       "Service is temporarily unavailable. Retry after the delay in Retry-After.");
    } else if (f.status == 504) {
      send_graph_error(req, res, 504, "gatewayTimeout", "The gateway timed out.");
    } else {
      send_graph_error(req, res, f.status, "generalException",
                       "General exception while processing.");
    }
    return;
  }
  // Graph's throttling body (https://learn.microsoft.com/graph/throttling), member order kept.
  const std::string request_id = random_uuid();
  Json inner = Json::object();
  inner["code"] = "429";
  inner["date"] = graph_date(now_seconds());
  inner["message"] = "Please retry after";
  inner["request-id"] = request_id;
  inner["status"] = "429";
  Json err = Json::object();
  err["code"] = "TooManyRequests";
  err["innerError"] = std::move(inner);
  err["message"] = "Please retry again later.";
  Json body = Json::object();
  body["error"] = std::move(err);
  res.set_header("request-id", request_id);
  res.set_header("client-request-id", correlation_id_for(req));
  send_json(res, 429, body, "application/json");
}

void send_entra_fault(const State& st, const httplib::Request& req, httplib::Response& res,
                      const Fault& f) {
  EntraError e;
  e.code = f.status == 429 ? 90055 : f.status == 503 ? 90024 : 90033;
  e.description = aadsts_template(e.code);
  e.status = f.status;
  e.retry_after = f.retry_after;
  send_entra_error(st, req, res, e);
}

bool is_token_path(std::string_view path) {
  return path.find("/oauth2/") != std::string_view::npos && path.ends_with("/token");
}

void record_fault(State& st, const httplib::Request& req, int status, bool dropped) {
  if (!is_token_path(req.path)) {
    return;
  }
  Json j = Json::object();
  j["time"] = format_rfc3339(now_seconds());
  j["method"] = req.method;
  j["path"] = req.path;
  j["status"] = dropped ? Json(nullptr) : Json(status);
  j["verdict"] = dropped ? "dropped" : "fault";
  j["aadsts"] = request_note().aadsts == 0 ? Json(nullptr) : Json(request_note().aadsts);
  j["client_id"] = "";
  j["endpoint"] = req.path.find("/v2.0/") != std::string::npos ? "v2" : "v1";
  j["rules"] = Json::array();
  j["findings"] = Json::array();
  j["form"] = Json::object();
  st.record(dump_json(j));
}

// ------------------------------------------------------------------ /_assay/faults

void bad(httplib::Response& res, const std::string& message) {
  Json body = Json::object();
  body["error"] = "invalid_fault";
  body["error_description"] = message;
  send_json(res, 400, body);
}

bool int_member(const Json& j, const char* name, int lo, int hi, int& out, std::string& error) {
  const Json* v = member(j, name);
  if (v == nullptr) {
    return true;
  }
  if (!v->is_number_integer() ||
      (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(hi)) ||
      v->get<int64_t>() < lo || v->get<int64_t>() > hi) {
    error = std::string("/") + name + ": expected an integer between " + std::to_string(lo) +
            " and " + std::to_string(hi);
    return false;
  }
  out = static_cast<int>(v->get<int64_t>());
  return true;
}

Json fault_json(const Fault& f) {
  Json j = Json::object();
  j["id"] = f.id;
  j["path"] = f.pattern;
  j["remaining"] = f.remaining;
  j["status"] = f.status == 0 ? Json(nullptr) : Json(f.status);
  j["retry_after"] = f.retry_after ? Json(*f.retry_after) : Json(nullptr);
  j["delay_ms"] = f.delay_ms;
  j["drop"] = f.drop;
  return j;
}

void add_fault(State& st, const httplib::Request& req, httplib::Response& res) {
  Json doc;
  const JsonParseOutcome o = parse_json_strict(req.body, doc);
  if (!o.clean() || !doc.is_object()) {
    bad(res, o.issues.empty() ? "the body is not a JSON object"
                              : o.issues.front().pointer + ": " + o.issues.front().message);
    return;
  }
  for (const auto& kv : *members(doc)) {
    const auto& n = kv.first;
    if (n != "path" && n != "count" && n != "status" && n != "retry_after" && n != "delay_ms" &&
        n != "drop") {
      bad(res,
          "/" + n + ": unknown member (expected path, count, status, retry_after, delay_ms, drop)");
      return;
    }
  }
  Fault f;
  std::string error;
  if (const Json* p = member(doc, "path"); p != nullptr) {
    const auto* s = p->get_ptr<const std::string*>();
    if (s == nullptr || s->size() > kMaxPatternBytes) {
      bad(res, "/path: expected a regular expression of at most 512 bytes");
      return;
    }
    f.pattern = *s;
  }
  try {
    f.re = std::regex(f.pattern, std::regex::ECMAScript);
  } catch (const std::regex_error& e) {
    bad(res, "/path: not a valid regular expression: " + std::string(e.what()));
    return;
  }
  int retry_after = -1;
  if (!int_member(doc, "count", 1, 100000, f.remaining, error) ||
      !int_member(doc, "status", 400, 599, f.status, error) ||
      !int_member(doc, "retry_after", 0, 86400, retry_after, error) ||
      !int_member(doc, "delay_ms", 0, 60000, f.delay_ms, error)) {
    bad(res, error);
    return;
  }
  if (retry_after >= 0) {
    f.retry_after = retry_after;
  }
  if (const Json* d = member(doc, "drop"); d != nullptr) {
    if (!d->is_boolean()) {
      bad(res, "/drop: expected true or false");
      return;
    }
    f.drop = d->get<bool>();
  }
  if (f.status == 0 && f.delay_ms == 0 && !f.drop) {
    bad(res, "a fault needs a status, a delay_ms or drop");
    return;
  }
  Json out;
  {
    std::lock_guard<std::mutex> lock(st.faults_mu);
    if (st.faults.size() >= kMaxFaults) {
      bad(res, "too many pending faults; DELETE /_assay/faults first");
      return;
    }
    f.id = st.next_fault_id++;
    out = fault_json(f);
    st.faults.push_back(std::move(f));
  }
  send_json(res, 201, out);
}

void list_faults(State& st, httplib::Response& res) {
  Json list = Json::array();
  {
    std::lock_guard<std::mutex> lock(st.faults_mu);
    for (const Fault& f : st.faults) {
      list.push_back(fault_json(f));
    }
  }
  Json body = Json::object();
  body["faults"] = std::move(list);
  send_json(res, 200, body);
}

void clear_faults(State& st, httplib::Response& res) {
  size_t n = 0;
  {
    std::lock_guard<std::mutex> lock(st.faults_mu);
    n = st.faults.size();
    st.faults.clear();
  }
  Json body = Json::object();
  body["cleared"] = n;
  send_json(res, 200, body);
}

void list_requests(State& st, const httplib::Request& req, httplib::Response& res) {
  size_t limit = st.journal_capacity;
  const std::string l = req.get_param_value("limit");
  if (!l.empty() && l.size() < 6 &&
      std::all_of(l.begin(), l.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    limit = static_cast<size_t>(std::stoul(l));
  }
  std::string body = "{\"requests\":[";
  {
    std::lock_guard<std::mutex> lock(st.journal_mu);
    const size_t n = std::min(limit, st.journal.size());
    for (size_t i = st.journal.size() - n; i < st.journal.size(); ++i) {
      body += st.journal[i];
      if (i + 1 < st.journal.size()) {
        body += ",";
      }
    }
  }
  body += "]}";
  res.status = 200;
  res.set_content(body, "application/json; charset=utf-8");
}

}  // namespace

bool apply_faults(State& st, const httplib::Request& req, httplib::Response& res) {
  if (req.path.starts_with("/_assay/")) {
    return false;
  }
  std::optional<Fault> hit;
  {
    std::lock_guard<std::mutex> lock(st.faults_mu);
    if (st.faults.empty()) {
      return false;
    }
    const std::string subject = req.path.substr(0, kMatchedPathBytes);
    for (auto it = st.faults.begin(); it != st.faults.end(); ++it) {
      if (std::regex_search(subject, it->re)) {
        hit = *it;
        if (--it->remaining <= 0) {
          st.faults.erase(it);
        }
        break;
      }
    }
  }
  if (!hit) {
    return false;
  }
  if (hit->delay_ms > 0 && !st.sleep_unless_stopping(std::chrono::milliseconds{hit->delay_ms})) {
    res.status = 503;
    return true;  // shutting down
  }
  if (hit->drop) {
    drop_connection(req);
    request_note().dropped = true;
    record_fault(st, req, 0, true);
    res.status = 503;
    return true;
  }
  if (hit->status == 0) {
    return false;  // a delay only: continue with the real answer
  }
  if (is_graph_path(req.path)) {
    send_graph_fault(req, res, *hit);
  } else {
    send_entra_fault(st, req, res, *hit);
  }
  record_fault(st, req, hit->status, false);
  return true;
}

void add_admin_routes(Routes& routes, State& st) {
  using httplib::Request;
  using httplib::Response;
  State* s = &st;
  routes.get("/_assay/health", [s](const Request&, Response& res) {
    Json body = Json::object();
    body["status"] = "ok";
    body["version"] = std::string(version());
    body["url"] = s->base_url;
    body["uptime_seconds"] = (now_seconds() - s->started).count();
    body["requests"] = s->request_count.load();
    body["tenants"] = s->config.tenants.size();
    body["apps"] = s->apps.size();
    body["mailboxes"] = s->config.mailboxes.size();
    {
      std::lock_guard<std::mutex> lock(s->faults_mu);
      body["pending_faults"] = s->faults.size();
    }
    const ConnectionStats& c = *s->connections;
    body["connections"] = Json::object({{"active", c.active.load()},
                                        {"waiting", c.waiting.load()},
                                        {"accepted", c.total.load()},
                                        {"max", c.max.load()}});
    send_json(res, 200, body);
  });
  routes.get("/_assay/requests",
             [s](const Request& req, Response& res) { list_requests(*s, req, res); });
  routes.del("/_assay/requests", [s](const Request&, Response& res) {
    std::lock_guard<std::mutex> lock(s->journal_mu);
    Json body = Json::object();
    body["cleared"] = s->journal.size();
    s->journal.clear();
    send_json(res, 200, body);
  });
  routes.post("/_assay/faults",
              [s](const Request& req, Response& res) { add_fault(*s, req, res); });
  routes.get("/_assay/faults", [s](const Request&, Response& res) { list_faults(*s, res); });
  routes.del("/_assay/faults", [s](const Request&, Response& res) { clear_faults(*s, res); });
}

}  // namespace assay::mock
