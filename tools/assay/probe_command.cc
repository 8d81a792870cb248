// assay probe: check a token server. It sends a valid assertion (which must be accepted), then
// one freshly built request per negative class that can go over the wire, and says for each
// whether the server rejected it, wrongly accepted it, or rejected it for another reason.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "assay/aadsts.h"
#include "assay/build.h"
#include "assay/file.h"
#include "assay/pki.h"
#include "assay/request.h"
#include "assay/rules.h"
#include "assay/terminal.h"
#include "assay/verify.h"
#include "common.h"
#include "conformance.h"
#include "http.h"
#include "network_commands.h"
#include "render.h"

namespace assay::cli {
namespace {

struct ProbeOptions {
  std::string token_endpoint;
  std::string tenant;
  std::string endpoint = "v2";
  std::string authority_host;
  std::string client_id;
  KeyOptions keys;
  std::string profile;
  std::string issuer;
  std::string scope;
  std::string resource;
  HttpOptions http;
  bool yes = false;
  double rate = 5;
  bool replay_rejected = false;
  std::string only;
  std::string format = "text";
  std::string junit;
  std::string alg;
  std::string save_requests;
};

struct ProbeResult {
  std::string cls;
  std::string section;
  std::string description;
  std::string expected;  // valid | invalid | acceptable (assay's verdict for the profile)
  std::vector<std::string> expected_rules;
  int expected_aadsts = 0;
  int status = 0;
  std::string error;
  int aadsts = 0;
  std::string verdict;
  std::string note;
  std::string body;  // the form body that was POSTed
  std::string missing_parameter;  // AADSTS900144's "must contain the following parameter: 'X'"
};

// Where the probe goes and what a conforming server there expects.
struct ProbeTarget {
  std::string url;
  ProfileContext ctx;
  std::string profile_reason;          // why the profile was picked, when --profile was not given
  std::vector<FormParam> scope_param;  // scope or resource, as the profile's server needs
};

std::string json_string(const Json& j, const char* k) {
  return j.is_object() && j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : "";
}

int first_code(const Json& body) {
  if (body.is_object() && body.contains("error_codes") && body["error_codes"].is_array() &&
      !body["error_codes"].empty() && body["error_codes"][0].is_number_integer()) {
    return body["error_codes"][0].get<int>();
  }
  auto t = parse_explain_input(json_string(body, "error_description"));
  return t ? t->primary : 0;
}

// The AADSTS codes Entra could answer for the rules that fire (in rule order).
std::vector<int> expected_codes(const std::vector<std::string>& rules) {
  std::vector<int> codes;
  for (const std::string& id : rules) {
    const RuleInfo* r = find_rule(id);
    if (r != nullptr && r->aadsts != 0) {
      codes.push_back(r->aadsts);
    }
  }
  return codes;
}

std::string classify(const ProbeResult& r, const std::vector<int>& acceptable_codes,
                     bool accepted) {
  if (r.expected == "valid") {
    return accepted ? "accepted-as-expected" : "wrongly-rejected";
  }
  if (r.expected == "acceptable") {
    return accepted ? "accepted-as-allowed" : "correctly-rejected";
  }
  if (accepted) {
    return "wrongly-accepted";
  }
  if (r.aadsts != 0 && !acceptable_codes.empty() &&
      std::find(acceptable_codes.begin(), acceptable_codes.end(), r.aadsts) ==
          acceptable_codes.end()) {
    return "rejected-other-reason";
  }
  return "correctly-rejected";
}

// The parameter AADSTS900144 names ("...must contain the following parameter: 'scope'"),
// reduced to name characters: it comes from the server.
std::string missing_parameter(const Json& body) {
  const std::string d = json_string(body, "error_description");
  const std::string label = "following parameter: '";
  const size_t p = d.find(label);
  std::string name;
  for (size_t i = p == std::string::npos ? d.size() : p + label.size();
       i < d.size() && d[i] != '\'' && name.size() < 64; ++i) {
    if (std::isalnum(static_cast<unsigned char>(d[i])) != 0 || d[i] == '_' || d[i] == '.') {
      name += d[i];
    }
  }
  return name;
}

// The token endpoint (--token-endpoint, or built from --tenant, --endpoint and
// --authority-host), the profile (--profile, else picked from the endpoint as verify picks it
// from aud) and the context a conforming server enforces. Fails with kInvalidArgument.
Result<ProbeTarget> resolve_target(const ProbeOptions& o) {
  ProbeTarget t;
  ProfileContext& ctx = t.ctx;
  std::optional<ProfilePick> pick;
  if (!o.token_endpoint.empty()) {
    ASSAY_TRY(check_http_url(o.token_endpoint, "--token-endpoint"));
    t.url = o.token_endpoint;
    pick = pick_profile_for_audience(t.url);
  } else if (!o.tenant.empty()) {
    if (std::any_of(o.tenant.begin(), o.tenant.end(), [](unsigned char c) {
          return c <= ' ' || c == 0x7f || c == '/' || c == '?' || c == '#' || c == '@';
        })) {
      return make_error(ErrorCode::kInvalidArgument,
                        "--tenant: a tenant is a GUID or a domain name (no '/', '?', '#', '@', "
                        "spaces or control characters)");
    }
    std::string host(kEntraDefaultHost);
    if (!o.authority_host.empty()) {
      ASSAY_ASSIGN_OR_RETURN(host, parse_authority_host(o.authority_host));
    }
    t.url = entra_token_endpoint(host, o.tenant,
                                 o.endpoint == "v1" ? EntraEndpoint::kV1 : EntraEndpoint::kV2);
    pick = ProfilePick{Profile::kEntra, "picked because --tenant was given"};
  } else {
    return make_error(ErrorCode::kInvalidArgument,
                      "give --token-endpoint URL, or --tenant (with --authority-host for "
                      "assay-mock or a private cloud)");
  }
  if (!o.profile.empty()) {
    ctx.profile = *parse_profile(o.profile);
  } else {
    ctx.profile = pick->profile;
    t.profile_reason = pick->reason;
  }
  ctx.client_id = o.client_id;
  ctx.token_endpoint = t.url;
  ctx.issuer = o.issuer;
  const size_t oauth = t.url.find("/oauth2/");
  if (ctx.issuer.empty()) {
    if (ctx.profile == Profile::kEntra) {
      ctx.issuer = (oauth == std::string::npos ? t.url : t.url.substr(0, oauth)) + "/v2.0";
    } else if (ctx.profile == Profile::kRfc7523bis) {
      return make_error(ErrorCode::kInvalidArgument,
                        "rfc7523bis needs --issuer (the aud it requires)");
    } else {
      ctx.issuer = t.url;
    }
  }
  ctx.audience = ctx.profile == Profile::kRfc7523bis ? ctx.issuer : t.url;
  ctx.skew = static_cast<int>(default_skew(ctx.profile).count());
  ctx.max_lifetime = static_cast<int>(default_max_lifetime(ctx.profile).count());
  if (ctx.profile == Profile::kEntra && oauth != std::string::npos) {
    const std::string before = t.url.substr(0, oauth);
    ctx.tenant = before.substr(before.rfind('/') + 1);
  }
  // What the profile's server needs besides the assertion: Entra's v2 endpoint a scope, its v1
  // endpoint a resource (both Graph by default); an RFC 7523 server neither.
  if (!o.resource.empty()) {
    t.scope_param.push_back({"resource", o.resource});
  } else if (!o.scope.empty()) {
    t.scope_param.push_back({"scope", o.scope});
  } else if (ctx.profile == Profile::kEntra) {
    if (t.url.ends_with("/oauth2/token")) {
      t.scope_param.push_back({"resource", "https://graph.microsoft.com"});
    } else {
      t.scope_param.push_back({"scope", "https://graph.microsoft.com/.default"});
    }
  }
  return t;
}

// --save-requests: one JSON line per request, in the order sent: what was expected, what came
// back, and the exact form body, to replay (bench/mock_load.py does) or to feed to assay
// verify. Written also when an error ends the probe early.
Result<void> save_requests(const std::string& path, const std::vector<ProbeResult>& results) {
  if (path.empty()) {
    return {};
  }
  std::string lines;
  for (const ProbeResult& r : results) {
    Json j = Json::object({{"class", r.cls},
                           {"expected", r.expected},
                           {"expected_rules", r.expected_rules},
                           {"status", r.status},
                           {"verdict", r.verdict},
                           {"body", r.body}});
    if (r.aadsts != 0) {
      j["aadsts"] = r.aadsts;
    }
    lines += j.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
  }
  return write_file_atomic(path, lines, 0600);
}

// Prints the results (text or JSON), writes --junit and --save-requests, and returns the exit
// code: 1 when something was wrongly accepted or the baseline refused.
int report_probe(const ProbeOptions& o, const ProbeTarget& t, Alg alg,
                 const std::vector<ProbeResult>& results, const Io& io) {
  const Profile profile = t.ctx.profile;
  const bool baseline_ok = !results.empty() && results.front().verdict == "accepted-as-expected";
  std::map<std::string, int> counts;
  for (const ProbeResult& r : results) {
    counts[r.verdict]++;
  }
  const bool failed = !baseline_ok || counts.count("wrongly-accepted") > 0;
  if (o.format == "json") {
    Json arr = Json::array();
    for (const ProbeResult& r : results) {
      Json j = Json::object({{"class", r.cls},
                             {"section", r.section},
                             {"description", r.description},
                             {"expected", r.expected},
                             {"expected_rules", r.expected_rules},
                             {"status", r.status},
                             {"error", r.error},
                             {"verdict", r.verdict}});
      if (r.aadsts != 0) {
        j["aadsts"] = r.aadsts;
      }
      if (r.expected_aadsts != 0) {
        j["expected_aadsts"] = r.expected_aadsts;
      }
      if (!r.note.empty()) {
        j["note"] = r.note;
      }
      arr.push_back(j);
    }
    Json out = Json::object({{"schema", 1},
                             {"target", t.url},
                             {"profile", profile_name(profile)},
                             {"alg", alg_name(alg)},
                             {"baseline_accepted", baseline_ok},
                             {"classes", arr}});
    Json c = Json::object();
    for (const auto& [k, v] : counts) {
      c[k] = v;
    }
    out["counts"] = c;
    if (!t.profile_reason.empty()) {
      out["profile_reason"] = t.profile_reason;
    }
    io.out << out.dump(2) << "\n";
  } else {
    const Paint p{io.color};
    io.out << p.bold("assay probe") << " " << terminal_safe(t.url) << " (profile "
           << profile_name(profile) << ", " << alg_name(alg) << ")"
           << (t.profile_reason.empty() ? "" : " " + p.dim("(" + terminal_safe(t.profile_reason) + ")"))
           << "\n";
    for (const ProbeResult& r : results) {
      std::string v = r.verdict;
      const std::string shown = v == "wrongly-accepted" || v == "wrongly-rejected" ? p.red(v)
                                : v == "rejected-other-reason"                     ? p.yellow(v)
                                                                                   : p.green(v);
      io.out << "  " << shown << std::string(24 - std::min<size_t>(24, v.size()), ' ') << r.cls
             << "  "
             << p.dim("HTTP " + std::to_string(r.status) + (r.error.empty() ? "" : " " + terminal_safe(r.error)) +
                      (r.aadsts != 0 ? " AADSTS" + std::to_string(r.aadsts) : "") +
                      (v == "rejected-other-reason" && r.expected_aadsts != 0
                           ? " (assay expected AADSTS" + std::to_string(r.expected_aadsts) + ")"
                           : ""))
             << "\n";
    }
    if (!baseline_ok) {
      io.out
          << p.red("the valid assertion was rejected")
          << ": fix the set-up first (client ID, registered "
          << "certificate, scope); run `assay token` with the same options for the explanation\n";
    }
    std::string summary;
    for (const auto& [k, v] : counts) {
      summary += (summary.empty() ? "" : ", ") + std::to_string(v) + " " + k;
    }
    io.out << summary << "\n";
  }
  if (!o.junit.empty()) {
    std::ostringstream x;
    x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"assay probe\" tests=\""
      << results.size() << "\" failures=\""
      << (counts.count("wrongly-accepted") > 0 ? counts.at("wrongly-accepted") : 0) +
             (baseline_ok ? 0 : 1)
      << "\">\n";
    for (const ProbeResult& r : results) {
      x << " <testcase classname=\"probe." << profile_name(profile) << "\" name=\"" << r.cls
        << "\">";
      if (r.verdict == "wrongly-accepted" || (r.cls == "valid-baseline" && !baseline_ok)) {
        x << "<failure message=\"" << r.verdict << "\">HTTP " << r.status << "</failure>";
      }
      x << "</testcase>\n";
    }
    x << "</testsuite>\n";
    if (auto w = write_file_atomic(o.junit, x.str(), 0644); !w) {
      return report_error(io, w.error());
    }
  }
  if (auto w = save_requests(o.save_requests, results); !w) {
    return report_error(io, w.error());
  }
  return failed ? kExitFindings : kExitOk;
}

// What the probe signs with: the registered key and certificate, an unregistered key and
// certificate of the same type (for the wrong-key classes), and the algorithm.
struct ProbeKeys {
  Key key;
  Certificate cert;
  Key other;
  Certificate other_cert;
  Alg alg = Alg::kPS256;
};

// Loads --pfx, or --key with --cert, makes the unregistered pair and picks --alg (by default
// PS256, ES256 for an EC key). Fails with kInvalidArgument without a certificate or for an
// unsupported --alg.
Result<ProbeKeys> load_probe_keys(const ProbeOptions& o, std::istream& in) {
  ASSAY_ASSIGN_OR_RETURN(const Signer signer, load_signer(o.keys, in));
  if (!signer.certificate) {
    return make_error(ErrorCode::kInvalidArgument,
                      "probe needs the certificate too (--cert or --pfx)");
  }
  ProbeKeys k;
  k.key = signer.key;
  k.cert = *signer.certificate;
  const bool ec = k.key.type() == KeyType::kEc;
  ASSAY_ASSIGN_OR_RETURN(k.other, generate_key(ec ? KeySpec::kEcP256 : KeySpec::kRsa2048));
  const Seconds start = now_seconds();
  const CertificateRequest req{"CN=assay probe (not registered)",
                               start - std::chrono::hours(1),
                               start + std::chrono::hours(24),
                               CertificateUsage::kClientAssertion,
                               {},
                               {}};
  ASSAY_ASSIGN_OR_RETURN(k.other_cert, create_certificate(req, k.other, k.other));
  k.alg = ec ? Alg::kES256 : Alg::kPS256;
  if (!o.alg.empty()) {
    auto a = parse_alg(o.alg);
    if (!a) {
      return make_error(ErrorCode::kInvalidArgument, "--alg " + o.alg + " is not supported");
    }
    k.alg = *a;
  }
  return k;
}

// A request-level class: a good assertion in a form that is not.
struct RequestClass {
  std::string id, description;
  std::vector<FormParam> replace;
  std::vector<std::string> drop;
  std::vector<int> also;  // other codes an Entra-like server may rightly answer
};

std::vector<RequestClass> request_classes() {
  return {
      {"assertion-type-wrong",
       "client_assertion_type is the SAML bearer type",
       {{"client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer"}},
       {},
       {}},
      {"assertion-type-missing",
       "client_assertion_type is missing",
       {},
       {"client_assertion_type"},
       {}},
      {"assertion-missing", "client_assertion is missing", {}, {"client_assertion"}, {}},
      {"client-id-mismatch",
       "client_id names another client than the assertion",
       {{"client_id", "00000000-0000-0000-0000-00000000beef"}},
       {},
       {700016}},  // unknown app first
      {"client-secret-too",
       "client_secret sent as well as the assertion",
       {{"client_secret", "s3cret"}},
       {},
       {}},
  };
}

// assay's expectation for a request: the highest severity libassay finds, and the rules that
// fail it.
struct Expectation {
  Severity max = Severity::kOff;
  std::vector<std::string> rules;
};

// One run of the probe. Each request is built just before it is sent (the --rate pause comes
// first), and assay's expectation for it is libassay's verdict at the `now` its assertion was
// built with, so that neither side's verdict depends on how long building, checking and sending
// took.
class Prober {
 public:
  Prober(const ProbeOptions& o, const ProbeTarget& t, const ProbeKeys& k, PolicyBuilder policy,
         std::optional<std::regex> only, const Io& io)
      : o_(o),
        t_(t),
        k_(k),
        policy_(std::move(policy)),
        only_(std::move(only)),
        io_(io),
        pause_(o.rate > 0 ? static_cast<int>(1000.0 / o.rate) : 0),
        env_{t.ctx, k.alg, k.key, k.cert, k.other, k.other_cert} {
    trusted_.certificates.push_back(k.cert);
  }

