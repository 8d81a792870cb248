#include "common.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iterator>

#include <CLI/CLI.hpp>

#include "assay/request.h"
#include "assay/terminal.h"
#include "assay/timefmt.h"

namespace assay::cli {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

Result<Seconds> now_or_clock(const std::string& now_option) {
  if (now_option.empty()) {
    return now_seconds();
  }
  return parse_time(now_option);
}

Result<std::string> read_input_arg(const std::string& arg, std::istream& in) {
  if (arg.empty() || arg == "-") {
    // One byte beyond the limit tells a too-large input without reading all of it.
    std::string data(kMaxInputBytes + 1, '\0');
    in.read(data.data(), static_cast<std::streamsize>(data.size()));
    data.resize(static_cast<size_t>(in.gcount()));
    if (data.size() > kMaxInputBytes) {
      return make_error(ErrorCode::kTooLarge, "standard input is larger than the limit of " +
                                                  format_size(kMaxInputBytes));
    }
    return data;
  }
  if (arg == "@") {
    return make_error(ErrorCode::kInvalidArgument,
                      "'@' takes a file name (@FILE), and the file name is empty");
  }
  if (arg.front() == '@') {
    return read_file(arg.substr(1), kMaxInputBytes);
  }
  return arg;
}

int report_error(const Io& io, const Error& e) {
  // Messages quote file names, URLs, servers' answers and input bytes: escaped, one line each.
  io.err << "assay: error: " << terminal_safe(e.message) << "\n";
  if (!e.detail.empty()) {
    io.err << "assay: note: " << terminal_safe(e.detail) << "\n";
  }
  return e.code == ErrorCode::kInvalidArgument ? kExitUsage : kExitRuntime;
}

void PasswordOptions::add_to(CLI::App& app, const std::string& env) {
  env_name = env;
  // Not ->envname(): a password in the environment is the fallback when no option gives one,
  // and must not count as a --password that conflicts with --password-file.
  auto* v = app.add_option("--password", value,
                           "Password of an encrypted key or .pfx (also $" + env +
                               "; prefer --password-file or --password-stdin)");
  auto* f =
      app.add_option("--password-file", file, "Read the password from the first line of FILE");
  auto* s = app.add_flag("--password-stdin", from_stdin,
                         "Read the password from the first line of stdin");
  v->excludes(f);
  v->excludes(s);
  f->excludes(s);
}

Result<std::optional<std::string>> PasswordOptions::resolve(std::istream& in) const {
  if (!file.empty()) {
    ASSAY_ASSIGN_OR_RETURN(auto text, read_file(file, 4096));
    const size_t nl = text.find_first_of("\r\n");
    if (nl == 0 || text.empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "the first line of the password file " + file + " is empty");
    }
    return std::optional<std::string>(text.substr(0, nl));
  }
  if (from_stdin) {
    std::string line;
    std::getline(in, line);
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    if (line.empty()) {
      return make_error(ErrorCode::kInvalidArgument, "the password read from stdin is empty");
    }
    return std::optional<std::string>(line);
  }
  if (!value.empty()) {
    return std::optional<std::string>(value);
  }
  if (std::string from_env = env_or_empty(env_name.c_str()); !from_env.empty()) {
    return std::optional<std::string>(std::move(from_env));
  }
  return std::optional<std::string>();
}

void KeyOptions::add_to(CLI::App& app, bool for_signing) {
  if (for_signing) {
    app.add_option("--cert", certs, "Certificate (PEM or DER) of the signing key ($ASSAY_CERT)")
        ->envname("ASSAY_CERT")
        ->expected(1);
    app.add_option("--key", key,
                   "Private key: PEM PKCS#8/PKCS#1/SEC1, encrypted PEM, DER or JWK ($ASSAY_KEY)")
        ->envname("ASSAY_KEY");
    app.add_option("--pfx", pfx, "PKCS#12 (.pfx/.p12) with key and certificate ($ASSAY_PFX)")
        ->envname("ASSAY_PFX");
  } else {
    app.add_option("--cert", certs,
                   "Trusted (registered) certificate, PEM or DER; repeatable ($ASSAY_CERT)")
        ->envname("ASSAY_CERT");
    app.add_option("--key", key,
                   "A public key (SPKI, PKCS#1, JWK), or the client's private key, which is then "
                   "also checked against --cert ($ASSAY_KEY)")
        ->envname("ASSAY_KEY");
    app.add_option("--jwks", jwks,
                   "Trusted JWKS (or a single JWK) file; keys are chosen by kid/x5t");
    app.add_option("--pfx", pfx, "PKCS#12 (.pfx) whose certificate is trusted ($ASSAY_PFX)")
        ->envname("ASSAY_PFX");
  }
  password.add_to(app, "ASSAY_PFX_PASSWORD");
}

