// File: mock-server/mock_server.h
//
// assay-mock as a library: an offline imitation of Microsoft Entra ID's token endpoints (v1
// and v2, client assertions judged by libassay's rules engine, AADSTS errors shaped as Entra
// sends them), its discovery documents, JWKS, instance discovery and admin consent, and the
// Microsoft Graph list-messages API over generated mailboxes. `MockServer::create` loads the
// world (a JSON configuration or the built-in default), prepares the state directory (TLS CA
// and server certificate, token-signing key, generated app credentials) and binds the port;
// `run` serves until `stop`. The `assay-mock` executable is a thin layer over this.
//
// Nothing here includes cpp-httplib or nlohmann/json; the server lives behind a pimpl.
#ifndef ASSAY_MOCK_SERVER_MOCK_SERVER_H_
#define ASSAY_MOCK_SERVER_MOCK_SERVER_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "assay/result.h"

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace assay::mock {

inline constexpr size_t kMaxConnectionsLimit = 16384;

enum class LogFormat : unsigned char { kText, kJson };

struct ServerOptions {
  // A JSON world description (see README "assay-mock"); empty: the built-in default.
  std::string config_path;
  std::string host = "127.0.0.1";
  int port = 0;  // 0: any free port
  // Where generated keys and certificates live (reused when present). Empty: a new
  // temporary directory, removed again when the server is destroyed.
  std::string state_dir;
  // A TLS certificate and key to serve with instead of the generated CA-issued pair.
  std::string tls_cert;
  std::string tls_key;
  bool plain_http = false;  // serve http:// (MSAL refuses it; for curl and benchmarks)
  // Connections served at once, one thread each (cpp-httplib holds a thread for a connection's
  // whole life, so idle or slow clients must not share a small pool); beyond it, new
  // connections wait for one to close. 2..kMaxConnectionsLimit.
  size_t max_connections = 1024;
  // Receives one line per request (without a newline), from any worker thread but never
  // concurrently; null: no request log.
  std::function<void(const std::string&)> log;
  LogFormat log_format = LogFormat::kText;
};

// What the server tells its caller when ready (the `assay-mock` ready line).
struct ReadyInfo {
  std::string url;     // "https://127.0.0.1:PORT": the authority host for clients
  std::string ca;      // the CA certificate (PEM) to trust; empty with --http or --tls-cert
  std::string tenant;  // the first app's tenant GUID
  std::string tenant_domain;
  std::string client_id;    // the first app's client ID
  std::string certificate;  // its generated certificate (PEM); empty if configured externally
  std::string key;          // its generated private key (PEM, mode 0600)
  std::string pfx;          // the same as PKCS#12
  std::string pfx_password;
  std::string graph_url;           // where the Graph API is served (the same origin)
  std::vector<std::string> users;  // every mailbox's userPrincipalName
  std::string state_dir;
  long pid = 0;

  // The one-line JSON object printed on stdout (member order as above; empty paths are null).
  std::string to_json_line() const;
};

class MockServer {
 public:
  // Loads the configuration, prepares the state directory and binds the port. Fails with
  // `kInvalidArgument` for a bad configuration (the message names the file, the JSON pointer
  // and the reason), `kMalformedKey`/`kIo` for unusable key material, `kNetwork` when the
  // address cannot be bound, `kCrypto` when key generation fails.
  [[nodiscard]] static Result<std::unique_ptr<MockServer>> create(const ServerOptions& options);

  ~MockServer();
  MockServer(const MockServer&) = delete;
  MockServer& operator=(const MockServer&) = delete;

  const ReadyInfo& ready() const;
  int port() const;

  // Serves until `stop` is called (from any thread). Returns false when listening failed.
  bool run();
  // Stops a running server (idempotent); in-flight fault delays are cut short.
  void stop();
  bool is_running() const;

  // Handles one request in process as the server routes it, without a connection, fault
  // injection or the request log (the fuzz target drives this). `req` is as cpp-httplib would
  // have parsed it: method, decoded path, headers, query params, body. A path or body beyond
  // cpp-httplib's limits is refused as cpp-httplib would (414, 413).
  void handle(httplib::Request& req, httplib::Response& res);

 private:
  struct Impl;
  explicit MockServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace assay::mock

#endif  // ASSAY_MOCK_SERVER_MOCK_SERVER_H_