  // Sends the baseline and, when it is accepted, every selected class. Fails with what stopped
  // the run (a network or signing error, or the baseline refused as incomplete); what was sent
  // until then is in results().
  Result<void> run() {
    ASSAY_ASSIGN_OR_RETURN(const bool accepted, probe_baseline());
    if (!accepted) {
      return {};
    }
    for (const ConformanceClass& c : conformance_classes()) {
      if (probe_sends(c, k_.alg, t_.ctx.profile) && selected(c.id)) {
        ASSAY_TRY(probe_class(c));
      }
    }
    for (const RequestClass& rc : request_classes()) {
      if (selected(rc.id)) {
        ASSAY_TRY(probe_request_class(rc));
      }
    }
    if (selected("replay")) {
      ASSAY_TRY(probe_replay());
    }
    return {};
  }

  const std::vector<ProbeResult>& results() const { return results_; }

 private:
  // A signed assertion and the `now` it was built with.
  struct Built {
    std::string token;
    int64_t now = 0;
  };

  bool selected(const std::string& id) const { return !only_ || std::regex_search(id, *only_); }

  // --rate: the pause comes before a request is built, never between building and sending it,
  // so that the server reads its clock as soon after the assertion's `now` as it can.
  void pace() const { std::this_thread::sleep_for(pause_); }

