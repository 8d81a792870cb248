// The server: configuration, the state directory (TLS CA and certificate, token-signing key,
// generated app credentials), cpp-httplib's settings, request logging, start and stop.
#include "mock_server.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "assay/base64url.h"
#include "assay/build.h"
#include "assay/file.h"
#include "assay/key.h"
#include "assay/pki.h"
#include "assay/terminal.h"
#include "connection_threads.h"
#include "json_access.h"
#include "routes.h"
#include "state.h"

namespace assay::mock {
namespace {

namespace fs = std::filesystem;

constexpr size_t kPayloadMaxBytes = 1024 * 1024;
constexpr time_t kReadTimeoutSeconds = 5;
constexpr time_t kWriteTimeoutSeconds = 5;
constexpr time_t kKeepAliveTimeoutSeconds =
    2;  // also bounds how long stop() waits for idle clients
constexpr size_t kKeepAliveMaxCount = 100000;

bool exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

// A key and its certificate, reused from `dir` when both files are there and still valid.
struct KeyPair {
  Key key;
  Certificate cert;
};

std::optional<KeyPair> load_pair(const std::string& key_path, const std::string& cert_path,
                                 Seconds now) {
  if (!exists(key_path) || !exists(cert_path)) {
    return std::nullopt;
  }
  auto key = load_credentials_file(key_path);
  auto cert = load_credentials_file(cert_path);
  if (!key || !cert || !key->private_key || cert->certificates.empty()) {
    return std::nullopt;
  }
  const Certificate& c = cert->certificates.front();
  if (!c.valid_at(now + std::chrono::hours(24)) || !key_matches_certificate(*key->private_key, c)) {
    return std::nullopt;
  }
  return KeyPair{*key->private_key, c};
}

Result<KeyPair> make_pair(KeySpec spec, CertificateRequest request, const KeyPair* issuer) {
  ASSAY_ASSIGN_OR_RETURN(Key key, generate_key(spec));
  Result<Certificate> cert = issuer != nullptr
                                 ? create_certificate(request, key, issuer->key, &issuer->cert)
                                 : create_certificate(request, key, key);
  if (!cert) {
    return tl::unexpected(cert.error());
  }
  return KeyPair{key, *cert};
}

Result<void> save_pair(const KeyPair& p, const std::string& key_path,
                       const std::string& cert_path) {
  ASSAY_ASSIGN_OR_RETURN(std::string pem, p.key.private_pem());
  ASSAY_TRY(write_file_atomic(key_path, pem, 0600));
  return write_file_atomic(cert_path, p.cert.pem(), 0644);
}

bool is_ip_address(std::string_view h) {
  return !h.empty() && (h.find(':') != std::string_view::npos ||
                        std::all_of(h.begin(), h.end(),
                                    [](char c) { return (c >= '0' && c <= '9') || c == '.'; }));
}

struct TlsFiles {
  std::string cert;
  std::string key;
  std::string ca;
};

Result<TlsFiles> prepare_tls(const std::string& dir, const std::string& host, Seconds now) {
  TlsFiles f{dir + "/tls.crt.pem", dir + "/tls.key.pem", dir + "/ca.pem"};
  const std::string ca_key = dir + "/ca.key.pem";
  if (load_pair(ca_key, f.ca, now) && load_pair(f.key, f.cert, now)) {
    return f;
  }
  const Seconds from = now - std::chrono::hours(24);
  CertificateRequest ca_req{"CN=assay-mock local CA,O=assay",
                            from,
                            now + std::chrono::hours(24 * 3650),
                            CertificateUsage::kCa,
                            {},
                            {}};
  ASSAY_ASSIGN_OR_RETURN(KeyPair ca, make_pair(KeySpec::kEcP256, ca_req, nullptr));
  CertificateRequest srv_req{
      "CN=localhost,O=assay-mock",  from,          now + std::chrono::hours(24 * 825),
      CertificateUsage::kTlsServer, {"localhost"}, {"127.0.0.1", "::1"}};
  if (host != "localhost" && host != "127.0.0.1" && host != "::1" && host != "0.0.0.0" &&
      host != "::" && !host.empty()) {
    (is_ip_address(host) ? srv_req.ip_addresses : srv_req.dns_names).push_back(host);
  }
  ASSAY_ASSIGN_OR_RETURN(KeyPair srv, make_pair(KeySpec::kEcP256, srv_req, &ca));
  ASSAY_TRY(save_pair(ca, ca_key, f.ca));
  ASSAY_TRY(save_pair(srv, f.key, f.cert));
  return f;
}

Result<KeyPair> prepare_signing(const std::string& dir, Seconds now) {
  const std::string key_path = dir + "/signing.key.pem";
  const std::string cert_path = dir + "/signing.crt.pem";
  if (auto p = load_pair(key_path, cert_path, now); p) {
    return *p;
  }
  CertificateRequest req{"CN=assay-mock token signing",
                         now - std::chrono::hours(24),
                         now + std::chrono::hours(24 * 730),
                         CertificateUsage::kClientAssertion,
                         {},
                         {}};
  ASSAY_ASSIGN_OR_RETURN(KeyPair p, make_pair(KeySpec::kRsa2048, req, nullptr));
  ASSAY_TRY(save_pair(p, key_path, cert_path));
  return p;
}

struct AppFiles {
  std::string cert, key, pfx, password;
};

Result<AppFiles> prepare_app_credentials(const std::string& dir, AppConfig& app, size_t index,
                                         Seconds now) {
  const std::string stem = dir + "/" + (index == 0 ? std::string("app") : "app-" + app.client_id);
  AppFiles f{stem + ".crt.pem", stem + ".key.pem", stem + ".pfx", ""};
  const std::string password_path = stem + ".pfx.password";
  auto pair = load_pair(f.key, f.cert, now);
  if (pair && exists(f.pfx) && exists(password_path)) {
    auto pw = read_file(password_path, 4096);
    if (pw) {
      f.password = *pw;
      app.certificates = {pair->cert};
      return f;
    }
  }
  CertificateRequest req{"CN=" + app.display_name,
                         now - std::chrono::hours(24),
                         now + std::chrono::hours(24 * 730),
                         CertificateUsage::kClientAssertion,
                         {},
                         {}};
  auto made = make_pair(KeySpec::kRsa2048, req, nullptr);
  if (!made) {
    // A display name that is no valid subject: fall back to a fixed one.
    req.subject = "CN=assay-mock app";
    made = make_pair(KeySpec::kRsa2048, req, nullptr);
  }
  if (!made) {
    return tl::unexpected(made.error());
  }
  std::string password = random_uuid();
  password.erase(std::remove(password.begin(), password.end(), '-'), password.end());
  ASSAY_ASSIGN_OR_RETURN(std::string pfx,
                         export_pkcs12(made->key, made->cert, {}, password, app.display_name));
  ASSAY_TRY(save_pair(*made, f.key, f.cert));
  ASSAY_TRY(write_file_atomic(f.pfx, pfx, 0600));
  ASSAY_TRY(write_file_atomic(password_path, password, 0600));
  f.password = password;
  app.certificates = {made->cert};
  return f;
}

Result<std::string> make_temp_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      std::string(tmp != nullptr && tmp[0] != '\0' ? tmp : "/tmp") + "/assay-mock-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return make_error(ErrorCode::kIo, "cannot create a temporary directory " + pattern + ": " +
                                          std::strerror(errno));
  }
  return pattern;
}

