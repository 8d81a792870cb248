// assay explain: what an AADSTS code means, its likely causes ranked with the rules that detect
// each, and the next command to run.
#include <memory>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "assay/aadsts.h"
#include "assay/rules.h"
#include "assay/terminal.h"
#include "common.h"
#include "explain.h"
#include "render.h"

namespace assay::cli {
namespace {

struct ExplainOptions {
  std::string input;
  std::string format = "text";
};

std::vector<std::string> split_rules(std::string_view s) {
  std::vector<std::string> out;
  std::istringstream is{std::string(s)};
  std::string id;
  while (is >> id) {
    out.push_back(id);
  }
  return out;
}

// The thumbprint Entra echoes in AADSTS700027 ("Thumbprint of key used by client: 'HEX'").
std::string echoed_thumbprint(const std::string& description) {
  const std::string label = "Thumbprint of key used by client: '";
  const size_t p = description.find(label);
  if (p == std::string::npos) {
    return {};
  }
  const size_t start = p + label.size();
  const size_t end = description.find('\'', start);
  return end == std::string::npos ? std::string() : description.substr(start, end - start);
}

}  // namespace

void explanation_to_json(const ExplainTarget& t, const AadstsInfo& info, Json& out) {
  const std::string thumb = echoed_thumbprint(t.description);
  out = Json::object();
  out["schema"] = 1;
  out["code"] = info.code;
  out["codes"] = t.codes;
  out["name"] = info.name;
  out["error"] = info.error;
  out["http_status"] = info.http_status;
  out["entra_text"] = info.description;
  out["meaning"] = info.meaning;
  Json causes = Json::array();
  for (const AadstsCause& c : info.causes) {
    Json cj = Json::object();
    cj["cause"] = c.text;
    Json rules = Json::array();
    for (const std::string& id : split_rules(c.rules)) {
      const RuleInfo* r = find_rule(id);
      Json rj = Json::object();
      rj["rule"] = id;
      rj["name"] = r != nullptr ? r->name : "";
      rules.push_back(rj);
    }
    cj["rules"] = rules;
    causes.push_back(cj);
  }
  out["causes"] = causes;
  out["next"] = info.next;
  for (const auto& [k, v] : {std::pair<const char*, const std::string*>{"trace_id", &t.trace_id},
                             {"correlation_id", &t.correlation_id},
                             {"timestamp", &t.timestamp},
                             {"note", &t.note}}) {
    if (!v->empty()) {
      out[k] = *v;
    }
  }
  if (!thumb.empty()) {
    out["thumbprint_used_by_client"] = thumb;
  }
  if (info.modern_code != 0) {
    out["modern_code"] = info.modern_code;
  }
}

void print_explanation(const ExplainTarget& t, const AadstsInfo& info, std::ostream& os, const Paint& p) {
  // The note, ids, time and thumbprint come from the pasted text or the server's answer.
  const std::string thumb = terminal_safe(echoed_thumbprint(t.description));
  os << p.bold("AADSTS" + std::to_string(info.code)) << "  " << info.error << " (HTTP "
     << info.http_status << ")" << (info.name.empty() ? "" : "  " + p.dim(std::string(info.name)))
     << "\n";
  if (!t.note.empty()) {
    os << p.dim(terminal_safe(t.note)) << "\n";
  }
  if (!info.description.empty()) {
    os << p.bold("Entra says") << "  " << info.description << "\n";
  }
  os << p.bold("meaning") << "     " << info.meaning << "\n";
  if (info.modern_code != 0) {
    os << "            today Entra answers AADSTS" << info.modern_code << " instead\n";
  }
  if (!thumb.empty()) {
    // Entra echoes the decoded x5t#S256 (64 hex digits) or x5t (40), whichever it used.
    const std::string kind = thumb.size() == 64   ? "SHA-256"
                             : thumb.size() == 40 ? "SHA-1"
                                                  : "thumbprints";
    os << p.bold("thumbprint") << "  the assertion named the certificate " << thumb
       << ": compare it with the " << kind << " of `assay cert show CERT`\n";
  }
  os << "\n" << p.bold("likely causes, most likely first") << "\n";
  int n = 1;
  for (const AadstsCause& c : info.causes) {
    os << "  " << n++ << ". " << c.text << "\n";
    const auto ids = split_rules(c.rules);
    if (!ids.empty()) {
      std::string list;
      for (const std::string& id : ids) {
        const RuleInfo* r = find_rule(id);
        list += (list.empty() ? "" : ", ") + id + (r != nullptr ? " " + std::string(r->name) : "");
      }
      os << "     " << p.dim("detected by " + list) << "\n";
    }
  }
  os << "\n" << p.bold("next") << "  " << info.next << "\n";
  if (!t.trace_id.empty() || !t.correlation_id.empty()) {
    os << p.dim("trace " + terminal_safe(t.trace_id) + "  correlation " +
                terminal_safe(t.correlation_id) +
                (t.timestamp.empty() ? "" : "  at " + terminal_safe(t.timestamp)))
       << "\n";
  }
}

namespace {

int run_explain(const ExplainOptions& o, const Io& io) {
  auto text = read_input_arg(o.input, io.in);
  if (!text) {
    return report_error(io, text.error());
  }
  auto target = parse_explain_input(*text);
  if (!target) {
    return report_error(io, target.error());
  }
  const AadstsInfo* info = find_aadsts(target->primary);
  if (info == nullptr) {
    return report_error(io, Error{ErrorCode::kInvalidArgument, "",
                                  "AADSTS" + std::to_string(target->primary) +
                                      " is not in assay's catalogue; see https://login.microsoftonline.com/error?code=" +
                                      std::to_string(target->primary),
                                  ""});
  }
  if (o.format == "json") {
    Json out;
    explanation_to_json(*target, *info, out);
    io.out << out.dump(2) << "\n";
    return kExitOk;
  }
  print_explanation(*target, *info, io.out, Paint{io.color});
  return kExitOk;
}

}  // namespace

Command add_explain_command(CLI::App& parent, bool with_options) {
  auto opts = std::make_shared<ExplainOptions>();
  CLI::App* app = parent.add_subcommand(
      "explain",
      "Explain an Entra error: AADSTS700027, 700027, @error.json (the token endpoint's JSON "
      "response), its error_description text, or '-' for stdin");
  if (!with_options) {
    return {app, nullptr};
  }
  app->add_option("input", opts->input, "The code, text or JSON; '-' or nothing for stdin, @FILE");
  add_format_option(*app, opts->format);
  app->footer(
      "Exit codes: 0 explained; 1 the code is not in assay's catalogue; 2 usage error (no AADSTS "
      "code in the input); 3 runtime error (@FILE or stdin unreadable).");
  return {app, [opts](const Io& io) { return run_explain(*opts, io); }};
}

}  // namespace assay::cli