  // After the pause, a conforming assertion built now, changed by `c` when given, and signed.
  Result<Built> build_now(const ConformanceClass* c) const {
    pace();
    Built b;
    b.now = now_seconds().time_since_epoch().count();
    Draft d = baseline(t_.ctx, k_.alg, k_.cert, b.now, random_uuid());
    if (c != nullptr) {
      c->apply(d, env_);
    }
    ASSAY_ASSIGN_OR_RETURN(b.token, realize(d, k_.key));
    return b;
  }

  // libassay's verdict on `body` at `now`, the second its assertion was built (not the later
  // second this runs in).
  Result<Expectation> judge(const std::string& body, int64_t now) const {
    PolicyBuilder at = policy_;
    at.fixed_now(Seconds{std::chrono::seconds{now}});
    ASSAY_ASSIGN_OR_RETURN(const Policy policy, at.build());
    Expectation e;
    auto verdict = verify_input(body, trusted_, policy);
    if (verdict) {
      for (const Finding& f : verdict->findings) {
        if (f.severity == Severity::kError) {
          e.rules.push_back(f.rule_id);
        }
      }
      e.max = verdict->max_severity();
    }
    return e;
  }

  // The token request around `token`, with `replace` replacing (or adding) fields and `drop`
  // removed.
  std::string form_with(const std::string& token, const std::vector<FormParam>& replace,
                        const std::vector<std::string>& drop) const {
    std::vector<FormParam> f = {{"grant_type", "client_credentials"},
                                {"client_id", t_.ctx.client_id},
                                {"client_assertion_type", std::string(kJwtBearerAssertionType)},
                                {"client_assertion", token}};
    f.insert(f.end(), t_.scope_param.begin(), t_.scope_param.end());
    for (const std::string& d : drop) {
      std::erase_if(f, [&](const FormParam& p) { return p.name == d; });
    }
    for (const FormParam& p : replace) {
      auto it =
          std::find_if(f.begin(), f.end(), [&](const FormParam& q) { return q.name == p.name; });
      if (it != f.end() && p.name != "client_assertion") {
        it->value = p.value;
      } else {
        f.push_back(p);
      }
    }
    return form_body(f);
  }