std::string url_host(const std::string& host) {
  if (host.empty() || host == "0.0.0.0") {
    return "127.0.0.1";
  }
  if (host == "::") {
    return "[::1]";
  }
  if (host.find(':') != std::string::npos && host.front() != '[') {
    return "[" + host + "]";
  }
  return host;
}

void log_request(State& st, const httplib::Request& req, const httplib::Response& res) {
  RequestNote& note = request_note();
  double ms = 0;
  if (note.started) {
    ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - note.start)
             .count();
  }
  const int aadsts = note.aadsts;
  const bool dropped = note.dropped;
  note = RequestNote{};
  if (!st.log) {
    return;
  }
  const std::string rules = res.get_header_value("x-assay-rules");
  std::string line;
  if (st.log_format == LogFormat::kJson) {
    Json j = Json::object();
    j["time"] = format_rfc3339(now_seconds());
    j["remote"] = req.remote_addr;
    j["method"] = req.method;
    j["path"] = req.path;
    j["status"] = dropped ? Json(nullptr) : Json(res.status);
    if (dropped) {
      j["dropped"] = true;
    }
    j["aadsts"] = aadsts == 0 ? Json(nullptr) : Json(aadsts);
    Json list = Json::array();
    size_t pos = 0;
    while (pos < rules.size()) {
      const size_t end = std::min(rules.find(',', pos), rules.size());
      list.push_back(rules.substr(pos, end - pos));
      pos = end + 1;
    }
    j["rules"] = std::move(list);
    j["latency_ms"] = std::round(ms * 100) / 100;
    line = dump_json(j);
  } else {
    char latency[32];
    std::snprintf(latency, sizeof latency, "%.1fms", ms);
    // The method and the decoded path are the client's bytes: shown escaped, never raw.
    line = format_rfc3339(now_seconds()) + " " + terminal_safe(req.method) + " " +
           terminal_safe(req.path) + " " +
           (dropped ? std::string("dropped") : std::to_string(res.status)) +
           (aadsts != 0 ? " AADSTS" + std::to_string(aadsts) : std::string()) +
           (rules.empty() ? std::string() : " rules=" + rules) + " " + latency;
  }
  std::lock_guard<std::mutex> lock(st.log_mu);
  st.log(line);
}

