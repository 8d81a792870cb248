#include "cli.h"

#include <iostream>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "assay/version.h"
#include "network_commands.h"

namespace assay::cli {
namespace {

template <const CommandInfo& kInfo>
Command add_name_only(CLI::App& parent, bool /*with_options*/) {
  return {parent.add_subcommand(kInfo.name, kInfo.description), nullptr};
}

}  // namespace

const NetworkCommands kNetworkCommandNames{
    add_name_only<kTokenCommand>, add_name_only<kMailCommand>, add_name_only<kProbeCommand>};

std::string_view invoked_command(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    if (argv[i][0] != '-') {
      return argv[i];
    }
  }
  return {};
}

int run_main(int argc, const char* const* argv, const Io& io, const NetworkCommands& network) {
  CLI::App app{
      "assay: build, inspect and verify OAuth 2.0 JWT client assertions "
      "(RFC 7523 private_key_jwt, Microsoft Entra ID certificate credentials)",
      "assay"};
  app.set_version_flag("--version", std::string("assay ") + std::string(version()));
  app.require_subcommand(1);
  app.footer(
      "Exit codes: 0 no finding at or above --fail-on (default error); 1 findings at or above it\n"
      "(a token too malformed to decode is a finding too); 2 usage error; 3 runtime error\n"
      "(unreadable file, key or network failure).\n"
      "Run 'assay COMMAND --help' for a command's options.");
  // Only the subcommand named on the command line gets its options: CLI11 builds an option
  // (and checks it against the others) in microseconds, and building all of them took about
  // as long as everything else `assay inspect` does after the process has started.
  const std::string_view wanted = invoked_command(argc, argv);
  std::vector<Command> commands = {
      add_inspect_command(app, wanted == "inspect"), add_verify_command(app, wanted == "verify"),
      add_explain_command(app, wanted == "explain"), add_rules_command(app, wanted == "rules"),
      add_build_command(app, wanted == "build"),     add_cert_command(app, wanted == "cert"),
      network.token(app, wanted == "token"),         network.mail(app, wanted == "mail"),
      add_vectors_command(app, wanted == "vectors"), network.probe(app, wanted == "probe"),
  };
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e, io.out, io.err);
    return code == 0 ? kExitOk : kExitUsage;
  }
  for (const Command& c : commands) {
    if (c.app->parsed() && c.run) {
      try {
        return c.run(io);
      } catch (const CLI::ParseError& e) {
        const int code = c.app->exit(e, io.out, io.err);
        return code == 0 ? kExitOk : kExitUsage;
      } catch (const std::bad_alloc&) {
        io.err << "assay: error: out of memory\n";
        return kExitRuntime;
      } catch (const std::exception& e) {
        io.err << "assay: internal error: " << e.what() << "\n";
        return kExitRuntime;
      }
    }
  }
  return kExitUsage;
}

}  // namespace assay::cli
