// assay token: get an app-only access token with a certificate credential, and explain a
// rejection in one place.
#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "assay/assertion.h"
#include "assay/terminal.h"
#include "assay/timefmt.h"
#include "network_commands.h"
#include "render.h"
#include "token_flow.h"

namespace assay::cli {
namespace {

struct TokenOptions {
  AssertionOptions a;
  HttpOptions http;
  std::string token_endpoint;
  std::string save_assertion;
  bool raw = false;
  std::string format = "text";
};

std::string claim_text(const Json& claims, const char* name) {
  if (!claims.is_object() || !claims.contains(name)) {
    return "";
  }
  const Json& v = claims[name];
  if (v.is_string()) {
    return v.get<std::string>();
  }
  if (v.is_array()) {
    std::string out;
    for (const Json& x : v) {
      out += (out.empty() ? "" : ", ") + (x.is_string() ? x.get<std::string>() : x.dump());
    }
    return out;
  }
  return v.dump();
}

int run_token(const TokenOptions& o, const Io& io) {
  auto t = request_token(o.a, o.http, o.token_endpoint, io, o.save_assertion);
  if (!t) {
    return report_error(io, t.error());
  }
  if (!t->ok) {
    // With --raw, stdout is for the token alone (TOKEN=$(assay token --raw ...)): the report of
    // a refusal goes to stderr.
    const Io report_io{io.in, o.raw ? io.err : io.out, io.err, o.raw ? false : io.color};
    if (o.format == "json") {
      Json out = Json::object({{"schema", 1},
                               {"ok", false},
                               {"token_endpoint", t->url},
                               {"status", t->response.status},
                               {"attempts", t->response.attempts}});
      token_failure_json(*t, out);
      report_io.out << out.dump(2) << "\n";
    } else {
      print_token_failure(*t, report_io);
    }
    return kExitFindings;
  }
  if (o.raw) {
    // A real access token is printable ASCII, which terminal_safe leaves alone.
    io.out << terminal_safe(t->access_token) << "\n";
    return kExitOk;
  }
  // The access token is shown for the user's information only: its signature is the resource's
  // business (Graph tokens are not meant to be verified by clients).
  Json claims;
  if (auto a = decode(t->access_token); a && a->payload_is_object()) {
    claims = a->payload();
  }
  if (o.format == "json") {
    Json out = Json::object({{"schema", 1},
                             {"ok", true},
                             {"token_endpoint", t->url},
                             {"status", t->response.status},
                             {"attempts", t->response.attempts}});
    out["token_type"] = t->body.value("token_type", "");
    out["expires_in"] = t->body.contains("expires_in") ? t->body["expires_in"] : Json();
    out["access_token"] = t->access_token;
    out["claims"] = claims;
    io.out << out.dump(2) << "\n";
    return kExitOk;
  }
  const Paint p{io.color};
  io.out << p.green("OK") << "  token from " << terminal_safe(t->url) << " (HTTP 200";
  if (t->response.attempts > 1) {
    io.out << ", " << t->response.attempts << " attempts";
  }
  io.out << ")\n";
  const Seconds now = now_seconds();
  for (const char* name : {"aud", "roles", "appid", "azp", "tid", "idtyp", "ver"}) {
    const std::string v = claim_text(claims, name);
    if (!v.empty()) {
      io.out << "  " << name << std::string(8 - std::string(name).size(), ' ') << terminal_safe(v)
             << "\n";
    }
  }
  if (claims.is_object() && claims.contains("exp") && claims["exp"].is_number()) {
    const Seconds exp{std::chrono::seconds{claims["exp"].get<int64_t>()}};
    io.out << "  exp     " << format_rfc3339(exp) << "  (" << format_relative(exp, now) << ")\n";
  }
  if (claim_text(claims, "roles").empty()) {
    io.out << p.yellow("note")
           << "  the token has no roles: grant application permissions and admin consent\n";
  }
  io.out << p.dim("(--raw prints the bare access token; --format json prints it with the claims)")
         << "\n";
  return kExitOk;
}

}  // namespace

Command add_token_command(CLI::App& parent, bool with_options) {
  auto opts = std::make_shared<TokenOptions>();
  CLI::App* app = parent.add_subcommand(kTokenCommand.name, kTokenCommand.description);
  if (!with_options) {
    return {app, nullptr};
  }
  opts->a.add_to(*app, /*with_scope=*/true);
  opts->http.add_to(*app);
  app->add_option("--token-endpoint", opts->token_endpoint,
                  "POST here instead of the tenant's token endpoint (aud stays as built); "
                  "without --tenant or --aud, also the assertion's aud");
  app->add_flag("--raw", opts->raw,
                "Print only the access token; on failure stdout stays empty and the report goes "
                "to stderr");
  app->add_option(
      "--save-assertion", opts->save_assertion,
      "Also write the assertion that was sent to FILE (mode 0600), e.g. for assay inspect");
  add_format_option(*app, opts->format);
  app->footer(
      "Environment: ASSAY_CLIENT_ID, ASSAY_TENANT, ASSAY_CERT, ASSAY_KEY, ASSAY_PFX, "
      "ASSAY_PFX_PASSWORD, ASSAY_AUTHORITY_HOST, ASSAY_CA_FILE; HTTPS_PROXY and NO_PROXY are "
      "honoured.\nExit codes: 0 token received; 1 the endpoint refused; 2 usage; 3 network or "
      "file error.");
  return {app, [opts](const Io& io) { return run_token(*opts, io); }};
}

}  // namespace assay::cli