namespace {

Result<Credentials> load_with_password(const std::string& path,
                                       const std::optional<std::string>& pw) {
  LoadOptions opts;
  opts.password = pw;
  return load_credentials_file(path, opts);
}

// For a --jwks file that is no JWKS: "cert.pem is a PEM certificate, not a JWK or JWKS: give
// it with --cert" when it is key material of another form; empty when it is not that either.
std::string misplaced_jwks(const std::string& path, std::string_view text) {
  auto c = load_credentials(text);
  if (!c || c->format == KeyFormat::kJwk || c->format == KeyFormat::kJwks) {
    return {};
  }
  const bool cert = !c->certificates.empty();
  const std::string what = cert ? "certificate" : c->private_key ? "private key" : "public key";
  std::string form = c->format == KeyFormat::kPkcs12 ? "a PKCS#12 file"
                     : c->format == KeyFormat::kPem  ? "a PEM " + what
                                                     : "a DER " + what;
  const char* option = c->format == KeyFormat::kPkcs12 ? "--pfx" : cert ? "--cert" : "--key";
  return path + " is " + form + ", not a JWK or JWKS: give it with " + option;
}

}  // namespace

Result<KeySet> KeyOptions::load_keyset(std::istream& in) const {
  KeySet ks;
  ASSAY_ASSIGN_OR_RETURN(auto pw, password.resolve(in));
  for (const std::string& c : certs) {
    ASSAY_ASSIGN_OR_RETURN(auto cred, load_with_password(c, pw));
    if (cred.certificates.empty()) {
      return make_error(ErrorCode::kInvalidArgument,
                        c + ": --cert needs a certificate, found " + cred.summary);
    }
    for (auto& cert : cred.certificates) {
      ks.certificates.push_back(std::move(cert));
    }
  }
  if (!key.empty()) {
    ASSAY_ASSIGN_OR_RETURN(auto cred, load_with_password(key, pw));
    if (cred.private_key) {
      ks.private_key = cred.private_key;
    }
    for (auto& k : cred.public_keys) {
      ks.keys.push_back(std::move(k));
    }
    for (auto& cert : cred.certificates) {
      ks.certificates.push_back(std::move(cert));
    }
  }
  if (!jwks.empty()) {
    ASSAY_ASSIGN_OR_RETURN(auto text, read_file(jwks));
    auto keys = load_jwks(text);
    if (!keys) {
      if (std::string advice = misplaced_jwks(jwks, text); !advice.empty()) {
        return make_error(ErrorCode::kInvalidArgument, std::move(advice));
      }
      Error e = keys.error();
      e.message = jwks + ": " + e.message;
      return tl::unexpected(e);
    }
    for (auto& k : *keys) {
      ks.keys.push_back(std::move(k));
    }
  }
  if (!pfx.empty()) {
    ASSAY_ASSIGN_OR_RETURN(auto cred, load_with_password(pfx, pw));
    if (cred.private_key) {
      ks.private_key = cred.private_key;
    }
    if (!cred.certificates.empty()) {
      ks.certificates.insert(ks.certificates.begin(), cred.certificates.front());
    }
  }
  return ks;
}

