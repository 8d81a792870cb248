// assay build: sign a client assertion (or its whole token request) with a certificate's key.
#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "assertion_options.h"
#include "render.h"

namespace assay::cli {
namespace {

struct BuildOptions {
  AssertionOptions a;
  bool form = false;
  std::string format = "text";
};

int run_build(const BuildOptions& o, const Io& io) {
  auto built = build_request(o.a, io.in);
  if (!built) {
    return report_error(io, built.error());
  }
  const std::string body = form_body(built->form);
  if (o.format == "json") {
    Json out = Json::object();
    out["schema"] = 1;
    out["assertion"] = built->assertion.token;
    Json h;
    Json p;
    parse_json_strict(built->assertion.header_json, h);
    parse_json_strict(built->assertion.payload_json, p);
    out["header"] = h;
    out["payload"] = p;
    out["token_endpoint"] = built->token_endpoint;
    if (built->signer.certificate) {
      const Thumbprints& t = built->signer.certificate->thumbprints();
      out["certificate"] = {{"subject", built->signer.certificate->subject()},
                            {"sha1", t.sha1_hex},
                            {"x5t", t.x5t},
                            {"x5t#S256", t.x5t_s256}};
    }
    if (o.form) {
      out["form"] = body;
    }
    io.out << out.dump(2) << "\n";
    return kExitOk;
  }
  io.err << "assay: header " << built->assertion.header_json << "\n"
         << "assay: claims " << built->assertion.payload_json << "\n"
         << "assay: POST to " << built->token_endpoint << "\n";
  io.out << (o.form ? body : built->assertion.token) << "\n";
  return kExitOk;
}

}  // namespace

Command add_build_command(CLI::App& parent, bool with_options) {
  auto opts = std::make_shared<BuildOptions>();
  CLI::App* app = parent.add_subcommand(
      "build",
      "Build and sign a client assertion with a certificate's key; prints the assertion, or "
      "with --form the whole urlencoded token request body");
  if (!with_options) {
    return {app, nullptr};
  }
  opts->a.add_to(*app, /*with_scope=*/true);
  app->add_flag("--form", opts->form,
                "Print the complete POST body (grant_type, client_id, client_assertion_type, "
                "client_assertion, and scope for v2 or resource for v1)");
  add_format_option(*app, opts->format);
  app->footer(
      "Defaults follow Entra's current documentation: PS256 with x5t#S256 (RS256 pairs with x5t), "
      "typ JWT, nbf = now - 5 min, exp = now + 10 min, a random UUID v4 jti.\n"
      "The assertion (or form body) goes to stdout; the header and claims are shown on stderr.");
  return {app, [opts](const Io& io) { return run_build(*opts, io); }};
}

}  // namespace assay::cli