  // POSTs `body`, recording the answer in `r`; true when the server issued a token.
  Result<bool> post(const std::string& body, ProbeResult& r) const {
    HttpOptions h = o_.http;
    h.retries = 0;  // a 429 is an answer here, not something to wait out
    ASSAY_ASSIGN_OR_RETURN(
        auto res, http_post_form(t_.url, body, {{"Accept", "application/json"}}, h, io_.err));
    Json j;
    parse_json_strict(res.body, j, {}, false);
    r.body = body;
    r.status = res.status;
    r.error = json_string(j, "error");
    r.aadsts = first_code(j);
    if (r.aadsts == 900144) {
      r.missing_parameter = missing_parameter(j);
    }
    return res.status == 200 && j.is_object() && j.contains("access_token");
  }

  // 1. A conforming assertion, which must be accepted; true when it was.
  Result<bool> probe_baseline() {
    ProbeResult base;
    base.cls = "valid-baseline";
    base.expected = "valid";
    base.description = "A conforming assertion: it must be accepted.";
    ASSAY_ASSIGN_OR_RETURN(const Built b, build_now(nullptr));
    baseline_token_ = b.token;
    ASSAY_ASSIGN_OR_RETURN(const bool accepted, post(form_with(b.token, {}, {}), base));
    base.verdict = accepted ? "accepted-as-expected" : "wrongly-rejected";
    if (!accepted && base.aadsts == 900144) {
      // Not a verdict on the server: the request lacked a parameter it needs, so every class
      // would be refused for that and nothing could be judged.
      base.verdict = "not-judged";
      results_.push_back(base);
      const std::string& name = base.missing_parameter;
      return make_error(
          ErrorCode::kInvalidArgument,
          "the server refused the valid assertion's request as incomplete (AADSTS900144" +
              (name.empty() ? "" : ": it needs '" + name + "'") +
              "), so nothing can be judged: give --scope (Entra v2) or --resource (v1)" +
              (t_.ctx.profile == Profile::kEntra
                   ? ""
                   : ", or --profile entra, which sends Graph's by default"));
    }
    results_.push_back(base);
    return accepted;
  }

