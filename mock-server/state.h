// Internal to assay-mock: the state every route reads (the configured world, the token-signing
// key, the replay cache, the request journal, the fault queue), the helpers routes share, and
// the registration function of each route file. cpp-httplib is only forward-declared here;
// the .cc files include it.
#ifndef ASSAY_MOCK_SERVER_STATE_H_
#define ASSAY_MOCK_SERVER_STATE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "assay/json.h"
#include "assay/key.h"
#include "assay/replay.h"
#include "assay/timefmt.h"
#include "config.h"
#include "mock_server.h"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace assay::mock {

// Graph's application ID (an accepted access-token audience).
inline constexpr std::string_view kGraphAppId = "00000003-0000-0000-c000-000000000000";
inline constexpr std::string_view kGraphResource = "https://graph.microsoft.com";

struct AppState {
  AppConfig config;
  std::atomic<bool> consented{false};
};

// One injected fault: applies to the next `remaining` requests whose path matches.
struct Fault {
  uint64_t id = 0;
  std::string pattern;
  std::regex re;
  int remaining = 1;
  int status = 0;  // 0: no synthetic response (a delay only)
  std::optional<int> retry_after;
  int delay_ms = 0;
  bool drop = false;
};

// Counted by ConnectionThreads, reported by /_assay/health.
struct ConnectionStats {
  std::atomic<size_t> active{0};   // connections being served (one thread each)
  std::atomic<size_t> waiting{0};  // accepted, waiting for a thread (over the cap)
  std::atomic<uint64_t> total{0};  // accepted since start
  std::atomic<size_t> max{0};
};

struct State {
  MockConfig config;
  std::vector<std::unique_ptr<AppState>> apps;
  std::string scheme;     // "https" or "http"
  std::string authority;  // "127.0.0.1:PORT"
  int port = 0;           // the bound port
  std::string base_url;   // scheme://authority
  Key signing_key;
  Certificate signing_cert;
  Key signing_public;       // signing_cert's public key, parsed once
  std::string signing_kid;  // x5t of the signing certificate
  ReplayCache replay{100000};
  Seconds started;
  std::atomic<uint64_t> request_count{0};
  std::shared_ptr<ConnectionStats> connections = std::make_shared<ConnectionStats>();

  std::mutex journal_mu;
  std::deque<std::string> journal;  // JSON objects, oldest first
  size_t journal_capacity = 200;

  std::mutex faults_mu;
  std::vector<Fault> faults;
  uint64_t next_fault_id = 1;

  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stopping = false;

  std::function<void(const std::string&)> log;
  LogFormat log_format = LogFormat::kText;
  std::mutex log_mu;

  // Tenant by GUID or verified domain (case-insensitive); null when unknown.
  const TenantConfig* find_tenant(std::string_view name) const;
  // The app registered as `client_id` in `tenant_id`; null when none.
  AppState* find_app(std::string_view client_id, std::string_view tenant_id) const;
  // The mailbox by userPrincipalName or object ID (case-insensitive) within `tenant_id`.
  const MailboxConfig* find_mailbox(std::string_view upn_or_id, std::string_view tenant_id) const;
  // Sleeps up to `d`; returns false at once when the server is stopping.
  bool sleep_unless_stopping(std::chrono::milliseconds d);
  // Appends a token request to the journal (bounded, oldest dropped).
  void record(std::string entry_json);
};

// What the request log line needs beyond the request and response; one per worker thread,
// set by the pre-routing handler and the routes, consumed by the logger.
struct RequestNote {
  std::chrono::steady_clock::time_point start;
  bool started = false;   // cpp-httplib parsed the request and routing began
  bool answered = false;  // a route handler or a fault produced the answer
  int aadsts = 0;
  bool dropped = false;
};
RequestNote& request_note();

// ------------------------------------------------------------------ shared helpers

// "https://HOST:PORT" as the client addressed the server (its Host header when well-formed,
// else the configured base URL): the prefix of the URL a request was posted to.
std::string request_base(const State& st, const httplib::Request& req);

// Sends `body` with `status` and Content-Type application/json.
void send_json(httplib::Response& res, int status, const Json& body,
               std::string_view content_type = "application/json; charset=utf-8");

// "2026-01-01 00:00:00Z" (Entra's timestamp form).
std::string entra_timestamp(Seconds t);
// "2026-01-01T00:00:00" (Graph's innerError date form).
std::string graph_date(Seconds t);
// "2024-10-02T22:05:03.6755165Z" (.NET round-trip form, 100 ns digits).
std::string dotnet_time(std::chrono::system_clock::time_point t);
// The same for whole seconds, for any year up to 9999 (system_clock's nanoseconds end in 2262).
std::string dotnet_time(Seconds t);
// "01/31/2026 23:59:59" (the US form Entra uses for certificate validity).
std::string us_time(Seconds t);

// The request's client-request-id header when it is a plausible identifier, else a new GUID.
std::string correlation_id_for(const httplib::Request& req);

// An Entra error response: the catalogue's `error` and HTTP status for `code` (400
// invalid_request for codes outside the catalogue), `description` (without the AADSTS prefix;
// the trace block is appended), assay_rules, x-assay-rules, correlation and trace ids.
struct EntraError {
  int code = 0;
  std::string description;
  std::vector<std::string> rules;
  std::optional<int> status;  // overrides the catalogue's status (fault injection)
  std::optional<std::string> error;
  std::optional<int> retry_after;
};
void send_entra_error(const State& st, const httplib::Request& req, httplib::Response& res,
                      const EntraError& e);

// The catalogue description of `code` with {placeholders} left for the caller to fill.
std::string aadsts_template(int code);
// Replaces every "{name}" in `text`.
std::string fill(std::string text, std::string_view name, std::string_view value);

// A Graph error response ({"error":{"code","message","innerError":{...}}}).
void send_graph_error(const httplib::Request& req, httplib::Response& res, int status,
                      std::string_view code, std::string_view message);

// ------------------------------------------------------------------ routes

class Routes;

void add_entra_routes(Routes& routes, State& st);
void add_graph_routes(Routes& routes, State& st);
void add_admin_routes(Routes& routes, State& st);

// Applies the first injected fault matching the request (not to /_assay/ paths). Returns true
// when it produced the response (or dropped the connection); false to continue routing.
bool apply_faults(State& st, const httplib::Request& req, httplib::Response& res);

}  // namespace assay::mock

#endif  // ASSAY_MOCK_SERVER_STATE_H_