Result<Signer> load_signer(const KeyOptions& k, std::istream& in) {
  ASSAY_ASSIGN_OR_RETURN(auto pw, k.password.resolve(in));
  Signer s;
  if (!k.pfx.empty()) {
    ASSAY_ASSIGN_OR_RETURN(auto cred, load_with_password(k.pfx, pw));
    if (!cred.private_key) {
      return make_error(ErrorCode::kInvalidArgument,
                        k.pfx + ": the PKCS#12 file holds no private key");
    }
    s.key = *cred.private_key;
    if (!cred.certificates.empty()) {
      s.certificate = cred.certificates.front();
      s.chain.assign(cred.certificates.begin() + 1, cred.certificates.end());
    }
    if (!k.key.empty() || !k.certs.empty()) {
      return make_error(ErrorCode::kInvalidArgument, "give either --pfx or --key/--cert, not both");
    }
    return s;
  }
  if (k.key.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "a signing key is needed: --pfx FILE, or --key FILE with --cert FILE");
  }
  ASSAY_ASSIGN_OR_RETURN(auto cred, load_with_password(k.key, pw));
  if (!cred.private_key) {
    return make_error(ErrorCode::kInvalidArgument,
                      k.key + ": no private key found (" + cred.summary + ")");
  }
  s.key = *cred.private_key;
  std::vector<Certificate> certs = cred.certificates;  // a bundle PEM may carry the certificate
  for (const std::string& c : k.certs) {
    ASSAY_ASSIGN_OR_RETURN(auto cc, load_with_password(c, pw));
    certs.insert(certs.end(), cc.certificates.begin(), cc.certificates.end());
  }
  for (size_t i = 0; i < certs.size(); ++i) {
    if (key_matches_certificate(s.key, certs[i])) {
      s.certificate = certs[i];
      for (size_t j = 0; j < certs.size(); ++j) {
        if (j != i) {
          s.chain.push_back(certs[j]);
        }
      }
      break;
    }
  }
  if (!s.certificate && !certs.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the private key " + k.key + " does not belong to the certificate " +
                          (k.certs.empty() ? k.key : k.certs.front()) + " (subject " +
                          certs.front().subject() + ", SHA-1 " +
                          certs.front().thumbprints().sha1_hex +
                          "): Entra would answer AADSTS700027");
  }
  return s;
}

Result<std::string> parse_authority_host(const std::string& value) {
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::kInvalidArgument, "--authority-host '" + value + "': " + why);
  };
  if (std::any_of(value.begin(), value.end(),
                  [](unsigned char c) { return c < 0x20 || c == 0x7f; })) {
    // Not echoed: the value would reach the terminal.
    return make_error(ErrorCode::kInvalidArgument,
                      "--authority-host: a host name has no control characters");
  }
  std::string rest = value;
  if (const size_t s = rest.find("://"); s != std::string::npos) {
    std::string scheme = rest.substr(0, s);
    std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (scheme == "http") {
      return bad(
          "http is not accepted: token endpoints built from an authority host are https (for a "
          "plain-http server give its token endpoint URL with --aud or --token-endpoint)");
    }
    if (scheme != "https") {
      return bad("not a host[:port] or an https:// URL");
    }
    rest = rest.substr(s + 3);
  }
  if (!rest.empty() && rest.back() == '/') {
    rest.pop_back();
  }
  if (rest.empty()) {
    return bad("no host");
  }
  if (const size_t p = rest.find_first_of("/?#"); p != std::string::npos) {
    return bad("has a path, query or fragment (" + rest.substr(p) +
               "): give only the host and port, e.g. 127.0.0.1:8443");
  }
  if (std::any_of(rest.begin(), rest.end(),
                  [](unsigned char c) { return c == ' ' || c == '@' || c == '\\'; })) {
    return bad("not a host name (a space, '@' or '\\')");
  }
  std::optional<std::string> port;
  if (rest.front() == '[') {
    const size_t close = rest.find(']');
    if (close == std::string::npos || close == 1 ||
        (close + 1 < rest.size() && rest[close + 1] != ':')) {
      return bad("not a bracketed IPv6 address with an optional :port");
    }
    if (close + 1 < rest.size()) {
      port = rest.substr(close + 2);
    }
  } else if (const size_t colon = rest.find(':'); colon != std::string::npos) {
    if (colon == 0 || rest.find(':', colon + 1) != std::string::npos) {
      return bad("not a host[:port] (an IPv6 address goes in brackets: [::1]:8443)");
    }
    port = rest.substr(colon + 1);
  }
  const auto digits = [](const std::string& p) {
    return !p.empty() && p.size() <= 5 &&
           std::all_of(p.begin(), p.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
  };
  if (port && (!digits(*port) || std::stoi(*port) < 1 || std::stoi(*port) > 65535)) {
    return bad("the port '" + *port + "' is not a number in 1..65535");
  }
  return rest;
}