  // 2. A conformance class that can go over the wire.
  Result<void> probe_class(const ConformanceClass& c) {
    ASSAY_ASSIGN_OR_RETURN(const Built b, build_now(&c));
    ProbeResult r;
    r.cls = c.id;
    r.section = c.section;
    r.description = c.description;
    const std::string body = form_with(b.token, {}, {});
    ASSAY_ASSIGN_OR_RETURN(const Expectation e, judge(body, b.now));
    r.expected = e.max == Severity::kError     ? "invalid"
                 : e.max == Severity::kWarning ? "acceptable"
                                               : "valid";
    r.expected_rules = e.rules;
    const std::vector<int> codes = expected_codes(e.rules);
    r.expected_aadsts = codes.empty() ? 0 : codes.front();
    ASSAY_ASSIGN_OR_RETURN(const bool accepted, post(body, r));
    r.verdict = classify(r, codes, accepted);
    results_.push_back(r);
    return {};
  }

  // 3. A request-level class.
  Result<void> probe_request_class(const RequestClass& rc) {
    ASSAY_ASSIGN_OR_RETURN(const Built b, build_now(nullptr));
    ProbeResult r;
    r.cls = rc.id;
    r.section = "F";
    r.description = rc.description;
    const std::string body = form_with(b.token, rc.replace, rc.drop);
    ASSAY_ASSIGN_OR_RETURN(const Expectation e, judge(body, b.now));
    r.expected = e.rules.empty() ? "acceptable" : "invalid";
    r.expected_rules = e.rules;
    std::vector<int> codes = expected_codes(e.rules);
    r.expected_aadsts = codes.empty() ? 0 : codes.front();
    codes.insert(codes.end(), rc.also.begin(), rc.also.end());
    ASSAY_ASSIGN_OR_RETURN(const bool accepted, post(body, r));
    r.verdict = classify(r, codes, accepted);
    results_.push_back(r);
    return {};
  }

