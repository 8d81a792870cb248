// SIG and KEY rules: choosing the trusted key the header points to, verifying the signature,
// and explaining every way the two can disagree.
#include <algorithm>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assay/base64url.h"
#include "assay/signature.h"
#include "context.h"
#include "json_util.h"
#include "key_internal.h"

namespace assay::internal {
namespace {

// A trusted key the signature may be checked with. Candidates are built for every token, so
// they only point into the KeySet (which outlives the rules run); labels are made on demand.
struct Candidate {
  const Key* key = nullptr;
  const Certificate* cert = nullptr;
  bool private_half = false;  // `own` is the public half of KeySet::private_key
  Key own;
  std::string_view kid;
  std::string jwk_x5t;   // raw SHA-1 bytes from a JWK's x5t, when it has one
  std::string jwk_x5ts;  // raw SHA-256 bytes from a JWK's x5t#S256, when it has one

  std::string_view x5t() const { return cert != nullptr ? cert->thumbprints().sha1 : jwk_x5t; }
  std::string_view x5ts() const {
    return cert != nullptr ? cert->thumbprints().sha256 : jwk_x5ts;
  }
  std::string label() const;
};

std::string cert_label(const Certificate& c) {
  const CertificateImpl* impl = KeyAccess::impl(c);
  const std::string_view subject = impl != nullptr ? std::string_view(impl->subject) : "";
  const std::string& hex = c.thumbprints().sha1_hex;
  std::string label;
  label.reserve(12 + subject.size() + 8 + hex.size() + 1);
  label.append("certificate ").append(subject).append(" (SHA-1 ").append(hex).append(")");
  return label;
}

std::string Candidate::label() const {
  if (cert != nullptr) {
    return cert_label(*cert);
  }
  if (private_half) {
    return "the public half of the given private key (" + own.describe() + ")";
  }
  return kid.empty() ? key->describe() : "key kid " + quote(kid) + " (" + key->describe() + ")";
}

std::vector<Candidate> candidates_of(const KeySet& ks) {
  std::vector<Candidate> out(ks.certificates.size() + ks.keys.size());
  size_t i = 0;
  for (const Certificate& c : ks.certificates) {
    Candidate& cand = out[i++];
    const CertificateImpl* impl = KeyAccess::impl(c);
    cand.key = impl != nullptr ? &impl->key : &cand.own;
    cand.cert = &c;
  }
  for (const Key& k : ks.keys) {
    Candidate& cand = out[i++];
    cand.key = &k;
    cand.kid = k.jwk().kid;
    if (auto b = base64url_decode_lenient(k.jwk().x5t); b && !k.jwk().x5t.empty()) {
      cand.jwk_x5t = std::move(b->bytes);
    }
    if (auto b = base64url_decode_lenient(k.jwk().x5t_s256); b && !k.jwk().x5t_s256.empty()) {
      cand.jwk_x5ts = std::move(b->bytes);
    }
  }
  if (out.empty() && ks.private_key) {
    Candidate& cand = out.emplace_back();
    cand.own = ks.private_key->public_key();
    cand.private_half = true;
    cand.key = &cand.own;  // the vector holds this one element and no longer grows
  }
  return out;
}

// A string member of the header as a view into it; empty when absent or not a string.
std::string_view header_string(const Json& h, const char* name) {
  const Json* m = member(h, name);
  const auto* s = m != nullptr ? m->get_ptr<const std::string*>() : nullptr;
  return s != nullptr ? std::string_view(*s) : std::string_view();
}

std::string decoded_thumbprint(std::string_view v) {
  if (v.empty()) {
    return {};
  }
  auto b = base64url_decode_lenient(v);
  return b ? std::move(b->bytes) : std::string();
}

// Every form of `raw` a user might compare with: hex as Entra echoes it, base64url, base64.
std::string all_forms(std::string_view raw) {
  return "hex " + hex_upper(raw) + ", base64url " + quote(base64url_encode(raw)) + ", base64 " +
         quote(base64_encode(raw));
}

// The fix for header `name`, which should be `correct` to name `cand`. Correcting the header
// helps only when `cand`'s key made the signature (perhaps with another padding or salt, which
// SIG007/SIG008 explain); when the signature does not verify with it either (SIG002), the token
// was signed with another key, and a header naming `cand` would still fail.
std::string thumbprint_fix(std::string_view name, const std::string& correct, bool key_signed,
                           const Candidate& cand) {
  const std::string n(name);
  if (key_signed) {
    return "set " + n + " to " + quote(correct);
  }
  return std::string("the signature does not verify with ") +
         (cand.cert != nullptr ? "this certificate's key" : "this key") + " either, so changing " +
         n + " alone cannot help: sign with its private key (and set " + n + " to " +
         quote(correct) + "), or register the certificate of the key that signed the token";
}

void emit_signature_outcome(RuleContext& ctx, const SignatureCheck& check, Alg alg,
                            const Candidate& cand) {
  const std::string a(alg_name(alg));
  switch (check.status) {
    case SignatureStatus::kValid:
      if (check.high_s) {
        ctx.emit("SIG006", "the ES signature has a high s value (s > n/2)", "/signature");
      }
      return;
    case SignatureStatus::kInvalid:
      ctx.emit("SIG002", "the " + a + " signature does not verify with " + cand.label(), "/signature");
      return;
    case SignatureStatus::kEmpty:
      return;  // SIG001 already
    case SignatureStatus::kKeyAlgMismatch: {
      std::string algs;
      for (Alg x : cand.key->supported_algs()) {
        algs += (algs.empty() ? "" : ", ") + std::string(alg_name(x));
      }
      ctx.emit("SIG009", "alg is " + a + ", but " + cand.label() + " is a " + cand.key->describe(),
               "/header/alg", algs.empty() ? std::string() : "this key signs " + algs);
      return;
    }
    case SignatureStatus::kWrongLength:
      ctx.emit("SIG003", "the signature has " + check.detail, "/signature");
      return;
    case SignatureStatus::kEcdsaRange:
      ctx.emit("SIG004", "ECDSA " + check.detail, "/signature");
      return;
    case SignatureStatus::kEcdsaDer:
      ctx.emit("SIG005", "the signature is a " + check.detail, "/signature");
      return;
    case SignatureStatus::kPssSalt:
      ctx.emit("SIG007", check.detail, "/signature");
      return;
    case SignatureStatus::kPaddingMismatch:
      ctx.emit("SIG008", check.detail, "/header/alg");
      return;
  }
}

void check_certificate_dates(RuleContext& ctx, const Certificate& cert) {
  const Seconds nb = cert.not_before();
  const Seconds na = cert.not_after();
  if (ctx.now > na) {
    ctx.emit("KEY004", cert_label(cert) + " expired " + format_rfc3339(na) + " (" +
                           format_relative(na, ctx.now) + ")",
             "");
  } else if (ctx.now < nb) {
    ctx.emit("KEY005", cert_label(cert) + " is valid from " + format_rfc3339(nb) + " (" +
                           format_relative(nb, ctx.now) + ")",
             "");
  } else if (na - ctx.now < std::chrono::hours(24 * 30)) {
    ctx.emit("KEY007", cert_label(cert) + " expires " + format_rfc3339(na) + " (" +
                           format_relative(na, ctx.now) + ")",
             "");
  }
}

// SIG010: an HMAC keyed with some encoding of a trusted public key.
void check_hmac_confusion(RuleContext& ctx, std::string_view alg, const std::vector<Candidate>& cands) {
  const std::string& sig = ctx.assertion.signature_bytes();
  for (const Candidate& c : cands) {
    Json jwk;
    c.key->to_public_jwk(jwk);
    std::vector<std::pair<std::string, std::string>> secrets = {
        {"SPKI PEM", c.key->public_pem()}, {"SPKI DER", c.key->spki_der()}, {"JWK JSON", jwk.dump()}};
    if (c.cert != nullptr) {
      secrets.emplace_back("certificate PEM", c.cert->pem());
      secrets.emplace_back("certificate DER", c.cert->der());
    }
    for (const auto& [form, secret] : secrets) {
      if (!sig.empty() && hmac_for_confusion_check(alg, secret, ctx.assertion.signing_input()) == sig) {
        ctx.emit("SIG010", std::string(alg) + " MAC is keyed with the " + form + " of " + c.label() +
                               ": a forged token (RS/HS algorithm confusion)",
                 "/signature");
        return;
      }
    }
  }
}

// What the header names, and which candidates the signature was tried with, for the key
// selection findings (KEY001, KEY002, KEY008).
struct KeySelection {
  std::string_view x5t_text;
  std::string_view x5ts_text;
  std::string_view kid;
  const std::string& x5t;   // decoded
  const std::string& x5ts;  // decoded
  const std::vector<Candidate>& cands;
  const Candidate* chosen;       // the candidate the header identifies, if any
  const Candidate* verified_by;  // the candidate the signature verifies with, if any
  const Candidate* first_tried;
  SignatureStatus first_status;

