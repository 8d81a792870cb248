#include "conformance.h"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "assay/base64url.h"
#include "assay/build.h"
#include "assay/policy.h"
#include "assay/signature.h"
#include "assay/testing.h"

namespace assay::cli {
namespace {

constexpr int64_t kVectorNow = 1767225600;  // 2026-01-01T00:00:00Z
constexpr const char* kVectorClientId = "6b3c0f0e-5f3e-4a5c-9d61-3f1d2a7b9c10";
constexpr const char* kVectorTenant = "contoso.onmicrosoft.com";

std::string b64(std::string_view s) { return base64url_encode(s); }

// The i-th dot-separated segment of a token.
std::string seg(const std::string& t, int i) {
  size_t a = 0;
  for (int k = 0; k < i; ++k) {
    a = t.find('.', a);
    if (a == std::string::npos) {
      return {};
    }
    ++a;
  }
  const size_t b = t.find('.', a);
  return t.substr(a, b == std::string::npos ? std::string::npos : b - a);
}

// `b64url` (canonical, its length not a multiple of 4) with the lowest unused bit of its last
// character set: the same bytes, another string.
std::string non_canonical(std::string b64url) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  if (!b64url.empty()) {
    const size_t v = kAlphabet.find(b64url.back());
    b64url.back() = kAlphabet[v == std::string_view::npos ? 0 : v | 1];
  }
  return b64url;
}

std::string with_sig(const std::string& t, const std::string& sig_bytes) {
  return t.substr(0, t.rfind('.') + 1) + b64(sig_bytes);
}

std::string sig_bytes(const std::string& t) {
  auto s = base64url_decode_lenient(seg(t, 2));
  return s ? s->bytes : std::string();
}

// Adds filler to the payload until its base64url contains '-' or '_' (so an alphabet swap has
// something to swap).
void ensure_url_chars(Draft& d) {
  for (int i = 0; i < 64; ++i) {
    const std::string p = b64(d.payload.dump());
    if (p.find_first_of("-_") != std::string::npos) {
      return;
    }
    d.payload["x-pad"] = std::string(static_cast<size_t>(i + 1), '?') + ">";
  }
}

using Apply = std::function<void(Draft&, const ClassEnv&)>;

ConformanceClass cls(std::string id, std::string flag, std::string section, std::string bug,
                     std::string description, Apply apply) {
  ConformanceClass c;
  c.id = std::move(id);
  c.flag = std::move(flag);
  c.section = std::move(section);
  c.bug_type = std::move(bug);
  c.description = std::move(description);
  c.apply = std::move(apply);
  return c;
}

ConformanceClass with(ConformanceClass c, AlgScope scope) {
  c.scope = scope;
  return c;
}
ConformanceClass with(ConformanceClass c, Material m) {
  c.material = m;
  return c;
}
ConformanceClass only(ConformanceClass c, std::vector<Profile> p) {
  c.only = std::move(p);
  return c;
}
ConformanceClass offline(ConformanceClass c) {
  c.wire = false;
  return c;
}
ConformanceClass positive(ConformanceClass c) {
  c.positive = true;
  return c;
}

void set_times(Draft& d, int64_t iat, int64_t nbf, int64_t exp) {
  d.payload["iat"] = iat;
  d.payload["nbf"] = nbf;
  d.payload["exp"] = exp;
}

int64_t now_of(const Draft& d) { return d.payload["iat"].get<int64_t>(); }

std::string hmac_alg_for(Alg a) {
  return alg_digest_size(a) == 48 ? "HS384" : alg_digest_size(a) == 64 ? "HS512" : "HS256";
}

std::vector<ConformanceClass> make_classes() {
  using P = Profile;
  std::vector<ConformanceClass> v;
  // --------------------------------------------------------------- valid shapes (positives)
  v.push_back(positive(cls("valid-baseline", "Valid", "-", "BASIC",
                           "A conforming assertion for the profile.", [](Draft&, const ClassEnv&) {})));
  v.push_back(positive(with(cls("msal-python-pfx", "MsalPythonShape", "-", "BASIC",
                                "MSAL Python with a PFX: PS256, x5t#S256 with '=' padding, float exp and iat, no nbf; Entra accepts it.",
                                [](Draft& d, const ClassEnv& e) {
                                  d.header = Json::object({{"alg", d.header["alg"]}, {"typ", "JWT"}, {"x5t#S256", e.cert.thumbprints().x5t_s256 + "="}});
                                  const int64_t now = now_of(d);
                                  d.payload.erase("nbf");
                                  d.payload["exp"] = static_cast<double>(now) + 600.25;
                                  d.payload["iat"] = static_cast<double>(now) + 0.25;
                                }),
                            AlgScope::kPss)));
  v.push_back(positive(with(cls("msal-python-pem", "MsalPythonShape", "-", "BASIC",
                                "MSAL Python with a PEM key: RS256, x5t with '=' padding, float exp and iat.",
                                [](Draft& d, const ClassEnv& e) {
                                  d.header = Json::object({{"alg", d.header["alg"]}, {"typ", "JWT"}, {"x5t", e.cert.thumbprints().x5t + "="}});
                                  const int64_t now = now_of(d);
                                  d.payload.erase("nbf");
                                  d.payload["exp"] = static_cast<double>(now) + 600.5;
                                  d.payload["iat"] = static_cast<double>(now) + 0.5;
                                }),
                            AlgScope::kPkcs1)));
  v.push_back(positive(cls("msal-node", "MsalNodeShape", "-", "BASIC",
                           "MSAL Node: x5t#S256, nbf = iat = now, exp = now + 600, GUID jti.",
                           [](Draft& d, const ClassEnv&) {
                             const int64_t now = now_of(d);
                             set_times(d, now, now, now + 600);
                           })));
  v.push_back(positive(cls("msal-dotnet", "MsalDotnetShape", "-", "BASIC",
                           "MSAL.NET >= 4.61: nbf and exp as JSON strings, no iat; Entra accepts it.",
                           [](Draft& d, const ClassEnv&) {
                             const int64_t now = now_of(d);
                             d.payload.erase("iat");
                             d.payload["nbf"] = std::to_string(now);
                             d.payload["exp"] = std::to_string(now + 600);
                           })));
  v.push_back(positive(with(cls("msal-java", "MsalJavaShape", "-", "BASIC",
                                "MSAL Java: RS256 with x5t#S256, no typ, no iat.",
                                [](Draft& d, const ClassEnv&) {
                                  d.header.erase("typ");
                                  d.payload.erase("iat");
                                }),
                            AlgScope::kPkcs1)));
  v.push_back(positive(with(cls("adal-python", "AdalShape", "-", "BASIC",
                                "ADAL Python: typ first, RS256, SHA-1 x5t, nbf and exp only.",
                                [](Draft& d, const ClassEnv& e) {
                                  d.header = Json::object({{"typ", "JWT"}, {"alg", d.header["alg"]}, {"x5t", e.cert.thumbprints().x5t}});
                                  d.payload.erase("iat");
                                }),
                            AlgScope::kPkcs1)));
  v.push_back(positive(with(cls("openid-client", "OpenidClientShape", "-", "BASIC",
                                "openid-client v6 / oauth4webapi: kid from the JWKS, aud = issuer, short lifetime.",
                                [](Draft& d, const ClassEnv& e) {
                                  d.header = Json::object({{"alg", d.header["alg"]}, {"kid", "assay-1"}});
                                  d.payload["aud"] = e.ctx.issuer;
                                  const int64_t now = now_of(d);
                                  set_times(d, now, now, now + 60);
                                }),
                            Material::kJwks)));
  // --------------------------------------------------------------- A. encoding
  v.push_back(cls("segments-two", "WrongSegmentCount", "A.1", "MODIFIED_PARAMETER", "The signature segment and its dot are missing.",
                  [](Draft& d, const ClassEnv&) { d.tamper = [](const std::string& t) { return t.substr(0, t.rfind('.')); }; }));
  v.push_back(cls("segments-trailing-dot", "WrongSegmentCount", "A.1", "MODIFIED_PARAMETER", "A fourth, empty segment after a trailing dot.",
                  [](Draft& d, const ClassEnv&) { d.tamper = [](const std::string& t) { return t + "."; }; }));
  v.push_back(cls("segments-five-jwe", "WrongSegmentCount", "A.1", "MODIFIED_PARAMETER", "Five segments, as a JWE has.",
                  [](Draft& d, const ClassEnv&) { d.tamper = [](const std::string& t) { return t + ".AAAA.AAAA"; }; }));
  v.push_back(cls("token-url-encoded", "WrongSegmentCount", "A.6", "MODIFIED_PARAMETER", "The dots URL-encoded as %2E.",
                  [](Draft& d, const ClassEnv&) {
                    d.tamper = [](std::string t) {
                      for (size_t p = t.find('.'); p != std::string::npos; p = t.find('.', p + 3)) {
                        t.replace(p, 1, "%2E");
                      }
                      return t;
                    };
                  }));
  v.push_back(cls("signature-empty", "MissingSignature", "A.2", "AUTH_BYPASS", "A real alg with an empty signature (CVE-2020-28042).",
                  [](Draft& d, const ClassEnv&) { d.tamper = [](const std::string& t) { return t.substr(0, t.rfind('.') + 1); }; }));
  v.push_back(cls("padding-segments-signed", "Base64Padding", "A.3", "MALLEABILITY",
                  "Header and payload carry '=' padding, and the signature covers the padded text.",
                  [](Draft& d, const ClassEnv&) {
                    std::string h = d.header.dump();
                    while (h.size() % 3 == 0) {
                      h += ' ';
                    }
                    d.raw_header = h;
                    d.pre_sign = [](const std::string& in) {
                      std::string h64 = base64_encode(*base64url_decode(in.substr(0, in.find('.'))));
                      for (char& c : h64) {
                        c = c == '+' ? '-' : c == '/' ? '_' : c;
                      }
                      return h64 + in.substr(in.find('.'));
                    };
                  }));
  v.push_back(cls("padding-signature", "Base64Padding", "A.3", "MALLEABILITY", "The signature segment carries '=' padding.",
                  [](Draft& d, const ClassEnv&) {
                    d.tamper = [](std::string t) {
                      while ((t.size() - t.rfind('.') - 1) % 4 != 0) {
                        t += '=';
                      }
                      return t;
                    };
                  }));
  v.push_back(cls("standard-alphabet", "Base64Alphabet", "A.4", "MALLEABILITY",
                  "The payload segment uses '+' and '/' (standard base64), signed as sent.",
                  [](Draft& d, const ClassEnv&) {
                    ensure_url_chars(d);
                    d.pre_sign = [](const std::string& in) {
                      const size_t dot = in.find('.');
                      std::string p = in.substr(dot + 1);
                      for (char& c : p) {
                        c = c == '-' ? '+' : c == '_' ? '/' : c;
                      }
                      return in.substr(0, dot + 1) + p;
                    };
                  }));
  v.push_back(cls("noncanonical-bits", "Base64NonCanonical", "A.5", "MALLEABILITY",
                  "The signature's last character has non-zero unused bits: same bytes, different string.",
                  [](Draft& d, const ClassEnv&) {
                    d.tamper = [](std::string t) { return non_canonical(std::move(t)); };
                  }));
  v.push_back(cls("whitespace-in-segment", "Base64Whitespace", "A.6", "MALLEABILITY", "A line break inside the payload segment, signed as sent.",
                  [](Draft& d, const ClassEnv&) {
                    d.pre_sign = [](const std::string& in) {
                      const size_t at = in.find('.') + 9;
                      return in.substr(0, at) + "\r\n" + in.substr(at);
                    };
                  }));
  v.push_back(cls("header-bom", "JsonBom", "A.7", "EDGE_CASE", "The header JSON starts with a UTF-8 byte order mark.",
                  [](Draft& d, const ClassEnv&) { d.raw_header = "\xEF\xBB\xBF" + d.header.dump(); }));
  v.push_back(cls("header-trailing-garbage", "JsonTrailingData", "A.7", "EDGE_CASE", "Text after the header's closing brace.",
                  [](Draft& d, const ClassEnv&) { d.raw_header = d.header.dump() + "x"; }));
  v.push_back(cls("header-not-object", "JsonNotObject", "A.7", "EDGE_CASE", "The header is a JSON array.",
                  [](Draft& d, const ClassEnv&) { d.raw_header = "[" + d.header.dump() + "]"; }));
  v.push_back(cls("header-invalid-utf8", "JsonInvalid", "A.7", "EDGE_CASE", "The header contains a byte that is not UTF-8.",
                  [](Draft& d, const ClassEnv&) {
                    std::string h = d.header.dump();
                    h.insert(h.size() - 1, ",\"x\":\"\xff\"");
                    d.raw_header = h;
                  }));
  v.push_back(cls("header-comment", "JsonInvalid", "A.7", "EDGE_CASE", "A /* comment */ inside the header JSON.",
                  [](Draft& d, const ClassEnv&) { d.raw_header = "/*c*/" + d.header.dump(); }));
  v.push_back(cls("payload-array", "JsonNotObject", "A.8", "EDGE_CASE", "The claims are a JSON array.",
                  [](Draft& d, const ClassEnv&) { d.raw_payload = "[" + d.payload.dump() + "]"; }));
  v.push_back(cls("payload-string", "JsonNotObject", "A.8", "EDGE_CASE", "The claims are a JSON string.",
                  [](Draft& d, const ClassEnv&) { d.raw_payload = "\"claims\""; }));
  v.push_back(cls("payload-null", "JsonNotObject", "A.8", "EDGE_CASE", "The claims are JSON null.",
                  [](Draft& d, const ClassEnv&) { d.raw_payload = "null"; }));
  v.push_back(cls("payload-empty", "JsonInvalid", "A.8", "EDGE_CASE", "The payload is empty.",
                  [](Draft& d, const ClassEnv&) { d.raw_payload = ""; }));
  v.push_back(cls("duplicate-alg-none-last", "DuplicateMember", "A.9", "AUTH_BYPASS", "alg twice: the real one, then none (last wins in many parsers).",
                  [](Draft& d, const ClassEnv&) {
                    std::string h = d.header.dump();
                    d.raw_header = h.substr(0, h.size() - 1) + ",\"alg\":\"none\"}";
                  }));
  v.push_back(cls("duplicate-alg-none-first", "DuplicateMember", "A.9", "AUTH_BYPASS", "alg twice: none, then the real one.",
                  [](Draft& d, const ClassEnv&) { d.raw_header = "{\"alg\":\"none\"," + d.header.dump().substr(1); }));
  v.push_back(cls("duplicate-exp", "DuplicateMember", "A.9", "AUTH_BYPASS", "exp twice: first long past, then valid.",
                  [](Draft& d, const ClassEnv&) { d.raw_payload = "{\"exp\":1000000000," + d.payload.dump().substr(1); }));
  v.push_back(cls("duplicate-iss", "DuplicateMember", "A.9", "AUTH_BYPASS", "iss twice: another client, then the right one.",
                  [](Draft& d, const ClassEnv&) { d.raw_payload = "{\"iss\":\"attacker\"," + d.payload.dump().substr(1); }));
  v.push_back(offline(cls("oversized", "Oversized", "A.10", "EDGE_CASE", "A 70 KB assertion (over the 64 KiB cap).",
                          [](Draft& d, const ClassEnv&) { d.payload["x-pad"] = std::string(70000, 'a'); })));
  v.push_back(cls("deep-nesting", "JsonInvalid", "A.10", "EDGE_CASE", "A claim nested 40 arrays deep.",
                  [](Draft& d, const ClassEnv&) {
                    std::string p = d.payload.dump();
                    d.raw_payload = p.substr(0, p.size() - 1) + ",\"x\":" + std::string(40, '[') + std::string(40, ']') + "}";
                  }));
  v.push_back(cls("exp-overflow", "JsonInvalid", "A.10", "EDGE_CASE", "exp is 1e400, which overflows a double.",
                  [](Draft& d, const ClassEnv&) {
                    d.payload.erase("exp");
                    std::string p = d.payload.dump();
                    d.raw_payload = p.substr(0, p.size() - 1) + ",\"exp\":1e400}";
                  }));
  v.push_back(cls("kid-huge", "KidInjection", "A.10", "EDGE_CASE", "A 5000-character kid.",
                  [](Draft& d, const ClassEnv&) { d.header["kid"] = std::string(5000, 'k'); }));
  // --------------------------------------------------------------- B. algorithm
  v.push_back(cls("alg-none", "AlgNone", "B.11", "AUTH_BYPASS", "alg none with an empty signature.",
                  [](Draft& d, const ClassEnv&) {
                    d.header["alg"] = "none";
                    d.tamper = [](const std::string& t) { return t.substr(0, t.rfind('.') + 1); };
                  }));
  v.push_back(cls("alg-none-uppercase", "AlgNone", "B.11", "AUTH_BYPASS", "alg NONE with an empty signature.",
                  [](Draft& d, const ClassEnv&) {
                    d.header["alg"] = "NONE";
                    d.tamper = [](const std::string& t) { return t.substr(0, t.rfind('.') + 1); };
                  }));
  v.push_back(cls("alg-none-with-signature", "AlgNone", "B.11", "AUTH_BYPASS", "alg nOnE with a (real) signature attached.",
                  [](Draft& d, const ClassEnv&) { d.header["alg"] = "nOnE"; }));
  v.push_back(cls("alg-missing", "AlgMissing", "B.12", "MODIFIED_PARAMETER", "No alg in the header.",
                  [](Draft& d, const ClassEnv&) { d.header.erase("alg"); }));
  v.push_back(cls("alg-number", "AlgMissing", "B.12", "MODIFIED_PARAMETER", "alg is a number.",
                  [](Draft& d, const ClassEnv&) { d.header["alg"] = 256; }));
  v.push_back(cls("alg-lowercase", "AlgUnknown", "B.12", "MODIFIED_PARAMETER", "alg in lower case (names are case-sensitive).",
                  [](Draft& d, const ClassEnv& e) {
                    std::string a(alg_name(e.alg));
                    std::transform(a.begin(), a.end(), a.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
                    d.header["alg"] = a;
                  }));
  v.push_back(cls("alg-trailing-space", "AlgUnknown", "B.12", "MODIFIED_PARAMETER", "alg with a trailing space.",
                  [](Draft& d, const ClassEnv& e) { d.header["alg"] = std::string(alg_name(e.alg)) + " "; }));
  v.push_back(cls("alg-unknown", "AlgUnknown", "B.12", "MODIFIED_PARAMETER", "alg RS1, which is not registered.",
                  [](Draft& d, const ClassEnv&) { d.header["alg"] = "RS1"; }));
  v.push_back(cls("hs-keyed-with-public-key-pem", "KeyConfusion", "B.13", "AUTH_BYPASS",
                  "HMAC keyed with the certificate's public key PEM (CVE-2016-10555).",
                  [](Draft& d, const ClassEnv& e) {
                    const std::string alg = hmac_alg_for(e.alg);
                    d.header["alg"] = alg;
                    const std::string secret = e.cert.public_key().public_pem();
                    d.signer = [alg, secret](const std::string& in) { return hmac_for_confusion_check(alg, secret, in); };
                  }));
  v.push_back(cls("hs-keyed-with-spki-der", "KeyConfusion", "B.13", "AUTH_BYPASS", "HMAC keyed with the public key's DER.",
                  [](Draft& d, const ClassEnv& e) {
                    const std::string alg = hmac_alg_for(e.alg);
                    d.header["alg"] = alg;
                    const std::string secret = e.cert.public_key().spki_der();
                    d.signer = [alg, secret](const std::string& in) { return hmac_for_confusion_check(alg, secret, in); };
                  }));
  v.push_back(cls("hs-random-secret", "AlgHmac", "B.13", "WRONG_PRIMITIVE", "client_secret_jwt (HS256) where a certificate is registered.",
                  [](Draft& d, const ClassEnv&) {
                    d.header["alg"] = "HS256";
                    d.signer = [](const std::string& in) { return hmac_for_confusion_check("HS256", "client-secret", in); };
                  }));
  v.push_back(with(cls("rs-ps-swap", "WrongPrimitive", "B.15", "WRONG_PRIMITIVE",
                       "The header names one RSA padding and the signature uses the other (RS <-> PS).",
                       [](Draft& d, const ClassEnv& e) {
                         const Alg other = alg_family(e.alg) == AlgFamily::kRsaPss
                                               ? static_cast<Alg>(static_cast<int>(e.alg) - 3)
                                               : static_cast<Alg>(static_cast<int>(e.alg) + 3);
                         const Key key = e.key;
                         d.signer = [other, key](const std::string& in) { return sign(other, key, in).value_or(""); };
                       }),
                   AlgScope::kRsa));
  v.push_back(with(cls("pss-salt-zero", "PssSalt", "B.16", "MODIFIED_PARAMETER", "RSA-PSS with salt length 0.",
                       [](Draft& d, const ClassEnv& e) {
                         const Key key = e.key;
                         const Alg alg = e.alg;
                         d.signer = [key, alg](const std::string& in) { return sign_with_pss_salt(alg, key, in, 0).value_or(""); };
                       }),
                   AlgScope::kPss));
  v.push_back(with(cls("pss-salt-64", "PssSalt", "B.16", "MODIFIED_PARAMETER", "RSA-PSS with salt length 64.",
                       [](Draft& d, const ClassEnv& e) {
                         const Key key = e.key;
                         const Alg alg = e.alg;
                         d.signer = [key, alg](const std::string& in) { return sign_with_pss_salt(alg, key, in, 64).value_or(""); };
                       }),
                   AlgScope::kPss));
  v.push_back(with(cls("rsa-sig-prepended-zero", "SignatureLength", "B.17", "MODIFIED_PARAMETER", "A zero byte prepended to the RSA signature.",
                       [](Draft& d, const ClassEnv&) {
                         d.tamper = [](const std::string& t) { return with_sig(t, std::string(1, '\0') + sig_bytes(t)); };
                       }),
                   AlgScope::kRsa));
  v.push_back(with(cls("rsa-sig-truncated", "SignatureLength", "B.17", "MODIFIED_PARAMETER", "The RSA signature without its last byte.",
                       [](Draft& d, const ClassEnv&) {
                         d.tamper = [](const std::string& t) {
                           const std::string s = sig_bytes(t);
                           return with_sig(t, s.substr(0, s.size() - 1));
                         };
                       }),
                   AlgScope::kRsa));
  v.push_back(with(cls("rsa-sig-zero", "SignatureSpecialValue", "B.18", "EDGE_CASE", "An RSA signature of all zero bytes (s = 0).",
                       [](Draft& d, const ClassEnv& e) {
                         const size_t n = static_cast<size_t>(e.key.bits() / 8);
                         d.signer = [n](const std::string&) { return std::string(n, '\0'); };
                       }),
                   AlgScope::kRsa));
  v.push_back(with(cls("ecdsa-zero", "PsychicSignature", "B.20", "AUTH_BYPASS", "r = s = 0 (CVE-2022-21449).",
                       [](Draft& d, const ClassEnv& e) {
                         const size_t n = ecdsa_signature_size(e.alg);
                         d.signer = [n](const std::string&) { return std::string(n, '\0'); };
                       }),
                   AlgScope::kEcdsa));
  v.push_back(with(cls("ecdsa-r-equals-n", "PsychicSignature", "B.20", "AUTH_BYPASS", "r = n (the curve order), s = 1.",
                       [](Draft& d, const ClassEnv& e) {
                         const std::string n = ecdsa_curve_order(e.alg);
                         d.signer = [n](const std::string&) { return n + std::string(n.size() - 1, '\0') + "\x01"; };
                       }),
                   AlgScope::kEcdsa));
  v.push_back(with(cls("ecdsa-der-psychic", "EcdsaDer", "B.20", "AUTH_BYPASS", "The DER signature MAYCAQACAQA (r = s = 0).",
                       [](Draft& d, const ClassEnv&) {
                         d.signer = [](const std::string&) { return std::string("\x30\x06\x02\x01\x00\x02\x01\x00", 8); };
                       }),
                   AlgScope::kEcdsa));
  v.push_back(with(cls("ecdsa-der", "EcdsaDer", "B.21", "WRONG_PRIMITIVE", "A valid signature in DER instead of R||S.",
                       [](Draft& d, const ClassEnv& e) {
                         const Alg alg = e.alg;
                         d.tamper = [alg](const std::string& t) { return with_sig(t, ecdsa_to_der(alg, sig_bytes(t))); };
                       }),
                   AlgScope::kEcdsa));
  v.push_back(with(cls("ecdsa-truncated", "SignatureLength", "B.17", "MODIFIED_PARAMETER", "The ECDSA signature without its last byte.",
                       [](Draft& d, const ClassEnv&) {
                         d.tamper = [](const std::string& t) {
                           const std::string s = sig_bytes(t);
                           return with_sig(t, s.substr(0, s.size() - 1));
                         };
                       }),
                   AlgScope::kEcdsa));
  v.push_back(with(cls("ecdsa-high-s", "EcdsaHighS", "B.22", "MALLEABILITY", "The valid twin (r, n - s) of a low-S signature.",
                       [](Draft& d, const ClassEnv& e) {
                         const Alg alg = e.alg;
                         d.tamper = [alg](const std::string& t) { return with_sig(t, ecdsa_negate_s(alg, sig_bytes(t))); };
                       }),
                   AlgScope::kEcdsa));
  v.push_back(with(cls("ecdsa-wrong-hash", "CurveHashMismatch", "B.23", "WRONG_PRIMITIVE",
                       "The header says ES384 but the key is P-256.",
                       [](Draft& d, const ClassEnv&) { d.header["alg"] = "ES384"; }),
                   AlgScope::kEcdsa));
  v.push_back(with(cls("es-alg-with-rsa-signature", "WrongPrimitive", "B.14", "WRONG_PRIMITIVE",
                       "The header says ES256 over an RSA key's signature.",
                       [](Draft& d, const ClassEnv&) { d.header["alg"] = "ES256"; }),
                   AlgScope::kRsa));
  v.push_back(with(with(cls("weak-rsa-key", "WeakKey", "B.19", "WEAK_PARAMS", "Signed with a 1024-bit RSA key (and its certificate registered).",
                            [](Draft&, const ClassEnv&) {}),
                        AlgScope::kRsa),
                   Material::kWeakKey));
  // --------------------------------------------------------------- C. key selection
  v.push_back(cls("embedded-jwk", "EmbeddedKey", "C.25", "AUTH_BYPASS", "The header embeds a jwk (of another key); signed with the registered key.",
                  [](Draft& d, const ClassEnv& e) {
                    Json jwk;
                    e.other_key.public_key().to_public_jwk(jwk);
                    d.header["jwk"] = jwk;
                  }));
  v.push_back(cls("embedded-jwk-attacker-signed", "EmbeddedKey", "C.25", "AUTH_BYPASS",
                  "Signed by an attacker key that the header embeds as jwk (CVE-2018-0114).",
                  [](Draft& d, const ClassEnv& e) {
                    Json jwk;
                    e.other_key.public_key().to_public_jwk(jwk);
                    d.header["jwk"] = jwk;
                    const Key k = e.other_key;
                    const Alg a = e.alg;
                    d.signer = [k, a](const std::string& in) { return sign(a, k, in).value_or(""); };
                  }));
  v.push_back(cls("jku", "KeyUrl", "C.25", "AUTH_BYPASS", "jku points to an attacker's JWKS.",
                  [](Draft& d, const ClassEnv&) { d.header["jku"] = "https://attacker.example/jwks.json"; }));
  v.push_back(cls("x5u", "KeyUrl", "C.25", "AUTH_BYPASS", "x5u points to an attacker's certificate.",
                  [](Draft& d, const ClassEnv&) { d.header["x5u"] = "https://attacker.example/cert.pem"; }));
  v.push_back(cls("x5c-attacker", "EmbeddedKey", "C.25", "AUTH_BYPASS",
                  "x5c and x5t#S256 name an attacker certificate whose key signed the token.",
                  [](Draft& d, const ClassEnv& e) {
                    d.header["x5t#S256"] = e.other_cert.thumbprints().x5t_s256;
                    d.header["x5c"] = Json::array({base64_encode(e.other_cert.der())});
                    const Key k = e.other_key;
                    const Alg a = e.alg;
                    d.signer = [k, a](const std::string& in) { return sign(a, k, in).value_or(""); };
                  }));
  v.push_back(cls("x5c-leaf-mismatch", "X5cMismatch", "C.30", "MODIFIED_PARAMETER", "The x5c leaf is not the certificate x5t#S256 names.",
                  [](Draft& d, const ClassEnv& e) { d.header["x5c"] = Json::array({base64_encode(e.other_cert.der())}); }));
  v.push_back(cls("x5c-base64url", "X5cEncoding", "C.30", "MODIFIED_PARAMETER", "x5c entries in base64url instead of base64.",
                  [](Draft& d, const ClassEnv& e) {
                    std::string u = base64url_encode(e.cert.der());
                    if (u.find_first_of("-_") == std::string::npos) {
                      u += "-";
                    }
                    d.header["x5c"] = Json::array({u});
                  }));
  v.push_back(cls("x5c-pem", "X5cEncoding", "C.30", "MODIFIED_PARAMETER", "x5c holds PEM text.",
                  [](Draft& d, const ClassEnv& e) { d.header["x5c"] = Json::array({e.cert.pem()}); }));
  v.push_back(cls("x5c-single-string", "X5cShape", "C.30", "EDGE_CASE", "x5c as one string, as MSAL.NET sends it.",
                  [](Draft& d, const ClassEnv& e) { d.header["x5c"] = base64_encode(e.cert.der()); }));
  v.push_back(cls("kid-path-traversal", "KidInjection", "C.26", "EDGE_CASE", "kid ../../../../dev/null.",
                  [](Draft& d, const ClassEnv&) { d.header["kid"] = "../../../../dev/null"; }));
  v.push_back(cls("kid-sql", "KidInjection", "C.26", "EDGE_CASE", "kid with SQL injection.",
                  [](Draft& d, const ClassEnv&) { d.header["kid"] = "x' UNION SELECT '1';--"; }));
  v.push_back(cls("kid-shell", "KidInjection", "C.26", "EDGE_CASE", "kid with a shell command.",
                  [](Draft& d, const ClassEnv&) { d.header["kid"] = "|sleep 10"; }));
  v.push_back(cls("kid-crlf", "KidInjection", "C.26", "EDGE_CASE", "kid with CR LF.",
                  [](Draft& d, const ClassEnv&) { d.header["kid"] = "k\r\nX-Injected: 1"; }));
  v.push_back(cls("kid-empty", "KidType", "C.26", "EDGE_CASE", "kid is an empty string.",
                  [](Draft& d, const ClassEnv&) { d.header["kid"] = ""; }));
  v.push_back(cls("kid-object", "KidType", "C.26", "EDGE_CASE", "kid is an object.",
                  [](Draft& d, const ClassEnv&) { d.header["kid"] = Json::object({{"$ne", nullptr}}); }));
  v.push_back(with(cls("kid-unknown", "KidUnknown", "C.27", "MODIFIED_PARAMETER", "kid names no key of the JWKS.",
                       [](Draft& d, const ClassEnv&) {
                         d.header.erase("x5t#S256");
                         d.header["kid"] = "rotated-away";
                       }),
                   Material::kJwks));
  v.push_back(with(cls("kid-other-key", "KidMismatch", "C.27", "AUTH_BYPASS", "kid names the JWKS's other key; the registered key signed.",
                       [](Draft& d, const ClassEnv&) {
                         d.header.erase("x5t#S256");
                         d.header["kid"] = "assay-2";
                       }),
                   Material::kJwks));
  v.push_back(with(cls("kidless-jwks", "KeyRotation", "C.27", "EDGE_CASE", "No kid or thumbprint with a two-key JWKS: the verifier tries both.",
                       [](Draft& d, const ClassEnv&) { d.header.erase("x5t#S256"); }),
                   Material::kJwks));
  v.push_back(with(cls("jwk-use-enc", "JwkMetadata", "C.28", "WRONG_PRIMITIVE", "The JWKS marks the signing key use: enc.",
                       [](Draft& d, const ClassEnv&) {
                         d.header.erase("x5t#S256");
                         d.header["kid"] = "assay-1";
                       }),
                   Material::kJwksEncUse));
  v.push_back(cls("x5t-other-certificate", "ThumbprintMismatch", "C.29", "MODIFIED_PARAMETER", "x5t#S256 of another certificate.",
                  [](Draft& d, const ClassEnv& e) { d.header["x5t#S256"] = e.other_cert.thumbprints().x5t_s256; }));
  v.push_back(cls("x5t-sha256-value", "ThumbprintHash", "C.29", "MODIFIED_PARAMETER", "x5t holds the SHA-256 value.",
                  [](Draft& d, const ClassEnv& e) {
                    d.header.erase("x5t#S256");
                    d.header["x5t"] = e.cert.thumbprints().x5t_s256;
                  }));
  v.push_back(cls("x5ts-sha1-value", "ThumbprintHash", "C.29", "MODIFIED_PARAMETER", "x5t#S256 holds the SHA-1 value.",
                  [](Draft& d, const ClassEnv& e) { d.header["x5t#S256"] = e.cert.thumbprints().x5t; }));
  v.push_back(cls("x5t-hex", "ThumbprintHex", "C.29", "MODIFIED_PARAMETER", "x5t holds the hex thumbprint, as the portal shows it.",
                  [](Draft& d, const ClassEnv& e) {
                    d.header.erase("x5t#S256");
                    d.header["x5t"] = e.cert.thumbprints().sha1_hex;
                  }));
  v.push_back(cls("x5t-base64-of-hex", "ThumbprintHex", "C.29", "MODIFIED_PARAMETER", "x5t is base64 of the hex text (the 2016 ADAL bug).",
                  [](Draft& d, const ClassEnv& e) {
                    d.header.erase("x5t#S256");
                    d.header["x5t"] = base64url_encode(e.cert.thumbprints().sha1_hex);
                  }));
  v.push_back(cls("x5t-custom-key-identifier", "ThumbprintBase64", "C.29", "EDGE_CASE",
                  "x5t is the manifest's customKeyIdentifier (standard base64, padded).",
                  [](Draft& d, const ClassEnv& e) {
                    d.header.erase("x5t#S256");
                    d.header["x5t"] = e.cert.thumbprints().custom_key_identifier;
                  }));
  v.push_back(cls("x5t-padded", "ThumbprintPadded", "C.29", "EDGE_CASE", "x5t with '=' padding, as MSAL Python sends it.",
                  [](Draft& d, const ClassEnv& e) {
                    d.header.erase("x5t#S256");
                    d.header["x5t"] = e.cert.thumbprints().x5t + "=";
                  }));
  v.push_back(cls("x5t-noncanonical", "ThumbprintNonCanonical", "C.29", "MALLEABILITY",
                  "x5t with a non-zero unused bit, as in the 2015 Exchange sample: the same SHA-1, another string.",
                  [](Draft& d, const ClassEnv& e) {
                    d.header.erase("x5t#S256");
                    d.header["x5t"] = non_canonical(e.cert.thumbprints().x5t);
                  }));
  v.push_back(cls("x5ts-noncanonical", "ThumbprintNonCanonical", "C.29", "MALLEABILITY",
                  "x5t#S256 with a non-zero unused bit: the same SHA-256, another string.",
                  [](Draft& d, const ClassEnv& e) { d.header["x5t#S256"] = non_canonical(e.cert.thumbprints().x5t_s256); }));
  v.push_back(cls("x5t-of-spki", "ThumbprintMismatch", "C.29", "MODIFIED_PARAMETER", "x5t#S256 over the public key (SPKI) instead of the certificate.",
                  [](Draft& d, const ClassEnv& e) { d.header["x5t#S256"] = base64url_encode(sha256_digest(e.cert.public_key().spki_der())); }));
  v.push_back(cls("x5t-both-disagree", "ThumbprintMismatch", "C.29", "MODIFIED_PARAMETER", "x5t names another certificate than x5t#S256.",
                  [](Draft& d, const ClassEnv& e) { d.header["x5t"] = e.other_cert.thumbprints().x5t; }));
  v.push_back(with(cls("certificate-expired", "CertificateValidity", "C.30", "EDGE_CASE", "The registered certificate has expired.",
                       [](Draft&, const ClassEnv&) {}),
                   Material::kExpiredCertificate));
  // --------------------------------------------------------------- D. header semantics
  v.push_back(cls("crit-unknown", "CritUnknown", "D.31", "AUTH_BYPASS", "crit lists an extension the verifier cannot understand.",
                  [](Draft& d, const ClassEnv&) {
                    d.header["x-ext"] = true;
                    d.header["crit"] = Json::array({"x-ext"});
                  }));
  v.push_back(cls("crit-empty", "CritMalformed", "D.31", "EDGE_CASE", "crit is an empty array.",
                  [](Draft& d, const ClassEnv&) { d.header["crit"] = Json::array(); }));
  v.push_back(cls("crit-registered", "CritUnknown", "D.31", "EDGE_CASE", "crit lists alg.",
                  [](Draft& d, const ClassEnv&) { d.header["crit"] = Json::array({"alg"}); }));
  v.push_back(cls("crit-absent", "CritUnknown", "D.31", "EDGE_CASE", "crit lists a parameter the header lacks.",
                  [](Draft& d, const ClassEnv&) { d.header["crit"] = Json::array({"x-missing"}); }));
  v.push_back(cls("b64-false-with-crit", "B64False", "D.32", "AUTH_BYPASS", "b64: false listed in crit (RFC 7797).",
                  [](Draft& d, const ClassEnv&) {
                    d.header["b64"] = false;
                    d.header["crit"] = Json::array({"b64"});
                  }));
  v.push_back(cls("b64-false", "B64False", "D.32", "EDGE_CASE", "b64: false without crit.",
                  [](Draft& d, const ClassEnv&) { d.header["b64"] = false; }));
  for (const auto& [id, typ] : std::vector<std::pair<std::string, std::string>>{
           {"typ-access-token", "at+jwt"}, {"typ-dpop", "dpop+jwt"}, {"typ-jose", "JOSE"}, {"typ-secevent", "secevent+jwt"}}) {
    const std::string t = typ;
    v.push_back(cls(id, "TypeConfusion", "D.33", "AUTH_BYPASS", "typ " + typ + ": another kind of token.",
                    [t](Draft& d, const ClassEnv&) { d.header["typ"] = t; }));
  }
  v.push_back(cls("typ-client-authentication", "ExplicitTyp", "D.33", "PROFILE", "typ client-authentication+jwt (rfc7523bis).",
                  [](Draft& d, const ClassEnv&) { d.header["typ"] = "client-authentication+jwt"; }));
  v.push_back(cls("typ-client-authentication-media-type", "ExplicitTyp", "D.33", "PROFILE", "typ application/client-authentication+jwt.",
                  [](Draft& d, const ClassEnv&) { d.header["typ"] = "application/client-authentication+jwt"; }));
  v.push_back(cls("typ-jwt", "ExplicitTyp", "D.33", "PROFILE", "typ JWT.",
                  [](Draft& d, const ClassEnv&) { d.header["typ"] = "JWT"; }));
  v.push_back(cls("typ-missing", "ExplicitTyp", "D.33", "PROFILE", "No typ.", [](Draft& d, const ClassEnv&) { d.header.erase("typ"); }));
  v.push_back(cls("id-token-replayed", "TokenKindConfusion", "D.34", "AUTH_BYPASS",
                  "An ID-token-shaped JWT: iss is the authorization server, aud the client, sub a user.",
                  [](Draft& d, const ClassEnv& e) {
                    d.payload["iss"] = e.ctx.issuer;
                    d.payload["sub"] = "user-4711";
                    d.payload["aud"] = e.ctx.client_id;
                    d.payload["nonce"] = "n-0S6_WzA2Mj";
                  }));
  v.push_back(cls("request-object-replayed", "TokenKindConfusion", "D.34", "AUTH_BYPASS",
                  "A signed request object (no sub) used as a client assertion.",
                  [](Draft& d, const ClassEnv& e) {
                    d.payload.erase("sub");
                    d.payload["aud"] = e.ctx.issuer;
                    d.payload["response_type"] = "code";
                    d.payload["client_id"] = e.ctx.client_id;
                  }));
  v.push_back(cls("jws-json-serialization", "WrongSerialization", "D.35", "EDGE_CASE", "The flattened JWS JSON serialization.",
                  [](Draft& d, const ClassEnv&) {
                    d.tamper = [](const std::string& t) {
                      return Json::object({{"protected", seg(t, 0)}, {"payload", seg(t, 1)}, {"signature", seg(t, 2)}}).dump();
                    };
                  }));
  v.push_back(cls("cty-jwt", "NestedJwt", "D.35", "EDGE_CASE", "cty JWT: a nested token.",
                  [](Draft& d, const ClassEnv&) { d.header["cty"] = "JWT"; }));
  // --------------------------------------------------------------- E. claims
  v.push_back(cls("iss-missing", "IssMissing", "E.36", "MODIFIED_PARAMETER", "No iss.", [](Draft& d, const ClassEnv&) { d.payload.erase("iss"); }));
  v.push_back(cls("iss-other-client", "IssWrong", "E.36", "AUTH_BYPASS", "iss and sub name another client.",
                  [](Draft& d, const ClassEnv&) {
                    d.payload["iss"] = "00000000-0000-0000-0000-00000000beef";
                    d.payload["sub"] = "00000000-0000-0000-0000-00000000beef";
                  }));
  v.push_back(cls("iss-number", "ClaimType", "E.48", "MODIFIED_PARAMETER", "iss is a number.",
                  [](Draft& d, const ClassEnv&) { d.payload["iss"] = 42; }));
  v.push_back(cls("iss-case-variant", "IssWrong", "E.36", "EDGE_CASE", "iss and sub are the client ID in upper case.",
                  [](Draft& d, const ClassEnv& e) {
                    std::string u = e.ctx.client_id;
                    std::transform(u.begin(), u.end(), u.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
                    d.payload["iss"] = u;
                    d.payload["sub"] = u;
                  }));
  v.push_back(cls("iss-trailing-space", "IssWrong", "E.36", "EDGE_CASE", "iss and sub with a trailing space.",
                  [](Draft& d, const ClassEnv& e) {
                    d.payload["iss"] = e.ctx.client_id + " ";
                    d.payload["sub"] = e.ctx.client_id + " ";
                  }));
  v.push_back(cls("iss-nul", "IssWrong", "E.36", "AUTH_BYPASS", "iss and sub are the client ID followed by NUL and more.",
                  [](Draft& d, const ClassEnv& e) {
                    d.payload["iss"] = e.ctx.client_id + std::string(1, '\0') + "x";
                    d.payload["sub"] = e.ctx.client_id + std::string(1, '\0') + "x";
                  }));
  v.push_back(cls("iss-prefix", "IssWrong", "E.36", "AUTH_BYPASS", "iss and sub are a prefix of the client ID.",
                  [](Draft& d, const ClassEnv& e) {
                    d.payload["iss"] = e.ctx.client_id.substr(0, e.ctx.client_id.size() - 4);
                    d.payload["sub"] = e.ctx.client_id.substr(0, e.ctx.client_id.size() - 4);
                  }));
  v.push_back(cls("iss-null", "ClaimType", "E.48", "MODIFIED_PARAMETER", "iss is null.",
                  [](Draft& d, const ClassEnv&) { d.payload["iss"] = nullptr; }));
  v.push_back(cls("iss-array", "ClaimType", "E.48", "MODIFIED_PARAMETER", "iss is an array holding the client ID.",
                  [](Draft& d, const ClassEnv& e) { d.payload["iss"] = Json::array({e.ctx.client_id}); }));
  v.push_back(cls("sub-missing", "SubMissing", "E.37", "MODIFIED_PARAMETER", "No sub.", [](Draft& d, const ClassEnv&) { d.payload.erase("sub"); }));
  v.push_back(cls("sub-other", "SubWrong", "E.37", "AUTH_BYPASS", "sub names someone else.",
                  [](Draft& d, const ClassEnv&) { d.payload["sub"] = "wrong-sub-value"; }));
  v.push_back(cls("sub-number", "ClaimType", "E.48", "MODIFIED_PARAMETER", "sub is a number.",
                  [](Draft& d, const ClassEnv&) { d.payload["sub"] = 7; }));
  v.push_back(cls("aud-other-server", "AudWrong", "E.39", "AUTH_BYPASS", "aud is another server's endpoint.",
                  [](Draft& d, const ClassEnv&) { d.payload["aud"] = "https://other.example.test/userinfo"; }));
  v.push_back(cls("aud-trailing-slash", "AudNearMiss", "E.39", "EDGE_CASE", "aud with a trailing slash.",
                  [](Draft& d, const ClassEnv& e) { d.payload["aud"] = e.ctx.audience + "/"; }));
  v.push_back(cls("aud-case", "AudNearMiss", "E.39", "EDGE_CASE", "aud in upper case.",
                  [](Draft& d, const ClassEnv& e) {
                    std::string u = e.ctx.audience;
                    std::transform(u.begin(), u.end(), u.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
                    d.payload["aud"] = u;
                  }));
  v.push_back(cls("aud-http", "AudWrong", "E.39", "EDGE_CASE", "aud with http instead of https.",
                  [](Draft& d, const ClassEnv& e) { d.payload["aud"] = "http" + e.ctx.audience.substr(5); }));
  v.push_back(cls("aud-default-port", "AudNearMiss", "E.39", "EDGE_CASE", "aud with an explicit :443.",
                  [](Draft& d, const ClassEnv& e) {
                    std::string a = e.ctx.audience;
                    const size_t slash = a.find('/', 8);
                    a.insert(slash == std::string::npos ? a.size() : slash, ":443");
                    d.payload["aud"] = a;
                  }));
  v.push_back(cls("aud-query", "AudNearMiss", "E.39", "EDGE_CASE", "aud with a query string.",
                  [](Draft& d, const ClassEnv& e) { d.payload["aud"] = e.ctx.audience + "?x=1"; }));
  v.push_back(cls("aud-missing", "AudMissing", "E.39", "MODIFIED_PARAMETER", "No aud.", [](Draft& d, const ClassEnv&) { d.payload.erase("aud"); }));
  v.push_back(cls("aud-empty", "AudInvalid", "E.39", "MODIFIED_PARAMETER", "aud is an empty string.",
                  [](Draft& d, const ClassEnv&) { d.payload["aud"] = ""; }));
  v.push_back(cls("aud-empty-array", "AudInvalid", "E.39", "MODIFIED_PARAMETER", "aud is an empty array.",
                  [](Draft& d, const ClassEnv&) { d.payload["aud"] = Json::array(); }));
  v.push_back(cls("aud-object", "AudInvalid", "E.48", "MODIFIED_PARAMETER", "aud is an object.",
                  [](Draft& d, const ClassEnv&) { d.payload["aud"] = Json::object({{"url", "x"}}); }));
  v.push_back(cls("aud-token-endpoint", "AudProfile", "E.40", "PROFILE", "aud is the token endpoint.",
                  [](Draft& d, const ClassEnv& e) { d.payload["aud"] = e.ctx.token_endpoint; }));
  v.push_back(cls("aud-issuer", "AudProfile", "E.40", "PROFILE", "aud is the issuer identifier.",
                  [](Draft& d, const ClassEnv& e) { d.payload["aud"] = e.ctx.issuer; }));
  v.push_back(cls("aud-issuer-array", "AudProfile", "E.40", "PROFILE", "aud is [issuer].",
                  [](Draft& d, const ClassEnv& e) { d.payload["aud"] = Json::array({e.ctx.issuer}); }));
  v.push_back(cls("aud-issuer-and-token-endpoint", "AudInjection", "E.40", "PROFILE",
                  "aud is [issuer, token endpoint] (the audience-injection pattern, CVE-2025-27370).",
                  [](Draft& d, const ClassEnv& e) { d.payload["aud"] = Json::array({e.ctx.issuer, e.ctx.token_endpoint}); }));
  const std::string ms = "https://login.microsoftonline.com/";
  v.push_back(only(cls("aud-common", "EntraAudience", "E.39", "PROFILE", "aud uses the common endpoint.",
                       [ms](Draft& d, const ClassEnv&) { d.payload["aud"] = ms + "common/oauth2/v2.0/token"; }),
                   {P::kEntra}));
  v.push_back(only(cls("aud-v1-at-v2", "EntraAudience", "E.39", "PROFILE", "aud is the v1 endpoint; the request goes to v2.",
                       [ms](Draft& d, const ClassEnv& e) { d.payload["aud"] = ms + e.ctx.tenant + "/oauth2/token"; }),
                   {P::kEntra}));
  v.push_back(only(cls("aud-other-tenant", "EntraAudience", "E.39", "PROFILE", "aud names another tenant.",
                       [ms](Draft& d, const ClassEnv&) { d.payload["aud"] = ms + "fabrikam.onmicrosoft.com/oauth2/v2.0/token"; }),
                   {P::kEntra}));
  v.push_back(only(cls("aud-alias-host", "EntraAudience", "E.39", "PROFILE", "aud uses the login.windows.net alias.",
                       [](Draft& d, const ClassEnv& e) { d.payload["aud"] = "https://login.windows.net/" + e.ctx.tenant + "/oauth2/v2.0/token"; }),
                   {P::kEntra}));
  v.push_back(only(cls("aud-other-cloud", "EntraAudience", "E.39", "PROFILE", "aud names the US Government cloud.",
                       [](Draft& d, const ClassEnv& e) { d.payload["aud"] = "https://login.microsoftonline.us/" + e.ctx.tenant + "/oauth2/v2.0/token"; }),
                   {P::kEntra}));
  v.push_back(only(cls("aud-path-typo", "EntraAudience", "E.39", "PROFILE", "aud .../V2.0/token (missing oauth2, capital V).",
                       [ms](Draft& d, const ClassEnv& e) { d.payload["aud"] = ms + e.ctx.tenant + "/V2.0/token"; }),
                   {P::kEntra}));
  v.push_back(cls("exp-missing", "ExpMissing", "E.41", "AUTH_BYPASS", "No exp.", [](Draft& d, const ClassEnv&) { d.payload.erase("exp"); }));
  v.push_back(cls("exp-5-minutes-past", "ExpExpired", "E.42", "EDGE_CASE", "exp = now - 300 s.",
                  [](Draft& d, const ClassEnv&) {
                    const int64_t now = now_of(d);
                    set_times(d, now - 600, now - 600, now - 300);
                  }));
  v.push_back(cls("exp-at-skew", "ExpBoundary", "E.42", "EDGE_CASE", "exp = now - skew: expired (exp is exclusive).",
                  [](Draft& d, const ClassEnv& e) {
                    const int64_t now = now_of(d);
                    set_times(d, now - e.ctx.skew - 300, now - e.ctx.skew - 300, now - e.ctx.skew);
                  }));
  // Over the wire (`assay probe`) the server reads its clock after the class was built, signed,
  // checked and sent: a class inside or beyond the skew keeps well clear of the edge, so that no
  // delay carries it across (exp-at-skew may sit on it: passing time only takes it further).
  v.push_back(cls("exp-within-skew", "ExpBoundary", "E.42", "EDGE_CASE", "exp = now - skew / 2: past, but within the skew: still accepted.",
                  [](Draft& d, const ClassEnv& e) {
                    const int64_t exp = now_of(d) - e.ctx.skew / 2;
                    set_times(d, exp - 300, exp - 300, exp);
                  }));
  v.push_back(cls("lifetime-one-hour", "Lifetime", "E.43", "EDGE_CASE", "exp = iat + 3600 s.",
                  [](Draft& d, const ClassEnv&) {
                    const int64_t now = now_of(d);
                    set_times(d, now, now, now + 3600);
                  }));
  v.push_back(cls("lifetime-two-days", "Lifetime", "E.43", "EDGE_CASE", "exp = iat + 2 days.",
                  [](Draft& d, const ClassEnv&) {
                    const int64_t now = now_of(d);
                    set_times(d, now, now, now + 2 * 86400);
                  }));
  v.push_back(cls("nbf-8s-future", "NbfFuture", "E.44", "EDGE_CASE", "iat = nbf = now + 8 s (accepted: within any skew).",
                  [](Draft& d, const ClassEnv&) {
                    const int64_t now = now_of(d);
                    set_times(d, now + 8, now + 8, now + 300);
                  }));
  v.push_back(cls("nbf-62s-future", "NbfFuture", "E.44", "EDGE_CASE", "iat = nbf = now + 62 s (past a 60 s skew).",
                  [](Draft& d, const ClassEnv&) {
                    const int64_t now = now_of(d);
                    set_times(d, now + 62, now + 62, now + 362);
                  }));
  v.push_back(cls("nbf-beyond-skew", "NbfFuture", "E.44", "EDGE_CASE", "nbf = now + skew + 2 min.",
                  [](Draft& d, const ClassEnv& e) {
                    const int64_t now = now_of(d);
                    d.payload["nbf"] = now + e.ctx.skew + 120;
                    d.payload["exp"] = now + e.ctx.skew + 300;
                  }));
  v.push_back(cls("iat-future", "IatFuture", "E.44", "EDGE_CASE", "iat = now + 62 s, no nbf.",
                  [](Draft& d, const ClassEnv&) {
                    const int64_t now = now_of(d);
                    d.payload.erase("nbf");
                    d.payload["iat"] = now + 62;
                    d.payload["exp"] = now + 300;
                  }));
  v.push_back(cls("iat-two-hours-past", "IatOld", "E.45", "EDGE_CASE", "iat two hours ago, exp still ahead (pre-minted).",
                  [](Draft& d, const ClassEnv&) {
                    const int64_t now = now_of(d);
                    set_times(d, now - 7200, now - 7200, now + 300);
                  }));
  v.push_back(cls("exp-string", "NumericDateType", "E.46", "EDGE_CASE", "exp as a JSON string.",
                  [](Draft& d, const ClassEnv&) { d.payload["exp"] = std::to_string(d.payload["exp"].get<int64_t>()); }));
  v.push_back(cls("iat-fractional", "NumericDateType", "E.46", "EDGE_CASE", "iat with a fractional part.",
                  [](Draft& d, const ClassEnv&) { d.payload["iat"] = static_cast<double>(now_of(d)) + 0.5; }));
  v.push_back(cls("exp-exponent-form", "NumericDateType", "E.46", "EDGE_CASE", "exp written as 1.7672259E9 (an integral value).",
                  [](Draft& d, const ClassEnv&) {
                    const int64_t exp = d.payload["exp"].get<int64_t>();
                    d.payload.erase("exp");
                    std::string p = d.payload.dump();
                    std::string mant = std::to_string(exp);
                    d.raw_payload = p.substr(0, p.size() - 1) + ",\"exp\":" + mant.substr(0, 1) + "." + mant.substr(1) + "E9}";
                  }));
  v.push_back(cls("exp-negative", "NumericDateRange", "E.46", "EDGE_CASE", "exp = -1.", [](Draft& d, const ClassEnv&) { d.payload["exp"] = -1; }));
  v.push_back(cls("exp-zero", "NumericDateRange", "E.46", "EDGE_CASE", "exp = 0.", [](Draft& d, const ClassEnv&) { d.payload["exp"] = 0; }));
  v.push_back(cls("exp-minus-zero", "NumericDateRange", "E.46", "EDGE_CASE", "exp = -0.",
                  [](Draft& d, const ClassEnv&) {
                    d.payload.erase("exp");
                    std::string p = d.payload.dump();
                    d.raw_payload = p.substr(0, p.size() - 1) + ",\"exp\":-0}";
                  }));
  v.push_back(cls("exp-2pow53-plus-1", "NumericDateRange", "E.46", "EDGE_CASE", "exp = 2^53 + 1.",
                  [](Draft& d, const ClassEnv&) { d.payload["exp"] = static_cast<int64_t>(9007199254740993LL); }));
  v.push_back(cls("exp-boolean", "ClaimType", "E.46", "EDGE_CASE", "exp = true.", [](Draft& d, const ClassEnv&) { d.payload["exp"] = true; }));
  v.push_back(cls("exp-null", "ClaimType", "E.46", "EDGE_CASE", "exp = null.", [](Draft& d, const ClassEnv&) { d.payload["exp"] = nullptr; }));
  v.push_back(cls("exp-before-nbf", "ExpBeforeNbf", "E.42", "EDGE_CASE", "exp earlier than nbf.",
                  [](Draft& d, const ClassEnv&) {
                    const int64_t now = now_of(d);
                    d.payload.erase("iat");
                    d.payload["nbf"] = now;
                    d.payload["exp"] = now - 10;
                  }));
  v.push_back(cls("jti-missing", "JtiMissing", "E.47", "PROFILE", "No jti.", [](Draft& d, const ClassEnv&) { d.payload.erase("jti"); }));
  v.push_back(cls("jti-empty", "ClaimType", "E.47", "EDGE_CASE", "jti is an empty string.", [](Draft& d, const ClassEnv&) { d.payload["jti"] = ""; }));
  v.push_back(cls("jti-number", "ClaimType", "E.47", "EDGE_CASE", "jti is a number.", [](Draft& d, const ClassEnv&) { d.payload["jti"] = 12345; }));
  return v;
}

}  // namespace

std::string_view material_name(Material m) {
  switch (m) {
    case Material::kCertificate:
      return "certificate";
    case Material::kWeakKey:
      return "weak-key";
    case Material::kExpiredCertificate:
      return "expired-certificate";
    case Material::kJwks:
      return "jwks";
    case Material::kJwksEncUse:
      return "jwks-enc-use";
  }
  return "certificate";
}

ProfileContext vector_context(Profile p) {
  ProfileContext c;
  c.profile = p;
  c.now = kVectorNow;
  c.client_id = kVectorClientId;
  c.allowed_algs = default_algorithms(p);
  c.skew = static_cast<int>(default_skew(p).count());
  c.max_lifetime = static_cast<int>(default_max_lifetime(p).count());
  c.require_jti = p == Profile::kOidc;
  if (p == Profile::kEntra) {
    c.tenant = kVectorTenant;
    c.token_endpoint = entra_token_endpoint(kEntraDefaultHost, kVectorTenant, EntraEndpoint::kV2);
    c.issuer = "https://login.microsoftonline.com/" + std::string(kVectorTenant) + "/v2.0";
    c.audience = c.token_endpoint;
  } else {
    c.issuer = "https://as.example.test";
    c.token_endpoint = "https://as.example.test/oauth2/token";
    c.audience = p == Profile::kRfc7523bis ? c.issuer : c.token_endpoint;
  }
  return c;
}

const std::vector<ConformanceClass>& conformance_classes() {
  static const std::vector<ConformanceClass> kClasses = make_classes();
  return kClasses;
}

Draft baseline(const ProfileContext& ctx, Alg alg, const Certificate& cert, int64_t now,
               const std::string& jti) {
  Draft d;
  d.alg = alg;
  d.header = Json::object();
  d.header["alg"] = alg_name(alg);
  d.header["typ"] = ctx.profile == Profile::kRfc7523bis ? "client-authentication+jwt" : "JWT";
  d.header["x5t#S256"] = cert.thumbprints().x5t_s256;
  d.payload = Json::object();
  d.payload["aud"] = ctx.audience;
  d.payload["iss"] = ctx.client_id;
  d.payload["sub"] = ctx.client_id;
  d.payload["jti"] = jti;
  d.payload["iat"] = now;
  d.payload["nbf"] = now;
  d.payload["exp"] = now + 300;
  return d;
}

Result<std::string> realize(const Draft& d, const Key& key) {
  const std::string h = d.raw_header.value_or(d.header.dump());
  const std::string p = d.raw_payload.value_or(d.payload.dump());
  std::string input = base64url_encode(h) + "." + base64url_encode(p);
  if (d.pre_sign) {
    input = d.pre_sign(input);
  }
  std::string sig;
  if (d.signer) {
    sig = d.signer(input);
  } else {
    ASSAY_ASSIGN_OR_RETURN(sig, sign(d.alg, key, input));
  }
  std::string token = input + "." + base64url_encode(sig);
  return d.tamper ? d.tamper(token) : token;
}

std::string flag_description(const std::string& flag) {
  static const std::map<std::string, std::string> kFlags = {
      {"Valid", "A conforming assertion for the profile."},
      {"MsalPythonShape", "As MSAL Python sends it (padded thumbprint, float NumericDates): Entra accepts it; strict profiles do not."},
      {"MsalNodeShape", "As MSAL Node sends it."},
      {"MsalDotnetShape", "As MSAL.NET sends it (NumericDates as strings): Entra accepts it; strict profiles do not."},
      {"MsalJavaShape", "As MSAL Java sends it (no typ)."},
      {"AdalShape", "As ADAL Python sends it."},
      {"OpenidClientShape", "As openid-client v6 / oauth4webapi send it (kid, aud = issuer)."},
      {"WrongSegmentCount", "Not three dot-separated segments (RFC 7515 §7.1)."},
      {"MissingSignature", "An empty signature with a real alg (CVE-2020-28042)."},
      {"Base64Padding", "base64url with '=' padding (RFC 7515 §2)."},
      {"Base64Alphabet", "The standard base64 alphabet in a JOSE segment (RFC 7515 §2)."},
      {"Base64NonCanonical", "Non-zero unused bits: malleable encodings defeat caches keyed on the token."},
      {"Base64Whitespace", "Whitespace inside a segment (RFC 7515 §2)."},
      {"JsonBom", "A UTF-8 byte order mark before the JSON (RFC 8259 §8.1)."},
      {"JsonTrailingData", "Data after the JSON value."},
      {"JsonNotObject", "Header or claims that are JSON but not an object."},
      {"JsonInvalid", "Header or claims that are not valid UTF-8 JSON."},
      {"DuplicateMember", "A member name twice: verifiers disagree on which wins (RFC 7515 §4, RFC 7519 §4)."},
      {"Oversized", "An assertion over any reasonable size limit."},
      {"KidInjection", "A kid built to exploit verifiers that use it as a path, query or command (RFC 8725 §3.10)."},
      {"AlgNone", "alg none: an unsigned assertion (RFC 8725 §3.2)."},
      {"AlgMissing", "No usable alg (RFC 7515 §4.1.1)."},
      {"AlgUnknown", "An alg that is not a registered, case-exact name."},
      {"KeyConfusion", "An HMAC keyed with the public key: the RS/HS confusion forgery (CVE-2016-10555)."},
      {"AlgHmac", "client_secret_jwt where an asymmetric signature is required."},
      {"WrongPrimitive", "A signature of another algorithm than alg names."},
      {"PssSalt", "RSA-PSS with a salt length other than the hash length (RFC 7518 §3.5)."},
      {"SignatureLength", "A signature of the wrong length (RFC 8017 §8.2.2, RFC 7518 §3.4)."},
      {"SignatureSpecialValue", "An RSA signature with a special value (0)."},
      {"PsychicSignature", "ECDSA r or s outside [1, n-1] (CVE-2022-21449)."},
      {"EcdsaDer", "An ECDSA signature in DER where JOSE requires R||S."},
      {"EcdsaHighS", "The valid high-S twin of an ECDSA signature: acceptable, but malleable."},
      {"CurveHashMismatch", "An ECDSA alg that does not match the key's curve."},
      {"WeakKey", "An RSA key under 2048 bits (RFC 7518 §3.3)."},
      {"EmbeddedKey", "Key material carried in the token itself (RFC 8725 §3.10, CVE-2018-0114)."},
      {"KeyUrl", "A key URL in the token, which a verifier must never fetch."},
      {"X5cMismatch", "An x5c leaf that is not the certificate the thumbprints name."},
      {"X5cEncoding", "x5c entries that are not base64 DER."},
      {"X5cShape", "x5c as a single string (MSAL.NET)."},
      {"KidType", "A kid that is not a non-empty string."},
      {"KidUnknown", "A kid that names no trusted key."},
      {"KidMismatch", "A kid naming another trusted key than the one that signed."},
      {"KeyRotation", "No key identifier with several trusted keys: try each."},
      {"JwkMetadata", "A JWK whose use or key_ops forbid signature verification (RFC 7517 §4.2-4.3)."},
      {"ThumbprintMismatch", "x5t or x5t#S256 of another certificate."},
      {"ThumbprintHash", "SHA-1 and SHA-256 thumbprints swapped."},
      {"ThumbprintHex", "A hex thumbprint (or base64 of its text) where base64url of the hash belongs."},
      {"ThumbprintBase64", "A thumbprint in standard base64 (the manifest's customKeyIdentifier)."},
      {"ThumbprintPadded", "A padded thumbprint (MSAL Python): Entra accepts it; strict profiles do not."},
      {"ThumbprintNonCanonical",
       "A thumbprint whose last character has non-zero unused bits: Entra matches the decoded bytes; strict profiles do not accept it."},
      {"CertificateValidity", "The registered certificate is outside its validity period."},
      {"CritUnknown", "crit naming what the verifier cannot understand (RFC 7515 §4.1.11)."},
      {"CritMalformed", "crit that is empty or not an array of strings."},
      {"B64False", "b64: false: JWTs must not use unencoded payloads (RFC 7797 §7)."},
      {"TypeConfusion", "An explicit typ of another kind of JWT (RFC 8725 §3.11)."},
      {"ExplicitTyp", "The typ values a client assertion may carry, per profile."},
      {"TokenKindConfusion", "Another kind of JWT replayed as a client assertion (RFC 8725 §3.12)."},
      {"WrongSerialization", "A JWS JSON serialization where the compact form is required."},
      {"NestedJwt", "cty JWT: a nested token."},
      {"IssMissing", "No iss (RFC 7523 §3 item 1)."},
      {"IssWrong", "iss is not exactly the client ID."},
      {"ClaimType", "A registered claim of the wrong JSON type."},
      {"SubMissing", "No sub (RFC 7523 §3 item 2)."},
      {"SubWrong", "sub is not the client ID."},
      {"AudWrong", "aud names another audience."},
      {"AudNearMiss", "aud differs only in case, a slash, a port or a query: simple string comparison rejects it."},
      {"AudMissing", "No aud (RFC 7523 §3 item 3)."},
      {"AudInvalid", "aud of the wrong type or empty."},
      {"AudProfile", "aud forms whose verdict depends on the profile (token endpoint vs issuer, string vs array)."},
      {"AudInjection", "Several audiences: the audience-injection pattern (CVE-2025-27370)."},
      {"EntraAudience", "The aud mistakes Entra answers with AADSTS700023."},
      {"ExpMissing", "No exp (RFC 7523 §3 item 4)."},
      {"ExpExpired", "An expired assertion."},
      {"ExpBoundary", "exp at the edge of the clock skew, and inside it."},
      {"Lifetime", "Long-lived assertions."},
      {"NbfFuture", "nbf in the future, within and beyond the skew."},
      {"IatFuture", "iat in the future."},
      {"IatOld", "An assertion minted long before use."},
      {"NumericDateType", "NumericDates as strings or with fractions."},
      {"NumericDateRange", "NumericDates that are not usable times."},
      {"ExpBeforeNbf", "exp earlier than nbf."},
      {"JtiMissing", "No jti: optional for RFC 7523, required by OpenID Connect."},
  };
  auto it = kFlags.find(flag);
  return it == kFlags.end() ? std::string() : it->second;
}

bool class_applies(const ConformanceClass& c, Alg alg, Profile p) {
  if (!c.only.empty() && std::find(c.only.begin(), c.only.end(), p) == c.only.end()) {
    return false;
  }
  switch (c.scope) {
    case AlgScope::kAny:
      return true;
    case AlgScope::kRsa:
      return alg_family(alg) != AlgFamily::kEcdsa;
    case AlgScope::kPss:
      return alg_family(alg) == AlgFamily::kRsaPss;
    case AlgScope::kPkcs1:
      return alg_family(alg) == AlgFamily::kRsaPkcs1;
    case AlgScope::kEcdsa:
      return alg_family(alg) == AlgFamily::kEcdsa;
  }
  return true;
}

bool probe_sends(const ConformanceClass& c, Alg alg, Profile p) {
  return c.wire && !c.positive && c.material == Material::kCertificate && class_applies(c, alg, p);
}

PolicyBuilder context_policy(const ProfileContext& ctx) {
  PolicyBuilder b;
  b.profile(ctx.profile)
      .expect_client_id(ctx.client_id)
      .clock_skew(std::chrono::seconds{ctx.skew})
      .max_lifetime(std::chrono::seconds{ctx.max_lifetime});
  if (ctx.profile == Profile::kRfc7523bis) {
    b.expect_issuer(ctx.issuer).token_endpoint(ctx.token_endpoint);
  } else {
    b.expect_audience(ctx.token_endpoint);
    if (ctx.profile != Profile::kEntra) {
      b.expect_issuer(ctx.issuer);
    }
  }
  return b;
}

}  // namespace assay::cli
