// CLM rules about aud: presence, shape, and comparison with the expected audience, with the
// Entra-specific diagnoses (host, tenant, v1/v2, issuer form, path typos).
#include <algorithm>
#include <cctype>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "context.h"
#include "json_util.h"

namespace assay::internal {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

struct Url {
  bool ok = false;
  std::string scheme;  // lower case
  std::string host;    // lower case, without port
  std::string port;
  std::vector<std::string> segments;
  bool trailing_slash = false;
  std::string query;
  std::string fragment;
};

Url parse_url(std::string_view s) {
  Url u;
  const size_t colon = s.find("://");
  if (colon == std::string_view::npos || colon == 0) {
    return u;
  }
  u.scheme = lower(s.substr(0, colon));
  std::string_view rest = s.substr(colon + 3);
  const size_t hash = rest.find('#');
  if (hash != std::string_view::npos) {
    u.fragment = std::string(rest.substr(hash + 1));
    rest = rest.substr(0, hash);
  }
  const size_t q = rest.find('?');
  if (q != std::string_view::npos) {
    u.query = std::string(rest.substr(q + 1));
    rest = rest.substr(0, q);
  }
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  const size_t pc = authority.rfind(':');
  if (pc != std::string_view::npos) {
    u.port = std::string(authority.substr(pc + 1));
    authority = authority.substr(0, pc);
  }
  u.host = lower(authority);
  if (u.host.empty()) {
    return u;
  }
  u.trailing_slash = path.size() > 1 && path.back() == '/';
  size_t pos = 0;
  while (pos < path.size()) {
    while (pos < path.size() && path[pos] == '/') {
      ++pos;
    }
    const size_t end = std::min(path.find('/', pos), path.size());
    if (end > pos) {
      u.segments.emplace_back(path.substr(pos, end - pos));
    }
    pos = end;
  }
  u.ok = true;
  return u;
}

std::string host_with_port(const Url& u) { return u.port.empty() ? u.host : u.host + ":" + u.port; }

enum class EntraPath { kV1, kV2, kIssuer, kMalformed };

EntraPath classify_entra_path(const Url& u) {
  const auto& s = u.segments;
  if (u.host == "sts.windows.net") {
    return EntraPath::kIssuer;
  }
  if (s.size() == 3 && s[1] == "oauth2" && s[2] == "token") {
    return EntraPath::kV1;
  }
  if (s.size() == 4 && s[1] == "oauth2" && s[2] == "v2.0" && s[3] == "token") {
    return EntraPath::kV2;
  }
  if (s.size() == 2 && s[1] == "v2.0") {
    return EntraPath::kIssuer;
  }
  return EntraPath::kMalformed;
}

bool general_tenant(std::string_view t) {
  const std::string l = lower(t);
  return l == "common" || l == "organizations" || l == "consumers";
}

// A canonical form for near-miss detection: trimmed, lower case, no default port, no trailing
// slash, no query or fragment.
std::string loose(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) {
    s.remove_suffix(1);
  }
  std::string l = lower(s);
  const size_t hash = l.find('#');
  if (hash != std::string::npos) {
    l.resize(hash);
  }
  const size_t q = l.find('?');
  if (q != std::string::npos) {
    l.resize(q);
  }
  for (const char* port : {":443/", ":80/"}) {
    const size_t p = l.find(port);
    if (p != std::string::npos) {
      l.erase(p, std::string_view(port).size() - 1);
    }
  }
  if (l.ends_with(":443") || l.ends_with(":80")) {
    l.resize(l.rfind(':'));
  }
  while (l.size() > 1 && l.back() == '/') {
    l.pop_back();
  }
  return l;
}

std::string near_miss_reason(const std::string& aud, const std::string& expected) {
  std::vector<std::string> diffs;
  if (aud.find_first_of(" \t\r\n") != std::string::npos) {
    diffs.push_back("surrounding whitespace");
  }
  const Url a = parse_url(aud);
  const Url e = parse_url(expected);
  if (a.trailing_slash != e.trailing_slash) {
    diffs.push_back("a trailing slash");
  }
  if (!a.query.empty() || !a.fragment.empty()) {
    diffs.push_back("a query or fragment");
  }
  if (a.port != e.port) {
    diffs.push_back("an explicit default port");
  }
  if (diffs.empty()) {
    diffs.push_back("letter case");
  }
  std::string out;
  for (size_t i = 0; i < diffs.size(); ++i) {
    out += (i == 0 ? "" : i + 1 == diffs.size() ? " and " : ", ") + diffs[i];
  }
  return out;
}

