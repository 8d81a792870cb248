#include "assay/aadsts.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include <nlohmann/json.hpp>

#include "assay/json.h"
#include "json_util.h"

namespace assay {
namespace {

const std::vector<AadstsInfo>& table() {
  static const std::vector<AadstsInfo> kTable = [] {
    std::vector<AadstsInfo> t = {
        {50012, "AuthenticationFailed", "invalid_client", 401,
         "Client assertion contains an invalid signature.",
         "A legacy reason code (ADAL era) for a failed client assertion; its text says which check "
         "failed. Today Entra answers 700027, 700024 or 700023 instead.",
         {{"the signature or the key (today's 700027)", "SIG002 KEY001 KEY002 KEY003"},
          {"the time range (today's 700024)", "CLM031 CLM033"},
          {"the audience (today's 700023)", "CLM013 CLM014 CLM015"}},
         "assay verify @assertion.jwt --cert cert.pem --tenant TENANT --client-id CLIENT_ID",
         700027},
        {50027, "InvalidJwtToken", "invalid_request", 400, "JWT token is invalid or malformed.",
         "Entra could not parse the client assertion as a signed JWT (in 2016 this code also meant "
         "'no certificate thumbprint in the header'; today that is 5002723).",
         {{"the assertion is not three base64url segments of JSON", "ENC001 ENC005 ENC010 ENC011"},
          {"aud is an array (openid-client, zitadel)", "CLM011 CLM012"},
          {"the header has no thumbprint (the 2016 meaning)", "HDR008"},
          {"the token was truncated or URL-encoded when copied", "ENC001 ENC004 ENC005"}},
         "assay inspect @assertion.jwt", 0},
        {50032, "WeakRsaKey", "invalid_request", 400,
         "The user attempted to use a weak RSA key.",
         "The key is too short; RSA keys for assertions must be at least 2048 bits (inferred for "
         "assertions).",
         {{"the certificate's RSA key is under 2048 bits", "KEY006"}},
         "assay cert show cert.pem", 0},
        {50048, "SubjectMismatchesIssuer", "invalid_client", 401,
         "Subject must match the issuer claim in the client assertion.",
         "sub and iss of the assertion differ; both must be the application (client) ID.",
         {{"sub is not the client ID", "CLM004 CLM003"}, {"iss is not the client ID", "CLM002"}},
         "assay inspect @assertion.jwt", 0},
        {50049, "InvalidInstance", "invalid_instance", 400, "Unknown or invalid instance.",
         "Instance discovery does not know the authority host.",
         {{"a custom authority host without authority validation switched off", ""}},
         "turn off instance discovery / authority validation in the client for a private host", 0},
        {65001, "DelegationDoesNotExist", "invalid_grant", 400,
         "The user or administrator has not consented to use the application.",
         "Admin consent for the application's permissions is missing.",
         {{"nobody granted admin consent to the app's application permissions", ""}},
         "open https://login.microsoftonline.com/TENANT/adminconsent?client_id=CLIENT_ID", 0},
        {70002, "InvalidClient", "invalid_client", 401, "Error validating credentials.",
         "A legacy wrapper code (ADAL era): the reason follows as a second code (usually 50012).",
         {{"see the second code in error_codes", ""}},
         "assay explain with the whole error response", 0},
        {70003, "UnsupportedGrantType", "unsupported_grant_type", 400,
         "The app returned an unsupported grant type.",
         "grant_type is not one the endpoint supports for this client.",
         {{"grant_type is not client_credentials", "EXC002 EXC001"}},
         "assay verify --format json 'FORM BODY'", 0},
        {70011, "InvalidScope", "invalid_scope", 400,
         "The provided value for the input parameter 'scope' isn't valid.",
         "The scope is not a valid /.default scope of a known resource.",
         {{"scope is not RESOURCE/.default", "EXC009"}, {"scope names an unknown resource", ""}},
         "assay build ... --form --scope https://graph.microsoft.com/.default", 0},
        {70023, "", "invalid_request", 400,
         "External OIDC Provider token must have a lifetime of less than or equal to 1.01:00:00.",
         "A federated (workload identity) token lives longer than 25 hours.",
         {{"the assertion's lifetime is over 25 hours", "CLM036"}}, "assay inspect @assertion.jwt",
         0},
        {90002, "InvalidTenantName", "invalid_tenant", 400,
         "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are "
         "signing into the correct cloud.",
         "The tenant in the URL does not exist in this cloud.",
         {{"a typo in the tenant ID or domain", ""}, {"the tenant belongs to another cloud", "CLM021"}},
         "check the tenant ID on the app registration's overview page", 0},
        {90010, "", "invalid_request", 400,
         "The grant type is not supported over the /common or /consumers endpoints.",
         "The old code for 9001023.",
         {{"the request goes to /common or /consumers", "CLM014"}},
         "use the tenant-specific token endpoint", 9001023},
        {90011, "RequestParameterMismatch", "invalid_request", 400,
         "Unexpected client assertion type.",
         "client_assertion_type is not urn:ietf:params:oauth:client-assertion-type:jwt-bearer.",
         {{"client_assertion_type is misspelled or encoded twice", "EXC004"}},
         "assay verify 'FORM BODY'", 0},
        {90014, "MissingRequiredField", "invalid_request", 400,
         "The required field '{field}' is missing from the credential. Ensure that you have all the "
         "necessary parameters for the login request.",
         "The assertion lacks a required claim (iss or aud).",
         {{"no iss", "CLM001"}, {"no aud", "CLM010"}, {"no sub", "CLM003"}},
         "assay inspect @assertion.jwt", 0},
        {90024, "RequestBudgetExceededError", "temporarily_unavailable", 503,
         "A transient error has occurred. Try again.", "Entra is temporarily unavailable.",
         {{"a transient service problem", ""}}, "retry after the Retry-After delay", 0},
        {90033, "MsodsServiceUnavailable", "temporarily_unavailable", 503,
         "A transient error has occurred. Try again.", "A directory service is temporarily unavailable.",
         {{"a transient service problem", ""}}, "retry after the Retry-After delay", 0},
        {90055, "TenantThrottlingError", "temporarily_unavailable", 429,
         "There are too many incoming requests.", "The tenant is being throttled.",
         {{"too many token requests: cache tokens until they expire", ""}},
         "retry after the Retry-After delay; cache access tokens", 0},
        {500011, "InvalidResourceServicePrincipalNotFound", "invalid_resource", 400,
         "The resource principal named {name} was not found in the tenant named {tenant}.",
         "The resource in scope/resource is not known in the tenant.",
         {{"a typo in the resource URI", "EXC009"}, {"the resource app is not provisioned in the tenant", ""}},
         "check the scope, e.g. https://graph.microsoft.com/.default", 0},
        {700016, "UnauthorizedClient_DoesNotMatchRequest", "unauthorized_client", 400,
         "Application with identifier '{appId}' was not found in the directory '{tenant}'.",
         "No application with that client ID exists in the tenant the request went to.",
         {{"iss is not the application (client) ID (object ID, tenant ID or App ID URI used)", "CLM002 CLM005"},
          {"the request goes to another tenant than the app's", "CLM020"},
          {"the app was deleted or not consented in this tenant", ""}},
         "assay inspect @assertion.jwt (compare iss with the app registration's client ID)", 0},
        {700021, "InvalidClientAssertionApplicationId", "invalid_client", 401,
         "Client assertion application identifier doesn't match 'client_id' parameter.",
         "The client_id form parameter and the assertion's iss/sub disagree.",
         {{"client_id differs from iss", "EXC006"}}, "assay verify 'FORM BODY'", 0},
        {700022, "InvalidMultipleResourcesScope", "invalid_scope", 400,
         "The provided value for the input parameter scope isn't valid because it contains more "
         "than one resource.",
         "The client-credentials scope names several resources.",
         {{"scope has several /.default values", "EXC014"}},
         "request one resource per token", 0},
        {700023, "InvalidClientAssertionAudience", "invalid_client", 401,
         "Client assertion audience claim does not match Realm issuer. Review the documentation at "
         "https://learn.microsoft.com/entra/identity-platform/certificate-credentials .",
         "aud is not exactly the token endpoint the request was posted to.",
         {{"aud uses /common, /organizations or /consumers", "CLM014"},
          {"aud is the v1 endpoint and the request goes to v2 (or the reverse)", "CLM015"},
          {"aud is the issuer URL (.../v2.0)", "CLM016"},
          {"aud names another tenant, or a GUID where the URL has a domain", "CLM020"},
          {"aud names another host or cloud (login.windows.net, sts.windows.net)", "CLM021"},
          {"a typo: trailing slash, case, V2.0, missing oauth2, http", "CLM019 CLM022 CLM018"},
          {"aud is something else entirely", "CLM013"}},
         "assay verify @assertion.jwt --tenant TENANT --endpoint v2 --client-id CLIENT_ID", 0},
        {700024, "ClientAssertionNotWithinValidTimeRange", "invalid_client", 401,
         "Client assertion is not within its valid time range. Current time: {now}, assertion "
         "valid from {nbf}, expiry time of assertion {exp}. Review the documentation at "
         "https://learn.microsoft.com/entra/identity-platform/certificate-credentials .",
         "The assertion was expired, not yet valid, or had no exp when Entra checked it.",
         {{"the assertion was reused after exp (cached, pre-built)", "CLM031"},
          {"exp is missing (read as 1970-01-01)", "CLM030"},
          {"the signer's clock is wrong, or local time was used instead of UTC", "CLM033 CLM034 CLM031"},
          {"exp is not after nbf", "CLM032"},
          {"a time claim is not a number", "CLM040"}},
         "assay inspect @assertion.jwt (compare exp/nbf with the Current time in the message)", 0},
        {700025, "InvalidClientPublicClientWithCredential", "invalid_client", 401,
         "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
         "The app registration is a public client; it cannot use certificate credentials.",
         {{"'Allow public client flows' is on, or the app is registered as SPA/mobile", ""}},
         "turn off 'Allow public client flows' in the app registration", 0},
        {700027, "Client assertion failed signature validation", "invalid_client", 401,
         "Client assertion contains an invalid signature. [Reason - {reason}, Thumbprint of key "
         "used by client: '{thumbprint}', ...]",
         "Entra could not verify the assertion: the key it names is not registered on the app, or "
         "the signature does not match the registered certificate.",
         {{"the certificate was never uploaded, or to another app/tenant", "KEY002 KEY001"},
          {"x5t is the hex thumbprint or base64 of its text (compare the echoed hex)", "HDR011"},
          {"SHA-1 and SHA-256 swapped between x5t and x5t#S256", "HDR010"},
          {"the private key is not the certificate's key (wrong .pfx, wrong store entry)", "KEY003 SIG002"},
          {"alg does not match the padding (RS256 vs PS256)", "SIG008"},
          {"the token was altered after signing", "SIG002"},
          {"SNI app: x5c missing or the chain in the wrong order", "HDR026 HDR024"}},
         "assay verify @assertion.jwt --cert registered-cert.pem --key key.pem", 0},
        {700030, "InvalidCertificateSubjectName", "invalid_client", 401,
         "Invalid certificate - subject name in certificate isn't authorized.",
         "Subject Name/Issuer authentication is configured and the certificate's subject is not "
         "the authorized one.",
         {{"the certificate's subject differs from the trusted subject name", ""}},
         "assay cert show cert.pem", 0},
        {901002, "", "invalid_request", 400, "The 'resource' request parameter isn't supported.",
         "A v2 token request carries resource= instead of scope=RESOURCE/.default.",
         {{"resource sent to the v2 endpoint", "EXC010"}}, "assay verify 'FORM BODY'", 0},
        {900023, "InvalidTenantIdentifier", "invalid_request", 400,
         "Specified tenant identifier '{tenant}' is neither a valid DNS name, nor a valid external "
         "domain.",
         "The tenant segment of the URL is malformed.",
         {{"a typo or stray characters in the tenant", ""}},
         "use the Directory (tenant) ID from the app registration", 0},
        {900144, "", "invalid_request", 400,
         "The request body must contain the following parameter: '{name}'.",
         "A required form parameter is missing (or the body is not form-urlencoded).",
         {{"grant_type missing", "EXC001"}, {"scope missing (v2)", "EXC008"},
          {"resource missing (v1)", "EXC011"}, {"the body was sent as JSON or in the query string", "EXC015"}},
         "assay verify 'FORM BODY'", 0},
        {1000502, "CertificateNotWithinValidityPeriod", "invalid_client", 401,
         "The client certificate is not within its valid time range. Ensure that the certificate "
         "is valid.",
         "The registered certificate has expired or is not yet valid.",
         {{"the certificate expired", "KEY004"}, {"the certificate's notBefore is in the future", "KEY005"}},
         "assay cert show cert.pem", 0},
        {1002012, "", "invalid_scope", 400,
         "The provided value for scope {scope} is not valid. Client credential flows must have a "
         "scope value with /.default suffixed to the resource identifier (application ID URI).",
         "The client-credentials scope does not end in /.default.",
         {{"a delegated scope such as User.Read was sent", "EXC009"}},
         "assay build ... --form --scope https://graph.microsoft.com/.default", 0},
        {5002723, "", "invalid_client", 401,
         "Invalid JWT token. No certificate SHA-1 thumbprint, certificate SHA-256 thumbprint, nor "
         "keyId specified in token header.",
         "The header has no x5t#S256, x5t or kid, so Entra cannot find the key.",
         {{"the header lacks x5t#S256/x5t", "HDR008"}, {"client_secret_jwt (HS256) was used", "HDR002"}},
         "assay build ... --x5t sha256", 0},
        {5002730, "", "invalid_request", 400, "Invalid JWT token. Unsupported key for the signing algorithm.",
         "The key cannot be used with the header's alg (seen with PS256 during an Entra incident in "
         "2024).",
         {{"alg does not fit the key", "SIG009 HDR006"}}, "assay verify @assertion.jwt --cert cert.pem", 0},
        {5002738, "", "invalid_client", 401,
         "Invalid JWT token. '{alg}' is not a supported signature algorithm. Supported signing "
         "algorithms are: 'RS256,RS384,RS512'",
         "The header's alg is not one Entra accepts for certificate credentials.",
         {{"HS256 (client_secret_jwt) was used", "HDR002"}, {"alg none", "HDR001"},
          {"an ECDSA algorithm was used", "HDR006"}, {"a typo in alg", "HDR004 HDR005"}},
         "assay build ... --alg PS256", 0},
        {5002741, "", "invalid_client", 401,
         "Number of audience values in the provided client credential exceed maximum allowed. "
         "{count} audience values provided, maximum allowed is 1.",
         "aud holds more than one value.",
         {{"aud is an array with several values (openid-client >= 4.5.2, zitadel)", "CLM012"}},
         "assay inspect @assertion.jwt", 0},
        {7000112, "UnauthorizedClientApplicationDisabled", "unauthorized_client", 400,
         "The application is disabled.", "The app's service principal is disabled in the tenant.",
         {{"an administrator disabled the enterprise application", ""}},
         "enable the enterprise application in the tenant", 0},
        {7000214, "", "invalid_client", 401, "The certificate has been revoked.",
         "The registered certificate was revoked.", {{"the certificate was revoked", ""}},
         "assay cert new --subject CN=... and upload the new certificate", 0},
        {7000215, "InvalidClientSecretProvided", "invalid_client", 401,
         "Invalid client secret is provided.", "A client secret was sent and it is wrong.",
         {{"client_secret sent instead of (or as well as) an assertion", "EXC012"}},
         "remove client_secret from the request", 0},
        {7000216, "", "invalid_client", 401,
         "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' "
         "grant type.",
         "The client-credentials request carries no credential.",
         {{"client_assertion missing", "EXC005"}, {"client_assertion_type missing", "EXC003"}},
         "assay build ... --form", 0},
        {7000218, "", "invalid_client", 401,
         "The request body must contain the following parameter: 'client_assertion' or "
         "'client_secret'.",
         "The request carries no client credential.",
         {{"client_assertion missing or empty", "EXC005"}, {"client_assertion_type missing", "EXC003"}},
         "assay build ... --form", 0},
        {7000274, "", "invalid_client", 401, "",
         "Ambiguous: Microsoft code labels it both 'certificate not within validity period' and "
         "'client assertion contains invalid signature'.",
         {{"the certificate is outside its validity", "KEY004 KEY005"}, {"the signature is invalid", "SIG002"}},
         "assay verify @assertion.jwt --cert cert.pem", 0},
        {7000277, "", "invalid_client", 401, "The certificate has been revoked.",
         "The registered certificate was revoked.", {{"the certificate was revoked", ""}},
         "assay cert new --subject CN=... and upload the new certificate", 0},
        {9001023, "", "invalid_request", 400,
         "The grant type is not supported over the /common or /consumers endpoints. Please use the "
         "/organizations or tenant-specific endpoint.",
         "The client-credentials request was posted to /common or /consumers.",
         {{"the token URL uses common/consumers instead of the tenant", "CLM014"}},
         "use https://login.microsoftonline.com/TENANT/oauth2/v2.0/token", 0},
    };
    std::sort(t.begin(), t.end(), [](const AadstsInfo& a, const AadstsInfo& b) { return a.code < b.code; });
    return t;
  }();
  return kTable;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Finds "AADSTS<digits>" codes in text, in order.
std::vector<int> codes_in(std::string_view text) {
  std::vector<int> out;
  size_t pos = 0;
  while ((pos = text.find("AADSTS", pos)) != std::string_view::npos) {
    pos += 6;
    size_t end = pos;
    while (end < text.size() && end - pos < 9 && std::isdigit(static_cast<unsigned char>(text[end])) != 0) {
      ++end;
    }
    if (end > pos) {
      out.push_back(std::stoi(std::string(text.substr(pos, end - pos))));
    }
    pos = end;
  }
  return out;
}

std::string after(std::string_view text, std::string_view label) {
  const size_t p = text.find(label);
  if (p == std::string_view::npos) {
    return {};
  }
  size_t start = p + label.size();
  size_t end = start;
  while (end < text.size() && text[end] != '\r' && text[end] != '\n' &&
         text.substr(end, 3) != " Co" && text.substr(end, 3) != " Ti") {
    ++end;
  }
  std::string v(text.substr(start, end - start));
  while (!v.empty() && v.back() == ' ') {
    v.pop_back();
  }
  return v;
}

}  // namespace

std::span<const AadstsInfo> all_aadsts() { return table(); }

const AadstsInfo* find_aadsts(int code) {
  const auto& t = table();
  auto it = std::lower_bound(t.begin(), t.end(), code,
                             [](const AadstsInfo& a, int c) { return a.code < c; });
  return it != t.end() && it->code == code ? &*it : nullptr;
}

Result<ExplainTarget> parse_explain_input(std::string_view text) {
  ExplainTarget t;
  std::string_view s = text;
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) {
    s.remove_suffix(1);
  }
  if (!s.empty() && s.front() == '{') {
    Json doc;
    const JsonParseOutcome o = parse_json_strict(s, doc);
    if (!o.parsed || !doc.is_object()) {
      return make_error(ErrorCode::kInvalidArgument, "the input looks like JSON but is not an object");
    }
    t.description = internal::string_member(doc, "error_description");
    t.trace_id = internal::string_member(doc, "trace_id");
    t.correlation_id = internal::string_member(doc, "correlation_id");
    t.timestamp = internal::string_member(doc, "timestamp");
    if (const Json* codes = internal::member(doc, "error_codes"); codes != nullptr) {
      if (const Json::array_t* arr = internal::elements(*codes); arr != nullptr) {
        for (const Json& c : *arr) {
          if (c.is_number_integer()) {
            t.codes.push_back(c.get<int>());
          }
        }
      }
    }
    if (t.codes.empty()) {
      t.codes = codes_in(t.description);
    }
  } else {
    bool digits = !s.empty() && s.size() <= 9 &&
                  std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
    if (digits) {
      t.codes.push_back(std::stoi(std::string(s)));
    } else {
      t.codes = codes_in(s);
      if (t.codes.size() > 0 && s.size() > 16) {
        t.description = std::string(s);
      }
    }
  }
  if (t.codes.empty()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "no AADSTS code found; give e.g. AADSTS700027, 700027, the error response JSON "
                      "or its error_description");
  }
  if (t.trace_id.empty()) {
    t.trace_id = after(t.description, "Trace ID: ");
  }
  if (t.correlation_id.empty()) {
    t.correlation_id = after(t.description, "Correlation ID: ");
  }
  if (t.timestamp.empty()) {
    t.timestamp = after(t.description, "Timestamp: ");
  }
  // Resolve legacy wrappers: 70002 carries the reason as a second code; 50012 is read by text.
  int primary = t.codes.front();
  if (primary == 70002 && t.codes.size() > 1) {
    primary = t.codes[1];
  }
  if (primary == 50012) {
    const std::string l = lower(t.description);
    if (l.find("time range") != std::string::npos) {
      primary = 700024;
    } else if (l.find("audience") != std::string::npos) {
      primary = 700023;
    } else if (l.find("signature") != std::string::npos) {
      primary = 700027;
    }
    if (primary != 50012) {
      t.note = "AADSTS50012 is the ADAL-era form; its text corresponds to today's AADSTS" +
               std::to_string(primary);
    }
  } else if (primary == 90010) {
    t.note = "AADSTS90010 is the old form of AADSTS9001023";
  }
  t.primary = primary;
  return t;
}

}  // namespace assay
