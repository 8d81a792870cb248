// assay-net: the assay CLI with its network commands (token, mail, probe). `assay` runs it
// with the same arguments when one of them is invoked; see network_commands.h.
#include <cstdlib>
#include <iostream>
#include <unistd.h>

#include "cli.h"

int main(int argc, char** argv) {
  const bool color = isatty(STDOUT_FILENO) == 1 && std::getenv("NO_COLOR") == nullptr;
  return assay::cli::run_main(argc, argv, {std::cin, std::cout, std::cerr, color},
                              assay::cli::kNetworkCommands);
}
