// assay inspect: decode without a key, explain every field, report the findings that need no key.
#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "assay/request.h"
#include "assay/terminal.h"
#include "assay/verify.h"
#include "common.h"
#include "render.h"

namespace assay::cli {
namespace {

struct InspectOptions {
  std::string input;
  PolicyOptions policy;
  std::string format = "text";
  std::string fail_on = "error";
};

int run_inspect(const InspectOptions& o, const Io& io) {
  auto text = read_input_arg(o.input, io.in);
  if (!text) {
    return report_error(io, text.error());
  }
  auto policy = o.policy.build();
  if (!policy) {
    return report_error(io, policy.error());
  }
  auto parsed = parse_input(*text);
  if (!parsed) {
    return report_error(io, parsed.error());
  }
  VerifyOptions vo;
  vo.keyless = true;
  auto report = verify_input(*text, KeySet{}, *policy, vo);
  if (!report) {
    return report_error(io, report.error());
  }
  const Severity fail_on = parse_severity(o.fail_on);
  if (o.format == "json") {
    Json out;
    report_to_json(*report, out, fail_on, parsed->kind, /*inspect=*/true);
    io.out << out.dump(2) << "\n";
  } else {
    const Paint p{io.color};
    io.out << p.bold("assay inspect") << "  " << input_kind_name(parsed->kind) << ", profile "
           << profile_name(report->profile);
    if (report->profile_inferred) {
      io.out << " " << p.dim("(" + terminal_safe(report->profile_reason) + ")");
    }
    io.out << "\n"
           << p.yellow("UNVERIFIED") << "  inspect never checks the signature: run assay verify "
           << "with --cert, --key, --jwks or --pfx\n\n";
    render_decoded_text(*report, io.out, p);
    io.out << "\n";
    render_findings_text(*report, io.out, p);
    io.out << "\n" << findings_summary(*report) << "\n";
  }
  return report->passes(fail_on) ? kExitOk : kExitFindings;
}

}  // namespace

Command add_inspect_command(CLI::App& parent, bool with_options) {
  auto opts = std::make_shared<InspectOptions>();
  CLI::App* app = parent.add_subcommand(
      "inspect",
      "Decode an assertion without a key: header and payload explained, times in UTC and "
      "relative, thumbprints, and every finding that needs no key");
  if (!with_options) {
    return {app, nullptr};
  }
  app->add_option("input", opts->input,
                  "The assertion, a whole form body, or JSON with client_assertion; '-' or "
                  "nothing for stdin, @FILE for a file");
  opts->policy.add_to(*app);
  add_format_option(*app, opts->format);
  app->add_option("--fail-on", opts->fail_on, "Exit 1 on findings at or above: error or warning")
      ->check(CLI::IsMember({"error", "warning"}));
  return {app, [opts](const Io& io) { return run_inspect(*opts, io); }};
}

}  // namespace assay::cli
