#include "cli.h"

#include <cctype>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "assay/suggest.h"
#include "assay/version.h"
#include "network_commands.h"

namespace assay::cli {
namespace {

template <const CommandInfo& kInfo>
Command add_name_only(CLI::App& parent, bool /*with_options*/) {
  return {parent.add_subcommand(kInfo.name, kInfo.description), nullptr};
}

std::vector<CLI::App*> named_subcommands(CLI::App& app) {
  const std::function<bool(CLI::App*)> named = [](CLI::App* a) { return !a->get_name().empty(); };
  return app.get_subcommands(named);
}

// Where argv leads through the command tree: the deepest command named ("assay", "assay cert"),
// and the first word that names no command where one is expected (empty when there is none).
// The commands with subcommands (assay, cert, vectors) have no options that take a value, so
// their words are the arguments that do not start with '-'.
struct CommandPath {
  CLI::App* app;
  std::string path = "assay";
  std::string unknown;
};

CommandPath walk_commands(CLI::App& top, int argc, const char* const* argv) {
  CommandPath at{&top, "assay", ""};
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with('-')) {
      continue;
    }
    const std::vector<CLI::App*> subs = named_subcommands(*at.app);
    if (subs.empty()) {
      break;  // a command's positional argument
    }
    CLI::App* next = nullptr;
    for (CLI::App* s : subs) {
      if (s->get_name() == arg) {
        next = s;
      }
    }
    if (next == nullptr) {
      at.unknown = arg;
      break;
    }
    at.app = next;
    at.path += " " + std::string(arg);
  }
  return at;
}

// "unknown command 'cert nwe'; did you mean 'cert new'?", or the list of commands when no name
// is close.
int report_unknown_command(const CommandPath& at, const Io& io) {
  std::vector<std::string> names;
  for (CLI::App* s : named_subcommands(*at.app)) {
    names.push_back(s->get_name());
  }
  const std::vector<std::string_view> views(names.begin(), names.end());
  const std::string parent = at.path == "assay" ? "" : at.path.substr(6) + " ";
  io.err << "assay: error: unknown command '" << parent << at.unknown << "'";
  if (auto near = nearest_name(at.unknown, views)) {
    io.err << "; did you mean '" << parent << *near << "'?\n";
    return kExitUsage;
  }
  std::string list;
  for (const std::string& n : names) {
    list += (list.empty() ? "" : ", ") + n;
  }
  io.err << "\nassay: note: "
         << (parent.empty() ? "the commands" : "the commands of '" + at.path + "'") << " are "
         << list << "; '" << at.path << " --help' describes them\n";
  return kExitUsage;
}

// CLI11's own messages ("The following argument was not expected: x", "--a excludes --b") in
// the form of every other diagnostic: "assay: error: MESSAGE", lower case, and where to look.
std::string usage_message(const CLI::Error& e, const std::string& path) {
  std::string message = e.what();
  // "A subcommand ..." and "The following ..." but not an acronym such as "INI".
  if (message.size() > 1 && std::isupper(static_cast<unsigned char>(message[0])) != 0 &&
      std::isupper(static_cast<unsigned char>(message[1])) == 0) {
    message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
  }
  if (message == "a subcommand is required") {
    message = "a command is required";  // what the help and the docs call them
  }
  if (e.get_name() == "ExcludesError") {
    const size_t at = message.find(" excludes ");
    if (at != std::string::npos) {
      message.replace(at, 10, " cannot be combined with ");
    }
  }
  return "assay: error: " + message + "\nassay: note: run '" + path + " --help' for the options\n";
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
  // Before any subcommand is added: they inherit it. Set per run below, once argv is walked.
  std::string usage_path = "assay";
  app.failure_message(
      [&usage_path](const CLI::App*, const CLI::Error& e) { return usage_message(e, usage_path); });
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
  const CommandPath path = walk_commands(app, argc, argv);
  if (!path.unknown.empty()) {
    return report_unknown_command(path, io);
  }
  usage_path = path.path;
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
