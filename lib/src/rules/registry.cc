// The rule catalogue. IDs are stable and never reused; keep the table sorted by ID (a test
// checks). Severity columns: entra, rfc7523, rfc7523bis, oidc.
#include <algorithm>
#include <array>

#include "assay/rules.h"

namespace assay {
namespace {

constexpr Severity O = Severity::kOff;
constexpr Severity I = Severity::kInfo;
constexpr Severity W = Severity::kWarning;
constexpr Severity E = Severity::kError;

using S = std::array<Severity, kProfileCount>;
constexpr S kAllE = {E, E, E, E};
constexpr S kAllW = {W, W, W, W};
constexpr S kAllI = {I, I, I, I};
constexpr S kEntraOnlyE = {E, O, O, O};
constexpr S kEntraWStrictE = {W, E, E, E};

constexpr std::array kRules = {
    // ---------------------------------------------------------------- claims
    RuleInfo{"CLM001", "iss-missing", "The claims have no iss.",
             "Set iss to the application (client) ID.", "RFC 7523 §3 item 1; OIDC Core §9", 90014,
             kAllE, false, false},
    RuleInfo{"CLM002", "iss-not-client-id", "iss is not the expected client ID.",
             "Set iss (and sub) to the application (client) ID, not the object ID, tenant ID or "
             "an App ID URI.",
             "RFC 7523 §3 item 1; OIDC Core §9", 700016, kAllE, false, false},
    RuleInfo{"CLM003", "sub-missing", "The claims have no sub.",
             "Set sub to the client ID (the same value as iss).",
             "RFC 7523 §3 item 2; OIDC Core §9", 90014, kAllE, false, false},
    RuleInfo{"CLM004", "sub-not-iss", "sub differs from iss.",
             "For client authentication, iss and sub are both the client ID.",
             "RFC 7523 §3 item 2; Entra AADSTS50048", 50048, kAllE, false, false},
    RuleInfo{"CLM005", "iss-not-guid-entra",
             "iss is not a GUID, but Entra application (client) IDs are GUIDs.",
             "Use the Application (client) ID shown on the app registration's overview page.",
             "Entra certificate credentials", 700016, {W, O, O, O}, false, false},
    RuleInfo{"CLM006", "claim-type", "iss, sub or jti is not a non-empty string.",
             "These claims are JSON strings.", "RFC 7519 §4.1.1, §4.1.2, §4.1.7", 50027, kAllE,
             false, false},
    RuleInfo{"CLM010", "aud-missing", "The claims have no aud.",
             "Set aud to the token endpoint (Entra, RFC 7523) or the issuer (rfc7523bis).",
             "RFC 7523 §3 item 3", 90014, kAllE, false, false},
    RuleInfo{"CLM011", "aud-array", "aud is an array rather than a single string.",
             "Send aud as one JSON string.", "RFC 7519 §4.1.3; draft-ietf-oauth-rfc7523bis", 0,
             {W, I, E, I}, false, false},
    RuleInfo{"CLM012", "aud-multiple",
             "aud holds more than one value (the audience-injection pattern).",
             "Send exactly one audience.",
             "draft-ietf-oauth-rfc7523bis; Entra AADSTS5002741; CVE-2025-27370", 5002741,
             {E, W, E, W}, false, false},
    RuleInfo{"CLM013", "aud-mismatch", "aud is not the expected audience.",
             "Copy the exact URL the request is posted to (Entra, RFC 7523) or the issuer "
             "identifier (rfc7523bis).",
             "RFC 7523 §3 item 3; Entra AADSTS700023", 700023, kAllE, false, false},
    RuleInfo{"CLM014", "aud-general-tenant",
             "aud names the common, organizations or consumers endpoint instead of the tenant.",
             "Use the tenant-specific token endpoint in both the URL and aud.",
             "Entra AADSTS700023, AADSTS9001023", 700023, kEntraOnlyE, false, false},
    RuleInfo{"CLM015", "aud-version-mismatch",
             "aud is the v1 token endpoint while the request goes to v2, or the reverse.",
             "aud must be the endpoint actually called: .../oauth2/v2.0/token for v2, "
             ".../oauth2/token for v1.",
             "Entra AADSTS700023", 700023, kEntraOnlyE, false, false},
    RuleInfo{"CLM016", "aud-issuer-form",
             "aud is an issuer URL (.../v2.0 or sts.windows.net) rather than the token endpoint.",
             "Entra expects the token endpoint URL as aud.", "Entra AADSTS700023 (inferred)",
             700023, kEntraOnlyE, false, false},
    RuleInfo{"CLM017", "aud-token-endpoint",
             "aud is the token endpoint; rfc7523bis requires the issuer identifier.",
             "Set aud to the authorization server's issuer identifier, as a string.",
             "draft-ietf-oauth-rfc7523bis", 0, {O, O, E, O}, false, false},
    RuleInfo{"CLM018", "aud-not-https", "aud uses http rather than https.",
             "Token endpoints are https URLs.", "Entra AADSTS700023", 700023, kEntraOnlyE, false,
             false},
    RuleInfo{"CLM019", "aud-near-miss",
             "aud differs from the expected value only in case, a trailing slash, a default port, "
             "a query or surrounding whitespace.",
             "Compare exactly: RFC 7523 uses simple string comparison.",
             "RFC 7523 §3 item 3; RFC 3986 §6.2.1", 700023, kAllE, false, false},
    RuleInfo{"CLM020", "aud-wrong-tenant", "The tenant in aud is not the tenant of the request.",
             "Use the same tenant (GUID or domain, identically) in the URL and in aud.",
             "Entra AADSTS700023", 700023, kEntraOnlyE, false, false},
    RuleInfo{"CLM021", "aud-wrong-host",
             "The host in aud is not the authority host of the request (an alias or another "
             "cloud).",
             "Use exactly the host the request is sent to.", "Entra AADSTS700023", 700023,
             kEntraOnlyE, false, false},
    RuleInfo{"CLM022", "aud-malformed-path",
             "The aud path is not a token endpoint (e.g. V2.0, a missing oauth2 segment).",
             "Use https://HOST/TENANT/oauth2/v2.0/token (v2) or .../oauth2/token (v1).",
             "Entra AADSTS700023", 700023, kEntraOnlyE, false, false},
    RuleInfo{"CLM023", "aud-invalid", "aud is empty, or neither a string nor an array of strings.",
             "Send aud as one non-empty JSON string.", "RFC 7519 §4.1.3", 50027, kAllE, false,
             false},
    RuleInfo{"CLM030", "exp-missing", "The claims have no exp.",
             "Set exp, e.g. 10 minutes after now.", "RFC 7523 §3 item 4", 700024, kAllE, false,
             false},
    RuleInfo{"CLM031", "exp-expired", "The assertion had expired at the time of checking.",
             "Build a fresh assertion for every token request; use UTC and a synchronized clock.",
             "RFC 7519 §4.1.4; RFC 7523 §3 item 4", 700024, kAllE, false, false},
    RuleInfo{"CLM032", "exp-before-nbf", "exp is not later than nbf (or iat).",
             "exp must come after nbf and iat.", "RFC 7519 §4.1.4, §4.1.5", 700024, kAllE, false,
             false},
    RuleInfo{"CLM033", "nbf-future", "nbf is in the future beyond the clock skew.",
             "Set nbf to now (or a little earlier); check the signer's clock and time zone.",
             "RFC 7519 §4.1.5; RFC 7523 §3 item 5", 700024, kAllE, false, false},
    RuleInfo{"CLM034", "iat-future", "iat is in the future beyond the clock skew.",
             "Set iat to now; check the signer's clock and time zone (UTC).",
             "RFC 7519 §4.1.6; RFC 7523 §3 item 6", 0, kEntraWStrictE, false, false},
    RuleInfo{"CLM035", "lifetime-long",
             "The assertion is valid for longer than the profile recommends.",
             "Keep assertions short-lived: 5 to 10 minutes.",
             "Entra certificate credentials; RFC 7523 §3 item 4", 0, kAllW, false, false},
    RuleInfo{"CLM036", "lifetime-excessive", "The assertion is valid for more than a day.",
             "Build assertions per request with a lifetime of minutes.",
             "RFC 7523 §3 item 4; OpenID conformance suite (1 day)", 0, kEntraWStrictE, false,
             false},
    RuleInfo{"CLM037", "iat-old",
             "iat is long before now: the assertion was minted well in advance.",
             "Mint assertions just before use.", "RFC 7523 §3 item 6", 0, {I, W, W, W}, false,
             false},
    RuleInfo{"CLM038", "numericdate-string",
             "A NumericDate (exp, nbf, iat) is a JSON string (as MSAL.NET sends them).",
             "Send NumericDates as JSON integers.", "RFC 7519 §2", 0, kEntraWStrictE, false,
             false},
    RuleInfo{"CLM039", "numericdate-fractional",
             "A NumericDate has a fractional part (as MSAL Python sends them).",
             "Send whole seconds: RFC 7519 permits fractions, but many verifiers reject them.",
             "RFC 7519 §2", 0, kEntraWStrictE, false, false},
    RuleInfo{"CLM040", "numericdate-invalid",
             "A NumericDate is not a usable time: negative, zero, not a number, or beyond year "
             "9999.",
             "Send seconds since 1970-01-01T00:00:00Z as a JSON integer.", "RFC 7519 §2", 700024,
             kAllE, false, false},
    RuleInfo{"CLM041", "jti-missing", "The claims have no jti.",
             "Set jti to a fresh random UUID for every assertion.",
             "OIDC Core §9 (required); RFC 7523 §3 item 7 (optional)", 0, {W, I, I, E}, false,
             false},
    RuleInfo{"CLM042", "jti-replay",
             "This jti was already seen: the assertion is being replayed.",
             "Build a new assertion with a new jti for every request.",
             "OIDC Core §9; RFC 7523 §3 item 7", 0, kEntraWStrictE, false, false},
    // ---------------------------------------------------------------- encoding and structure
    // base64url leniency, per rule (ENC002-ENC006 for segments; HDR010, HDR012, HDR013 and
    // HDR028 for thumbprints). What .NET does, which Entra runs on:
    // - Microsoft.IdentityModel's Base64UrlEncoder.DecodeBytes maps '-' '_' to '+' '/', pads
    //   by length % 4 and hands the text to Convert.FromBase64String (TryFromBase64Chars in
    //   newer releases) (AzureAD/azure-activedirectory-identitymodel-extensions-for-dotnet,
    //   src/Microsoft.IdentityModel.Tokens/Base64UrlEncoder.cs). So a value that already has
    //   '=' padding decodes, '+' and '/' decode, and whitespace, which Convert skips but the
    //   padding arithmetic counts, fails unless it comes in fours.
    // - Convert ignores non-zero unused bits in every .NET before 11; .NET 11 rejects them
    //   (dotnet/runtime#105262, the break reported in dotnet/runtime#133495).
    // - A compact token must first match JwtConstants.JsonCompactSerializationRegex,
    //   ^[A-Za-z0-9-_]+\.[A-Za-z0-9-_]+\.[A-Za-z0-9-_]*$, which refuses '=', '+', '/' and
    //   whitespace in the segments themselves.
    // - Entra matches a thumbprint on its decoded bytes: AADSTS700027 echoes them as hex, MSAL
    //   Python's padded x5t is accepted, and the 2015 Exchange sample with the non-canonical
    //   x5t "W-Kt0b4B7RkK34cdXVR91e_nf9x" worked.
    // Hence under entra: ENC002-ENC004 and whitespace in a thumbprint (HDR010) are errors;
    // ENC006, HDR012, HDR013 and HDR028 are warnings. The strict profiles follow RFC 7515 §2
    // and RFC 4648 §3.5 and fail them all. JWK members (key.cc) are decoded strictly for every
    // profile: a JWK is the verifier's own key input, which Entra never reads.
    RuleInfo{"ENC001", "compact-segments",
             "The assertion is not a compact JWS of three dot-separated segments (five segments "
             "is a JWE, two means the signature part is missing).",
             "Send the compact serialization header.payload.signature of a signed JWT.",
             "RFC 7515 §7.1; RFC 7519 §7.2 step 1", 50027, kAllE, false, false},
    RuleInfo{"ENC002", "b64-padding", "A segment carries '=' base64 padding.",
             "Strip the '=' characters: base64url in JOSE has no padding.", "RFC 7515 §2",
             50027, kAllE, false, false},
    RuleInfo{"ENC003", "b64-standard-alphabet",
             "A segment uses '+' or '/' from the standard base64 alphabet.",
             "Encode with the URL-safe alphabet ('-' and '_').", "RFC 7515 §2; RFC 4648 §5", 50027,
             kAllE, false, false},
    RuleInfo{"ENC004", "b64-whitespace", "A segment contains whitespace or a line break.",
             "Remove spaces and line breaks: the assertion is one unbroken string.",
             "RFC 7515 §2; RFC 7515 §5.2 step 2", 50027, kAllE, false, false},
    RuleInfo{"ENC005", "b64-invalid",
             "A segment has characters outside every base64 alphabet, or an impossible length.",
             "The token was probably truncated or altered while being copied; copy it again.",
             "RFC 7515 §2; RFC 4648 §5", 50027, kAllE, false, false},
    RuleInfo{"ENC006", "b64-noncanonical",
             "A segment's last character has non-zero unused bits, so other strings decode to "
             "the same bytes.",
             "Re-encode the segment canonically: malleable encodings defeat replay caches keyed "
             "on the token, and the .NET 11 base64 decoder rejects them (dotnet/runtime#105262).",
             "RFC 4648 §3.5; RFC 7515 §2", 0, kEntraWStrictE, false, false},
    RuleInfo{"ENC007", "json-bom", "The header or claims JSON starts with a UTF-8 byte order mark.",
             "Serialize JSON without a byte order mark.", "RFC 8259 §8.1; RFC 7515 §5.2 step 3",
             50027, kAllE, false, false},
    RuleInfo{"ENC008", "json-duplicate-member",
             "A member name appears more than once in the header or the claims.",
             "Emit each member once: verifiers disagree on which duplicate wins.",
             "RFC 7515 §4; RFC 7519 §4", 50027, kAllE, false, false},
    RuleInfo{"ENC009", "json-nul", "A JSON string contains a NUL character (U+0000).",
             "Remove U+0000: comparisons in C-string code stop at it.", "RFC 8725 §3.7", 50027,
             kAllE, false, false},
    RuleInfo{"ENC010", "json-invalid",
             "The header or claims are not valid UTF-8 JSON (syntax error, trailing data, number "
             "overflow, too deep).",
             "Both segments must be base64url of a UTF-8 JSON object and nothing else.",
             "RFC 7515 §5.2 step 3; RFC 7519 §7.2", 50027, kAllE, false, false},
    RuleInfo{"ENC011", "json-not-object", "The header or claims are JSON, but not an object.",
             "The JOSE header and the JWT claims set are JSON objects.",
             "RFC 7515 §4; RFC 7519 §7.2 step 10", 50027, kAllE, false, false},
    RuleInfo{"ENC012", "token-too-large", "The assertion exceeds the size limit.",
             "Client assertions are well under 8 KiB; a huge one suggests a paste error or an "
             "embedded certificate chain.",
             "robustness (RFC 8725 §3.1)", 50027, kAllE, false, false},
    RuleInfo{"ENC013", "jws-json-serialization",
             "A JWS JSON serialization was given where the compact form is required.",
             "Send the compact form header.payload.signature.", "RFC 7523 §2.2; RFC 7515 §7.2",
             50027, kAllE, false, false},
    // ---------------------------------------------------------------- the token request
    RuleInfo{"EXC001", "grant-type-missing", "The form body has no grant_type.",
             "Send grant_type=client_credentials.", "RFC 6749 §4.4.2; Entra AADSTS900144", 900144,
             kAllE, false, false},
    RuleInfo{"EXC002", "grant-type-unexpected",
             "grant_type is not client_credentials (the grant assay checks for Entra).",
             "Send grant_type=client_credentials for an app-only token.",
             "RFC 6749 §4.4.2; Entra AADSTS70003", 70003, kEntraOnlyE, false, false},
    RuleInfo{"EXC003", "assertion-type-missing", "The form body has no client_assertion_type.",
             "Send client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer.",
             "RFC 7521 §4.2; Entra AADSTS7000218", 7000218, kAllE, false, false},
    RuleInfo{"EXC004", "assertion-type-wrong",
             "client_assertion_type is not exactly "
             "urn:ietf:params:oauth:client-assertion-type:jwt-bearer.",
             "Send the exact URN once, URL-encoded once.", "RFC 7523 §2.2; Entra AADSTS90011",
             90011, kAllE, false, false},
    RuleInfo{"EXC005", "assertion-missing", "The form body has no client_assertion, or it is empty.",
             "Send the signed JWT as client_assertion.", "RFC 7521 §4.2; Entra AADSTS7000218",
             7000218, kAllE, false, false},
    RuleInfo{"EXC006", "client-id-mismatch", "The client_id parameter differs from iss/sub.",
             "Send the same client ID in client_id and in the assertion.",
             "RFC 7521 §4.2; Entra AADSTS700021", 700021, kAllE, false, false},
    RuleInfo{"EXC007", "client-id-missing", "The form body has no client_id.",
             "Send client_id (Entra documents it as required).",
             "Entra client credentials flow; RFC 7521 §4.2 (optional)", 0, {W, I, I, I}, false,
             false},
    RuleInfo{"EXC008", "scope-missing", "A v2 token request has no scope.",
             "Send scope=RESOURCE/.default, e.g. https://graph.microsoft.com/.default.",
             "Entra AADSTS900144", 900144, kEntraOnlyE, false, false},
    RuleInfo{"EXC009", "scope-not-default",
             "The v2 client-credentials scope does not end in /.default.",
             "Use RESOURCE/.default, e.g. https://graph.microsoft.com/.default.",
             "Entra AADSTS1002012", 1002012, kEntraOnlyE, false, false},
    RuleInfo{"EXC010", "resource-on-v2", "A v2 token request carries a resource parameter.",
             "v2 takes scope=RESOURCE/.default instead of resource.", "Entra AADSTS901002",
             901002, kEntraOnlyE, false, false},
    RuleInfo{"EXC011", "resource-missing-v1", "A v1 token request has no resource.",
             "Send resource=https://graph.microsoft.com (v1), or use the v2 endpoint with scope.",
             "Entra AADSTS900144", 900144, kEntraOnlyE, false, false},
    RuleInfo{"EXC012", "multiple-credentials",
             "The request carries client_secret as well as client_assertion.",
             "Use exactly one client authentication method.", "RFC 6749 §2.3", 0, kAllE, false,
             false},
    RuleInfo{"EXC013", "param-repeated", "A request parameter appears more than once.",
             "Send every parameter once.", "RFC 6749 §3.2", 900144, kAllE, false, false},
    RuleInfo{"EXC014", "scope-multiple-resources",
             "The scope names more than one resource; client credentials take one.",
             "Request one resource's /.default per token request.", "Entra AADSTS700022", 700022,
             kEntraOnlyE, false, false},
    RuleInfo{"EXC015", "form-encoding",
             "The form body is not valid application/x-www-form-urlencoded (bad percent-escapes).",
             "URL-encode every parameter value exactly once.", "RFC 6749 Appendix B", 900144,
             kAllE, false, false},
    // ---------------------------------------------------------------- header
    RuleInfo{"HDR001", "alg-none", "alg is \"none\" (in any casing): the assertion is unsigned.",
             "Sign the assertion with the certificate's private key (PS256 or RS256).",
             "RFC 8725 §3.2; RFC 7523 §3 item 9", 5002738, kAllE, false, false},
    RuleInfo{"HDR002", "alg-hmac",
             "alg is an HMAC algorithm (client_secret_jwt) where an asymmetric signature is "
             "expected.",
             "private_key_jwt needs an asymmetric algorithm; Entra does not support "
             "client_secret_jwt.",
             "RFC 8725 §2.1, §3.1", 5002738, kAllE, false, false},
    RuleInfo{"HDR003", "alg-missing", "The header has no alg, or alg is not a string.",
             "Set alg, e.g. \"PS256\".", "RFC 7515 §4.1.1", 50027, kAllE, false, false},
    RuleInfo{"HDR004", "alg-unknown",
             "alg is not a registered JWS algorithm name (names are case-sensitive).",
             "Use a registered name such as PS256 or RS256, in upper case.",
             "RFC 7515 §4.1.1; RFC 7518 §3.1", 5002738, kAllE, false, false},
    RuleInfo{"HDR005", "alg-not-allowed", "alg is not in the allow-list of the profile or policy.",
             "Sign with an allowed algorithm (see the message).", "RFC 8725 §3.1", 5002738, kAllE,
             false, false},
    RuleInfo{"HDR006", "alg-ecdsa-entra", "Entra ID does not accept ECDSA certificate credentials.",
             "Use an RSA certificate of at least 2048 bits and sign with PS256 or RS256.",
             "Entra certificate credentials (MSAL.NET #2573, MSAL Python #534); AADSTS inferred",
             5002738, kEntraOnlyE,
             false, false},
    RuleInfo{"HDR007", "alg-unconfirmed-entra",
             "Entra is not known to accept PS384 or PS512 for client assertions.",
             "Prefer PS256 (documented) or RS256.", "Entra certificate credentials", 0,
             {W, O, O, O}, false, false},
    RuleInfo{"HDR008", "key-id-missing", "The header has none of x5t#S256, x5t or kid.",
             "Add x5t#S256: base64url of the SHA-256 of the certificate's DER bytes.",
             "Entra certificate credentials; RFC 7515 §4.1.4, §4.1.7, §4.1.8", 5002723,
             {E, I, I, I}, false, false},
    RuleInfo{"HDR009", "kid-only-entra", "The key is identified only by kid.",
             "Entra looks certificates up by thumbprint: send x5t#S256 (or x5t).",
             "Entra certificate credentials", 0, {W, O, O, O}, false, false},
    RuleInfo{"HDR010", "thumbprint-length",
             "x5t does not decode to 20 bytes (SHA-1) or x5t#S256 to 32 bytes (SHA-256).",
             "x5t is the SHA-1 and x5t#S256 the SHA-256 of the certificate DER; a swapped hash is "
             "a common mistake.",
             "RFC 7515 §4.1.7, §4.1.8", 700027, kAllE, false, false},
    RuleInfo{"HDR011", "thumbprint-hex",
             "A thumbprint header holds the hex thumbprint, or base64 of its hex text, instead of "
             "base64url of the raw hash.",
             "Decode the hex to bytes, then base64url-encode the bytes; the message shows the "
             "correct value.",
             "RFC 7515 §4.1.7, §4.1.8", 700027, kAllE, false, false},
    RuleInfo{"HDR012", "thumbprint-padded",
             "A thumbprint header has '=' padding (MSAL Python emits it; Entra accepts it).",
             "Drop the trailing '=' characters.", "RFC 7515 §2, §4.1.7", 0, kEntraWStrictE, false,
             false},
    RuleInfo{"HDR013", "thumbprint-std-base64",
             "A thumbprint uses the standard base64 alphabet: usually the app manifest's "
             "customKeyIdentifier pasted as x5t.",
             "Convert to base64url ('+' to '-', '/' to '_', no '='); the message shows the value.",
             "RFC 7515 §2, §4.1.7", 0, kEntraWStrictE, false, false},
    RuleInfo{"HDR014", "key-id-type", "x5t, x5t#S256 or kid is not a non-empty string.",
             "Key identifiers are JSON strings.", "RFC 7515 §4.1.4, §4.1.7, §4.1.8", 50027, kAllE,
             false, false},
    RuleInfo{"HDR015", "kid-suspicious",
             "kid contains a path, control characters, quotes or shell/SQL metacharacters, or is "
             "unusually long.",
             "kid is an opaque hint; a verifier that uses it as a path or query is exploitable.",
             "RFC 8725 §3.10; RFC 7515 §4.1.4", 0, kAllE, false, false},
    RuleInfo{"HDR016", "embedded-jwk",
             "The header embeds a jwk; a verifier must never take the key from the token.",
             "Remove jwk: the verifier uses the key registered for the client.",
             "RFC 8725 §3.10; CVE-2018-0114", 0, kAllW, false, false},
    RuleInfo{"HDR017", "key-url",
             "The header points to a key URL (jku or x5u); a verifier must never fetch it.",
             "Remove jku/x5u: the verifier uses the key registered for the client.",
             "RFC 8725 §3.10; RFC 7515 §4.1.2, §4.1.5", 0, kAllW, false, false},
    RuleInfo{"HDR018", "crit-unknown",
             "crit lists an extension this verifier does not understand, a registered header "
             "name, or a name absent from the header.",
             "Remove crit: client assertions need no critical extensions.", "RFC 7515 §4.1.11",
             50027, kAllE, false, false},
    RuleInfo{"HDR019", "crit-malformed", "crit is empty or not an array of strings.",
             "Remove crit, or make it a non-empty array of extension names.", "RFC 7515 §4.1.11",
             50027, kAllE, false, false},
    RuleInfo{"HDR020", "b64-false", "The b64 header parameter is present (unencoded payload).",
             "JWTs must not use RFC 7797 unencoded payloads; remove b64.", "RFC 7797 §7", 50027,
             kAllE, false, false},
    RuleInfo{"HDR021", "typ-wrong",
             "typ names a different kind of token (at+jwt, dpop+jwt, ...) or is not a string.",
             "A client assertion's typ is JWT or client-authentication+jwt, or absent.",
             "RFC 8725 §3.11, §3.12; RFC 7515 §4.1.9", 0, kAllE, false, false},
    RuleInfo{"HDR022", "typ-not-explicit",
             "typ is absent or JWT; rfc7523bis asks clients for client-authentication+jwt.",
             "Set typ to client-authentication+jwt.", "draft-ietf-oauth-rfc7523bis; RFC 8725 §3.11",
             0, {O, O, W, O}, false, false},
    RuleInfo{"HDR023", "typ-explicit-entra",
             "typ is client-authentication+jwt, which Entra reportedly does not support.",
             "Use typ JWT (or omit typ) for Entra.", "Entra certificate credentials (inferred)", 0,
             {W, O, O, O}, false, false},
    RuleInfo{"HDR024", "x5c-shape",
             "x5c is a single string, or its entries carry line breaks (accepted by Entra, not "
             "RFC form).",
             "Send x5c as an array of unwrapped standard-base64 DER certificates, leaf first.",
             "RFC 7515 §4.1.6", 0, {I, W, W, W}, false, false},
    RuleInfo{"HDR025", "x5c-invalid", "x5c does not hold base64 DER certificates.",
             "Each x5c entry is standard base64 of one DER certificate, leaf first.",
             "RFC 7515 §4.1.6", 50027, kAllE, false, false},
    RuleInfo{"HDR026", "x5c-thumbprint-mismatch",
             "The x5c leaf certificate does not match x5t or x5t#S256.",
             "Put the signing certificate first in x5c and compute the thumbprints from it.",
             "RFC 7515 §4.1.6, §4.1.7, §4.1.8", 700027, kAllE, false, false},
    RuleInfo{"HDR027", "cty-nested", "cty marks a nested JWT: an assertion is a single JWS.",
             "Remove cty and sign the claims directly.", "RFC 7519 §5.2; RFC 7523 §2.2", 50027,
             kAllE, false, false},
    RuleInfo{"HDR028", "thumbprint-noncanonical",
             "A thumbprint header decodes to the right length, but its last character has "
             "non-zero unused bits: a non-canonical spelling of the same hash (Entra accepts it).",
             "Use the canonical spelling the message shows. Entra's .NET decoder ignores the "
             "unused bits; the .NET 11 decoder rejects them (dotnet/runtime#105262), so a "
             "service moving to it would refuse the token.",
             "RFC 4648 §3.5; RFC 7515 §2, §4.1.7, §4.1.8", 0, kEntraWStrictE, false, false},
    // ---------------------------------------------------------------- keys and certificates
    RuleInfo{"KEY001", "thumbprint-mismatch",
             "x5t or x5t#S256 does not match the given certificate.",
             "Compute the thumbprint from the certificate you registered; the message shows every "
             "form of the expected value.",
             "RFC 7515 §4.1.7, §4.1.8; Entra certificate credentials", 700027, kAllE, true, false},
    RuleInfo{"KEY002", "key-not-found",
             "No registered key matches the token's x5t#S256, x5t or kid.",
             "Upload the signing certificate to the app registration, or sign with a registered "
             "one.",
             "RFC 7517 §4.5; Entra AADSTS700027", 700027, kAllE, true, false},
    RuleInfo{"KEY003", "private-key-mismatch",
             "The private key does not belong to the certificate.",
             "Sign with the key of the registered certificate; a .pfx keeps the two together.",
             "Entra AADSTS700027 (signature value did not match)", 700027, kAllE, true, false},
    RuleInfo{"KEY004", "cert-expired", "The certificate was past its notAfter at the given time.",
             "Create a new certificate, upload it, and sign with it.",
             "RFC 5280 §4.1.2.5; Entra AADSTS1000502", 1000502, {E, W, W, W}, true, false},
    RuleInfo{"KEY005", "cert-not-yet-valid",
             "The certificate was before its notBefore at the given time.",
             "Check the clock, or wait until the certificate is valid.",
             "RFC 5280 §4.1.2.5; Entra AADSTS1000502", 1000502, {E, W, W, W}, true, false},
    RuleInfo{"KEY006", "rsa-key-small", "The RSA key is shorter than 2048 bits.",
             "Use an RSA key of at least 2048 bits.", "RFC 7518 §3.3", 0, kAllE, true, false},
    RuleInfo{"KEY007", "cert-expiring", "The certificate expires within 30 days.",
             "Create and upload the next certificate before this one expires.", "RFC 5280",
             0, kAllI, true, false},
    RuleInfo{"KEY008", "kid-mismatch",
             "kid does not match the kid or thumbprint of the key that verified the signature.",
             "Set kid to the key's identifier, or leave it out.", "RFC 7515 §4.1.4", 0, kAllW,
             true, false},
    RuleInfo{"KEY009", "jwk-metadata-conflict",
             "The verifying JWK is not meant for this use: use is not sig, key_ops lacks verify, or "
             "its alg differs from the token's.",
             "Publish signing keys with use sig (or key_ops [verify]) and the alg the client signs "
             "with.",
             "RFC 7517 §4.2, §4.3, §4.4", 0, kAllE, true, false},
    // ---------------------------------------------------------------- signature
    RuleInfo{"SIG001", "signature-missing", "The signature segment is empty.",
             "Sign the assertion; an empty signature is never valid.",
             "RFC 7515 §5.2; CVE-2020-28042", 700027, kAllE, false, false},
    RuleInfo{"SIG002", "signature-invalid", "The signature does not verify with the given key.",
             "Check that the private key belongs to the registered certificate and that the "
             "token was not altered after signing.",
             "RFC 7515 §5.2 step 8", 700027, kAllE, true, false},
    RuleInfo{"SIG003", "signature-length",
             "The signature has the wrong length for the algorithm and key.",
             "RSA signatures are as long as the modulus; ES256/384/512 are 64/96/132 bytes R||S.",
             "RFC 8017 §8.2.2; RFC 7518 §3.4", 700027, kAllE, false, false},
    RuleInfo{"SIG004", "ecdsa-range",
             "ECDSA r or s is zero or not below the curve order (the 'psychic signature').",
             "A genuine ECDSA signature never has r or s outside [1, n-1].",
             "RFC 7518 §3.4; CVE-2022-21449", 700027, kAllE, false, false},
    RuleInfo{"SIG005", "ecdsa-der",
             "The ECDSA signature is DER-encoded instead of the JOSE R||S form.",
             "Convert the DER ECDSA-Sig-Value to fixed-width R||S.", "RFC 7518 §3.4", 700027,
             kAllE, false, false},
    RuleInfo{"SIG006", "ecdsa-high-s",
             "ECDSA s is in the upper half of the order: valid, but the token string is "
             "malleable.",
             "Normalize s to n - s (low-S) when signing.", "RFC 7518 §3.4 (no low-S rule)", 0,
             kAllW, true, false},
    RuleInfo{"SIG007", "pss-salt",
             "The RSA-PSS signature verifies only with a salt length other than the digest "
             "length.",
             "Sign with salt length = hash length (32 for PS256) and MGF1 with the same hash.",
             "RFC 7518 §3.5", 700027, kAllE, true, false},
    RuleInfo{"SIG008", "padding-mismatch",
             "The header alg does not match the padding of the signature (PKCS#1 v1.5 under PS*, "
             "or PSS under RS*).",
             "Make alg and the signer's padding agree: RS* is PKCS#1 v1.5, PS* is PSS.",
             "RFC 7518 §3.3, §3.5", 700027, kAllE, true, false},
    RuleInfo{"SIG009", "key-alg-mismatch",
             "The key's type or curve cannot produce this alg (an RSA key with ES256, P-384 with "
             "ES256).",
             "Use the algorithm that matches the key: RSA keys sign RS*/PS*, P-256 signs ES256.",
             "RFC 8725 §3.1; RFC 7518 §3.4", 5002730, kAllE, true, false},
    RuleInfo{"SIG010", "hmac-public-key",
             "The HMAC is keyed with the public key: an algorithm-confusion forgery.",
             "Reject it; never let the token's alg pick how a public key is used.",
             "RFC 8725 §2.1; CVE-2016-10555", 5002738, kAllE, true, false},
    RuleInfo{"SIG011", "signature-unchecked",
             "No key was given, so the signature was not verified.",
             "Pass the certificate (--cert), public key (--key), JWKS (--jwks) or .pfx (--pfx).",
             "RFC 7523 §3 item 9", 0, kAllE, false, false},
};

constexpr bool sorted_by_id() {
  for (size_t i = 1; i < kRules.size(); ++i) {
    if (!(kRules[i - 1].id < kRules[i].id)) {
      return false;
    }
  }
  return true;
}
static_assert(sorted_by_id(), "keep the rule table sorted by ID");

}  // namespace

std::span<const RuleInfo> all_rules() { return kRules; }

const RuleInfo* find_rule(std::string_view id_or_name) {
  const auto it = std::lower_bound(kRules.begin(), kRules.end(), id_or_name,
                                   [](const RuleInfo& r, std::string_view id) { return r.id < id; });
  if (it != kRules.end() && it->id == id_or_name) {
    return &*it;
  }
  for (const RuleInfo& r : kRules) {
    if (r.name == id_or_name) {
      return &r;
    }
  }
  return nullptr;
}

}  // namespace assay
