#include "render.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "assay/base64url.h"
#include "assay/rules.h"
#include "assay/terminal.h"
#include "assay/timefmt.h"
#include "assay/version.h"

namespace assay::cli {

std::string Paint::wrap(std::string_view code, std::string_view s) const {
  if (!on) {
    return std::string(s);
  }
  return "\x1b[" + std::string(code) + "m" + std::string(s) + "\x1b[0m";
}

std::string Paint::severity(Severity s, std::string_view text) const {
  switch (s) {
    case Severity::kError:
      return red(text);
    case Severity::kWarning:
      return yellow(text);
    case Severity::kInfo:
      return cyan(text);
    case Severity::kOff:
      break;
  }
  return std::string(text);
}

void finding_to_json(const Finding& f, Json& out) {
  out = Json::object();
  const RuleInfo* r = find_rule(f.rule_id);
  out["rule"] = f.rule_id;
  out["name"] = r != nullptr ? r->name : "";
  out["severity"] = severity_name(f.severity);
  out["message"] = f.message;
  out["hint"] = f.hint;
  out["pointer"] = f.pointer;
  out["ref"] = r != nullptr ? r->ref : "";
  if (r != nullptr && r->aadsts != 0) {
    out["aadsts"] = r->aadsts;
  }
}

namespace {

Json findings_json(const Report& r) {
  Json arr = Json::array();
  for (const Finding& f : r.findings) {
    Json j;
    finding_to_json(f, j);
    arr.push_back(std::move(j));
  }
  return arr;
}

Json signature_json(const Report& r) {
  Json s = Json::object();
  s["verified"] = r.signature.verified;
  s["checked"] = r.signature.checked;
  s["alg"] = r.signature.alg;
  s["status"] = r.signature.status.empty() ? "not-checked" : r.signature.status;
  if (!r.signature.key.empty()) {
    s["key"] = r.signature.key;
  }
  return s;
}

}  // namespace

void report_to_json(const Report& r, Json& out, Severity fail_on, InputKind input, bool inspect) {
  out = Json::object();
  out["schema"] = kReportSchemaVersion;
  out["tool"] = std::string("assay ") + std::string(version());
  out["command"] = inspect ? "inspect" : "verify";
  out["valid"] = !inspect && r.passes(fail_on);
  out["fail_on"] = severity_name(fail_on);
  out["input"] = input_kind_name(input);
  out["profile"] = profile_name(r.profile);
  out["profile_inferred"] = r.profile_inferred;
  if (!r.profile_reason.empty()) {
    out["profile_reason"] = r.profile_reason;
  }
  out["now"] = format_rfc3339(r.now);
  out["skew_seconds"] = r.skew.count();
  Json expected = Json::object();
  expected["client_id"] = r.expected_client_id.empty() ? Json() : Json(r.expected_client_id);
  expected["audience"] = r.expected_audience.empty() ? Json() : Json(r.expected_audience);
  if (r.profile == Profile::kEntra) {
    expected["endpoint"] = entra_endpoint_name(r.endpoint);
  }
  out["expected"] = std::move(expected);
  out["header"] = r.assertion ? r.assertion->header() : Json();
  out["payload"] = r.assertion ? r.assertion->payload() : Json();
  out["signature"] = signature_json(r);
  out["findings"] = findings_json(r);
  Json counts = Json::object();
  for (Severity s : {Severity::kError, Severity::kWarning, Severity::kInfo}) {
    counts[std::string(severity_name(s))] =
        std::count_if(r.findings.begin(), r.findings.end(), [&](const Finding& f) { return f.severity == s; });
  }
  out["counts"] = std::move(counts);
}

void report_to_batch_json(const Report& r, size_t line, Json& out, Severity fail_on) {
  out = Json::object();
  out["line"] = line;
  out["valid"] = r.passes(fail_on);
  out["profile"] = profile_name(r.profile);
  out["signature"] = signature_json(r);
  out["findings"] = findings_json(r);
}

namespace {

// Appends `s` as a JSON string, byte for byte as nlohmann's dump() writes it: printable ASCII
// without '"' and '\\' (nearly every value) directly, anything else through nlohmann.
void append_json_string(std::string& out, std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') {
      out += Json(std::string(s)).dump();
      return;
    }
  }
  out += '"';
  out += s;
  out += '"';
}

void append_member(std::string& out, std::string_view name) {
  out += '"';
  out += name;
  out += "\":";
}

}  // namespace