void PolicyOptions::add_to(CLI::App& app) {
  app.add_option("--profile", profile,
                 "Rule set: entra, rfc7523, rfc7523bis, oidc (default: picked from aud: its host, "
                 "or an Entra token endpoint path)")
      ->check(CLI::IsMember({"entra", "rfc7523", "rfc7523bis", "oidc"}));
  app.add_option("--client-id", client_id, "Expected client ID (iss = sub) ($ASSAY_CLIENT_ID)")
      ->envname("ASSAY_CLIENT_ID");
  auto* aud_opt = app.add_option("--aud", aud,
                                 "Expected aud: the token endpoint (entra, rfc7523, oidc) or the "
                                 "issuer (rfc7523bis); replaces Microsoft's hosts");
  auto* tenant_opt =
      app.add_option("--tenant", tenant, "Entra tenant (GUID or domain) ($ASSAY_TENANT)")
          ->envname("ASSAY_TENANT");
  aud_opt->excludes(tenant_opt);
  app.add_option("--endpoint", endpoint,
                 "Entra token endpoint version the request goes to: v1 or v2")
      ->check(CLI::IsMember({"v1", "v2"}));
  app.add_option("--authority-host", authority_host,
                 "Host[:port] or https://host[:port] replacing login.microsoftonline.com, e.g. "
                 "assay-mock's url ($ASSAY_AUTHORITY_HOST)")
      ->envname("ASSAY_AUTHORITY_HOST");
  app.add_option("--issuer", issuer, "The authorization server's issuer identifier");
  app.add_option("--token-endpoint", token_endpoint,
                 "The authorization server's token endpoint (rfc7523bis: must not be aud)");
  app.add_option("--alg", algs, "Allowed algorithms (repeatable); default: the profile's")
      ->delimiter(',');
  app.add_option("--now", now, "Check at this time: epoch seconds or RFC 3339 (default: now)");
  app.add_option("--skew", skew,
                 "Clock skew in seconds for every time check (default: 300 entra, 60 others)");
  app.add_option("--max-lifetime", max_lifetime,
                 "Lifetime in seconds above which CLM035 fires (default: 600 entra, 3600 others)");
}

Result<Policy> PolicyOptions::build() const {
  PolicyBuilder b;
  if (!profile.empty()) {
    b.profile(*parse_profile(profile));
  }
  if (!client_id.empty()) {
    b.expect_client_id(client_id);
  }
  if (!aud.empty()) {
    b.expect_audience(aud);
  }
  if (!tenant.empty()) {
    b.tenant(tenant);
  }
  if (!endpoint.empty()) {
    b.endpoint(endpoint == "v1" ? EntraEndpoint::kV1 : EntraEndpoint::kV2);
  }
  if (!authority_host.empty()) {
    ASSAY_ASSIGN_OR_RETURN(auto host, parse_authority_host(authority_host));
    b.authority_host(host);
  }
  if (!issuer.empty()) {
    b.expect_issuer(issuer);
  }
  if (!token_endpoint.empty()) {
    b.token_endpoint(token_endpoint);
  }
  if (!algs.empty()) {
    std::vector<Alg> list;
    for (const std::string& a : algs) {
      auto parsed = parse_alg(a);
      if (!parsed) {
        return make_error(
            ErrorCode::kInvalidArgument,
            "--alg " + a + ": not one of RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512");
      }
      list.push_back(*parsed);
    }
    b.allow_algorithms(std::move(list));
  }
  if (!now.empty()) {
    ASSAY_ASSIGN_OR_RETURN(auto t, parse_time(now));
    b.fixed_now(t);
  }
  if (skew) {
    b.clock_skew(std::chrono::seconds{*skew});
  }
  if (max_lifetime) {
    b.max_lifetime(std::chrono::seconds{*max_lifetime});
  }
  return b.build();
}

void add_format_option(CLI::App& app, std::string& format) {
  app.add_option("--format", format, "Output format: text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->default_val("text");
}

}  // namespace assay::cli
