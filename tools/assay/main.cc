// assay: the CLI. The network commands (token, mail, probe) are handed to assay-net, the
// same CLI linked with cpp-httplib, so that the offline commands start without loading it;
// see network_commands.h.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <string_view>
#include <system_error>
#include <unistd.h>

#include "cli.h"
#include "network_commands.h"

namespace {

// Next to this executable (the build tree), then where `cmake --install` puts it, relative to
// this executable's directory (../libexec/assay with the default GNU directories).
int exec_network_helper(std::string_view command, char** argv) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) {
    std::cerr << "assay: error: cannot locate the assay executable (/proc/self/exe: "
              << ec.message() << "), so cannot run " << assay::cli::kNetworkHelper << "\n";
    return assay::cli::kExitRuntime;
  }
  const std::filesystem::path dir = self.parent_path();
  const std::filesystem::path candidates[] = {
      dir / assay::cli::kNetworkHelper,
      (dir / ASSAY_BIN_TO_HELPER_DIR / assay::cli::kNetworkHelper).lexically_normal()};
  std::string tried;
  for (const std::filesystem::path& helper : candidates) {
    ::execv(helper.c_str(), argv);  // returns only on failure
    tried += (tried.empty() ? "" : ", ") + helper.string() + " (" + std::strerror(errno) + ")";
  }
  std::cerr << "assay: error: 'assay " << command << "' runs " << assay::cli::kNetworkHelper
            << ", which could not be started: " << tried << "; reinstall assay\n";
  return assay::cli::kExitRuntime;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view command = assay::cli::invoked_command(argc, argv);
  if (assay::cli::is_network_command(command)) {
    return exec_network_helper(command, argv);
  }
  const bool color = isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
  return assay::cli::run_main(argc, argv, {std::cin, std::cout, std::cerr, color},
                              assay::cli::kNetworkCommandNames);
}
