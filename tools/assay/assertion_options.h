// The options that say how to build a client assertion and its token request, shared by
// build, token, mail and probe: client, audience (tenant/endpoint/authority host or --aud),
// signing credentials, header choices, lifetime and the form body.
#ifndef ASSAY_TOOLS_ASSERTION_OPTIONS_H_
#define ASSAY_TOOLS_ASSERTION_OPTIONS_H_

#include <optional>
#include <string>
#include <vector>

#include "assay/build.h"
#include "assay/policy.h"
#include "assay/request.h"
#include "common.h"

namespace assay::cli {

struct AssertionOptions {
  std::string client_id;
  std::string tenant;
  std::string endpoint = "v2";
  std::string authority_host;
  std::string aud;
  KeyOptions keys;
  std::string alg;
  std::string x5t;
  bool x5c = false;
  std::string kid;
  std::string typ = "JWT";
  bool no_typ = false;
  int lifetime = 600;
  int nbf_offset = -300;
  std::vector<std::string> claims;  // NAME=JSON
  std::string now;
  std::string jti;
  std::string scope;
  std::string resource;

  // Adds the options; `with_scope` adds --scope/--resource (token requests).
  void add_to(CLI::App& app, bool with_scope);

  EntraEndpoint entra_endpoint() const;
  // The assertion's aud: --aud, or the tenant's token endpoint on the authority host (default
  // login.microsoftonline.com). Fails with kInvalidArgument for a bad --authority-host.
  [[nodiscard]] Result<std::string> token_endpoint() const;
};

struct BuiltRequest {
  Signer signer;
  AssertionSpec spec;
  BuiltAssertion assertion;
  std::string token_endpoint;
  std::vector<FormParam> form;  // the urlencoded POST body's parameters
};

// Loads the signer, fills the spec with the documented defaults (PS256 + x5t#S256 for RSA keys,
// RS256 pairs with x5t; ES256 for P-256 keys), signs, and prepares the form body. Fails with
// kInvalidArgument for contradictory or missing options.
[[nodiscard]] Result<BuiltRequest> build_request(const AssertionOptions& o, std::istream& in);

}  // namespace assay::cli

#endif  // ASSAY_TOOLS_ASSERTION_OPTIONS_H_
