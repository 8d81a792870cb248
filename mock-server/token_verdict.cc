#include "token_verdict.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "assay/assertion.h"
#include "assay/base64url.h"
#include "assay/rules.h"
#include "json_access.h"
#include "state.h"

namespace assay::mock {
namespace {

// Entra's validation order (what it reports first when several things are wrong), as far as
// observed and documented: the request, the application, then the assertion from its structure
// down to the key and the certificate.
constexpr std::array kOrder = {
    900144,   // a required body parameter is missing (grant_type, scope, resource)
    70003,    // unsupported grant_type
    7000215,  // a client_secret (the mock registers none)
    7000218,  // no client_assertion / client_assertion_type
    90011,    // wrong client_assertion_type
    1002012,  // v2 scope without /.default
    901002,   // resource on v2
    700022,   // several resources in scope
    700016,   // application not found in the tenant
    50027,    // malformed JWT
    90014,    // a required claim is missing
    5002738,  // unsupported alg
    5002723,  // no x5t#S256 / x5t / kid
    50048,    // sub != iss
    700021,   // client_id != iss
    5002741,  // several audiences
    700023,   // wrong aud
    700024,   // outside the valid time range
    700027,   // key not registered / signature does not verify
    5002730,  // key cannot do alg
    50032,    // weak RSA key
    1000502,  // certificate outside its validity
    kReplayAadsts,
};

std::string last_token(std::string_view pointer) {
  const size_t p = pointer.rfind('/');
  return std::string(p == std::string_view::npos ? pointer : pointer.substr(p + 1));
}

constexpr int64_t kLastSecondOfYear9999 = 253402300799;

int64_t clamp_seconds(double d) {
  if (!std::isfinite(d) || d <= 0) {
    return 0;
  }
  return d >= static_cast<double>(kLastSecondOfYear9999) ? kLastSecondOfYear9999
                                                         : static_cast<int64_t>(std::floor(d));
}

// A NumericDate claim read as Entra reads it (numbers, fractions and numeric strings); 0 when
// absent or unusable, at most the last second of 9999.
int64_t numeric_claim(const Json& payload, std::string_view name) {
  const Json* v = member(payload, name);
  if (v == nullptr) {
    return 0;
  }
  if (v->is_number_integer()) {
    // Clamped to years 1970..9999 like the other forms: 2^53 + 1 (a probe class) once
    // overflowed the nanosecond clock when formatted.
    const int64_t t =
        v->is_number_unsigned() && v->get<uint64_t>() > INT64_MAX ? INT64_MAX : v->get<int64_t>();
    return t <= 0 ? 0 : std::min<int64_t>(t, kLastSecondOfYear9999);
  }
  if (v->is_number_float()) {
    return clamp_seconds(v->get<double>());
  }
  if (const auto* s = v->get_ptr<const std::string*>(); s != nullptr && !s->empty()) {
    char* end = nullptr;
    const double d = std::strtod(s->c_str(), &end);
    if (end != nullptr && *end == '\0') {
      return clamp_seconds(d);
    }
  }
  return 0;
}

std::string claim_time(const Json& payload, std::string_view name) {
  return dotnet_time(Seconds{std::chrono::seconds{numeric_claim(payload, name)}});
}

struct HeaderIds {
  std::string x5t;   // raw bytes
  std::string x5ts;  // raw bytes
  std::string kid;
};

HeaderIds header_ids(const Report& r) {
  HeaderIds ids;
  if (!r.assertion) {
    return ids;
  }
  const Json& h = r.assertion->header();
  if (auto b = base64url_decode_lenient(string_member(h, "x5t")); b) {
    ids.x5t = b->bytes;
  }
  if (auto b = base64url_decode_lenient(string_member(h, "x5t#S256")); b) {
    ids.x5ts = b->bytes;
  }
  ids.kid = string_member(h, "kid");
  return ids;
}

const Certificate* matching_certificate(const HeaderIds& ids,
                                        const std::vector<Certificate>& certs) {
  for (const Certificate& c : certs) {
    const Thumbprints& t = c.thumbprints();
    if ((!ids.x5ts.empty() && ids.x5ts == t.sha256) || (!ids.x5t.empty() && ids.x5t == t.sha1) ||
        (!ids.kid.empty() &&
         (ids.kid == t.x5t || ids.kid == t.sha1_hex || ids.kid == t.x5t_s256))) {
      return &c;
    }
  }
  return nullptr;
}

std::string describe_700027(const TokenVerdict& v, const FailureContext& ctx) {
  const Report& r = *ctx.report;
  const HeaderIds ids = header_ids(r);
  std::string thumb;
  if (!ids.x5t.empty()) {
    thumb = hex_upper(ids.x5t);
  } else if (!ids.x5ts.empty()) {
    thumb = hex_upper(ids.x5ts);
  } else {
    thumb = ids.kid;
  }
  static constexpr std::array kKeyLookup = {"KEY001", "KEY002", "SIG011",
                                            "HDR010", "HDR011", "HDR013"};
  bool not_found = false;
  for (const Finding& f : r.findings) {
    if (f.severity == Severity::kError &&
        std::find(kKeyLookup.begin(), kKeyLookup.end(), f.rule_id) != kKeyLookup.end()) {
      not_found = true;
    }
  }
  if (v.decisive &&
      std::find(kKeyLookup.begin(), kKeyLookup.end(), v.decisive->rule_id) != kKeyLookup.end()) {
    not_found = true;
  }
  std::string text = aadsts_template(700027);
  std::string tail;
  if (not_found) {
    text = fill(text, "reason", "The key was not found.");
    tail =
        "Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see "
        "configured keys for app Id '" +
        ctx.client_id +
        "'. Review the documentation at https://learn.microsoft.com/graph/deployments if "
        "your application is in other clouds.";
  } else {
    text = fill(text, "reason",
                "The provided signature value did not match the expected signature value.");
    const Certificate* found = matching_certificate(ids, ctx.app_certificates);
    if (found != nullptr) {
      tail = "Found key 'Start=" + us_time(found->not_before()) +
             ", End=" + us_time(found->not_after()) + "'";
    } else {
      tail = "Found key 'none'";
    }
  }
  text = fill(text, "thumbprint", thumb);
  const size_t dots = text.rfind("...]");
  if (dots != std::string::npos) {
    text.replace(dots, 4, tail + "]");
  }
  return text;
}

}  // namespace

Result<Report> evaluate_token_request(const TokenRequest& form, const KeySet& keys,
                                      const Policy& policy, const VerifyOptions& options) {
  const std::optional<std::string> token = form.get("client_assertion");
  std::optional<Error> structural;
  if (token && !token->empty()) {
    auto decoded = decode(*token, options.decode);
    if (decoded) {
      return verify(*decoded, keys, policy, &form, options);
    }
    if (decoded.error().rule_id.empty()) {
      return tl::unexpected(decoded.error());
    }
    structural = decoded.error();
  }
  // No usable assertion: only the request rules can run (on a placeholder token, whose own
  // findings are dropped), plus the structural finding that stopped the decoder.
  auto placeholder = decode("e30.e30.");
  if (!placeholder) {
    return tl::unexpected(placeholder.error());
  }
  VerifyOptions keyless = options;
  keyless.keyless = true;
  keyless.replay = nullptr;
  ASSAY_ASSIGN_OR_RETURN(Report r, verify(*placeholder, KeySet{}, policy, &form, keyless));
  std::erase_if(r.findings, [](const Finding& f) { return !f.rule_id.starts_with("EXC"); });
  if (structural) {
    const RuleInfo* rule = find_rule(structural->rule_id);
    const Severity s = rule != nullptr ? rule->severity_for(r.profile) : Severity::kError;
    if (s != Severity::kOff) {
      r.findings.push_back(Finding{structural->rule_id, s, structural->message,
                                   rule != nullptr ? std::string(rule->hint) : std::string(),
                                   "/form/client_assertion"});
    }
  }
  sort_findings(r.findings);
  r.assertion.reset();
  r.signature = SignatureInfo{};
  r.signature.status = "not-checked";
  return r;
}

int aadsts_for_rule(std::string_view rule_id) {
  if (rule_id == "CLM042") {
    return kReplayAadsts;
  }
  const RuleInfo* rule = find_rule(rule_id);
  if (rule != nullptr && rule->aadsts != 0) {
    return rule->aadsts;
  }
  // Error rules without a known Entra code: the closest answer Entra gives.
  if (rule_id == "HDR006") {
    return 5002738;  // ES256 etc. are not supported signature algorithms
  }
  if (rule_id == "EXC012") {
    return 7000215;  // the mock registers no client secrets, so any secret is invalid
  }
  if (rule_id == "KEY006") {
    return 50032;  // weak RSA key
  }
  if (rule_id.starts_with("SIG") || rule_id.starts_with("KEY")) {
    return 700027;
  }
  if (rule_id.starts_with("EXC")) {
    return 900144;
  }
  return 50027;  // header or claim content Entra cannot use: "invalid or malformed"
}

int aadsts_rank(int code) {
  const auto* it = std::find(kOrder.begin(), kOrder.end(), code);
  return static_cast<int>(it - kOrder.begin());
}

TokenVerdict decide_token_verdict(const Report& report, bool app_found, bool client_identified,
                                  ReplayPolicy replay) {
  TokenVerdict v;
  const Finding* best = nullptr;
  int best_rank = 0;
  int best_code = 0;
  for (const Finding& f : report.findings) {
    if (f.severity >= Severity::kWarning) {
      v.rules.push_back(f.rule_id);
    }
    const bool fails = f.severity == Severity::kError ||
                       (f.rule_id == "CLM042" && replay == ReplayPolicy::kReject);
    if (!fails) {
      continue;
    }
    const int code = aadsts_for_rule(f.rule_id);
    const int rank = aadsts_rank(code);
    if (best == nullptr || rank < best_rank) {
      best = &f;
      best_rank = rank;
      best_code = code;
    }
  }
  v.rules.erase(std::unique(v.rules.begin(), v.rules.end()), v.rules.end());
  const int app_rank = aadsts_rank(kAppNotFoundAadsts);
  if (best != nullptr && best_rank < app_rank) {
    v.ok = false;
    v.aadsts = best_code;
    v.decisive = *best;
    return v;
  }
  if (!app_found && (client_identified || best == nullptr)) {
    v.ok = false;
    v.aadsts = kAppNotFoundAadsts;
    return v;
  }
  if (best != nullptr) {
    v.ok = false;
    v.aadsts = best_code;
    v.decisive = *best;
  }
  return v;
}

std::string describe_failure(const TokenVerdict& v, const FailureContext& ctx) {
  std::string text = aadsts_template(v.aadsts);
  const std::string pointer = v.decisive ? v.decisive->pointer : std::string();
  const Json empty = Json::object();
  const Json& payload =
      ctx.report != nullptr && ctx.report->assertion ? ctx.report->assertion->payload() : empty;
  const Json& header =
      ctx.report != nullptr && ctx.report->assertion ? ctx.report->assertion->header() : empty;
  switch (v.aadsts) {
    case 900144:
      return fill(text, "name", pointer.starts_with("/form/") ? last_token(pointer) : "grant_type");
    case 90014:
      return fill(text, "field", pointer.starts_with("/payload/") ? last_token(pointer) : "iss");
    case 1002012:
      return fill(text, "scope", ctx.scope);
    case 5002738: {
      std::string alg = string_member(header, "alg");
      return fill(text, "alg", alg);
    }
    case 5002741: {
      const Json* aud = member(payload, "aud");
      const size_t n = aud != nullptr && aud->is_array() ? aud->size() : 1;
      return fill(text, "count", std::to_string(n));
    }
    case kAppNotFoundAadsts:
      text = fill(text, "appId", ctx.client_id);
      text = fill(text, "tenant", ctx.tenant_name.empty() ? ctx.tenant : ctx.tenant_name);
      return text +
             " This can happen if the application has not been installed by the administrator "
             "of the tenant or consented to by any user in the tenant. You may have sent your "
             "authentication request to the wrong tenant.";
    case 700024:
      text = fill(text, "now", dotnet_time(ctx.now));
      text = fill(text, "nbf", claim_time(payload, "nbf"));
      return fill(text, "exp", claim_time(payload, "exp"));
    case 700027:
      return ctx.report != nullptr ? describe_700027(v, ctx) : text;
    case kReplayAadsts:
      return "Client assertion has already been used: jti '" + string_member(payload, "jti") +
             "' of client '" + string_member(payload, "iss") +
             "' was seen before and has not expired. (assay-mock rejects replayed assertions "
             "under policy replay=reject; Entra ID itself does not enforce jti uniqueness.)";
    default:
      return text;
  }
}

}  // namespace assay::mock
