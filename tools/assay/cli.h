// The assay command line: run_main builds the CLI11 app from one registration function per
// subcommand, parses argv, runs the chosen command and maps the outcome to an exit code.
#ifndef ASSAY_TOOLS_CLI_H_
#define ASSAY_TOOLS_CLI_H_

#include <functional>
#include <iosfwd>
#include <string_view>

namespace CLI {
class App;
}

namespace assay::cli {

// Exit codes, documented in `assay --help`.
inline constexpr int kExitOk = 0;        // no finding at or above --fail-on
inline constexpr int kExitFindings = 1;  // findings at or above that level
inline constexpr int kExitUsage = 2;     // usage error
inline constexpr int kExitRuntime = 3;   // runtime error (I/O, unreadable key, network)

struct Io {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  bool color = false;  // ANSI colours on stdout (a terminal, and NO_COLOR unset)
};

struct Command {
  CLI::App* app;
  std::function<int(const Io&)> run;
};

// Each registers its subcommand on `parent`; with `with_options` false only the name and
// description (enough for `assay --help` and for CLI11 to recognise it), and `run` is empty.
Command add_inspect_command(CLI::App& parent, bool with_options = true);
Command add_verify_command(CLI::App& parent, bool with_options = true);
Command add_explain_command(CLI::App& parent, bool with_options = true);
Command add_rules_command(CLI::App& parent, bool with_options = true);
Command add_build_command(CLI::App& parent, bool with_options = true);
Command add_cert_command(CLI::App& parent, bool with_options = true);
Command add_vectors_command(CLI::App& parent, bool with_options = true);
// The network commands (network_commands.h), in assay_cli_net.
Command add_token_command(CLI::App& parent, bool with_options = true);
Command add_mail_command(CLI::App& parent, bool with_options = true);
Command add_probe_command(CLI::App& parent, bool with_options = true);

// How run_main registers the network commands: the real ones (assay-net and the tests link
// assay_cli_net), or their names and descriptions only (`assay`, which hands an invoked
// network command to assay-net before run_main sees it).
using Registrar = Command (*)(CLI::App& parent, bool with_options);
struct NetworkCommands {
  Registrar token;
  Registrar mail;
  Registrar probe;
};
extern const NetworkCommands kNetworkCommands;      // network_commands.cc, assay_cli_net
extern const NetworkCommands kNetworkCommandNames;  // cli.cc

// The subcommand named on the command line: the top-level options (--help, --version) take no
// value, so it is the first argument that is not an option; empty when there is none.
std::string_view invoked_command(int argc, const char* const* argv);

int run_main(int argc, const char* const* argv, const Io& io, const NetworkCommands& network);

}  // namespace assay::cli

#endif  // ASSAY_TOOLS_CLI_H_
