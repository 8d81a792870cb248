// assay explain: what an AADSTS code means, its likely causes ranked with the rules that detect
// each, and the next command to run.
#include <memory>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "assay/aadsts.h"
#include "assay/rules.h"
#include "common.h"
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
  const std::string thumb = echoed_thumbprint(target->description);
  if (o.format == "json") {
    Json out = Json::object();
    out["schema"] = 1;
    out["code"] = info->code;
    out["codes"] = target->codes;
    out["name"] = info->name;
    out["error"] = info->error;
    out["http_status"] = info->http_status;
    out["entra_text"] = info->description;
    out["meaning"] = info->meaning;
    Json causes = Json::array();
    for (const AadstsCause& c : info->causes) {
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
    out["next"] = info->next;
    for (const auto& [k, v] : {std::pair<const char*, const std::string*>{"trace_id", &target->trace_id},
                               {"correlation_id", &target->correlation_id},
                               {"timestamp", &target->timestamp},
                               {"note", &target->note}}) {
      if (!v->empty()) {
        out[k] = *v;
      }
    }
    if (!thumb.empty()) {
      out["thumbprint_used_by_client"] = thumb;
    }
    if (info->modern_code != 0) {
      out["modern_code"] = info->modern_code;
    }
    io.out << out.dump(2) << "\n";
    return kExitOk;
  }
  const Paint p{io.color};
  io.out << p.bold("AADSTS" + std::to_string(info->code)) << "  " << info->error << " (HTTP "
         << info->http_status << ")" << (info->name.empty() ? "" : "  " + p.dim(std::string(info->name)))
         << "\n";
  if (!target->note.empty()) {
    io.out << p.dim(target->note) << "\n";
  }
  if (!info->description.empty()) {
    io.out << p.bold("Entra says") << "  " << info->description << "\n";
  }
  io.out << p.bold("meaning") << "     " << info->meaning << "\n";
  if (info->modern_code != 0) {
    io.out << "            today Entra answers AADSTS" << info->modern_code << " instead\n";
  }
  if (!thumb.empty()) {
    io.out << p.bold("thumbprint") << "  the assertion named the certificate " << thumb
           << ": compare it with the SHA-1 of `assay cert show CERT`\n";
  }
  io.out << "\n" << p.bold("likely causes, most likely first") << "\n";
  int n = 1;
  for (const AadstsCause& c : info->causes) {
    io.out << "  " << n++ << ". " << c.text << "\n";
    const auto ids = split_rules(c.rules);
    if (!ids.empty()) {
      std::string list;
      for (const std::string& id : ids) {
        const RuleInfo* r = find_rule(id);
        list += (list.empty() ? "" : ", ") + id + (r != nullptr ? " " + std::string(r->name) : "");
      }
      io.out << "     " << p.dim("detected by " + list) << "\n";
    }
  }
  io.out << "\n" << p.bold("next") << "  " << info->next << "\n";
  if (!target->trace_id.empty() || !target->correlation_id.empty()) {
    io.out << p.dim("trace " + target->trace_id + "  correlation " + target->correlation_id +
                    (target->timestamp.empty() ? "" : "  at " + target->timestamp))
           << "\n";
  }
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
  return {app, [opts](const Io& io) { return run_explain(*opts, io); }};
}

}  // namespace assay::cli