// Entra diagnoses of `aud` against the expected token endpoint. Returns true when at least one
// specific rule fired.
bool diagnose_entra(RuleContext& ctx, const std::string& aud, const std::string& expected,
                    const std::string& pointer) {
  const Url a = parse_url(aud);
  const Url e = parse_url(expected);
  if (!a.ok || !e.ok) {
    return false;
  }
  bool fired = false;
  if (a.scheme != "https") {
    ctx.emit("CLM018", "aud " + quote(aud) + " uses " + a.scheme + ", not https", pointer);
    fired = true;
  }
  if (host_with_port(a) != host_with_port(e)) {
    std::string why;
    if (is_entra_host(a.host) && is_entra_host(e.host)) {
      why = "; both are Microsoft hosts, but Entra compares aud with the host actually called";
    }
    ctx.emit("CLM021", "aud host " + quote(host_with_port(a)) + " is not the authority host " +
                           quote(host_with_port(e)) + why,
             pointer);
    fired = true;
  }
  const std::string at = a.segments.empty() ? "" : a.segments[0];
  const std::string et = e.segments.empty() ? "" : e.segments[0];
  if (general_tenant(at)) {
    ctx.emit("CLM014", "aud uses the " + quote(at) + " endpoint; the request goes to tenant " +
                           quote(et),
             pointer, "set aud to " + quote(expected));
    fired = true;
  } else if (!at.empty() && lower(at) != lower(et)) {
    std::string note;
    if (is_guid(at) != is_guid(et)) {
      note = " (one is a GUID, the other a domain: use the identical string in the URL and aud)";
    }
    ctx.emit("CLM020", "aud tenant " + quote(at) + " is not the request's tenant " + quote(et) + note,
             pointer);
    fired = true;
  }
  const EntraPath ap = classify_entra_path(a);
  const EntraPath ep = classify_entra_path(e);
  if (ap == EntraPath::kIssuer) {
    ctx.emit("CLM016", "aud " + quote(aud) + " is an issuer URL, not the token endpoint", pointer,
             "set aud to " + quote(expected));
    fired = true;
  } else if (ap == EntraPath::kMalformed) {
    ctx.emit("CLM022", "aud path " + quote("/" + [&] {
               std::string p;
               for (size_t i = 0; i < a.segments.size(); ++i) {
                 p += (i ? "/" : "") + a.segments[i];
               }
               return p;
             }()) + " is not .../oauth2/token or .../oauth2/v2.0/token",
             pointer, "set aud to " + quote(expected));
    fired = true;
  } else if ((ap == EntraPath::kV1 && ep == EntraPath::kV2) ||
             (ap == EntraPath::kV2 && ep == EntraPath::kV1)) {
    ctx.emit("CLM015",
             std::string("aud is the ") + (ap == EntraPath::kV1 ? "v1" : "v2") +
                 " token endpoint, but the request goes to the " +
                 (ep == EntraPath::kV1 ? "v1" : "v2") + " endpoint " + quote(expected),
             pointer, "set aud to " + quote(expected));
    fired = true;
  }
  return fired;
}

// Entra checks when no expected audience is known: the shape of a token endpoint URL.
void entra_shape(RuleContext& ctx, const std::string& aud, const std::string& pointer) {
  const Url a = parse_url(aud);
  if (!a.ok) {
    ctx.emit("CLM013", "aud " + quote(aud) + " is not a URL; Entra expects its token endpoint",
             pointer);
    return;
  }
  if (a.scheme != "https") {
    ctx.emit("CLM018", "aud " + quote(aud) + " uses " + a.scheme + ", not https", pointer);
  }
  const auto& host = ctx.policy.authority_host();
  if (host ? host_with_port(a) != lower(*host) : !is_entra_host(a.host)) {
    ctx.emit("CLM021",
             "aud host " + quote(host_with_port(a)) +
                 (host ? " is not the authority host " + quote(*host)
                       : " is not a Microsoft Entra login host"),
             pointer);
  }
  const std::string tenant = a.segments.empty() ? "" : a.segments[0];
  if (general_tenant(tenant)) {
    ctx.emit("CLM014", "aud uses the " + quote(tenant) + " endpoint instead of a tenant", pointer);
  }
  const EntraPath ap = classify_entra_path(a);
  if (ap == EntraPath::kIssuer) {
    ctx.emit("CLM016", "aud " + quote(aud) + " is an issuer URL, not the token endpoint", pointer);
  } else if (ap == EntraPath::kMalformed) {
    ctx.emit("CLM022", "aud " + quote(aud) + " is not .../TENANT/oauth2/token or .../TENANT/oauth2/v2.0/token",
             pointer);
  } else if (ctx.endpoint != EntraEndpoint::kUnknown &&
             ((ap == EntraPath::kV1) != (ctx.endpoint == EntraEndpoint::kV1))) {
    ctx.emit("CLM015",
             std::string("aud is the ") + (ap == EntraPath::kV1 ? "v1" : "v2") +
                 " token endpoint, but the request goes to the " +
                 std::string(entra_endpoint_name(ctx.endpoint)) + " endpoint",
             pointer);
  }
}

