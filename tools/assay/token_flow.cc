#include "token_flow.h"

#include <nlohmann/json.hpp>

#include "assay/aadsts.h"
#include "assay/file.h"
#include "assay/terminal.h"
#include "assay/verify.h"
#include "common.h"
#include "explain.h"
#include "render.h"

namespace assay::cli {
namespace {

// Verifies the assertion that was sent, as Entra would see it at `url`.
Result<Report> verify_sent(const TokenOutcome& t) {
  KeySet ks;
  if (t.request.signer.certificate) {
    ks.certificates.push_back(*t.request.signer.certificate);
  }
  ks.private_key = t.request.signer.key;
  PolicyBuilder b;
  b.profile(Profile::kEntra).expect_client_id(t.request.spec.client_id).expect_audience(t.url);
  ASSAY_ASSIGN_OR_RETURN(auto policy, b.build());
  const std::string body = form_body(t.request.form);
  return verify_input(body, ks, policy);
}

std::string member_string(const Json& j, const char* name) {
  if (!j.is_object() || !j.contains(name) || !j[name].is_string()) {
    return {};
  }
  return j[name].get<std::string>();
}

}  // namespace

Result<TokenOutcome> request_token(const AssertionOptions& a, const HttpOptions& h,
                                   const std::string& token_endpoint, const Io& io,
                                   const std::string& save_assertion) {
  TokenOutcome t;
  AssertionOptions opts = a;
  if (!token_endpoint.empty()) {
    ASSAY_TRY(check_http_url(token_endpoint, "--token-endpoint"));
    if (opts.aud.empty() && opts.tenant.empty()) {
      opts.aud = token_endpoint;  // RFC 7523 §3: aud identifies the server; Entra: its endpoint
    }
  } else if (opts.aud.empty() && opts.tenant.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "give --tenant (with --endpoint), --aud or --token-endpoint");
  }
  ASSAY_ASSIGN_OR_RETURN(t.request, build_request(opts, io.in));
  if (!save_assertion.empty()) {
    ASSAY_TRY(write_file_atomic(save_assertion, t.request.assertion.token + "\n", 0600));
  }
  t.url = token_endpoint.empty() ? t.request.token_endpoint : token_endpoint;
  if (h.insecure) {
    warn_insecure(io.err);
  }
  const Headers headers = {{"Accept", "application/json"},
                           {"client-request-id", random_uuid()},
                           {"User-Agent", "assay"}};
  ASSAY_ASSIGN_OR_RETURN(t.response,
                         http_post_form(t.url, form_body(t.request.form), headers, h, io.err));
  parse_json_strict(t.response.body, t.body, {}, /*require_object=*/false);
  t.access_token = member_string(t.body, "access_token");
  t.ok = t.response.status == 200 && !t.access_token.empty();
  return t;
}

void print_token_failure(const TokenOutcome& t, const Io& io) {
  // Everything below but assay's own words comes from the server: shown through terminal_safe.
  const Paint p{io.color};
  io.out << p.red("FAILED") << "  POST " << terminal_safe(t.url) << " answered HTTP "
         << t.response.status;
  if (t.response.attempts > 1) {
    io.out << " after " << t.response.attempts << " attempts";
  }
  io.out << "\n";
  const std::string error = member_string(t.body, "error");
  const std::string description = member_string(t.body, "error_description");
  if (!error.empty()) {
    io.out << p.bold("error") << "          " << terminal_safe(error) << "\n";
  }
  if (!description.empty()) {
    io.out << p.bold("description") << "    "
           << terminal_safe(description.substr(0, description.find("\r\n"))) << "\n";
  }
  for (const char* id : {"trace_id", "correlation_id", "timestamp"}) {
    const std::string v = member_string(t.body, id);
    if (!v.empty()) {
      const size_t len = std::string_view(id).size();
      io.out << p.bold(id) << std::string(len < 15 ? 15 - len : 1, ' ') << terminal_safe(v) << "\n";
    }
  }
  if (t.body.is_null() && !t.response.body.empty()) {
    const std::string body = terminal_safe(t.response.body);
    io.out << p.bold("body") << "           " << terminal_prefix(body, 300) << "\n";
  }
  io.out << "\n";
  auto target = parse_explain_input(t.response.body);
  if (target) {
    if (const AadstsInfo* info = find_aadsts(target->primary)) {
      print_explanation(*target, *info, io.out, p);
      io.out << "\n";
    }
  }
  auto report = verify_sent(t);
  if (report) {
    io.out << p.bold("the assertion that was sent") << " "
           << p.dim("(checked by assay as Entra would see it)") << "\n";
    render_findings_text(*report, io.out, p);
    io.out << "signature: "
           << terminal_safe(report->signature.verified ? "verifies with " + report->signature.key
                                                       : report->signature.status)
           << "\n";
  }
}

void token_failure_json(const TokenOutcome& t, Json& out) {
  out["error"] = member_string(t.body, "error");
  out["error_description"] = member_string(t.body, "error_description");
  out["trace_id"] = member_string(t.body, "trace_id");
  out["correlation_id"] = member_string(t.body, "correlation_id");
  auto target = parse_explain_input(t.response.body);
  if (target) {
    out["aadsts"] = target->codes;
    if (const AadstsInfo* info = find_aadsts(target->primary)) {
      Json e;
      explanation_to_json(*target, *info, e);
      out["explanation"] = e;
    }
  }
  auto report = verify_sent(t);
  if (report) {
    Json arr = Json::array();
    for (const Finding& f : report->findings) {
      Json j;
      finding_to_json(f, j);
      arr.push_back(j);
    }
    out["assertion_findings"] = arr;
  }
}

}  // namespace assay::cli