// Shuts down (without closing: the descriptors stay their threads') every connection accepted
// on `port`: each socket in this process whose local port is `port` and that is not listening.
// Their pending reads then fail at once, so a stop does not wait for a client trickling bytes.
void shut_down_connections(int port) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc/self/fd", ec)) {
    const int fd = std::atoi(entry.path().filename().c_str());
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      continue;  // not a socket (or closed meanwhile)
    }
    int local_port = -1;
    if (addr.ss_family == AF_INET) {
      local_port = ntohs(reinterpret_cast<const sockaddr_in*>(&addr)->sin_port);
    } else if (addr.ss_family == AF_INET6) {
      local_port = ntohs(reinterpret_cast<const sockaddr_in6*>(&addr)->sin6_port);
    }
    int listening = 1;
    socklen_t size = sizeof listening;
    if (local_port == port && ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) == 0 &&
        listening == 0) {
      ::shutdown(fd, SHUT_RDWR);
    }
  }
}

// Whether the request's body was delimited unambiguously: no Content-Length, or one decimal
// number; Transfer-Encoding, if any, exactly "chunked" and without a Content-Length.
bool framing_ok(const httplib::Request& req) {
  if (req.get_header_value_count("Content-Length") > 1 ||
      req.get_header_value_count("Transfer-Encoding") > 1) {
    return false;
  }
  const std::string length = req.get_header_value("Content-Length");
  const std::string coding = req.get_header_value("Transfer-Encoding");
  if (!coding.empty()) {
    return coding == "chunked" && !req.has_header("Content-Length");
  }
  return std::all_of(length.begin(), length.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
         length.size() <= 18;
}

// Every answer of 400 and above passes here (cpp-httplib's error handler, and MockServer::handle).
httplib::Server::HandlerResponse finish_error(const httplib::Request& req, httplib::Response& res) {
  // cpp-httplib 0.11.4 keeps a connection open after every answer, even when it could not
  // frame the request (a bad request line, an over-long URI or header line, a bad chunk, a
  // Content-Length that is not a number): the bytes left over are then read as the next
  // request, and the client's next real request on that connection is lost. RFC 9112
  // (sections 6.3 and 9.6) has the server close; cpp-httplib gives no way to, so the answer
  // tells the client to (every HTTP/1.1 client does, wrk and MSAL included): every error the
  // mock's own handlers did not produce, and any answer to a request framed ambiguously.
  if (!request_note().answered || !framing_ok(req)) {
    res.set_header("Connection", "close");
  }
  if (!res.has_header("client-request-id")) {  // as Entra, on every answer
    res.set_header("client-request-id", correlation_id_for(req));
  }
  if (!res.body.empty() || res.status == 302) {
    return httplib::Server::HandlerResponse::Unhandled;
  }
  Json body = Json::object();
  body["error"] = res.status == 404 ? "not_found" : "bad_request";
  body["error_description"] = "assay-mock: " + std::to_string(res.status) + " for " + req.method +
                              " " + req.path.substr(0, 200);
  res.set_content(dump_json(body), "application/json; charset=utf-8");
  return httplib::Server::HandlerResponse::Handled;
}

void configure(httplib::Server& server, State& st, const Routes& routes, size_t max_connections) {
  server.set_tcp_nodelay(true);  // else each keep-alive POST waits for delayed ACKs (~40 ms)
  std::shared_ptr<ConnectionStats> stats = st.connections;
  const State* s_ptr = &st;
  server.new_task_queue = [max_connections, stats, s_ptr] {
    return new ConnectionThreads(max_connections, stats,
                                 [s_ptr] { shut_down_connections(s_ptr->port); });
  };
  server.set_keep_alive_max_count(kKeepAliveMaxCount);  // default 5 closes busy connections
  server.set_keep_alive_timeout(kKeepAliveTimeoutSeconds);
  server.set_read_timeout(kReadTimeoutSeconds, 0);
  server.set_write_timeout(kWriteTimeoutSeconds, 0);
  server.set_payload_max_length(kPayloadMaxBytes);
  State* s = &st;
  server.set_pre_routing_handler([s](const httplib::Request& req, httplib::Response& res) {
    RequestNote& note = request_note();
    note = RequestNote{};
    note.start = std::chrono::steady_clock::now();
    note.started = true;
    s->request_count.fetch_add(1, std::memory_order_relaxed);
    if (apply_faults(*s, req, res)) {
      note.answered = true;
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  server.set_logger([s](const httplib::Request& req, const httplib::Response& res) {
    log_request(*s, req, res);
  });
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          if (ep) {
            std::rethrow_exception(ep);
          }
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        Json body = Json::object();
        body["error"] = "server_error";
        body["error_description"] = "assay-mock internal error: " + what;
        send_json(res, 500, body);
      });
  server.set_error_handler(httplib::Server::HandlerWithResponse(
      [](const httplib::Request& req, httplib::Response& res) { return finish_error(req, res); }));
  routes.install(server, [] { request_note().answered = true; });
}

// cpp-httplib reports a host name that does not resolve as a failed bind, leaving errno from
// whatever failed last ("No such file or directory"): resolve it first, as httplib will.
Result<void> check_host_resolves(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const int rc = ::getaddrinfo(host.c_str(), "0", &hints, &found);
  if (rc != 0) {
    return make_error(ErrorCode::kNetwork,
                      "cannot resolve host '" + host + "': " + ::gai_strerror(rc));
  }
  ::freeaddrinfo(found);
  return {};
}

}  // namespace

std::string ReadyInfo::to_json_line() const {
  auto str_or_null = [](const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); };
  Json j = Json::object();
  j["url"] = url;
  j["ca"] = str_or_null(ca);
  j["tenant"] = tenant;
  j["tenant_domain"] = tenant_domain;
  j["client_id"] = client_id;
  j["certificate"] = str_or_null(certificate);
  j["key"] = str_or_null(key);
  j["pfx"] = str_or_null(pfx);
  j["pfx_password"] = str_or_null(pfx_password);
  j["graph_url"] = graph_url;
  j["users"] = users;
  j["state_dir"] = state_dir;
  j["pid"] = pid;
  return dump_json(j);
}

