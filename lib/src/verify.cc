// The rules engine: profile, clock and expectations are settled here, then every rule module
// runs, and the findings are sorted.
#include "assay/verify.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "assay/rules.h"
#include "json_util.h"
#include "request_internal.h"
#include "rules/context.h"

namespace assay {
namespace internal {

bool RuleContext::applies(std::string_view rule_id) const {
  const RuleInfo* r = find_rule(rule_id);
  return r != nullptr && r->severity_for(profile) != Severity::kOff;
}

void RuleContext::emit(std::string_view rule_id, std::string message, std::string pointer,
                       std::string hint) {
  const RuleInfo* r = find_rule(rule_id);
  if (r == nullptr) {
    return;  // a bug; the registry test keeps emitted IDs registered
  }
  const Severity s = r->severity_for(profile);
  if (s == Severity::kOff) {
    return;
  }
  Finding f;
  f.rule_id = std::string(r->id);
  f.severity = s;
  f.message = std::move(message);
  f.hint = hint.empty() ? std::string(r->hint) : std::move(hint);
  f.pointer = std::move(pointer);
  findings.push_back(std::move(f));
}

std::string quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

std::string time_phrase(int64_t epoch, Seconds now) {
  const Seconds t{std::chrono::seconds{epoch}};
  std::string rel;
  if (t < now) {
    rel = format_duration(now - t) + " before now";
  } else if (t > now) {
    rel = format_duration(t - now) + " after now";
  } else {
    rel = "exactly now";
  }
  return std::to_string(epoch) + " (" + format_rfc3339(epoch) + ") is " + rel;
}

bool is_guid(std::string_view s) {
  if (s.size() != 36) {
    return false;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const char c = s[i];
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (dash ? c != '-' : !hex) {
      return false;
    }
  }
  return true;
}

}  // namespace internal

namespace {

std::string aud_of(const Assertion& a) {
  const Json* aud = internal::member(a.payload(), "aud");
  if (aud == nullptr) {
    return {};
  }
  if (aud->is_string()) {
    return aud->get<std::string>();
  }
  const Json::array_t* arr = internal::elements(*aud);
  if (arr != nullptr && !arr->empty() && arr->front().is_string()) {
    return arr->front().get<std::string>();
  }
  return {};
}

std::string host_of(std::string_view url) {
  const size_t s = url.find("://");
  if (s == std::string_view::npos) {
    return {};
  }
  std::string_view rest = url.substr(s + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  rest = rest.substr(0, rest.rfind(':') == std::string_view::npos ? rest.size() : rest.rfind(':'));
  std::string h(rest);
  std::transform(h.begin(), h.end(), h.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return h;
}

// The path of `url` as segments, when it has no query or fragment; nullopt otherwise.
std::optional<std::vector<std::string_view>> path_segments(std::string_view url) {
  const size_t s = url.find("://");
  if (s == std::string_view::npos || url.find_first_of("?#") != std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view path = url.substr(s + 3);
  const size_t slash = path.find('/');
  path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  std::vector<std::string_view> out;
  while (!path.empty()) {
    const size_t end = std::min(path.find('/'), path.size());
    out.push_back(path.substr(0, end));
    path.remove_prefix(std::min(end + 1, path.size()));
  }
  return out;
}

// A tenant as Entra's paths name it: a GUID, a domain name, or common/organizations/consumers
// (wrong in an assertion, CLM014, but still Entra's shape).
bool looks_like_tenant(std::string_view t) {
  if (internal::is_guid(t) || t == "common" || t == "organizations" || t == "consumers") {
    return true;
  }
  const bool chars = !t.empty() && std::all_of(t.begin(), t.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.';
  });
  return chars && t.find('.') != std::string_view::npos && t.front() != '.' && t.back() != '.';
}

void pick_profile(const Assertion* a, const Policy& policy, Report& r) {
  if (policy.profile()) {
    r.profile = *policy.profile();
    return;
  }
  r.profile_inferred = true;
  if (policy.tenant() || policy.authority_host() || policy.endpoint() != EntraEndpoint::kUnknown) {
    r.profile = Profile::kEntra;
    r.profile_reason = "picked because a tenant, endpoint or authority host was given";
    return;
  }
  const ProfilePick from_aud = pick_profile_for_audience(a != nullptr ? aud_of(*a) : "");
  if (from_aud.profile == Profile::kEntra || !policy.audience() ||
      pick_profile_for_audience(*policy.audience()).profile != Profile::kEntra) {
    r.profile = from_aud.profile;
    r.profile_reason = from_aud.reason;
  } else {
    r.profile = Profile::kEntra;
    r.profile_reason = "picked because the expected audience is a Microsoft Entra endpoint";
  }
}

EntraEndpoint endpoint_from_url(std::string_view url) {
  if (url.ends_with("/oauth2/v2.0/token")) {
    return EntraEndpoint::kV2;
  }
  if (url.ends_with("/oauth2/token")) {
    return EntraEndpoint::kV1;
  }
  return EntraEndpoint::kUnknown;
}

EntraEndpoint endpoint_from_form(const TokenRequest* req) {
  if (req == nullptr) {
    return EntraEndpoint::kUnknown;
  }
  const bool scope = req->has("scope");
  const bool resource = req->has("resource");
  if (scope && !resource) {
    return EntraEndpoint::kV2;
  }
  if (resource && !scope) {
    return EntraEndpoint::kV1;
  }
  return EntraEndpoint::kUnknown;
}

void settle_expectations(const Assertion& a, const Policy& policy, const TokenRequest* req,
                         Report& r, internal::RuleContext& ctx) {
  if (policy.client_id()) {
    r.expected_client_id = *policy.client_id();
  } else if (req != nullptr) {
    r.expected_client_id = req->get("client_id").value_or("");
  }
  ctx.client_id = r.expected_client_id;
  ctx.endpoint = policy.endpoint();
  if (ctx.endpoint == EntraEndpoint::kUnknown && policy.audience()) {
    ctx.endpoint = endpoint_from_url(*policy.audience());
  }
  if (ctx.endpoint == EntraEndpoint::kUnknown) {
    ctx.endpoint = endpoint_from_form(req);
  }
  r.endpoint = ctx.endpoint;
  switch (r.profile) {
    case Profile::kEntra:
      if (policy.audience()) {
        r.expected_audience = *policy.audience();
      } else if (policy.tenant()) {
        EntraEndpoint e = ctx.endpoint;
        if (e == EntraEndpoint::kUnknown) {
          e = endpoint_from_url(aud_of(a));
        }
        r.expected_audience = entra_token_endpoint(
            policy.authority_host() ? std::string_view(*policy.authority_host()) : kEntraDefaultHost,
            *policy.tenant(), e == EntraEndpoint::kUnknown ? EntraEndpoint::kV2 : e);
      }
      if (!r.expected_audience.empty()) {
        ctx.accept_audience(r.expected_audience);
      }
      break;
    case Profile::kRfc7523:
    case Profile::kOidc:
      for (const auto* v : {&policy.audience(), &policy.token_endpoint(), &policy.issuer()}) {
        if (*v) {
          if (r.expected_audience.empty()) {
            r.expected_audience = **v;
          }
          ctx.accept_audience(**v);
        }
      }
      break;
    case Profile::kRfc7523bis:
      r.expected_audience = policy.issuer().value_or(policy.audience().value_or(""));
      if (!r.expected_audience.empty()) {
        ctx.accept_audience(r.expected_audience);
      }
      if (policy.token_endpoint()) {
        ctx.token_endpoint = *policy.token_endpoint();
      }
      break;
  }
  ctx.expected_audience = r.expected_audience;
}

void finish_clock(const Policy& policy, Report& r) {
  r.now = policy.fixed_now() ? *policy.fixed_now() : now_seconds();
  r.skew = policy.skew().value_or(default_skew(r.profile));
  r.max_lifetime = policy.max_lifetime().value_or(default_max_lifetime(r.profile));
}

// The report for input without a decodable assertion: `cause` (when there is one) is the
// decode failure as a finding, and only the request rules run.
Report report_without_assertion(const Policy& policy, const TokenRequest* req,
                                const Error* cause) {
  Report r;
  pick_profile(nullptr, policy, r);
  finish_clock(policy, r);
  const auto placeholder = decode("e30.e30.");  // {} . {} . (empty signature) for the context
  internal::RuleContext ctx{.assertion = *placeholder,
                            .policy = policy,
                            .profile = r.profile,
                            .now = r.now,
                            .skew = r.skew,
                            .max_lifetime = r.max_lifetime,
                            .keys = nullptr,
                            .request = req,
                            .replay = nullptr,
                            .findings = r.findings,
                            .signature = r.signature};
  settle_expectations(*placeholder, policy, req, r, ctx);
  if (cause != nullptr) {
    ctx.emit(cause->rule_id, cause->message, "");
  }
  internal::check_request(ctx);
  sort_findings(r.findings);
  r.signature.status = "not-checked";
  return r;
}

}  // namespace

ProfilePick pick_profile_for_audience(std::string_view aud) {
  const std::string host = host_of(aud);
  if (host.empty()) {
    return {Profile::kRfc7523, "picked because aud names no host; pass --profile to choose"};
  }
  if (is_entra_host(host)) {
    return {Profile::kEntra, "picked from aud: " + host + " is a Microsoft Entra host"};
  }
  const auto segments = path_segments(aud);
  if (segments && segments->size() >= 3 && looks_like_tenant(segments->front())) {
    const std::vector<std::string_view> rest(segments->begin() + 1, segments->end());
    const bool v1 = rest == std::vector<std::string_view>{"oauth2", "token"};
    const bool v2 = rest == std::vector<std::string_view>{"oauth2", "v2.0", "token"};
    if (v1 || v2) {
      return {Profile::kEntra, "picked from aud: " + host +
                                   " is not a Microsoft host, but the path is an Entra " +
                                   (v1 ? "v1" : "v2") + " token endpoint's"};
    }
  }
  return {Profile::kRfc7523,
          "picked from aud: " + host + " is not a Microsoft Entra host; pass --profile to choose"};
}

Severity Report::max_severity() const {
  Severity m = Severity::kOff;
  for (const Finding& f : findings) {
    m = std::max(m, f.severity);
  }
  return m;
}

bool Report::passes(Severity fail_on) const {
  return std::none_of(findings.begin(), findings.end(),
                      [&](const Finding& f) { return f.severity >= fail_on; });
}

bool Report::has(std::string_view rule_id) const {
  return std::any_of(findings.begin(), findings.end(),
                     [&](const Finding& f) { return f.rule_id == rule_id; });
}

Result<Report> verify(const Assertion& assertion, const KeySet& keys, const Policy& policy,
                      const TokenRequest* request, const VerifyOptions& options) {
  Report r;
  pick_profile(&assertion, policy, r);
  finish_clock(policy, r);
  r.assertion = assertion;
  r.signature.alg = "";
  internal::RuleContext ctx{.assertion = assertion,
                            .policy = policy,
                            .profile = r.profile,
                            .now = r.now,
                            .skew = r.skew,
                            .max_lifetime = r.max_lifetime,
                            .keys = options.keyless ? nullptr : &keys,
                            .request = request,
                            .replay = options.replay,
                            .findings = r.findings,
                            .signature = r.signature};
  settle_expectations(assertion, policy, request, r, ctx);
  for (const Finding& f : assertion.findings()) {
    ctx.emit(f.rule_id, f.message, f.pointer, f.hint);
  }
  internal::check_header(ctx);
  internal::check_claims(ctx);
  internal::check_audience(ctx);
  internal::check_signature_and_keys(ctx);
  internal::check_request(ctx);
  sort_findings(r.findings);
  return r;
}

Result<Report> verify_input(std::string_view input, const KeySet& keys, const Policy& policy,
                            const VerifyOptions& options) {
  ParsedInput parsed;  // not moved: `token` may point into it
  ASSAY_ASSIGN_OR_RETURN(const std::string_view token,
                         internal::parse_input_view(input, options.decode.max_bytes * 4, parsed));
  const TokenRequest* req = parsed.request ? &*parsed.request : nullptr;
  if (token.empty() && req != nullptr) {
    return report_without_assertion(policy, req, nullptr);  // a form without an assertion
  }
  auto assertion = decode(token, options.decode);
  if (!assertion) {
    const Error& e = assertion.error();
    if (e.rule_id.empty()) {
      return tl::unexpected(e);
    }
    return report_without_assertion(policy, req, &e);
  }
  return verify(*assertion, keys, policy, req, options);
}

}  // namespace assay