void append_batch_line(const Report& r, size_t line, Severity fail_on, std::string& out) {
  // Member order and values as in report_to_batch_json, signature_json and finding_to_json.
  out += "{\"line\":";
  out += std::to_string(line);
  out += r.passes(fail_on) ? ",\"valid\":true" : ",\"valid\":false";
  out += ",\"profile\":";
  append_json_string(out, profile_name(r.profile));
  out += r.signature.verified ? ",\"signature\":{\"verified\":true" : ",\"signature\":{\"verified\":false";
  out += r.signature.checked ? ",\"checked\":true,\"alg\":" : ",\"checked\":false,\"alg\":";
  append_json_string(out, r.signature.alg);
  out += ",\"status\":";
  append_json_string(out, r.signature.status.empty() ? "not-checked" : r.signature.status);
  if (!r.signature.key.empty()) {
    out += ",\"key\":";
    append_json_string(out, r.signature.key);
  }
  out += "},\"findings\":[";
  for (size_t i = 0; i < r.findings.size(); ++i) {
    const Finding& f = r.findings[i];
    const RuleInfo* info = find_rule(f.rule_id);
    out += i == 0 ? "{" : ",{";
    append_member(out, "rule");
    append_json_string(out, f.rule_id);
    out += ',';
    append_member(out, "name");
    append_json_string(out, info != nullptr ? info->name : "");
    out += ',';
    append_member(out, "severity");
    append_json_string(out, severity_name(f.severity));
    out += ',';
    append_member(out, "message");
    append_json_string(out, f.message);
    out += ',';
    append_member(out, "hint");
    append_json_string(out, f.hint);
    out += ',';
    append_member(out, "pointer");
    append_json_string(out, f.pointer);
    out += ',';
    append_member(out, "ref");
    append_json_string(out, info != nullptr ? info->ref : "");
    if (info != nullptr && info->aadsts != 0) {
      out += ',';
      append_member(out, "aadsts");
      out += std::to_string(info->aadsts);
    }
    out += '}';
  }
  out += "]}";
}

void append_batch_error_line(size_t line, std::string_view message, std::string& out) {
  out += "{\"line\":";
  out += std::to_string(line);
  out += ",\"valid\":false,\"error\":";
  append_json_string(out, message);
  out += '}';
}

void append_batch_text(const Report& r, size_t line, Severity fail_on, const Paint& p,
                       std::string& out) {
  out += "line " + std::to_string(line) + ": ";
  out += r.passes(fail_on) ? p.green("VALID") : p.red("INVALID");
  out += "  " + findings_summary(r);
  for (size_t i = 0; i < r.findings.size(); ++i) {
    const Finding& f = r.findings[i];
    const RuleInfo* info = find_rule(f.rule_id);
    out += i == 0 ? ": " : ", ";
    out += p.severity(f.severity, f.rule_id);
    if (info != nullptr) {
      out += " " + std::string(info->name);
    }
  }
}

void append_batch_error_text(size_t line, std::string_view message, const Paint& p,
                             std::string& out) {
  out += "line " + std::to_string(line) + ": " + p.red("INVALID") + "  ";
  out += message;
}

std::string findings_summary(const Report& r) {
  size_t e = 0, w = 0, i = 0;
  for (const Finding& f : r.findings) {
    (f.severity == Severity::kError ? e : f.severity == Severity::kWarning ? w : i)++;
  }
  if (e + w + i == 0) {
    return "no findings";
  }
  std::string out;
  auto add = [&](size_t n, const char* one, const char* many) {
    if (n > 0) {
      out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + (n == 1 ? one : many);
    }
  };
  add(e, "error", "errors");
  add(w, "warning", "warnings");
  add(i, "note", "notes");
  return out;
}

namespace {

// A JSON value's text, escaped for the terminal (JSON leaves DEL and C1 controls raw) and cut
// to `max` columns at a character boundary.
std::string shorten(const std::string& json_text, size_t max = 100) {
  std::string s = terminal_safe(json_text);
  if (terminal_width(s) <= max) {
    return s;
  }
  const size_t n = s.size();
  return std::string(terminal_prefix(s, max)) + "... (" + std::to_string(n) + " chars)";
}

std::string time_note(const Json& v, Seconds now, const Paint& p) {
  double t = 0;
  if (v.is_number()) {
    t = v.get<double>();
  } else if (v.is_string()) {
    t = std::strtod(v.get<std::string>().c_str(), nullptr);
  } else {
    return {};
  }
  if (!(t > 0) || t > 253402300799.0) {
    return {};
  }
  const Seconds at{std::chrono::seconds{static_cast<int64_t>(std::floor(t))}};
  return "  " + p.dim(format_rfc3339(at) + "  (" + format_relative(at, now) + ")");
}

std::string thumbprint_note(const Json& v, size_t want, const Paint& p) {
  if (!v.is_string()) {
    return {};
  }
  auto b = base64url_decode_lenient(v.get<std::string>());
  if (!b) {
    return {};
  }
  if (b->bytes.size() != want) {
    return "  " + p.dim("(" + std::to_string(b->bytes.size()) + " bytes)");
  }
  return "  " + p.dim((want == 20 ? "SHA-1 " : "SHA-256 ") + hex_upper(b->bytes));
}

void render_object(const Json& obj, const char* title, Seconds now, std::ostream& os,
                   const Paint& p, bool header) {
  os << p.bold(title) << "\n";
  if (!obj.is_object()) {
    os << "  " << p.dim(obj.is_null() ? "(not decodable)" : shorten(obj.dump())) << "\n";
    return;
  }
  // Member names are the token's bytes: escaped, and aligned by the columns they take.
  size_t width = 0;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    width = std::max(width, terminal_width(terminal_safe(it.key())));
  }
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string& k = it.key();
    const std::string shown = terminal_safe(k);
    const Json& v = it.value();
    std::string line =
        "  " + shown + std::string(width - terminal_width(shown) + 2, ' ') + shorten(v.dump());
    if (!header && (k == "exp" || k == "nbf" || k == "iat")) {
      line += time_note(v, now, p);
    } else if (header && k == "x5t") {
      line += thumbprint_note(v, 20, p);
    } else if (header && k == "x5t#S256") {
      line += thumbprint_note(v, 32, p);
    }
    os << line << "\n";
  }
}