struct MockServer::Impl {
  std::unique_ptr<State> state;
  Routes routes;
  std::unique_ptr<httplib::Server> server;
  ReadyInfo ready;
  int port = 0;
  std::string temp_dir;  // removed on destruction when we created it
  std::atomic<bool> stop_requested{false};
  std::atomic<bool> in_run{false};

  ~Impl() {
    server.reset();
    if (!temp_dir.empty()) {
      std::error_code ec;
      fs::remove_all(temp_dir, ec);
    }
  }
};

MockServer::MockServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MockServer::~MockServer() = default;

Result<std::unique_ptr<MockServer>> MockServer::create(const ServerOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->state = std::make_unique<State>();
  State& st = *impl->state;
  if (options.config_path.empty()) {
    st.config = default_config();
  } else {
    ASSAY_ASSIGN_OR_RETURN(st.config, load_config_file(options.config_path));
  }
  if (options.max_connections < 2 || options.max_connections > kMaxConnectionsLimit) {
    return make_error(ErrorCode::kInvalidArgument,
                      "--max-connections " + std::to_string(options.max_connections) +
                          " is outside 2.." + std::to_string(kMaxConnectionsLimit));
  }
  if (!options.tls_cert.empty() != !options.tls_key.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "--tls-cert and --tls-key go together");
  }
  if (options.plain_http && !options.tls_cert.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "--http and --tls-cert exclude each other");
  }
  if (!options.host.empty()) {
    ASSAY_TRY(check_host_resolves(options.host));
  }

  std::string dir = options.state_dir;
  if (dir.empty()) {
    ASSAY_ASSIGN_OR_RETURN(dir, make_temp_dir());
    impl->temp_dir = dir;
  } else {
    std::error_code ec;
    if (fs::create_directories(dir, ec)) {
      fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    }
    if (ec || !fs::is_directory(dir, ec)) {
      return make_error(ErrorCode::kIo, "cannot use state directory " + dir +
                                            (ec ? ": " + ec.message() : std::string()));
    }
    dir = fs::absolute(dir, ec).lexically_normal().string();
    while (dir.size() > 1 && dir.back() == '/') {
      dir.pop_back();
    }
  }
  const Seconds now = now_seconds();
  st.started = now;

  ASSAY_ASSIGN_OR_RETURN(KeyPair signing, prepare_signing(dir, now));
  st.signing_key = signing.key;
  st.signing_cert = signing.cert;
  st.signing_public = signing.cert.public_key();
  st.signing_kid = signing.cert.thumbprints().x5t;

  ReadyInfo& ready = impl->ready;
  for (size_t i = 0; i < st.config.apps.size(); ++i) {
    AppConfig& app = st.config.apps[i];
    if (app.generate_credentials) {
      ASSAY_ASSIGN_OR_RETURN(AppFiles files, prepare_app_credentials(dir, app, i, now));
      if (i == 0) {
        ready.certificate = files.cert;
        ready.key = files.key;
        ready.pfx = files.pfx;
        ready.pfx_password = files.password;
      }
    }
    auto state = std::make_unique<AppState>();
    state->config = app;
    state->consented.store(app.consented);
    st.apps.push_back(std::move(state));
  }

  std::unique_ptr<httplib::Server> server;
  if (options.plain_http) {
    server = std::make_unique<httplib::Server>();
    st.scheme = "http";
  } else {
    TlsFiles tls;
    if (!options.tls_cert.empty()) {
      for (const std::string* p : {&options.tls_cert, &options.tls_key}) {
        auto c = load_credentials_file(*p);
        if (!c) {
          return tl::unexpected(c.error());
        }
      }
      tls = TlsFiles{options.tls_cert, options.tls_key, ""};
    } else {
      ASSAY_ASSIGN_OR_RETURN(tls, prepare_tls(dir, options.host, now));
    }
    server = std::make_unique<httplib::SSLServer>(tls.cert.c_str(), tls.key.c_str());
    st.scheme = "https";
    ready.ca = tls.ca;
  }
  if (!server->is_valid()) {
    return make_error(ErrorCode::kCrypto,
                      "cannot set up the TLS server with the certificate and key");
  }
  add_entra_routes(impl->routes, st);
  add_graph_routes(impl->routes, st);
  add_admin_routes(impl->routes, st);
  configure(*server, st, impl->routes, options.max_connections);
  st.log = options.log;
  st.log_format = options.log_format;
  // cpp-httplib's default socket options set SO_REUSEPORT, with which a second server on the
  // same port starts without complaint and takes half of the connections; the mock sets only
  // SO_REUSEADDR (a restart need not wait for TIME_WAIT), so a taken port is an error. The
  // listening socket is remembered for the backlog below.
  auto listen_fd = std::make_shared<int>(-1);
  server->set_socket_options([listen_fd](socket_t sock) {
    const int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    *listen_fd = sock;
  });

  const int port = options.port == 0
                       ? server->bind_to_any_port(options.host)
                       : (server->bind_to_port(options.host, options.port) ? options.port : -1);
  if (port <= 0) {
    return make_error(ErrorCode::kNetwork, "cannot listen on " + options.host + ":" +
                                               std::to_string(options.port) + ": " +
                                               std::strerror(errno));
  }
  // cpp-httplib listens with a backlog of 5 (compiled into Debian's library): a burst of
  // connections (wrk starting 64, clients reconnecting at once) overflowed it and waited for
  // SYN retransmits, a second or more. listen() again only changes the backlog.
  if (*listen_fd < 0 || ::listen(*listen_fd, SOMAXCONN) != 0) {
    return make_error(ErrorCode::kNetwork, "cannot set the listen backlog on " + options.host +
                                               ":" + std::to_string(port) + ": " +
                                               std::strerror(errno));
  }
  impl->port = port;
  st.port = port;
  st.authority = url_host(options.host) + ":" + std::to_string(port);
  st.base_url = st.scheme + "://" + st.authority;

  ready.url = st.base_url;
  ready.graph_url = st.base_url;
  const AppConfig& first = st.config.apps.front();
  ready.client_id = first.client_id;
  ready.tenant = first.tenant_id;
  for (const TenantConfig& t : st.config.tenants) {
    if (t.id == first.tenant_id) {
      ready.tenant_domain = t.domains.front();
    }
  }
  for (const MailboxConfig& m : st.config.mailboxes) {
    ready.users.push_back(m.upn);
  }
  ready.state_dir = dir;
  ready.pid = static_cast<long>(::getpid());
  impl->server = std::move(server);
  return std::unique_ptr<MockServer>(new MockServer(std::move(impl)));
}

