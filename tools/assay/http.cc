#include "http.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <sys/stat.h>
#include <thread>

#include <CLI/CLI.hpp>
#include <httplib.h>

#include "assay/key.h"
#include "common.h"

namespace assay::cli {
namespace {

struct Url {
  std::string scheme;
  std::string host;
  int port = 0;
  std::string path;  // with query
};

Result<Url> parse_url(const std::string& url) {
  Url u;
  const size_t s = url.find("://");
  if (s == std::string::npos) {
    return make_error(ErrorCode::kInvalidArgument, "'" + url + "' is not an http(s) URL");
  }
  u.scheme = url.substr(0, s);
  std::transform(u.scheme.begin(), u.scheme.end(), u.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (u.scheme != "https" && u.scheme != "http") {
    return make_error(ErrorCode::kInvalidArgument, "'" + url + "' is not an http(s) URL");
  }
  std::string rest = url.substr(s + 3);
  const size_t slash = rest.find_first_of("/?");
  std::string authority = rest.substr(0, slash);
  u.path = slash == std::string::npos ? "/" : rest.substr(slash);
  if (!u.path.empty() && u.path.front() == '?') {
    u.path = "/" + u.path;
  }
  u.port = u.scheme == "https" ? 443 : 80;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string::npos) {
      return make_error(ErrorCode::kInvalidArgument, "'" + url + "' has a bad IPv6 host");
    }
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') {
      u.port = std::atoi(authority.c_str() + close + 2);
    }
  } else {
    const size_t colon = authority.rfind(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string::npos) {
      u.port = std::atoi(authority.c_str() + colon + 1);
    }
  }
  if (u.host.empty() || u.port <= 0 || u.port > 65535) {
    return make_error(ErrorCode::kInvalidArgument, "'" + url + "' has no valid host and port");
  }
  return u;
}

std::string env(const char* a, const char* b) {
  const char* v = std::getenv(a);
  if (v == nullptr || *v == '\0') {
    v = std::getenv(b);
  }
  return v != nullptr ? v : "";
}

bool no_proxy_for(const std::string& host) {
  if (host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0) {
    return true;
  }
  const std::string list = env("NO_PROXY", "no_proxy");
  size_t pos = 0;
  while (pos < list.size()) {
    const size_t end = std::min(list.find(',', pos), list.size());
    std::string entry = list.substr(pos, end - pos);
    entry.erase(std::remove(entry.begin(), entry.end(), ' '), entry.end());
    if (entry == "*" || entry == host ||
        (!entry.empty() && host.size() > entry.size() &&
         host.compare(host.size() - entry.size(), entry.size(), entry) == 0 &&
         (entry.front() == '.' || host[host.size() - entry.size() - 1] == '.'))) {
      return true;
    }
    pos = end + 1;
  }
  return false;
}

// Seconds to wait from a Retry-After value (delta seconds, possibly fractional; HTTP dates are
// treated as "unknown" and get the default).
int retry_after_seconds(const std::string& v, int fallback) {
  if (v.empty()) {
    return fallback;
  }
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (end == v.c_str() || d < 0 || !std::isfinite(d)) {
    return fallback;
  }
  return static_cast<int>(std::ceil(d));
}