  // Whether `c`'s key made the signature, if only with another padding or salt.
  bool signed_with(const Candidate& c) const {
    if (verified_by != nullptr) {
      return verified_by == &c;
    }
    return first_tried == &c && (first_status == SignatureStatus::kPssSalt ||
                                 first_status == SignatureStatus::kPaddingMismatch);
  }
};

// The header identifies none of the candidates.
void check_unidentified_key(RuleContext& ctx, const KeySelection& s) {
  const std::vector<Candidate>& cands = s.cands;
  const bool single_cert = cands.size() == 1 && cands.front().cert != nullptr;
  const std::string also = s.verified_by != nullptr
                               ? "; the signature does verify with " + s.verified_by->label()
                               : std::string();
  if (single_cert && (!s.x5t_text.empty() || !s.x5ts_text.empty())) {
    const Thumbprints& t = cands.front().cert->thumbprints();
    const bool key_signed = s.signed_with(cands.front());
    if (!s.x5ts_text.empty() && s.x5ts != t.sha256) {
      ctx.emit(
          "KEY001",
          "x5t#S256 " + quote(s.x5ts_text) + " (" +
              (s.x5ts.size() == 32 ? all_forms(s.x5ts) : "not a SHA-256 value") +
              ") is not the thumbprint of " + cert_label(*cands.front().cert) +
              ", whose x5t#S256 is " + quote(t.x5t_s256) + " (hex " + t.sha256_hex + ")" + also,
          "/header/x5t#S256", thumbprint_fix("x5t#S256", t.x5t_s256, key_signed, cands.front()));
    }
    if (!s.x5t_text.empty() && s.x5t != t.sha1) {
      ctx.emit("KEY001",
               "x5t " + quote(s.x5t_text) + " (" +
                   (s.x5t.size() == 20 ? all_forms(s.x5t) : "not a SHA-1 value") +
                   ") is not the thumbprint of " + cert_label(*cands.front().cert) +
                   ", whose x5t is " + quote(t.x5t) + " (hex " + t.sha1_hex +
                   ", customKeyIdentifier " + quote(t.custom_key_identifier) + ")" + also,
               "/header/x5t", thumbprint_fix("x5t", t.x5t, key_signed, cands.front()));
    }
  } else if (!s.kid.empty() && s.x5t_text.empty() && s.x5ts_text.empty() &&
             ctx.profile != Profile::kEntra && cands.size() == 1) {
    ctx.emit("KEY008", "kid " + quote(s.kid) + " does not identify " + cands.front().label() + also,
             "/header/kid");
  } else {
    std::string ids;
    if (!s.x5ts_text.empty()) {
      ids += "x5t#S256 " + quote(s.x5ts_text) +
             (s.x5ts.size() == 32 ? " (hex " + hex_upper(s.x5ts) + ")" : "");
    }
    if (!s.x5t_text.empty()) {
      ids += (ids.empty() ? "" : ", ") + std::string("x5t ") + quote(s.x5t_text) +
             (s.x5t.size() == 20 ? " (hex " + hex_upper(s.x5t) + ")" : "");
    }
    if (!s.kid.empty()) {
      ids += (ids.empty() ? "" : ", ") + std::string("kid ") + quote(s.kid);
    }
    ctx.emit("KEY002",
             "none of the " + std::to_string(cands.size()) + " trusted keys matches " + ids + also,
             !s.x5ts_text.empty()  ? "/header/x5t#S256"
             : !s.x5t_text.empty() ? "/header/x5t"
                                   : "/header/kid");
  }
}

// The header identifies `s.chosen` by one identifier, but another may disagree.
void check_identified_key(RuleContext& ctx, const KeySelection& s) {
  const Candidate& chosen = *s.chosen;
  const std::string_view chosen_x5ts = chosen.x5ts();
  const std::string_view chosen_x5t = chosen.x5t();
  const bool key_signed = s.signed_with(chosen);
  if (!s.x5ts.empty() && !chosen_x5ts.empty() && s.x5ts != chosen_x5ts) {
    const std::string correct = base64url_encode(chosen_x5ts);
    ctx.emit("KEY001",
             "x5t#S256 " + quote(s.x5ts_text) + " does not match " + chosen.label() +
                 " (x5t#S256 " + quote(correct) + "), though x5t does",
             "/header/x5t#S256", thumbprint_fix("x5t#S256", correct, key_signed, chosen));
  }
  if (!s.x5t.empty() && !chosen_x5t.empty() && s.x5t != chosen_x5t) {
    const std::string correct = base64url_encode(chosen_x5t);
    ctx.emit("KEY001",
             "x5t " + quote(s.x5t_text) + " does not match " + chosen.label() + " (x5t " +
                 quote(correct) + "), though x5t#S256 does",
             "/header/x5t", thumbprint_fix("x5t", correct, key_signed, chosen));
  }
  if (!s.kid.empty() && !chosen.kid.empty() && s.kid != chosen.kid) {
    ctx.emit("KEY008",
             "kid " + quote(s.kid) + " differs from the kid " + quote(chosen.kid) + " of " +
                 chosen.label(),
             "/header/kid");
  }
}

void check_key_selection(RuleContext& ctx, const KeySelection& s) {
  if (s.chosen == nullptr) {
    check_unidentified_key(ctx, s);
  } else {
    check_identified_key(ctx, s);
  }
}

// RFC 7517 §4.2-4.4: a JWK restricted to other uses must not verify signatures.
void check_jwk_use(RuleContext& ctx, const Candidate& used, std::string_view alg_text) {
  const JwkMetadata& meta = used.key->jwk();
  std::string conflict;
  if (!meta.use.empty() && meta.use != "sig") {
    conflict = "its use is " + quote(meta.use);
  } else if (!meta.key_ops.empty() &&
             std::find(meta.key_ops.begin(), meta.key_ops.end(), "verify") == meta.key_ops.end()) {
    conflict = "its key_ops do not include \"verify\"";
  } else if (!meta.alg.empty() && meta.alg != alg_text) {
    conflict = "its alg is " + quote(meta.alg) + ", the token's " + quote(alg_text);
  }
  if (!conflict.empty()) {
    ctx.emit("KEY009", used.label() + " is not a signature key for this token: " + conflict, "");
  }
}

}  // namespace

void check_signature_and_keys(RuleContext& ctx) {
  SignatureInfo& info = ctx.signature;
  info.status = "not-checked";
  const Json& h = ctx.header();
  const std::string_view alg_text = h.is_object() ? header_string(h, "alg") : std::string_view();
  info.alg = alg_text;
  const auto alg = parse_alg(alg_text);
  const std::string& sig = ctx.assertion.signature_bytes();
  if (sig.empty() && !ctx.assertion.signature_segment().empty()) {
    // undecodable signature segment: ENC005 already
  } else if (sig.empty() && alg_text.size() > 0 && !is_none_alg_name(alg_text)) {
    ctx.emit("SIG001", "alg is " + quote(alg_text) + " but the signature segment is empty",
             "/signature");
  }
  if (alg && alg_family(*alg) == AlgFamily::kEcdsa && !sig.empty()) {
    const SignatureCheck form = check_ecdsa_form(*alg, sig);
    if (form.status == SignatureStatus::kWrongLength) {
      ctx.emit("SIG003", "the signature has " + form.detail, "/signature");
    } else if (form.status == SignatureStatus::kEcdsaRange) {
      ctx.emit("SIG004", "ECDSA " + form.detail, "/signature");
    } else if (form.status == SignatureStatus::kEcdsaDer) {
      ctx.emit("SIG005", "the signature is a " + form.detail, "/signature");
    }
  }
  if (ctx.keys == nullptr) {
    return;  // keyless (inspect)
  }
  const KeySet& ks = *ctx.keys;
  if (ks.empty()) {
    ctx.emit("SIG011", "no certificate, key or JWKS was given, so the signature was not verified",
             "/signature");
    return;
  }
  std::vector<Candidate> cands = candidates_of(ks);
  if (ks.private_key && !ks.certificates.empty() &&
      !key_matches_certificate(*ks.private_key, ks.certificates.front())) {
    ctx.emit("KEY003",
             "the private key (" + ks.private_key->describe() + ") does not belong to " +
                 cert_label(ks.certificates.front()),
             "");
  }
  if (is_hmac_alg_name(alg_text)) {
    check_hmac_confusion(ctx, alg_text, cands);
    return;
  }
  if (!alg || sig.empty()) {
    return;  // HDR001/003/004 or SIG001 say why nothing can be verified
  }

  const std::string_view x5t_text = header_string(h, "x5t");
  const std::string_view x5ts_text = header_string(h, "x5t#S256");
  const std::string_view kid = header_string(h, "kid");
  // check_header has usually decoded the thumbprints already.
  std::string x5t_own;
  std::string x5ts_own;
  const std::string& x5t = ctx.x5t_bytes ? *ctx.x5t_bytes : (x5t_own = decoded_thumbprint(x5t_text));
  const std::string& x5ts =
      ctx.x5ts_bytes ? *ctx.x5ts_bytes : (x5ts_own = decoded_thumbprint(x5ts_text));
  const bool has_ids = !x5t_text.empty() || !x5ts_text.empty() || !kid.empty();

  auto kid_matches = [&](const Candidate& c) {
    if (kid.empty()) {
      return false;
    }
    if (!c.kid.empty()) {
      return c.kid == kid;
    }
    // MSAL.NET before 4.10 sent kid = the base64url SHA-1 thumbprint.
    return (!c.x5t().empty() && (kid == base64url_encode(c.x5t()) || kid == hex_upper(c.x5t()))) ||
           (!c.x5ts().empty() && kid == base64url_encode(c.x5ts()));
  };
  auto id_matches = [&](const Candidate& c) {
    return (!x5ts.empty() && c.x5ts() == x5ts) || (!x5t.empty() && c.x5t() == x5t) || kid_matches(c);
  };

  const Candidate* chosen = nullptr;
  for (const Candidate& c : cands) {
    if (id_matches(c)) {
      chosen = &c;
      break;
    }
  }

  // Verify: with the identified key, else with every key that supports the alg.
  SignatureCheck outcome;
  const Candidate* verified_by = nullptr;
  const Candidate* first_tried = nullptr;
  SignatureCheck first_outcome;
  auto attempt = [&](const Candidate& c) {
    SignatureCheck r = verify_signature(*alg, *c.key, ctx.assertion.signing_input(), sig);
    if (first_tried == nullptr) {
      first_tried = &c;
      first_outcome = r;
    }
    if (r.valid() && verified_by == nullptr) {
      verified_by = &c;
      outcome = r;
    }
  };
  if (chosen != nullptr) {
    attempt(*chosen);
  } else {
    for (const Candidate& c : cands) {
      if (c.key->supports(*alg)) {
        attempt(c);
      }
    }
    if (first_tried == nullptr) {
      attempt(cands.front());  // nothing supports the alg: report the mismatch against it
    }
  }
  info.checked = true;
  info.verified = verified_by != nullptr;
  const Candidate* used = verified_by != nullptr ? verified_by : first_tried;
  info.key = used->label();
  info.status = std::string(signature_status_name(verified_by != nullptr ? outcome.status
                                                                         : first_outcome.status));

  if (has_ids) {
    const KeySelection sel{x5t_text, x5ts_text, kid,         x5t,         x5ts,
                           cands,    chosen,    verified_by, first_tried, first_outcome.status};
    check_key_selection(ctx, sel);
  }

  check_jwk_use(ctx, *used, alg_text);
  if (verified_by != nullptr) {
    emit_signature_outcome(ctx, outcome, *alg, *verified_by);
  } else {
    emit_signature_outcome(ctx, first_outcome, *alg, *first_tried);
  }
  if (used->key->type() == KeyType::kRsa && used->key->bits() < 2048) {
    ctx.emit("KEY006", used->label() + " is RSA-" + std::to_string(used->key->bits()), "");
  }
  const Certificate* cert = used->cert;
  if (cert == nullptr && ks.certificates.size() == 1) {
    cert = &ks.certificates.front();
  }
  if (cert != nullptr) {
    check_certificate_dates(ctx, *cert);
  }
}

}  // namespace assay::internal