bool looks_like_token_endpoint(const std::string& aud) {
  const Url u = parse_url(aud);
  return u.ok && !u.segments.empty() && lower(u.segments.back()).find("token") != std::string::npos;
}

}  // namespace

void check_audience(RuleContext& ctx) {
  const Json& p = ctx.payload();
  if (!p.is_object()) {
    return;
  }
  const Json* it = member(p, "aud");
  if (it == nullptr) {
    ctx.emit("CLM010", "the claims have no aud", "/payload/aud");
    return;
  }
  // The aud values as views into the payload: one (a string, the usual case) needs no vector.
  std::string_view single;
  std::vector<std::string_view> many;
  std::span<const std::string_view> values;
  const bool is_array = it->is_array();
  auto pointer_of = [&](size_t i) {
    return is_array ? "/payload/aud/" + std::to_string(i) : std::string("/payload/aud");
  };
  if (const auto* s = it->get_ptr<const std::string*>(); s != nullptr) {
    single = *s;
    values = {&single, 1};
  } else if (is_array) {
    if (it->empty()) {
      ctx.emit("CLM023", "aud is an empty array", "/payload/aud");
      return;
    }
    const Json::array_t& arr = *elements(*it);
    for (size_t i = 0; i < arr.size(); ++i) {
      const Json& v = arr[i];
      if (!v.is_string()) {
        ctx.emit("CLM023", "aud[" + std::to_string(i) + "] is a " + std::string(v.type_name()) +
                               ", not a string",
                 "/payload/aud/" + std::to_string(i));
        return;
      }
      many.push_back(v.get_ref<const std::string&>());
    }
    values = many;
    ctx.emit("CLM011", "aud is an array of " + std::to_string(it->size()) +
                           (it->size() == 1 ? " value" : " values") + ": " + it->dump(),
             "/payload/aud");
    if (it->size() > 1) {
      ctx.emit("CLM012", "aud holds " + std::to_string(it->size()) + " values; one is allowed",
               "/payload/aud");
    }
  } else {
    ctx.emit("CLM023", std::string("aud is a ") + it->type_name() + ", not a string",
             "/payload/aud");
    return;
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i].empty()) {
      ctx.emit("CLM023", "aud is an empty string", pointer_of(i));
      return;
    }
  }

  // rfc7523bis: the token endpoint must not be the audience.
  if (ctx.profile == Profile::kRfc7523bis) {
    for (size_t i = 0; i < values.size(); ++i) {
      const bool is_te = !ctx.token_endpoint.empty()
                             ? values[i] == ctx.token_endpoint
                             : (values[i] != ctx.expected_audience &&
                                looks_like_token_endpoint(std::string(values[i])));
      if (is_te) {
        ctx.emit("CLM017", "aud " + quote(values[i]) + " is a token endpoint, not the issuer" +
                               (ctx.expected_audience.empty() ? std::string()
                                                              : " " + quote(ctx.expected_audience)),
                 pointer_of(i));
      }
    }
  }

  const std::span<const std::string_view> accepted_audiences = ctx.accepted_audiences();
  if (accepted_audiences.empty()) {
    if (ctx.profile == Profile::kEntra) {
      for (size_t i = 0; i < values.size(); ++i) {
        entra_shape(ctx, std::string(values[i]), pointer_of(i));
      }
    }
    return;  // nothing to compare with
  }
  for (std::string_view v : values) {
    if (std::find(accepted_audiences.begin(), accepted_audiences.end(), v) !=
        accepted_audiences.end()) {
      return;  // a match (multiple values are CLM012's business)
    }
  }
  // No value matches: diagnose the first.
  const std::string aud(values.front());
  const std::string pointer = pointer_of(0);
  const std::string expected(ctx.expected_audience);
  for (std::string_view acc : accepted_audiences) {
    if (loose(aud) == loose(acc)) {
      ctx.emit("CLM019", "aud " + quote(aud) + " differs from " + quote(acc) + " only in " +
                             near_miss_reason(aud, std::string(acc)),
               pointer, "set aud to exactly " + quote(acc));
      return;
    }
  }
  if (ctx.profile == Profile::kEntra && diagnose_entra(ctx, aud, expected, pointer)) {
    return;
  }
  std::string accepted;
  for (std::string_view acc : accepted_audiences) {
    accepted += (accepted.empty() ? "" : " or ") + quote(acc);
  }
  ctx.emit("CLM013", "aud " + quote(aud) + " is not " + accepted, pointer,
           "set aud to " + quote(expected));
}

}  // namespace assay::internal