const ReadyInfo& MockServer::ready() const {
  return impl_->ready;
}

int MockServer::port() const {
  return impl_->port;
}

bool MockServer::run() {
  impl_->in_run.store(true);
  bool ok = true;
  if (!impl_->stop_requested.load()) {
    ok = impl_->server->listen_after_bind();
  }
  impl_->in_run.store(false);
  return ok || impl_->stop_requested.load();
}

void MockServer::stop() {
  impl_->stop_requested.store(true);
  {
    std::lock_guard<std::mutex> lock(impl_->state->stop_mu);
    impl_->state->stopping = true;
  }
  impl_->state->stop_cv.notify_all();
  // run() may be between its check and cpp-httplib's listen loop: stop once that loop runs.
  while (impl_->in_run.load()) {
    if (impl_->server->is_running()) {
      impl_->server->stop();
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

bool MockServer::is_running() const {
  return impl_->server->is_running();
}

void MockServer::handle(httplib::Request& req, httplib::Response& res) {
  RequestNote& note = request_note();
  note = RequestNote{};
  note.start = std::chrono::steady_clock::now();
  note.started = true;
  impl_->state->request_count.fetch_add(1, std::memory_order_relaxed);
  // What cpp-httplib refuses before routing never reaches the routes here either: a path
  // beyond its request-URI limit (414; libstdc++'s regex matching recurses per character, so
  // the routes must not see unbounded paths) and a body beyond the payload limit (413).
  bool routed = false;
  if (req.path.size() > CPPHTTPLIB_REQUEST_URI_MAX_LENGTH) {
    res.status = 414;
  } else if (req.body.size() > kPayloadMaxBytes) {
    res.status = 413;
  } else {
    routed = impl_->routes.dispatch(req, res);
  }
  note.answered = routed;
  if (res.status == -1) {
    res.status = routed ? 200 : 404;
  }
  if (res.status >= 400) {
    finish_error(req, res);
  }
  note = RequestNote{};
}

}  // namespace assay::mock
