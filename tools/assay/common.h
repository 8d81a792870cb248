// Option groups and helpers shared by several subcommands: reading TOKEN | - | @FILE, the key
// options (--cert, --key, --jwks, --pfx, passwords), the policy options (--profile,
// --client-id, --aud, --tenant, ...), and error reporting with the documented exit codes.
#ifndef ASSAY_TOOLS_COMMON_H_
#define ASSAY_TOOLS_COMMON_H_

#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "assay/build.h"
#include "assay/key.h"
#include "assay/policy.h"
#include "assay/result.h"
#include "assay/verify.h"
#include "cli.h"

namespace assay::cli {

// Reads a command argument that is the text itself, "-" (standard input), "@FILE", or empty
// (standard input).
[[nodiscard]] Result<std::string> read_input_arg(const std::string& arg, std::istream& in);

// The time of a --now option (epoch seconds or RFC 3339) when given, else the clock.
[[nodiscard]] Result<Seconds> now_or_clock(const std::string& now_option);

// Prints "assay: error: MESSAGE" (and the detail on a second line), both through
// terminal_safe, and returns the exit code for `e`: 2 for invalid arguments, 3 otherwise.
int report_error(const Io& io, const Error& e);

// Where a password comes from: --password, --password-file or --password-stdin (at most one
// of them: a usage error names both), else the environment variable. Never echoed.
struct PasswordOptions {
  std::string value;
  std::string file;
  bool from_stdin = false;
  std::string env_name;
  void add_to(CLI::App& app, const std::string& env);
  // The password, if one was given. Fails with kIo when the file is unreadable and with
  // kInvalidArgument when the file's first line or the line read from stdin is empty.
  [[nodiscard]] Result<std::optional<std::string>> resolve(std::istream& in) const;
};

// --cert/--key/--jwks/--pfx as trusted key material (verify) or signing credentials (build).
struct KeyOptions {
  std::vector<std::string> certs;
  std::string key;
  std::string jwks;
  std::string pfx;
  PasswordOptions password;
  void add_to(CLI::App& app, bool for_signing);
  bool any() const { return !certs.empty() || !key.empty() || !jwks.empty() || !pfx.empty(); }
  // Loads everything given into a KeySet (verify).
  [[nodiscard]] Result<KeySet> load_keyset(std::istream& in) const;
};

// Signing credentials: a private key and (usually) its certificate and chain.
struct Signer {
  Key key;
  std::optional<Certificate> certificate;
  std::vector<Certificate> chain;
};
// Loads --pfx, or --key with --cert, for signing. Fails with kInvalidArgument when neither is
// given or the key has no private part.
[[nodiscard]] Result<Signer> load_signer(const KeyOptions& k, std::istream& in);

// The host[:port] an --authority-host value names: `host`, `host:port`, `[v6]:port` or
// `https://host[:port]` (what assay-mock prints as `url`), with an optional trailing slash.
// Fails with kInvalidArgument, naming the value, for http:// (token endpoints built from an
// authority host are https), any other scheme, a path, query, fragment or user part, or a
// port outside 1..65535.
[[nodiscard]] Result<std::string> parse_authority_host(const std::string& value);

// --profile, --client-id, --aud, --tenant, --endpoint, --authority-host, --issuer,
// --token-endpoint, --alg, --now, --skew, --max-lifetime.
struct PolicyOptions {
  std::string profile;
  std::string client_id;
  std::string aud;
  std::string tenant;
  std::string endpoint;
  std::string authority_host;
  std::string issuer;
  std::string token_endpoint;
  std::vector<std::string> algs;
  std::string now;
  std::optional<int> skew;
  std::optional<int> max_lifetime;
  void add_to(CLI::App& app);
  [[nodiscard]] Result<Policy> build() const;
};

// "--format text|json".
void add_format_option(CLI::App& app, std::string& format);

// The value of an environment variable, or "".
std::string env_or_empty(const char* name);

}  // namespace assay::cli

#endif  // ASSAY_TOOLS_COMMON_H_
