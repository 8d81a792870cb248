// The commands that talk to a server (token, mail, probe) link cpp-httplib, which brings
// libssl, libz, brotli and libstdc++.so into the process: about 2 ms of dynamic loading on
// every start. So, as git does with its remote helpers, they live in a second executable,
// assay-net, and `assay` runs it (exec, same arguments) when one of them is invoked. Both
// executables list every command. This header is what both sides share.
#ifndef ASSAY_TOOLS_NETWORK_COMMANDS_H_
#define ASSAY_TOOLS_NETWORK_COMMANDS_H_

#include <string_view>

namespace assay::cli {

struct CommandInfo {
  const char* name;
  const char* description;
};

inline constexpr CommandInfo kTokenCommand{
    "token",
    "Get an app-only access token (client credentials grant) with a certificate credential; on "
    "failure, show the AADSTS code, its explanation and the assertion's findings"};
inline constexpr CommandInfo kMailCommand{
    "mail",
    "Get a Microsoft Graph token with a certificate credential and list the most recent "
    "messages of a user's Inbox (needs the Mail.Read application permission)"};
inline constexpr CommandInfo kProbeCommand{
    "probe",
    "Check a token server: a valid assertion, then one request per negative class, each built "
    "fresh with your key; reports what was correctly rejected and what was wrongly accepted"};

inline bool is_network_command(std::string_view name) {
  return name == kTokenCommand.name || name == kMailCommand.name || name == kProbeCommand.name;
}

// The helper's file name, found next to the running `assay` (build tree) or in
// ../libexec/assay/ relative to it (installed tree).
inline constexpr const char* kNetworkHelper = "assay-net";

}  // namespace assay::cli

#endif  // ASSAY_TOOLS_NETWORK_COMMANDS_H_
