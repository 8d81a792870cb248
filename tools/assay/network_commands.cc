#include "network_commands.h"

#include "cli.h"

namespace assay::cli {

const NetworkCommands kNetworkCommands{add_token_command, add_mail_command, add_probe_command};

}  // namespace assay::cli
