// assay verify: every rule, with the key material the verifier trusts; the contract scripts and
// CI rely on (exit codes, JSON schema, NDJSON batch mode).
#include <algorithm>
#include <atomic>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "assay/request.h"
#include "assay/verify.h"
#include "common.h"
#include "render.h"

namespace assay::cli {
namespace {

struct VerifyCmdOptions {
  std::string input;
  KeyOptions keys;
  PolicyOptions policy;
  std::string format = "text";
  std::string fail_on = "error";
  std::string batch;
  unsigned jobs = 0;
};

void render_text(const Report& r, InputKind kind, Severity fail_on, const Io& io) {
  const Paint p{io.color};
  const bool ok = r.passes(fail_on);
  io.out << (ok ? p.green("VALID") : p.red("INVALID")) << "  " << findings_summary(r) << "\n";
  io.out << p.bold("profile") << "    " << profile_name(r.profile);
  if (r.profile_inferred) {
    io.out << " " << p.dim("(" + r.profile_reason + ")");
  }
  io.out << "\n" << p.bold("input") << "      " << input_kind_name(kind) << "\n";
  io.out << p.bold("expected") << "   client "
         << (r.expected_client_id.empty() ? p.dim("(not given)") : r.expected_client_id) << ", aud "
         << (r.expected_audience.empty() ? p.dim("(not given: aud value not compared)") : r.expected_audience);
  if (r.profile == Profile::kEntra && r.endpoint != EntraEndpoint::kUnknown) {
    io.out << " (" << entra_endpoint_name(r.endpoint) << ")";
  }
  io.out << "\n\n";
  render_decoded_text(r, io.out, p);
  io.out << "\n";
  render_findings_text(r, io.out, p);
}

int run_batch(const VerifyCmdOptions& o, const KeySet& ks, const Policy& policy, Severity fail_on,
              const Io& io) {
  std::unique_ptr<std::istream> file;
  std::istream* in = &io.in;
  if (o.batch != "-") {
    auto f = std::make_unique<std::ifstream>(o.batch, std::ios::binary);
    if (!*f) {
      return report_error(io, Error{ErrorCode::kIo, "", o.batch + ": cannot open", ""});
    }
    file = std::move(f);
    in = file.get();
  }
  const unsigned jobs = o.jobs > 0 ? o.jobs : std::max(1U, std::thread::hardware_concurrency());
  constexpr size_t kBlock = 4096;
  std::vector<std::string> lines;
  std::vector<std::string> outputs;
  lines.reserve(kBlock);
  outputs.resize(kBlock);
  size_t line_no = 0;
  bool any_invalid = false;
  std::atomic<bool> invalid_seen{false};
  std::string line;
  bool eof = false;
  while (!eof) {
    lines.clear();
    while (lines.size() < kBlock) {
      if (!std::getline(*in, line)) {
        eof = true;
        break;
      }
      lines.push_back(line);
    }
    if (lines.empty()) {
      break;
    }
    std::atomic<size_t> next{0};
    auto worker = [&] {
      Json obj;
      for (size_t i = next.fetch_add(1); i < lines.size(); i = next.fetch_add(1)) {
        const size_t n = line_no + i + 1;
        auto r = verify_input(lines[i], ks, policy);
        if (!r) {
          obj = Json::object();
          obj["line"] = n;
          obj["valid"] = false;
          obj["error"] = r.error().message;
          invalid_seen = true;
        } else {
          report_to_batch_json(*r, n, obj, fail_on);
          if (!r->passes(fail_on)) {
            invalid_seen = true;
          }
        }
        outputs[i] = obj.dump();
      }
    };
    if (jobs == 1 || lines.size() < 64) {
      worker();
    } else {
      std::vector<std::thread> threads;
      for (unsigned t = 0; t < jobs; ++t) {
        threads.emplace_back(worker);
      }
      for (auto& t : threads) {
        t.join();
      }
    }
    for (size_t i = 0; i < lines.size(); ++i) {
      io.out << outputs[i] << '\n';
    }
    line_no += lines.size();
  }
  io.out.flush();
  any_invalid = invalid_seen;
  return any_invalid ? kExitFindings : kExitOk;
}

int run_verify(const VerifyCmdOptions& o, const Io& io) {
  auto policy = o.policy.build();
  if (!policy) {
    return report_error(io, policy.error());
  }
  auto ks = o.keys.load_keyset(io.in);
  if (!ks) {
    return report_error(io, ks.error());
  }
  const Severity fail_on = parse_severity(o.fail_on);
  if (!o.batch.empty()) {
    return run_batch(o, *ks, *policy, fail_on, io);
  }
  auto text = read_input_arg(o.input, io.in);
  if (!text) {
    return report_error(io, text.error());
  }
  auto parsed = parse_input(*text);
  if (!parsed) {
    return report_error(io, parsed.error());
  }
  auto report = verify_input(*text, *ks, *policy);
  if (!report) {
    return report_error(io, report.error());
  }
  if (o.format == "json") {
    Json out;
    report_to_json(*report, out, fail_on, parsed->kind, /*inspect=*/false);
    io.out << out.dump(2) << "\n";
  } else {
    render_text(*report, parsed->kind, fail_on, io);
  }
  return report->passes(fail_on) ? kExitOk : kExitFindings;
}

}  // namespace

Command add_verify_command(CLI::App& parent) {
  auto opts = std::make_shared<VerifyCmdOptions>();
  CLI::App* app = parent.add_subcommand(
      "verify",
      "Check an assertion against every rule, with the key material you trust, and say exactly "
      "what Entra or another token endpoint would reject");
  app->add_option("input", opts->input,
                  "The assertion, a whole form body, or JSON with client_assertion; '-' or "
                  "nothing for stdin, @FILE for a file");
  opts->keys.add_to(*app, /*for_signing=*/false);
  opts->policy.add_to(*app);
  add_format_option(*app, opts->format);
  app->add_option("--fail-on", opts->fail_on, "Exit 1 on findings at or above: error or warning")
      ->check(CLI::IsMember({"error", "warning"}));
  auto* batch = app->add_option("--batch", opts->batch,
                                "Verify one input per line of FILE ('-' for stdin); writes one JSON "
                                "object per line (NDJSON), in input order");
  app->add_option("--jobs", opts->jobs, "Threads for --batch (default: all cores)")->needs(batch);
  app->footer(
      "Exit codes: 0 no finding at or above --fail-on; 1 findings (or, with --batch, any input "
      "with findings); 2 usage error; 3 runtime error (unreadable file or key).\n"
      "JSON output schema: docs/json-output.md.");
  return {app, [opts](const Io& io) { return run_verify(*opts, io); }};
}

}  // namespace assay::cli
