// assay-mock: options, signals and the ready line; everything else is the assay_mock library.
#include <iostream>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <thread>

#include <CLI/CLI.hpp>

#include "assay/terminal.h"
#include "assay/version.h"
#include "mock_server.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 2;  // also a configuration the server refuses
constexpr int kExitRuntime = 3;

}  // namespace

int main(int argc, char** argv) {
  assay::mock::ServerOptions options;
  std::string log_format = "text";
  CLI::App app{
      "assay-mock: an offline imitation of Microsoft Entra ID's token endpoints (client "
      "assertions judged by assay's rules, AADSTS errors as Entra sends them) and of "
      "the Microsoft Graph mail API",
      "assay-mock"};
  app.set_version_flag("--version", "assay-mock " + std::string(assay::version()));
  // CLI11's messages in the form of every other diagnostic.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return "assay-mock: error: " + std::string(e.what()) +
           "\nassay-mock: note: run 'assay-mock --help' for the options\n";
  });
  app.add_option("--config", options.config_path,
                 "JSON world: tenants, apps, certificates, mailboxes, policy (default: built in)")
      ->check(CLI::ExistingFile);
  app.add_option("--host", options.host, "address to bind")->capture_default_str();
  app.add_option("--port", options.port, "port to bind; 0 picks a free one")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  app.add_option("--state-dir", options.state_dir,
                 "where generated keys and certificates live, reused on the next start "
                 "(default: a new temporary directory, removed on exit)");
  auto* cert =
      app.add_option("--tls-cert", options.tls_cert, "serve TLS with this certificate (PEM)")
          ->check(CLI::ExistingFile);
  auto* key =
      app.add_option("--tls-key", options.tls_key, "the TLS certificate's private key (PEM)")
          ->check(CLI::ExistingFile);
  cert->needs(key);
  key->needs(cert);
  app.add_flag("--http", options.plain_http,
               "serve plain http (MSAL refuses http authorities; for curl and benchmarks)")
      ->excludes(cert);
  app.add_option("--log", log_format, "request log format on stderr")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_option("--max-connections", options.max_connections,
                 "connections served at once, one thread each; more wait for one to close")
      ->check(CLI::Range(size_t{2}, assay::mock::kMaxConnectionsLimit))
      ->capture_default_str();
  app.footer(
      "When ready, prints one JSON line on stdout (url, ca, tenant, tenant_domain, client_id,\n"
      "certificate, key, pfx, pfx_password, graph_url, users, state_dir, pid). SIGINT or SIGTERM\n"
      "stop it (exit 0). Exit codes: 2 usage error or a configuration it refuses; 3 runtime "
      "error.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, std::cout, std::cerr);
    return code == 0 ? kExitOk : kExitUsage;
  }
  options.log_format =
      log_format == "json" ? assay::mock::LogFormat::kJson : assay::mock::LogFormat::kText;
  options.log = [](const std::string& line) { std::cerr << line << '\n'; };

  // Signals are taken by one thread with sigwait; every other thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  // Each connection holds a descriptor: the soft limit (often 1024) would cap --max-connections
  // before the option does, so raise it to the hard limit.
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }

  auto server = assay::mock::MockServer::create(options);
  if (!server) {
    const assay::Error& e = server.error();
    std::cerr << "assay-mock: error: " << assay::terminal_safe(e.message)
              << (e.detail.empty() ? "" : " (" + assay::terminal_safe(e.detail) + ")") << "\n";
    const bool config = e.code == assay::ErrorCode::kInvalidArgument ||
                        e.code == assay::ErrorCode::kMalformedKey ||
                        e.code == assay::ErrorCode::kIo;
    return config ? kExitUsage : kExitRuntime;
  }
  assay::mock::MockServer& mock = **server;
  std::cout << mock.ready().to_json_line() << std::endl;  // one line, flushed

  std::thread waiter([&mock, signals] {
    int sig = 0;
    sigwait(&signals, &sig);
    mock.stop();
  });
  const bool ok = mock.run();
  // Wake the waiter if the server ended on its own.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  if (!ok) {
    std::cerr << "assay-mock: error: the server stopped listening\n";
    return kExitRuntime;
  }
  return kExitOk;
}
