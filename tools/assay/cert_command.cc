// assay cert new | show: make the credentials of an app registration, and show a certificate's
// facts and every form of its thumbprint.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <memory>
#include <sys/types.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "assay/base64url.h"
#include "assay/build.h"
#include "assay/file.h"
#include "assay/pki.h"
#include "assay/terminal.h"
#include "assay/timefmt.h"
#include "common.h"
#include "render.h"

namespace assay::cli {
namespace {

struct CertNewOptions {
  std::string subject;
  int days = 365;
  std::string key_type = "rsa2048";
  PasswordOptions password;
  std::string out;
  std::string name;
  bool force = false;
  std::string now;
  std::string format = "text";
};

struct CertShowOptions {
  std::string path;
  std::string key;
  PasswordOptions password;
  std::string now;
  std::string format = "text";
};

std::string default_name(const std::string& subject) {
  // The CN, reduced to file-name-safe characters.
  std::string cn = subject;
  const size_t p = subject.find("CN=");
  if (p != std::string::npos) {
    cn = subject.substr(p + 3);
    const size_t end = cn.find_first_of(",/");
    cn = cn.substr(0, end);
  }
  std::string out;
  for (char c : cn) {
    out += (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_' || c == '.')
               ? c
               : '-';
  }
  return out.empty() ? "assay" : out;
}

// --name is a file name (empty: derived from the subject): the files stay inside --out.
Result<void> check_file_name(const std::string& name) {
  const bool control = std::any_of(name.begin(), name.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
  if (name == "." || name == ".." || name.find_first_of("/\\") != std::string::npos || control) {
    return make_error(ErrorCode::kInvalidArgument,
                      "--name '" + name +
                          "' is not a file name: give one without '/', '\\' or control "
                          "characters, and not '.' or '..' (the files go into --out)");
  }
  return {};
}

Json thumbprints_json(const Certificate& c) {
  const Thumbprints& t = c.thumbprints();
  return Json::object({{"sha1_hex", t.sha1_hex},
                       {"sha256_hex", t.sha256_hex},
                       {"x5t", t.x5t},
                       {"x5t#S256", t.x5t_s256},
                       {"customKeyIdentifier", t.custom_key_identifier},
                       {"jwk_thumbprint", c.public_key().jwk_thumbprint()}});
}

void print_thumbprints(const Certificate& c, std::ostream& os, const Paint& p) {
  const Thumbprints& t = c.thumbprints();
  os << p.bold("thumbprints") << "\n"
     << "  SHA-1 (portal, Windows)   " << t.sha1_hex << "\n"
     << "  SHA-256                   " << t.sha256_hex << "\n"
     << "  x5t                       " << t.x5t << "\n"
     << "  x5t#S256                  " << t.x5t_s256 << "\n"
     << "  customKeyIdentifier       " << t.custom_key_identifier << "\n"
     << "  JWK thumbprint (RFC 7638) " << c.public_key().jwk_thumbprint() << "\n";
}

int run_new(const CertNewOptions& o, const Io& io) {
  const auto spec = parse_key_spec(o.key_type);
  if (!spec) {
    return report_error(io, Error{ErrorCode::kInvalidArgument, "",
                                  "--key-type " + o.key_type + " is not supported", ""});
  }
  if (o.days <= 0 || o.days > 3650) {
    return report_error(
        io, Error{ErrorCode::kInvalidArgument, "", "--days must be between 1 and 3650", ""});
  }
  if (auto checked = check_file_name(o.name); !checked) {
    return report_error(io, checked.error());
  }
  auto pw = o.password.resolve(io.in);
  if (!pw) {
    return report_error(io, pw.error());
  }
  const auto clock = now_or_clock(o.now);
  if (!clock) {
    return report_error(io, clock.error());
  }
  const Seconds now = *clock;
  const std::string name = o.name.empty() ? default_name(o.subject) : o.name;
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(o.out, ec);
  if (ec) {
    return report_error(io, Error{ErrorCode::kIo, "", o.out + ": " + ec.message(), ""});
  }
  const std::string base = (fs::path(o.out) / name).string();
  const std::vector<std::string> files = {base + ".key.pem", base + ".crt.pem", base + ".cer",
                                          base + ".pfx",
                                          (fs::path(o.out) / "keyCredentials.json").string()};
  if (!o.force) {
    std::string existing;
    for (const std::string& f : files) {
      if (fs::exists(f)) {
        existing += (existing.empty() ? "" : ", ") + f;
      }
    }
    if (!existing.empty()) {
      return report_error(io, Error{ErrorCode::kIo, "",
                                    "refusing to overwrite " + existing + " (use --force)", ""});
    }
  }
  auto key = generate_key(*spec);
  if (!key) {
    return report_error(io, key.error());
  }
  CertificateRequest req;
  req.subject = o.subject;
  req.not_before = now - std::chrono::minutes(5);
  req.not_after = now + std::chrono::hours(24 * o.days);
  auto cert = create_certificate(req, *key, *key);
  if (!cert) {
    return report_error(io, cert.error());
  }
  auto key_pem = key->private_pem();
  const std::string password = pw->value_or("");
  auto pfx = export_pkcs12(*key, *cert, {}, password, default_name(o.subject));
  if (!key_pem || !pfx) {
    return report_error(io, !key_pem ? key_pem.error() : pfx.error());
  }
  const Thumbprints& t = cert->thumbprints();
  const std::string key_id = random_uuid();
  Json kc = Json::object();
  kc["customKeyIdentifier"] = t.custom_key_identifier;
  kc["displayName"] = cert->subject();
  kc["endDateTime"] = format_rfc3339(cert->not_after());
  kc["keyId"] = key_id;
  kc["startDateTime"] = format_rfc3339(cert->not_before());
  kc["type"] = "AsymmetricX509Cert";
  kc["usage"] = "Verify";
  kc["value"] = base64_encode(cert->der());
  Json manifest = Json::object({{"keyCredentials", Json::array({kc})}});
  const std::vector<std::pair<std::string, std::pair<std::string, mode_t>>> writes = {
      {files[0], {*key_pem, 0600}},
      {files[1], {cert->pem(), 0644}},
      {files[2], {cert->der(), 0644}},
      {files[3], {*pfx, 0600}},
      {files[4], {manifest.dump(2) + "\n", 0644}},
  };
  for (const auto& [path, content] : writes) {
    auto w = write_file_atomic(path, content.first, content.second);
    if (!w) {
      return report_error(io, w.error());
    }
  }
  if (o.format == "json") {
    Json out = Json::object();
    out["schema"] = 1;
    out["subject"] = cert->subject();
    out["not_before"] = format_rfc3339(cert->not_before());
    out["not_after"] = format_rfc3339(cert->not_after());
    out["key_type"] = key->describe();
    out["key_id"] = key_id;
    out["files"] = Json::object({{"key", files[0]},
                                 {"certificate", files[1]},
                                 {"cer", files[2]},
                                 {"pfx", files[3]},
                                 {"key_credentials", files[4]}});
    out["thumbprints"] = thumbprints_json(*cert);
    io.out << out.dump(2) << "\n";
    return kExitOk;
  }
  const Paint p{io.color};
  io.out << p.green("created") << " " << terminal_safe(cert->subject()) << " (" << key->describe()
         << "), valid " << format_rfc3339(cert->not_before()) << " to "
         << format_rfc3339(cert->not_after()) << "\n"
         << "  private key  " << terminal_safe(files[0]) << "  " << p.dim("(PKCS#8 PEM, mode 0600)")
         << "\n"
         << "  certificate  " << terminal_safe(files[1]) << "\n"
         << "  upload this  " << terminal_safe(files[2]) << "  "
         << p.dim("(DER; portal: Certificates & secrets > Upload certificate)") << "\n"
         << "  PKCS#12      " << terminal_safe(files[3]) << "  "
         << p.dim(password.empty() ? "(no password)" : "(password as given)") << "\n"
         << "  manifest     " << terminal_safe(files[4]) << "  "
         << p.dim("(keyCredentials entry, keyId " + key_id + ")") << "\n";
  print_thumbprints(*cert, io.out, p);
  if (key->type() == KeyType::kEc) {
    io.out << p.yellow("note")
           << " Entra does not accept ECDSA certificate credentials; use rsa2048+ for Entra\n";
  }
  return kExitOk;
}

int run_show(const CertShowOptions& o, const Io& io) {
  auto pw = o.password.resolve(io.in);
  if (!pw) {
    return report_error(io, pw.error());
  }
  LoadOptions lo;
  lo.password = *pw;
  auto cred = load_credentials_file(o.path, lo);
  if (!cred) {
    return report_error(io, cred.error());
  }
  if (cred->certificates.empty()) {
    return report_error(io, Error{ErrorCode::kInvalidArgument, "",
                                  o.path + ": no certificate found (" + cred->summary + ")", ""});
  }
  const Certificate& c = cred->certificates.front();
  std::optional<Key> key = cred->private_key;
  if (!o.key.empty()) {
    auto k = load_credentials_file(o.key, lo);
    if (!k) {
      return report_error(io, k.error());
    }
    key = k->private_key ? k->private_key
                         : (k->public_keys.empty() ? std::nullopt
                                                   : std::optional<Key>(k->public_keys.front()));
    if (!key) {
      return report_error(io, Error{ErrorCode::kInvalidArgument, "", o.key + ": no key found", ""});
    }
  }
  const auto clock = now_or_clock(o.now);
  if (!clock) {
    return report_error(io, clock.error());
  }
  const Seconds now = *clock;
  const bool valid_now = c.valid_at(now);
  const bool has_key = key.has_value();
  const bool matches = has_key && key_matches_certificate(*key, c);
  if (o.format == "json") {
    Json out = Json::object();
    out["schema"] = 1;
    out["format"] = key_format_name(cred->format);
    out["subject"] = c.subject();
    out["issuer"] = c.issuer();
    out["serial"] = c.serial_hex();
    out["not_before"] = format_rfc3339(c.not_before());
    out["not_after"] = format_rfc3339(c.not_after());
    out["valid_now"] = valid_now;
    out["self_issued"] = c.self_issued();
    out["key"] = Json::object({{"type", c.public_key().type() == KeyType::kRsa ? "RSA" : "EC"},
                               {"bits", c.public_key().bits()},
                               {"description", c.public_key().describe()}});
    out["thumbprints"] = thumbprints_json(c);
    out["chain"] = cred->certificates.size() - 1;
    if (has_key) {
      out["key_matches"] = matches;
    }
    io.out << out.dump(2) << "\n";
  } else {
    const Paint p{io.color};
    io.out << p.bold("subject") << "      " << terminal_safe(c.subject()) << "\n"
           << p.bold("issuer") << "       " << terminal_safe(c.issuer())
           << (c.self_issued() ? p.dim("  (self-signed)") : "") << "\n"
           << p.bold("serial") << "       " << c.serial_hex() << "\n"
           << p.bold("valid") << "        " << format_rfc3339(c.not_before()) << " to "
           << format_rfc3339(c.not_after()) << "  "
           << (valid_now ? p.green("valid now, expires " + format_relative(c.not_after(), now))
               : now > c.not_after()
                   ? p.red("expired " + format_relative(c.not_after(), now))
                   : p.red("not yet valid, starts " + format_relative(c.not_before(), now)))
           << "\n"
           << p.bold("key") << "          " << c.public_key().describe()
           << (c.public_key().type() == KeyType::kRsa && c.public_key().bits() < 2048
                   ? p.red("  (under 2048 bits)")
                   : "")
           << "\n"
           << p.bold("read as") << "      " << terminal_safe(cred->summary) << "\n";
    print_thumbprints(c, io.out, p);
    if (has_key) {
      io.out << p.bold("private key") << "  "
             << (matches
                     ? p.green("matches this certificate")
                     : p.red("does NOT match this certificate: Entra would answer AADSTS700027"))
             << "\n";
    }
  }
  if ((has_key && !matches) || !valid_now) {
    return kExitFindings;
  }
  return kExitOk;
}

}  // namespace

Command add_cert_command(CLI::App& parent, bool with_options) {
  CLI::App* app = parent.add_subcommand(
      "cert", "Make and show certificate credentials for an app registration");
  if (!with_options) {
    return {app, nullptr};
  }
  app->require_subcommand(1);
  app->footer(
      "Exit codes: new: 0 created, 3 files exist (without --force) or cannot be written; show: 0 "
      "valid now and any --key matches, 1 not valid now or the key does not match, 3 unreadable "
      "file or wrong password; 2 usage error. See each command's --help.");
  auto n = std::make_shared<CertNewOptions>();
  CLI::App* add = app->add_subcommand(
      "new",
      "Create a key, a self-signed certificate (PEM and DER .cer), a .pfx and keyCredentials.json");
  add->add_option("--subject", n->subject, "Subject, e.g. \"CN=contoso-daemon\"")->required();
  add->add_option("--days", n->days, "Validity in days (default 365)");
  add->add_option("--key-type", n->key_type, "rsa2048 (default), rsa3072, rsa4096, ec256, ec384")
      ->check(CLI::IsMember({"rsa2048", "rsa3072", "rsa4096", "ec256", "ec384"}));
  n->password.add_to(*add, "ASSAY_PFX_PASSWORD");
  add->add_option("--out", n->out, "Directory to write the files to")->required();
  add->add_option("--name", n->name,
                  "Base name of the files, a file name without '/' (default: from the CN)");
  add->add_flag("--force", n->force, "Overwrite existing files");
  add->add_option("--now", n->now, "Start the validity at this time (tests)");
  add_format_option(*add, n->format);
  add->footer(
      "Exit codes: 0 created; 2 usage error; 3 runtime error (files exist and --force was not "
      "given, a file cannot be written, the password file is unreadable).");
  auto s = std::make_shared<CertShowOptions>();
  CLI::App* show = app->add_subcommand(
      "show",
      "Show a certificate (PEM, DER or .pfx): subject, validity, key, every thumbprint form, "
      "and whether a private key matches");
  show->add_option("path", s->path, "Certificate, PEM bundle or .pfx")->required();
  show->add_option("--key", s->key, "A private key to check against the certificate");
  s->password.add_to(*show, "ASSAY_PFX_PASSWORD");
  show->add_option("--now", s->now, "Judge validity at this time (default: now)");
  add_format_option(*show, s->format);
  show->footer(
      "Exit codes: 0 the certificate is valid now (and --key, if given, matches it); 1 it is not "
      "valid now or the key does not match; 2 usage error (no certificate or key in the file); "
      "3 runtime error (unreadable file, wrong password).");
  return {app, [n, s, add, show](const Io& io) {
            if (add->parsed()) {
              return run_new(*n, io);
            }
            return run_show(*s, io);
          }};
}

}  // namespace assay::cli
