#include "assay/policy.h"

#include <algorithm>
#include <array>

namespace assay {

std::string_view entra_endpoint_name(EntraEndpoint e) {
  switch (e) {
    case EntraEndpoint::kV1:
      return "v1";
    case EntraEndpoint::kV2:
      return "v2";
    case EntraEndpoint::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::string entra_token_endpoint(std::string_view host, std::string_view tenant,
                                 EntraEndpoint endpoint) {
  const std::string_view path = endpoint == EntraEndpoint::kV1 ? "/oauth2/token" : "/oauth2/v2.0/token";
  std::string url;
  url.reserve(9 + host.size() + tenant.size() + path.size());
  url.append("https://").append(host).append("/").append(tenant).append(path);
  return url;
}

bool is_entra_host(std::string_view host) {
  static constexpr std::array<std::string_view, 12> kHosts = {
      "login.microsoftonline.com", "login.windows.net",          "login.microsoft.com",
      "sts.windows.net",           "login.microsoftonline.us",   "login.usgovcloudapi.net",
      "login-us.microsoftonline.com", "login.partner.microsoftonline.cn",
      "login.chinacloudapi.cn",    "login.microsoftonline.de",   "mtlsauth.microsoft.com",
      "login.live.com"};
  if (std::find(kHosts.begin(), kHosts.end(), host) != kHosts.end()) {
    return true;
  }
  constexpr std::string_view kRegional = ".login.microsoft.com";
  return host.size() > kRegional.size() && host.ends_with(kRegional);
}

std::chrono::seconds default_skew(Profile p) {
  return std::chrono::seconds{p == Profile::kEntra ? 300 : 60};
}

std::chrono::seconds default_max_lifetime(Profile p) {
  return std::chrono::seconds{p == Profile::kEntra ? 600 : 3600};
}

std::vector<Alg> default_algorithms(Profile p) {
  if (p == Profile::kEntra) {
    return {Alg::kRS256, Alg::kRS384, Alg::kRS512, Alg::kPS256, Alg::kPS384, Alg::kPS512};
  }
  return {kAllAlgs.begin(), kAllAlgs.end()};
}

PolicyBuilder& PolicyBuilder::profile(Profile p) {
  p_.profile_ = p;
  return *this;
}
PolicyBuilder& PolicyBuilder::expect_client_id(std::string_view id) {
  p_.client_id_ = std::string(id);
  return *this;
}
PolicyBuilder& PolicyBuilder::expect_audience(std::string_view aud) {
  p_.audience_ = std::string(aud);
  return *this;
}
PolicyBuilder& PolicyBuilder::expect_issuer(std::string_view issuer) {
  p_.issuer_ = std::string(issuer);
  return *this;
}
PolicyBuilder& PolicyBuilder::token_endpoint(std::string_view url) {
  p_.token_endpoint_ = std::string(url);
  return *this;
}
PolicyBuilder& PolicyBuilder::tenant(std::string_view tenant) {
  p_.tenant_ = std::string(tenant);
  return *this;
}
PolicyBuilder& PolicyBuilder::endpoint(EntraEndpoint e) {
  p_.endpoint_ = e;
  return *this;
}
PolicyBuilder& PolicyBuilder::authority_host(std::string_view host) {
  p_.authority_host_ = std::string(host);
  return *this;
}
PolicyBuilder& PolicyBuilder::allow_algorithms(std::vector<Alg> algs) {
  p_.algorithms_ = std::move(algs);
  algorithms_set_ = true;
  return *this;
}
PolicyBuilder& PolicyBuilder::clock_skew(std::chrono::seconds s) {
  p_.skew_ = s;
  return *this;
}
PolicyBuilder& PolicyBuilder::max_lifetime(std::chrono::seconds s) {
  p_.max_lifetime_ = s;
  return *this;
}
PolicyBuilder& PolicyBuilder::fixed_now(Seconds now) {
  p_.now_ = now;
  return *this;
}

namespace {

bool is_http_url(std::string_view s) {
  const auto rest = s.starts_with("https://") ? s.substr(8)
                    : s.starts_with("http://") ? s.substr(7)
                                               : std::string_view();
  return !rest.empty() && rest.front() != '/' &&
         rest.find_first_of(" \t\r\n") == std::string_view::npos;
}

}  // namespace

Result<Policy> PolicyBuilder::build() const {
  const auto bad = [](std::string m) { return make_error(ErrorCode::kInvalidArgument, std::move(m)); };
  if (p_.skew_ && (p_.skew_->count() < 0 || p_.skew_->count() > 600)) {
    return bad("clock skew " + std::to_string(p_.skew_->count()) +
               " s is outside 0..600 s; a larger skew hides real clock errors");
  }
  if (p_.max_lifetime_ && p_.max_lifetime_->count() <= 0) {
    return bad("maximum lifetime must be positive");
  }
  for (const auto* url : {&p_.audience_, &p_.issuer_, &p_.token_endpoint_}) {
    if (*url && !is_http_url(**url)) {
      return bad("'" + **url + "' is not an absolute http(s) URL");
    }
  }
  if (p_.tenant_ && p_.audience_) {
    return bad("give either an audience or a tenant, not both");
  }
  if (p_.tenant_ && p_.tenant_->find_first_of("/ ?#") != std::string::npos) {
    return bad("tenant '" + *p_.tenant_ + "' is not a GUID or domain name");
  }
  if (p_.authority_host_ &&
      (p_.authority_host_->empty() || p_.authority_host_->find_first_of("/ ?#") != std::string::npos)) {
    return bad("authority host '" + *p_.authority_host_ +
               "' must be a host name (with an optional :port), without scheme or path");
  }
  const bool entra_only = p_.tenant_ || p_.authority_host_ || p_.endpoint_ != EntraEndpoint::kUnknown;
  if (entra_only && p_.profile_ && *p_.profile_ != Profile::kEntra) {
    return bad("tenant, endpoint and authority host apply to the entra profile only, not " +
               std::string(profile_name(*p_.profile_)));
  }
  if (algorithms_set_ && p_.algorithms_.empty()) {
    return bad("the algorithm allow-list is empty");
  }
  return p_;
}

}  // namespace assay