int64_t number_or(const Json& obj, const char* name, int64_t fallback) {
  if (!obj.is_object() || !obj.contains(name)) {
    return fallback;
  }
  const Json& v = obj[name];
  if (v.is_number()) {
    return static_cast<int64_t>(std::floor(v.get<double>()));
  }
  if (v.is_string()) {
    return std::strtoll(v.get<std::string>().c_str(), nullptr, 10);
  }
  return fallback;
}

}  // namespace

void render_decoded_text(const Report& r, std::ostream& os, const Paint& p) {
  if (!r.assertion) {
    return;
  }
  const Assertion& a = *r.assertion;
  render_object(a.header(), "header", r.now, os, p, true);
  render_object(a.payload(), "payload", r.now, os, p, false);
  const Json& pl = a.payload();
  const int64_t exp = number_or(pl, "exp", 0);
  const int64_t start = number_or(pl, "nbf", number_or(pl, "iat", 0));
  if (exp > 0 && start > 0 && exp > start) {
    const Seconds s{std::chrono::seconds{start}};
    const Seconds e{std::chrono::seconds{exp}};
    std::string state;
    if (r.now < s) {
      state = "not yet valid, starts " + format_relative(s, r.now);
    } else if (r.now >= e) {
      state = "expired " + format_relative(e, r.now);
    } else {
      state = "valid now, expires " + format_relative(e, r.now);
    }
    os << p.bold("lifetime") << "  " << format_duration(e - s) << ": " << format_rfc3339(s) << " to "
       << format_rfc3339(e) << "  " << p.dim("(" + state + ")") << "\n";
  }
  os << p.bold("signature") << " " << a.signature_bytes().size() << " bytes";
  if (!r.signature.checked) {
    os << ", " << p.yellow("not verified");
  } else if (r.signature.verified) {
    os << ", " << p.green("verified") << " with " << terminal_safe(r.signature.key);
  } else {
    os << ", " << p.red("does not verify") << " (" << terminal_safe(r.signature.status) << ") with "
       << terminal_safe(r.signature.key);
  }
  os << "\n";
}

void render_findings_text(const Report& r, std::ostream& os, const Paint& p) {
  os << p.bold("findings") << " " << p.dim("(profile " + std::string(profile_name(r.profile)) +
                                           ", now " + format_rfc3339(r.now) + ", clock skew " +
                                           std::to_string(r.skew.count()) + " s)")
     << "\n";
  if (r.findings.empty()) {
    os << "  " << p.green("none") << "\n";
    return;
  }
  for (const Finding& f : r.findings) {
    render_finding_text(f, os, p);
  }
}

void render_finding_text(const Finding& f, std::ostream& os, const Paint& p) {
  const RuleInfo* info = find_rule(f.rule_id);
  std::string sev(severity_name(f.severity));
  sev.resize(7, ' ');
  os << "  " << p.severity(f.severity, sev) << " " << p.bold(f.rule_id) << " "
     << (info != nullptr ? info->name : "")
     << (f.pointer.empty() ? "" : "  " + p.dim(terminal_safe(f.pointer))) << "\n";
  // Messages, hints and pointers quote the token's and the request's own bytes.
  os << "          " << terminal_safe(f.message) << "\n";
  if (!f.hint.empty()) {
    os << "          " << p.cyan("fix:") << " " << terminal_safe(f.hint) << "\n";
  }
  if (info != nullptr) {
    std::string ref = std::string(info->ref);
    if (info->aadsts != 0) {
      ref += " · Entra answers AADSTS" + std::to_string(info->aadsts);
    }
    os << "          " << p.dim("ref: " + ref) << "\n";
  }
}

}  // namespace assay::cli