Result<HttpResponse> exchange(const std::string& method, const std::string& url,
                              const std::string* body, const Headers& extra, const HttpOptions& o,
                              std::ostream& log) {
  // OpenSSL writes to the socket with write(2), not send(MSG_NOSIGNAL): its close_notify on a
  // connection the server already closed (as it may after a 503) raised SIGPIPE and killed
  // the process. Ignored, the write fails with EPIPE and the answer already read stands.
  static std::once_flag sigpipe_ignored;
  std::call_once(sigpipe_ignored, [] { std::signal(SIGPIPE, SIG_IGN); });
  ASSAY_ASSIGN_OR_RETURN(auto u, parse_url(url));
  if (u.scheme == "https" && !o.insecure && !o.ca_file.empty()) {
    ASSAY_TRY(check_ca_file(o.ca_file));
  }
  const std::string origin = u.scheme + "://" +
                             (u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host) +
                             ":" + std::to_string(u.port);
  httplib::Client client(origin);
  client.set_connection_timeout(o.timeout_seconds, 0);
  client.set_read_timeout(o.timeout_seconds, 0);
  client.set_write_timeout(o.timeout_seconds, 0);
  client.set_follow_location(false);
  client.set_keep_alive(false);
  if (u.scheme == "https") {
    if (o.insecure) {
      client.enable_server_certificate_verification(false);
    } else {
      client.enable_server_certificate_verification(true);
      if (!o.ca_file.empty()) {
        client.set_ca_cert_path(o.ca_file);
      }
    }
  }
  const std::string proxy =
      u.scheme == "https" ? env("HTTPS_PROXY", "https_proxy") : env("HTTP_PROXY", "http_proxy");
  if (!proxy.empty() && !no_proxy_for(u.host)) {
    auto p = parse_url(proxy.find("://") == std::string::npos ? "http://" + proxy : proxy);
    if (!p) {
      return make_error(ErrorCode::kInvalidArgument, "proxy '" + proxy + "': " + p.error().message);
    }
    client.set_proxy(p->host, p->port);
  }
  httplib::Headers headers;
  for (const auto& [k, v] : extra) {
    headers.emplace(k, v);
  }
  HttpResponse out;
  for (int attempt = 1;; ++attempt) {
    out.attempts = attempt;
    httplib::Result res =
        method == "POST" ? client.Post(u.path, headers, *body, "application/x-www-form-urlencoded")
                         : client.Get(u.path, headers);
    if (!res) {
      std::string why;
      switch (res.error()) {
        case httplib::Error::Connection:
          why = "cannot connect (refused or unreachable)";
          break;
        case httplib::Error::ConnectionTimeout:
          why = "connection timed out after " + std::to_string(o.timeout_seconds) + " s";
          break;
        case httplib::Error::Read:
          why = "the connection closed or timed out while reading the answer";
          break;
        case httplib::Error::Write:
          why = "the connection failed while sending the request";
          break;
        case httplib::Error::SSLConnection:
          why = "the TLS handshake failed";
          break;
        case httplib::Error::SSLLoadingCerts:
          why = "cannot load the CA certificates of --ca-file " + o.ca_file;
          break;
        case httplib::Error::SSLServerVerification:
          why =
              "the server certificate is not trusted (give its CA with --ca-file, e.g. "
              "assay-mock's ca.pem; the system CAs are used otherwise)";
          break;
        default:
          why = httplib::to_string(res.error());
          break;
      }
      return make_error(ErrorCode::kNetwork, method + " " + url + ": " + why);
    }
    out.status = res->status;
    out.body = res->body;
    out.headers.clear();
    for (const auto& [k, v] : res->headers) {
      std::string lk = k;
      std::transform(lk.begin(), lk.end(), lk.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      out.headers[lk] = v;
    }
    if ((out.status != 429 && out.status != 503) || attempt > o.retries) {
      return out;
    }
    const int wait = retry_after_seconds(out.header("retry-after"),
                                         std::min(2 << (attempt - 1), o.max_retry_wait));
    if (wait > o.max_retry_wait) {
      log << "assay: " << out.status << " with Retry-After " << wait << " s, over the limit of "
          << o.max_retry_wait << " s: giving up\n";
      return out;
    }
    log << "assay: " << method << " " << url << " answered " << out.status << "; retrying in "
        << wait << " s (attempt " << attempt + 1 << " of " << o.retries + 1 << ")\n";
    std::this_thread::sleep_for(std::chrono::seconds(wait));
  }
}

}  // namespace

std::string HttpResponse::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

void HttpOptions::add_to(CLI::App& app) {
  app.add_option("--ca-file", ca_file,
                 "Trust this CA (PEM) for TLS, e.g. assay-mock's ca.pem ($ASSAY_CA_FILE)")
      ->envname("ASSAY_CA_FILE");
  app.add_flag("--insecure", insecure, "Do not verify TLS certificates (never against real Entra)");
  app.add_option("--timeout", timeout_seconds,
                 "Connect/read/write timeout in seconds (default 30)");
  app.add_option("--retries", retries, "Retries after 429/503, honouring Retry-After (default 3)");
}

Result<HttpResponse> http_post_form(const std::string& url, const std::string& body,
                                    const Headers& headers, const HttpOptions& o,
                                    std::ostream& log) {
  return exchange("POST", url, &body, headers, o, log);
}

Result<HttpResponse> http_get(const std::string& url, const Headers& headers, const HttpOptions& o,
                              std::ostream& log) {
  return exchange("GET", url, nullptr, headers, o, log);
}

Result<void> check_http_url(const std::string& url, const std::string& option) {
  auto u = parse_url(url);
  if (!u) {
    return make_error(ErrorCode::kInvalidArgument, option + " " + u.error().message);
  }
  return {};
}

Result<void> check_ca_file(const std::string& path) {
  auto fail = [&](const std::string& why) {
    return make_error(ErrorCode::kIo, "--ca-file " + path + ": " + why);
  };
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return fail(std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) {
    return fail("is a directory, not a PEM file of CA certificates");
  }
  auto text = read_file(path, 16 * 1024 * 1024);
  if (!text) {
    return make_error(ErrorCode::kIo, "--ca-file " + text.error().message);
  }
  const bool pem_cert = text->find("-----BEGIN CERTIFICATE-----") != std::string::npos ||
                        text->find("-----BEGIN TRUSTED CERTIFICATE-----") != std::string::npos;
  if (!pem_cert) {
    if (text->find("PRIVATE KEY-----") != std::string::npos) {
      return fail("holds a private key, not a CA certificate (assay-mock's is its ca.pem)");
    }
    if (load_certificate(*text)) {
      return fail("is a DER certificate; CA files are PEM (openssl x509 -inform der -in " + path +
                  " -out ca.pem)");
    }
    return fail("holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
  }
  if (auto cert = load_certificate(*text); !cert) {
    return fail(cert.error().message);
  }
  return {};
}

void warn_insecure(std::ostream& err) {
  err << "assay: WARNING: --insecure: TLS certificates are NOT verified; anyone on the path can "
         "read the assertion and the token. Use --ca-file instead.\n";
}

bool is_loopback_url(const std::string& url) {
  auto u = parse_url(url);
  return u && (u->host == "localhost" || u->host == "::1" || u->host.rfind("127.", 0) == 0);
}

std::string url_host(const std::string& url) {
  auto u = parse_url(url);
  if (!u) {
    return {};
  }
  std::transform(u->host.begin(), u->host.end(), u->host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return u->host;
}

}  // namespace assay::cli
