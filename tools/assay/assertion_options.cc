#include "assertion_options.h"

#include <CLI/CLI.hpp>

#include "assay/timefmt.h"

namespace assay::cli {

void AssertionOptions::add_to(CLI::App& app, bool with_scope) {
  app.add_option("--client-id", client_id, "Application (client) ID: iss and sub ($ASSAY_CLIENT_ID)")
      ->envname("ASSAY_CLIENT_ID")
      ->required();
  auto* t = app.add_option("--tenant", tenant, "Entra tenant, GUID or domain ($ASSAY_TENANT)")
                ->envname("ASSAY_TENANT");
  auto* a = app.add_option("--aud", aud, "The audience (token endpoint URL) instead of --tenant");
  a->excludes(t);
  app.add_option("--endpoint", endpoint, "Entra token endpoint version: v1 or v2 (default v2)")
      ->check(CLI::IsMember({"v1", "v2"}));
  app.add_option("--authority-host", authority_host,
                 "Host[:port] or https://host[:port] instead of login.microsoftonline.com, "
                 "e.g. assay-mock's url ($ASSAY_AUTHORITY_HOST)")
      ->envname("ASSAY_AUTHORITY_HOST");
  keys.add_to(app, /*for_signing=*/true);
  app.add_option("--alg", alg, "RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES384 ES512 "
                               "(default: PS256 for RSA keys, ES256/384/512 for EC keys)");
  app.add_option("--x5t", x5t, "Thumbprint headers: sha256 (x5t#S256), sha1 (x5t), both or none "
                               "(default: sha1 with RS*, else sha256)")
      ->check(CLI::IsMember({"sha1", "sha256", "both", "none"}));
  app.add_flag("--x5c", x5c, "Add the certificate chain as x5c (Subject Name/Issuer apps)");
  app.add_option("--kid", kid, "Add a kid header");
  auto* typ_opt = app.add_option("--typ", typ, "The typ header (default JWT)");
  app.add_flag("--no-typ", no_typ, "Leave typ out")->excludes(typ_opt);
  app.add_option("--lifetime", lifetime, "Seconds from now to exp (default 600)");
  app.add_option("--nbf-offset", nbf_offset, "Seconds from now to nbf (default -300)");
  app.add_option("--claim", claims, "Extra claim NAME=JSON (repeatable), e.g. --claim 'tid=\"x\"'");
  app.add_option("--now", now, "Build as if it were this time: epoch seconds or RFC 3339");
  app.add_option("--jti", jti, "A fixed jti (default: a random UUID v4)");
  if (with_scope) {
    auto* s = app.add_option("--scope", scope,
                             "v2 scope (default https://graph.microsoft.com/.default)");
    auto* r = app.add_option("--resource", resource, "v1 resource (default https://graph.microsoft.com)");
    s->excludes(r);
  }
}

EntraEndpoint AssertionOptions::entra_endpoint() const {
  if (!aud.empty()) {
    if (aud.ends_with("/oauth2/token")) {
      return EntraEndpoint::kV1;
    }
    return aud.ends_with("/oauth2/v2.0/token") ? EntraEndpoint::kV2 : EntraEndpoint::kUnknown;
  }
  return endpoint == "v1" ? EntraEndpoint::kV1 : EntraEndpoint::kV2;
}

Result<std::string> AssertionOptions::token_endpoint() const {
  if (!aud.empty()) {
    return aud;
  }
  std::string host(kEntraDefaultHost);
  if (!authority_host.empty()) {
    ASSAY_ASSIGN_OR_RETURN(host, parse_authority_host(authority_host));
  }
  return entra_token_endpoint(host, tenant, entra_endpoint());
}

Result<BuiltRequest> build_request(const AssertionOptions& o, std::istream& in) {
  if (o.aud.empty() && o.tenant.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "give --tenant (with --endpoint) or --aud");
  }
  BuiltRequest br;
  ASSAY_ASSIGN_OR_RETURN(br.token_endpoint, o.token_endpoint());
  ASSAY_ASSIGN_OR_RETURN(br.signer, load_signer(o.keys, in));
  AssertionSpec& s = br.spec;
  s.client_id = o.client_id;
  s.audience = br.token_endpoint;
  const Key& key = br.signer.key;
  if (!o.alg.empty()) {
    auto a = parse_alg(o.alg);
    if (!a) {
      return make_error(ErrorCode::kInvalidArgument, "--alg " + o.alg + " is not a supported algorithm");
    }
    s.alg = *a;
  } else if (key.type() == KeyType::kEc) {
    s.alg = key.curve() == "P-256" ? Alg::kES256 : key.curve() == "P-384" ? Alg::kES384 : Alg::kES512;
  } else {
    s.alg = Alg::kPS256;
  }
  const bool rs = alg_family(s.alg) == AlgFamily::kRsaPkcs1;
  const std::string x5t = o.x5t.empty() ? (rs ? "sha1" : "sha256") : o.x5t;
  s.thumbprints = x5t == "sha1"     ? ThumbprintHeaders::kSha1
                  : x5t == "both"   ? ThumbprintHeaders::kBoth
                  : x5t == "none"   ? ThumbprintHeaders::kNone
                                    : ThumbprintHeaders::kSha256;
  if (!br.signer.certificate && (s.thumbprints != ThumbprintHeaders::kNone || o.x5c)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "thumbprint headers need the certificate: add --cert (or use --pfx), or "
                      "--x5t none");
  }
  s.include_x5c = o.x5c;
  if (!o.kid.empty()) {
    s.kid = o.kid;
  }
  s.typ = o.no_typ ? std::nullopt : std::optional<std::string>(o.typ);
  s.lifetime = std::chrono::seconds{o.lifetime};
  s.nbf_offset = std::chrono::seconds{o.nbf_offset};
  ASSAY_ASSIGN_OR_RETURN(s.now, now_or_clock(o.now));  // one instant for building and checking
  if (!o.jti.empty()) {
    s.jti = o.jti;
  }
  for (const std::string& c : o.claims) {
    const size_t eq = c.find('=');
    if (eq == std::string::npos || eq == 0) {
      return make_error(ErrorCode::kInvalidArgument, "--claim " + c + ": expected NAME=JSON");
    }
    s.extra_claims.emplace_back(c.substr(0, eq), c.substr(eq + 1));
  }
  const Certificate* cert = br.signer.certificate ? &*br.signer.certificate : nullptr;
  ASSAY_ASSIGN_OR_RETURN(br.assertion, build_assertion(s, key, cert, br.signer.chain));
  br.form = {{"grant_type", "client_credentials"},
             {"client_id", o.client_id},
             {"client_assertion_type", std::string(kJwtBearerAssertionType)},
             {"client_assertion", br.assertion.token}};
  const EntraEndpoint e = o.entra_endpoint();
  if (!o.resource.empty() || (e == EntraEndpoint::kV1 && o.scope.empty())) {
    br.form.push_back({"resource", o.resource.empty() ? "https://graph.microsoft.com" : o.resource});
  } else {
    br.form.push_back({"scope", o.scope.empty() ? "https://graph.microsoft.com/.default" : o.scope});
  }
  return br;
}

}  // namespace assay::cli
