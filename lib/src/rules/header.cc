// HDR rules: the JOSE header.
#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "assay/base64url.h"
#include "assay/jose.h"
#include "assay/key.h"
#include "context.h"
#include "json_util.h"

namespace assay::internal {
namespace {

bool is_hex40(std::string_view s, size_t len) {
  return s.size() == len &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

// The last base64 character of `value` (skipping trailing padding and whitespace).
char last_base64_char(std::string_view value) {
  const size_t end = value.find_last_not_of("= \t\r\n");
  return end == std::string_view::npos ? '?' : value[end];
}

std::string upper(std::string s) {
  for (char& c : s) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return s;
}

// Checks x5t (sha1 = true, 20 bytes) or x5t#S256 (32 bytes).
void check_thumbprint(RuleContext& ctx, const std::string& name, const std::string& value, bool sha1) {
  const size_t want = sha1 ? 20 : 32;
  const size_t hex_len = want * 2;
  auto pointer = [&] { return "/header/" + json_pointer_escape(name); };
  const char* hash = sha1 ? "SHA-1" : "SHA-256";
  // The hex thumbprint pasted as is.
  if (is_hex40(value, hex_len)) {
    auto raw = hex_decode(value);
    ctx.emit("HDR011",
             name + " holds the hex " + hash + " thumbprint " + upper(value) +
                 " instead of base64url of the " + std::to_string(want) + " raw bytes",
             pointer(), "set " + name + " to " + quote(base64url_encode(raw ? *raw : "")));
    return;
  }
  auto lenient = base64url_decode_lenient(value);
  std::optional<std::string>& decoded = sha1 ? ctx.x5t_bytes : ctx.x5ts_bytes;
  if (!lenient) {
    decoded.emplace();
    ctx.emit("HDR010", name + " is not base64url: " + lenient.error().message, pointer());
    return;
  }
  const std::string& bytes = decoded.emplace(std::move(lenient->bytes));
  // base64 of the hex text (the 2016 ADAL bug).
  if (is_hex40(bytes, hex_len)) {
    auto raw = hex_decode(bytes);
    ctx.emit("HDR011",
             name + " is base64 of the hex text " + upper(bytes) + ", not of the raw " + hash +
                 " bytes",
             pointer(), "set " + name + " to " + quote(base64url_encode(raw ? *raw : "")));
    return;
  }
  if (bytes.size() != want) {
    std::string m = name + " decodes to " + std::to_string(bytes.size()) + " bytes; a " + hash +
                    " thumbprint is " + std::to_string(want);
    std::string hint;
    if (sha1 && bytes.size() == 32) {
      m += " (this looks like a SHA-256 thumbprint)";
      hint = "put the SHA-256 value in x5t#S256, or use the SHA-1 thumbprint in x5t";
    } else if (!sha1 && bytes.size() == 20) {
      m += " (this looks like a SHA-1 thumbprint)";
      hint = "put the SHA-1 value in x5t, or use the SHA-256 thumbprint in x5t#S256";
    }
    ctx.emit("HDR010", std::move(m), pointer(), std::move(hint));
    return;
  }
  if (lenient->irregularities.empty()) {
    return;  // the canonical form: nothing to report
  }
  // The right length: Entra matches the decoded bytes (see the note on .NET's decoder in
  // registry.cc), so each irregularity is its own rule with its own severity per profile.
  const std::string canonical = base64url_encode(bytes);
  for (Base64Irregularity irr : lenient->irregularities) {
    switch (irr) {
      case Base64Irregularity::kPadding:
        ctx.emit("HDR012", name + " " + quote(value) + " has '=' padding", pointer(),
                 "use " + quote(canonical));
        break;
      case Base64Irregularity::kStandardAlphabet:
        ctx.emit("HDR013",
                 name + " " + quote(value) +
                     " uses the standard base64 alphabet, as the app manifest's "
                     "customKeyIdentifier does",
                 pointer(), "use the base64url form " + quote(canonical));
        break;
      case Base64Irregularity::kNonCanonicalBits:
        ctx.emit("HDR028",
                 name + " " + quote(value) + " decodes to the " + hash + " thumbprint " +
                     hex_upper(bytes) + ", but its last character '" +
                     std::string(1, last_base64_char(value)) +
                     "' has non-zero unused bits; the canonical spelling is " + quote(canonical),
                 pointer(),
                 "use " + quote(canonical) +
                     ": Entra's .NET decoder ignores the unused bits today, but the .NET 11 "
                     "decoder rejects them (dotnet/runtime#105262), so a service moving to it "
                     "would refuse the token");
        break;
      case Base64Irregularity::kWhitespace:
        // .NET's decoder pads by the length with the whitespace counted, so Entra fails to
        // decode it unless the whitespace count happens to be a multiple of four.
        ctx.emit("HDR010", name + " " + quote(value) + " is not canonical base64url (whitespace)",
                 pointer(), "use " + quote(canonical));
        break;
    }
  }
}

constexpr std::array<std::string_view, 13> kRegisteredHeaders = {
    "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit", "enc", "zip"};

void check_crit(RuleContext& ctx, const Json& crit) {
  if (!crit.is_array() || crit.empty() ||
      !std::all_of(crit.begin(), crit.end(), [](const Json& v) { return v.is_string(); })) {
    ctx.emit("HDR019",
             std::string("crit is ") +
                 (crit.is_array() ? (crit.empty() ? "an empty array" : "an array with non-string entries")
                                  : std::string("a ") + crit.type_name() + ", not an array"),
             "/header/crit");
    return;
  }
  const Json::array_t& names = *elements(crit);
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& name = names[i].get_ref<const std::string&>();
    const std::string pointer = "/header/crit/" + std::to_string(i);
    if (std::find(kRegisteredHeaders.begin(), kRegisteredHeaders.end(), name) !=
        kRegisteredHeaders.end()) {
      ctx.emit("HDR018", "crit lists the registered header parameter " + quote(name), pointer);
    } else if (member(ctx.header(), name) == nullptr) {
      ctx.emit("HDR018", "crit lists " + quote(name) + ", which is absent from the header", pointer);
    } else {
      ctx.emit("HDR018",
               "crit marks the extension " + quote(name) +
                   " as critical; assay (like most token endpoints) does not understand it",
               pointer);
    }
  }
}

void check_kid(RuleContext& ctx, const std::string& kid) {
  std::string why;
  if (kid.size() > 256) {
    why = "is " + std::to_string(kid.size()) + " characters long";
  } else if (std::any_of(kid.begin(), kid.end(), [](char c) {
               return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
             })) {
    why = "contains control characters";
  } else if (kid.find("..") != std::string::npos || kid.front() == '/' ||
             kid.find(":\\") != std::string::npos) {
    why = "looks like a file path";
  } else if (kid.find_first_of("|;`'\"\\<>") != std::string::npos || kid.find("$(") != std::string::npos) {
    why = "contains shell, SQL or markup metacharacters";
  }
  if (!why.empty()) {
    ctx.emit("HDR015", "kid " + why + ": " + quote(kid.substr(0, 80)) + (kid.size() > 80 ? "..." : ""),
             "/header/kid");
  }
}

void check_typ(RuleContext& ctx, const Json& typ) {
  if (!typ.is_string()) {
    ctx.emit("HDR021", std::string("typ is a ") + typ.type_name() + ", not a string", "/header/typ");
    return;
  }
  std::string t = typ.get<std::string>();
  std::string norm = t;
  std::transform(norm.begin(), norm.end(), norm.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (norm.starts_with("application/")) {
    norm = norm.substr(12);
  }
  if (norm == "jwt") {
    if (ctx.applies("HDR022")) {
      ctx.emit("HDR022", "typ is " + quote(t) + "; rfc7523bis asks for client-authentication+jwt",
               "/header/typ");
    }
  } else if (norm == "client-authentication+jwt") {
    if (ctx.applies("HDR023")) {
      ctx.emit("HDR023", "typ is " + quote(t) + ", which Entra reportedly does not accept",
               "/header/typ");
    }
  } else {
    std::string what;
    if (norm == "at+jwt") {
      what = " (an OAuth access token, RFC 9068)";
    } else if (norm == "dpop+jwt") {
      what = " (a DPoP proof, RFC 9449)";
    } else if (norm == "secevent+jwt") {
      what = " (a security event token, RFC 8417)";
    } else if (norm == "jose" || norm == "jose+json") {
      what = " (a generic JWS, not a JWT)";
    } else if (norm == "logout+jwt") {
      what = " (a logout token)";
    }
    ctx.emit("HDR021", "typ is " + quote(t) + what + ", not a client assertion type", "/header/typ");
  }
}

void check_x5c(RuleContext& ctx, const Json& x5c) {
  std::vector<std::string> entries;
  if (x5c.is_string()) {
    ctx.emit("HDR024", "x5c is a single string (as MSAL.NET sends it), not an array", "/header/x5c");
    entries.push_back(x5c.get<std::string>());
  } else if (x5c.is_array() && !x5c.empty()) {
    const Json::array_t& arr = *elements(x5c);
    for (size_t i = 0; i < arr.size(); ++i) {
      if (!arr[i].is_string()) {
        ctx.emit("HDR025", "x5c[" + std::to_string(i) + "] is not a string", "/header/x5c/" + std::to_string(i));
        return;
      }
      entries.push_back(arr[i].get<std::string>());
    }
    if (std::any_of(entries.begin(), entries.end(),
                    [](const std::string& e) { return e.find('\n') != std::string::npos; })) {
      ctx.emit("HDR024", "x5c entries contain line breaks (PEM body lines, as MSAL Python sends them)",
               "/header/x5c");
    }
  } else {
    ctx.emit("HDR025", std::string("x5c is ") + (x5c.is_array() ? "an empty array" : std::string("a ") + x5c.type_name()),
             "/header/x5c");
    return;
  }
  std::vector<Certificate> chain;
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string pointer = x5c.is_array() ? "/header/x5c/" + std::to_string(i) : "/header/x5c";
    std::string text = entries[i];
    if (text.find("-----BEGIN") != std::string::npos) {
      ctx.emit("HDR025", "x5c[" + std::to_string(i) + "] is PEM text, not base64 DER", pointer);
      return;
    }
    auto der = base64_decode(text);
    if (!der) {
      auto url = base64url_decode_lenient(text);
      ctx.emit("HDR025",
               "x5c[" + std::to_string(i) + "] is not standard base64" +
                   (url ? " (it is base64url, which x5c does not use)" : ": " + der.error().message),
               pointer);
      return;
    }
    auto cert = load_credentials(*der);
    if (!cert || cert->certificates.empty() || cert->format != KeyFormat::kDerCertificate) {
      ctx.emit("HDR025", "x5c[" + std::to_string(i) + "] is not a DER X.509 certificate", pointer);
      return;
    }
    chain.push_back(cert->certificates.front());
  }
  const Thumbprints& leaf = chain.front().thumbprints();
  const Json& h = ctx.header();
  for (const char* name : {"x5t", "x5t#S256"}) {
    const Json* it = member(h, name);
    if (it == nullptr || !it->is_string()) {
      continue;
    }
    auto bytes = base64url_decode_lenient(it->get<std::string>());
    const bool sha1 = std::string_view(name) == "x5t";
    const std::string& want = sha1 ? leaf.sha1 : leaf.sha256;
    if (bytes && bytes->bytes.size() == want.size() && bytes->bytes != want) {
      std::string m = std::string(name) + " " + quote(it->get<std::string>()) +
                      " does not match the x5c leaf certificate (" + chain.front().subject() + ", " +
                      std::string(sha1 ? "x5t " + leaf.x5t : "x5t#S256 " + leaf.x5t_s256) + ")";
      for (size_t i = 1; i < chain.size(); ++i) {
        const std::string& other = sha1 ? chain[i].thumbprints().sha1 : chain[i].thumbprints().sha256;
        if (other == bytes->bytes) {
          m += "; it matches x5c[" + std::to_string(i) + "]: the leaf must come first";
        }
      }
      ctx.emit("HDR026", std::move(m), "/header/" + json_pointer_escape(name));
    }
  }
}

}  // namespace

void check_header(RuleContext& ctx) {
  const Json& h = ctx.header();
  if (!h.is_object()) {
    return;  // ENC010/ENC011 already say why
  }
  // The registered members the rules look at, found in one pass.
  static constexpr std::array<std::string_view, 12> kNames = {
      "alg", "x5t", "x5t#S256", "kid", "jwk", "jku", "x5u", "crit", "b64", "typ", "cty", "x5c"};
  std::array<const Json*, kNames.size()> found{};
  members(h, kNames, found);
  const auto [alg_it, x5t_it, x5ts_it, kid_it, jwk_it, jku_it, x5u_it, crit_it, b64_it, typ_it,
              cty_it, x5c_it] = found;
  // alg
  if (alg_it == nullptr || !alg_it->is_string()) {
    ctx.emit("HDR003",
             alg_it == nullptr ? "the header has no alg"
                               : std::string("alg is a ") + alg_it->type_name() + ", not a string",
             "/header/alg");
  } else {
    const std::string& alg = alg_it->get_ref<const std::string&>();
    if (is_none_alg_name(alg)) {
      ctx.emit("HDR001", "alg is " + quote(alg) + ": the assertion claims to be unsigned",
               "/header/alg");
    } else if (is_hmac_alg_name(alg)) {
      ctx.emit("HDR002", "alg is " + quote(alg) + ", an HMAC (shared-secret) algorithm",
               "/header/alg");
    } else if (auto parsed = parse_alg(alg); !parsed) {
      std::string m = "alg " + quote(alg) + " is not a registered JWS algorithm";
      std::string hint;
      const std::string up = upper(alg);
      if (parse_alg(up) || is_hmac_alg_name(up)) {
        hint = "algorithm names are case-sensitive: use " + quote(up);
      } else if (is_none_alg_name(up)) {
        hint = "\"none\" is never acceptable";
      }
      ctx.emit("HDR004", std::move(m), "/header/alg", std::move(hint));
    } else {
      const Alg a = *parsed;
      const std::vector<Alg>& explicit_algs = ctx.policy.algorithms();
      if (!explicit_algs.empty()) {
        if (std::find(explicit_algs.begin(), explicit_algs.end(), a) == explicit_algs.end()) {
          std::string allowed;
          for (Alg x : explicit_algs) {
            allowed += (allowed.empty() ? "" : ", ") + std::string(alg_name(x));
          }
          ctx.emit("HDR005", "alg " + quote(alg) + " is not allowed (allowed: " + allowed + ")",
                   "/header/alg");
        }
      } else if (ctx.profile == Profile::kEntra) {
        if (alg_family(a) == AlgFamily::kEcdsa) {
          ctx.emit("HDR006", "alg is " + quote(alg) + "; Entra accepts RSA signatures only",
                   "/header/alg");
        } else if (a == Alg::kPS384 || a == Alg::kPS512) {
          ctx.emit("HDR007", "alg is " + quote(alg) + "; Entra documents PS256 and lists RS256, "
                                                      "RS384 and RS512",
                   "/header/alg");
        }
      }
    }
  }
  // key identifiers
  bool has_x5t = false;
  bool has_x5ts = false;
  bool has_kid = false;
  for (const auto& [name, it] : {std::pair{"x5t", x5t_it}, std::pair{"x5t#S256", x5ts_it},
                                 std::pair{"kid", kid_it}}) {
    if (it == nullptr) {
      continue;
    }
    if (!it->is_string() || it->get_ref<const std::string&>().empty()) {
      ctx.emit("HDR014",
               std::string(name) + " is " +
                   (it->is_string() ? std::string("an empty string") : std::string("a ") + it->type_name()),
               "/header/" + json_pointer_escape(name));
      continue;
    }
    const std::string& v = it->get_ref<const std::string&>();
    const std::string_view n(name);
    if (n == "x5t") {
      has_x5t = true;
      check_thumbprint(ctx, "x5t", v, true);
    } else if (n == "x5t#S256") {
      has_x5ts = true;
      check_thumbprint(ctx, "x5t#S256", v, false);
    } else {
      has_kid = true;
      check_kid(ctx, v);
    }
  }
  if (!has_x5t && !has_x5ts && !has_kid) {
    ctx.emit("HDR008", "the header has none of x5t#S256, x5t or kid", "/header");
  } else if (!has_x5t && !has_x5ts && has_kid) {
    ctx.emit("HDR009", "the key is identified only by kid " + quote(string_member(h, "kid")),
             "/header/kid");
  }
  // key material carried in the token
  if (jwk_it != nullptr) {
    ctx.emit("HDR016", "the header embeds a jwk; it is ignored, never trusted", "/header/jwk");
  }
  for (const auto& [name, vp] : {std::pair{"jku", jku_it}, std::pair{"x5u", x5u_it}}) {
    if (vp != nullptr) {
      const Json& v = *vp;
      ctx.emit("HDR017",
               std::string(name) + " points to " +
                   (v.is_string() ? quote(v.get<std::string>()) : std::string("a ") + v.type_name()) +
                   "; assay never fetches it",
               "/header/" + std::string(name));
    }
  }
  if (crit_it != nullptr) {
    check_crit(ctx, *crit_it);
  }
  if (b64_it != nullptr) {
    ctx.emit("HDR020", "b64 is " + b64_it->dump() + "; JWTs must not use unencoded payloads",
             "/header/b64");
  }
  if (typ_it != nullptr) {
    check_typ(ctx, *typ_it);
  } else if (ctx.applies("HDR022")) {
    ctx.emit("HDR022", "typ is absent; rfc7523bis asks for client-authentication+jwt",
             "/header/typ");
  }
  if (cty_it != nullptr) {
    const Json& cty = *cty_it;
    if (cty.is_string() && upper(cty.get<std::string>()) == "JWT") {
      ctx.emit("HDR027", "cty is " + quote(cty.get<std::string>()) + ": the payload would be another JWT",
               "/header/cty");
    }
  }
  if (x5c_it != nullptr) {
    check_x5c(ctx, *x5c_it);
  }
}

}  // namespace assay::internal