  // 4. The accepted baseline assertion sent again.
  Result<void> probe_replay() {
    ProbeResult r;
    r.cls = "replay";
    r.section = "E.47";
    r.description = "The accepted baseline assertion sent again (same jti)";
    r.expected = o_.replay_rejected ? "invalid" : "acceptable";
    r.note = o_.replay_rejected ? "the server says it rejects replays (--replay-rejected)"
                                : "replay handling is implementation-defined (Entra allows it)";
    pace();
    ASSAY_ASSIGN_OR_RETURN(const bool accepted, post(form_with(baseline_token_, {}, {}), r));
    r.verdict = classify(r, {}, accepted);
    results_.push_back(r);
    return {};
  }

  const ProbeOptions& o_;
  const ProbeTarget& t_;
  const ProbeKeys& k_;
  const PolicyBuilder policy_;  // the server's policy; judge() fixes its clock
  const std::optional<std::regex> only_;
  const Io& io_;
  const std::chrono::milliseconds pause_;
  const ClassEnv env_;
  KeySet trusted_;
  std::vector<ProbeResult> results_;
  std::string baseline_token_;
};

int run_probe(const ProbeOptions& o, const Io& io) {
  auto target = resolve_target(o);
  if (!target) {
    return report_error(io, target.error());
  }
  const std::string& url = target->url;
  if (!is_loopback_url(url) && !o.yes) {
    return report_error(
        io, Error{ErrorCode::kInvalidArgument, "",
                  url + " is not a loopback address: probing sends ~120 "
                        "deliberately bad requests; pass --yes to confirm you own this server",
                  ""});
  }
  if (o.http.insecure) {
    warn_insecure(io.err);
  }
  auto keys = load_probe_keys(o, io.in);
  if (!keys) {
    return report_error(io, keys.error());
  }
  const PolicyBuilder pb = context_policy(target->ctx);
  if (auto policy = pb.build(); !policy) {
    return report_error(io, policy.error());
  }
  std::optional<std::regex> only;
  if (!o.only.empty()) {
    try {
      only = std::regex(o.only);
    } catch (const std::regex_error&) {
      return report_error(
          io, Error{ErrorCode::kInvalidArgument, "", "--only: not a regular expression", ""});
    }
  }
  Prober prober(o, *target, *keys, pb, std::move(only), io);
  if (auto ran = prober.run(); !ran) {
    (void)save_requests(o.save_requests, prober.results());  // what was sent before the error
    return report_error(io, ran.error());
  }
  return report_probe(o, *target, keys->alg, prober.results(), io);
}

}  // namespace

Command add_probe_command(CLI::App& parent, bool with_options) {
  auto o = std::make_shared<ProbeOptions>();
  CLI::App* app = parent.add_subcommand(kProbeCommand.name, kProbeCommand.description);
  if (!with_options) {
    return {app, nullptr};
  }
  app->add_option("--token-endpoint", o->token_endpoint,
                  "The token endpoint to probe (it is also the assertions' aud)");
  app->add_option("--tenant", o->tenant,
                  "Without --token-endpoint: probe this Entra tenant's token endpoint on the "
                  "authority host ($ASSAY_TENANT)")
      ->envname("ASSAY_TENANT");
  app->add_option("--endpoint", o->endpoint, "With --tenant: v1 or v2 (default v2)")
      ->check(CLI::IsMember({"v1", "v2"}));
  app->add_option("--authority-host", o->authority_host,
                  "With --tenant: host[:port] or https://host[:port] instead of "
                  "login.microsoftonline.com, e.g. assay-mock's url ($ASSAY_AUTHORITY_HOST)")
      ->envname("ASSAY_AUTHORITY_HOST");
  app->add_option("--client-id", o->client_id, "The registered client ($ASSAY_CLIENT_ID)")
      ->envname("ASSAY_CLIENT_ID")
      ->required();
  o->keys.add_to(*app, /*for_signing=*/true);
  app->add_option(
         "--profile", o->profile,
         "entra, rfc7523, rfc7523bis or oidc (default: entra for --tenant, a Microsoft host or "
         "an Entra token endpoint path such as assay-mock's, else rfc7523)")
      ->check(CLI::IsMember({"entra", "rfc7523", "rfc7523bis", "oidc"}));
  app->add_option("--issuer", o->issuer,
                  "The server's issuer identifier (required for rfc7523bis)");
  auto* s = app->add_option("--scope", o->scope,
                            "scope for v2 / generic requests (default for entra's v2 endpoint: "
                            "https://graph.microsoft.com/.default; others: none)");
  auto* r = app->add_option("--resource", o->resource,
                            "resource for v1 requests (default for entra's v1 endpoint: "
                            "https://graph.microsoft.com)");
  s->excludes(r);
  app->add_option("--alg", o->alg, "Signature algorithm (default PS256, ES256 for EC keys)");
  o->http.add_to(*app);
  app->add_flag("--yes", o->yes, "Confirm you own a non-loopback target");
  app->add_option("--rate", o->rate, "Requests per second (default 5)");
  app->add_flag("--replay-rejected", o->replay_rejected,
                "The server promises to reject a reused jti");
  app->add_option("--only", o->only, "Only classes whose name matches this regular expression");
  app->add_option("--junit", o->junit, "Also write JUnit XML here");
  app->add_option("--save-requests", o->save_requests,
                  "Also write every request sent, with its expected and actual outcome, to FILE "
                  "(JSON lines, mode 0600)");
  add_format_option(*app, o->format);
  app->footer(
      "Verdicts: correctly-rejected, wrongly-accepted (a security finding), rejected-other-reason "
      "(rejected, but not with the code assay expected), accepted-as-allowed "
      "(implementation-defined "
      "for the profile), accepted-as-expected, wrongly-rejected (a valid shape refused).\n"
      "Exit codes: 0 nothing wrongly accepted; 1 something was wrongly accepted or the valid "
      "assertion was refused; 2 usage, also when the server refuses the valid assertion's request "
      "as incomplete (AADSTS900144: give --scope or --resource); 3 network or file error.");
  return {app, [o](const Io& io) { return run_probe(*o, io); }};
}

}  // namespace assay::cli
