// assay build: sign a client assertion (or its whole token request) with a certificate's key,
// then check what was signed with the rules verify would run.
#include <chrono>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "assay/verify.h"
#include "assay/terminal.h"
#include "assertion_options.h"
#include "render.h"

namespace assay::cli {
namespace {

struct BuildOptions {
  AssertionOptions a;
  bool form = false;
  std::string format = "text";
  std::string profile;
  std::string fail_on;  // empty: the check never changes the exit code
};

// What `assay verify --skew 0` reports about the built assertion (or, with --form, the whole
// request) at the moment of signing, trusting the signing certificate (or, without one, the
// key's public part), for the given profile or the one its audience picks. Fails with
// kInvalidArgument when the options contradict the profile (e.g. --tenant with rfc7523).
Result<Report> check_built(const BuildOptions& o, const BuiltRequest& b, const std::string& body) {
  PolicyBuilder pb;
  if (!o.profile.empty()) {
    pb.profile(*parse_profile(o.profile));
  }
  pb.expect_client_id(o.a.client_id);
  if (!o.a.aud.empty()) {
    pb.expect_audience(o.a.aud);
  } else {
    pb.tenant(o.a.tenant).endpoint(o.a.entra_endpoint());
    if (!o.a.authority_host.empty()) {
      ASSAY_ASSIGN_OR_RETURN(const std::string host, parse_authority_host(o.a.authority_host));
      pb.authority_host(host);
    }
  }
  // The skew absorbs the difference between the signer's clock and the verifier's; here the
  // two are one clock at one instant.
  pb.clock_skew(std::chrono::seconds{0});
  if (b.spec.now) {
    pb.fixed_now(*b.spec.now);
  }
  ASSAY_ASSIGN_OR_RETURN(Policy policy, pb.build());
  KeySet ks;
  if (b.signer.certificate) {
    ks.certificates.push_back(*b.signer.certificate);
  } else {
    ks.keys.push_back(b.signer.key.public_key());
  }
  return verify_input(o.form ? body : b.assertion.token, ks, policy);
}

// The findings at warning and above: what the check prints and --fail-on weighs.
std::vector<Finding> worth_reporting(const Report& r) {
  std::vector<Finding> out;
  for (const Finding& f : r.findings) {
    if (f.severity >= Severity::kWarning) {
      out.push_back(f);
    }
  }
  return out;
}

void print_check(const Report& r, const std::vector<Finding>& findings, const Io& io) {
  Report shown;
  shown.findings = findings;
  io.err << "assay: check of what was signed (profile " << profile_name(r.profile)
         << ", at signing time, no clock skew): " << findings_summary(shown) << "\n";
  for (const Finding& f : findings) {
    render_finding_text(f, io.err, Paint{});
  }
}

int run_build(const BuildOptions& o, const Io& io) {
  auto built = build_request(o.a, io.in);
  if (!built) {
    return report_error(io, built.error());
  }
  const std::string body = form_body(built->form);
  auto check = check_built(o, *built, body);
  if (!check) {
    return report_error(io, check.error());
  }
  if (o.format != "json") {
    io.err << "assay: header " << terminal_safe(built->assertion.header_json) << "\n"
           << "assay: claims " << terminal_safe(built->assertion.payload_json) << "\n"
           << "assay: POST to " << terminal_safe(built->token_endpoint) << "\n";
  }
  const std::vector<Finding> findings = worth_reporting(*check);
  if (!findings.empty()) {
    print_check(*check, findings, io);
  }
  if (!o.fail_on.empty() && !check->passes(parse_severity(o.fail_on))) {
    io.err << "assay: error: the " << (o.form ? "request" : "assertion")
           << " is not printed: the check found findings at or above --fail-on " << o.fail_on
           << "\n";
    return kExitFindings;
  }
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
    Json listed = Json::array();
    for (const Finding& f : findings) {
      Json j;
      finding_to_json(f, j);
      listed.push_back(std::move(j));
    }
    out["check"] = {{"profile", profile_name(check->profile)}, {"findings", std::move(listed)}};
    io.out << out.dump(2) << "\n";
    return kExitOk;
  }
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
  app->add_option("--profile", opts->profile,
                  "Rules the check applies: entra, rfc7523, rfc7523bis, oidc (default: picked "
                  "from the audience, as verify does)")
      ->check(CLI::IsMember({"entra", "rfc7523", "rfc7523bis", "oidc"}));
  app->add_option("--fail-on", opts->fail_on,
                  "Exit 1, printing nothing on stdout, when the check finds something at or "
                  "above: error or warning (default: the check only warns)")
      ->check(CLI::IsMember({"error", "warning"}));
  app->footer(
      "Defaults follow Entra's current documentation: PS256 with x5t#S256 (RS256 pairs with x5t), "
      "typ JWT, nbf = now - 5 min, exp = now + 10 min, a random UUID v4 jti.\n"
      "The assertion (or form body) goes to stdout; the header and claims are shown on stderr.\n"
      "What was signed is then checked with the rules 'assay verify --skew 0' would apply at "
      "that moment, trusting the signing certificate: warnings and errors (an expired "
      "certificate, an assertion expired as it is signed, an algorithm the profile refuses) are "
      "printed on stderr, and in the JSON output under 'check'.\n"
      "Exit codes: 0 built (whatever the check found, unless --fail-on); 1 the check found "
      "something at or above --fail-on; 2 usage error; 3 runtime error (unreadable key).");
  return {app, [opts](const Io& io) { return run_build(*opts, io); }};
}

}  // namespace assay::cli
