#include "assay/signature.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/rsa.h>

#include <array>
#include <mutex>
#include <string>

#include "key_internal.h"
#include "ossl.h"

namespace assay {
namespace {

using internal::as_uchar;
using internal::BnPtr;
using internal::clear_errors;
using internal::EcdsaSigPtr;
using internal::KeyAccess;
using internal::KeyImpl;
using internal::MdCtxPtr;

const EVP_MD* alg_md(Alg alg) {
  switch (alg_digest_size(alg)) {
    case 48:
      return EVP_sha384();
    case 64:
      return EVP_sha512();
    default:
      return EVP_sha256();
  }
}

size_t alg_index(Alg alg) { return static_cast<size_t>(alg); }

// Sets RSA padding on a sign/verify EVP_PKEY_CTX. `salt` is used for PSS only.
bool configure_padding(EVP_PKEY_CTX* pctx, AlgFamily family, const EVP_MD* md, int salt) {
  if (family == AlgFamily::kRsaPkcs1) {
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1;
  }
  if (family == AlgFamily::kRsaPss) {
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
           EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt) == 1 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) == 1;
  }
  return true;
}

// A freshly initialised context (no caching): for the diagnostic paths.
MdCtxPtr fresh_ctx(EVP_PKEY* pkey, bool for_sign, AlgFamily family, const EVP_MD* md, int salt) {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pctx = nullptr;
  if (!ctx) {
    return nullptr;
  }
  const int r = for_sign ? EVP_DigestSignInit(ctx.get(), &pctx, md, nullptr, pkey)
                         : EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, pkey);
  if (r != 1 || !configure_padding(pctx, family, md, salt)) {
    clear_errors();
    return nullptr;
  }
  return ctx;
}

// The prepared (key, alg) context to copy from; null if it cannot be initialised.
EVP_MD_CTX* prepared(const KeyImpl& k, Alg alg, bool for_sign) {
  internal::PreparedCtx& slot = (for_sign ? k.sign_ctx : k.verify_ctx)[alg_index(alg)];
  std::call_once(slot.once, [&] {
    MdCtxPtr ctx = fresh_ctx(k.pkey.get(), for_sign, alg_family(alg), alg_md(alg),
                             RSA_PSS_SALTLEN_DIGEST);
    slot.ctx = ctx.release();
  });
  return slot.ctx;
}

bool verify_with(EVP_MD_CTX* tmpl, std::string_view data, std::string_view sig) {
  if (tmpl == nullptr) {
    return false;
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_MD_CTX_copy_ex(ctx.get(), tmpl) != 1) {
    clear_errors();
    return false;
  }
  // The context is used once: let EVP_DigestVerifyFinal finalise it in place instead of
  // duplicating its EVP_PKEY_CTX first (which it does so that more data could follow).
  EVP_MD_CTX_set_flags(ctx.get(), EVP_MD_CTX_FLAG_FINALISE);
  const int r = EVP_DigestVerify(ctx.get(), as_uchar(sig.data()), sig.size(),
                                 as_uchar(data.data()), data.size());
  if (r != 1) {
    clear_errors();
  }
  return r == 1;
}

// The order n of the curve used by `alg` and n/2 (the low-S bound), cached per curve.
struct CurveOrder {
  std::once_flag once;
  BIGNUM* order = nullptr;
  BIGNUM* half = nullptr;
};

const CurveOrder& curve_order_of(Alg alg) {
  static std::array<CurveOrder, 3> cache;
  const size_t i = alg == Alg::kES256 ? 0 : alg == Alg::kES384 ? 1 : 2;
  const int nid = i == 0 ? NID_X9_62_prime256v1 : i == 1 ? NID_secp384r1 : NID_secp521r1;
  std::call_once(cache[i].once, [&] {
    EC_GROUP* g = EC_GROUP_new_by_curve_name(nid);
    if (g != nullptr) {
      cache[i].order = BN_dup(EC_GROUP_get0_order(g));
      EC_GROUP_free(g);
    }
    if (cache[i].order != nullptr) {
      cache[i].half = BN_dup(cache[i].order);
      if (cache[i].half != nullptr && BN_rshift1(cache[i].half, cache[i].half) != 1) {
        BN_free(cache[i].half);
        cache[i].half = nullptr;
      }
    }
    clear_errors();
  });
  return cache[i];
}

const BIGNUM* curve_order(Alg alg) { return curve_order_of(alg).order; }

struct EcForm {
  SignatureStatus status = SignatureStatus::kValid;
  bool high_s = false;
  std::string detail;
  BnPtr r, s;
};

EcForm check_ec_form(Alg alg, std::string_view sig) {
  EcForm out;
  const size_t want = ecdsa_signature_size(alg);
  if (sig.size() != want) {
    if (!sig.empty() && static_cast<unsigned char>(sig[0]) == 0x30) {
      const unsigned char* p = as_uchar(sig.data());
      EcdsaSigPtr der(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size())));
      if (der && p == as_uchar(sig.data()) + sig.size()) {
        out.status = SignatureStatus::kEcdsaDer;
        out.detail = std::to_string(sig.size()) + "-byte DER ECDSA-Sig-Value; " +
                     std::string(alg_name(alg)) + " needs " + std::to_string(want) +
                     " bytes R||S";
        return out;
      }
      clear_errors();
    }
    out.status = SignatureStatus::kWrongLength;
    out.detail = std::to_string(sig.size()) + " bytes; " + std::string(alg_name(alg)) +
                 " signatures are " + std::to_string(want) + " bytes (R||S)";
    return out;
  }
  const size_t half = want / 2;
  out.r.reset(BN_bin2bn(as_uchar(sig.data()), static_cast<int>(half), nullptr));
  out.s.reset(BN_bin2bn(as_uchar(sig.data() + half), static_cast<int>(half), nullptr));
  const BIGNUM* n = curve_order(alg);
  if (!out.r || !out.s || n == nullptr) {
    out.status = SignatureStatus::kInvalid;
    out.detail = "cannot read r and s";
    return out;
  }
  const bool r_bad = BN_is_zero(out.r.get()) || BN_cmp(out.r.get(), n) >= 0;
  const bool s_bad = BN_is_zero(out.s.get()) || BN_cmp(out.s.get(), n) >= 0;
  if (r_bad || s_bad) {
    out.status = SignatureStatus::kEcdsaRange;
    std::string which = r_bad && s_bad ? "r and s are" : r_bad ? "r is" : "s is";
    const bool zero = (r_bad && BN_is_zero(out.r.get())) || (s_bad && BN_is_zero(out.s.get()));
    out.detail = which + (zero ? " zero" : " not below the curve order n");
    return out;
  }
  if (const BIGNUM* half_n = curve_order_of(alg).half; half_n != nullptr) {
    out.high_s = BN_cmp(out.s.get(), half_n) > 0;
  }
  return out;
}

// The DER ECDSA-Sig-Value of a checked R||S form, written into `buf` (r and s are moved out of
// `f`); empty when it cannot be encoded.
using DerBuffer = std::array<unsigned char, 160>;  // P-521: 2 x (66 + 3) + 3 bytes at most
std::string_view ec_to_der(EcForm& f, DerBuffer& buf) {
  EcdsaSigPtr sig(ECDSA_SIG_new());
  if (!sig || ECDSA_SIG_set0(sig.get(), f.r.get(), f.s.get()) != 1) {
    clear_errors();
    return {};
  }
  (void)f.r.release();  // owned by `sig` now
  (void)f.s.release();
  const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0 || static_cast<size_t>(len) > buf.size()) {
    clear_errors();
    return {};
  }
  unsigned char* p = buf.data();
  if (i2d_ECDSA_SIG(sig.get(), &p) != len) {
    clear_errors();
    return {};
  }
  return {reinterpret_cast<const char*>(buf.data()), static_cast<size_t>(len)};
}

SignatureCheck result(SignatureStatus st, std::string detail = {}) {
  SignatureCheck c;
  c.status = st;
  c.detail = std::move(detail);
  return c;
}

}  // namespace

std::string_view signature_status_name(SignatureStatus s) {
  switch (s) {
    case SignatureStatus::kValid:
      return "valid";
    case SignatureStatus::kInvalid:
      return "invalid";
    case SignatureStatus::kEmpty:
      return "empty";
    case SignatureStatus::kKeyAlgMismatch:
      return "key-alg-mismatch";
    case SignatureStatus::kWrongLength:
      return "wrong-length";
    case SignatureStatus::kEcdsaRange:
      return "ecdsa-range";
    case SignatureStatus::kEcdsaDer:
      return "ecdsa-der";
    case SignatureStatus::kPssSalt:
      return "pss-salt";
    case SignatureStatus::kPaddingMismatch:
      return "padding-mismatch";
  }
  return "invalid";
}

Result<std::string> sign(Alg alg, const Key& key, std::string_view data) {
  const KeyImpl* k = KeyAccess::impl(key);
  if (k == nullptr || !k->has_private) {
    return make_error(ErrorCode::kInvalidArgument, "signing needs a private key");
  }
  if (!key.supports(alg)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "a " + key.describe() + " cannot sign " + std::string(alg_name(alg)));
  }
  EVP_MD_CTX* tmpl = prepared(*k, alg, /*for_sign=*/true);
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (tmpl == nullptr || !ctx || EVP_MD_CTX_copy_ex(ctx.get(), tmpl) != 1) {
    return internal::ossl_error(ErrorCode::kCrypto, "cannot initialise signing");
  }
  EVP_MD_CTX_set_flags(ctx.get(), EVP_MD_CTX_FLAG_FINALISE);  // used once, as in verify_with
  // The key's maximum signature size (cached by OpenSSL), rather than a sizing call to
  // EVP_DigestSign, which for ECDSA encodes a dummy signature to measure it.
  const int max_len = EVP_PKEY_get_size(k->pkey.get());
  if (max_len <= 0) {
    return internal::ossl_error(ErrorCode::kCrypto, "cannot size the signature");
  }
  size_t len = static_cast<size_t>(max_len);
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), as_uchar(sig.data()), &len, as_uchar(data.data()), data.size()) !=
      1) {
    return internal::ossl_error(ErrorCode::kCrypto, "signing failed");
  }
  sig.resize(len);
  if (alg_family(alg) != AlgFamily::kEcdsa) {
    return sig;
  }
  // DER ECDSA-Sig-Value -> fixed-width R||S (RFC 7518 §3.4).
  const unsigned char* p = as_uchar(sig.data());
  EcdsaSigPtr der(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size())));
  if (!der) {
    return internal::ossl_error(ErrorCode::kCrypto, "cannot parse OpenSSL's ECDSA signature");
  }
  const size_t half = ecdsa_signature_size(alg) / 2;
  // Emit low-S (s <= n/2) so that our own signatures are not malleable (SIG006).
  const BIGNUM* s = ECDSA_SIG_get0_s(der.get());
  BnPtr low_s;
  const CurveOrder& curve = curve_order_of(alg);
  if (curve.order != nullptr && curve.half != nullptr && BN_cmp(s, curve.half) > 0) {
    low_s.reset(BN_new());
    if (low_s && BN_sub(low_s.get(), curve.order, s) == 1) {
      s = low_s.get();
    }
  }
  std::string raw(2 * half, '\0');
  if (BN_bn2binpad(ECDSA_SIG_get0_r(der.get()), as_uchar(raw.data()), static_cast<int>(half)) < 0 ||
      BN_bn2binpad(s, as_uchar(raw.data() + half), static_cast<int>(half)) < 0) {
    return internal::ossl_error(ErrorCode::kCrypto, "cannot encode R||S");
  }
  return raw;
}

SignatureCheck verify_signature(Alg alg, const Key& key, std::string_view data,
                                std::string_view signature, bool diagnose) {
  const KeyImpl* k = KeyAccess::impl(key);
  if (signature.empty()) {
    return result(SignatureStatus::kEmpty, "the signature is empty");
  }
  if (k == nullptr || !key.supports(alg)) {
    return result(SignatureStatus::kKeyAlgMismatch,
                  (k == nullptr ? std::string("no key") : "a " + key.describe()) + " cannot verify " +
                      std::string(alg_name(alg)));
  }
  const AlgFamily family = alg_family(alg);
  if (family == AlgFamily::kEcdsa) {
    EcForm form = check_ec_form(alg, signature);
    if (form.status != SignatureStatus::kValid) {
      return result(form.status, std::move(form.detail));
    }
    const bool high_s = form.high_s;
    DerBuffer buf;
    const std::string_view der = ec_to_der(form, buf);
    if (der.empty() || !verify_with(prepared(*k, alg, false), data, der)) {
      return result(SignatureStatus::kInvalid, "the ECDSA signature does not verify");
    }
    SignatureCheck ok = result(SignatureStatus::kValid);
    ok.high_s = high_s;
    return ok;
  }
  // RSA: the signature is exactly as long as the modulus (RFC 8017 §8.2.2 step 1).
  const size_t modulus = static_cast<size_t>((k->bits + 7) / 8);
  if (signature.size() != modulus) {
    return result(SignatureStatus::kWrongLength,
                  std::to_string(signature.size()) + " bytes; an RSA-" + std::to_string(k->bits) +
                      " signature is " + std::to_string(modulus) + " bytes");
  }
  if (verify_with(prepared(*k, alg, false), data, signature)) {
    return result(SignatureStatus::kValid);
  }
  if (!diagnose) {
    return result(SignatureStatus::kInvalid, "the signature does not verify");
  }
  const EVP_MD* md = alg_md(alg);
  if (family == AlgFamily::kRsaPss) {
    MdCtxPtr pkcs1 = fresh_ctx(k->pkey.get(), false, AlgFamily::kRsaPkcs1, md, 0);
    if (!k->pss_only && verify_with(pkcs1.get(), data, signature)) {
      return result(SignatureStatus::kPaddingMismatch,
                    "the signature is PKCS#1 v1.5 (RS" + std::to_string(alg_digest_size(alg) * 8) +
                        "), but alg says " + std::string(alg_name(alg)));
    }
    MdCtxPtr any_salt = fresh_ctx(k->pkey.get(), false, AlgFamily::kRsaPss, md, RSA_PSS_SALTLEN_AUTO);
    if (verify_with(any_salt.get(), data, signature)) {
      std::string salt = "another salt length";
      for (int candidate : {0, 20, 32, 48, 64, static_cast<int>(modulus) -
                                                    static_cast<int>(alg_digest_size(alg)) - 2}) {
        MdCtxPtr c = fresh_ctx(k->pkey.get(), false, AlgFamily::kRsaPss, md, candidate);
        if (verify_with(c.get(), data, signature)) {
          salt = "salt length " + std::to_string(candidate);
          break;
        }
      }
      return result(SignatureStatus::kPssSalt,
                    "the PSS signature verifies with " + salt + ", not the required " +
                        std::to_string(alg_digest_size(alg)));
    }
  } else {
    MdCtxPtr pss = fresh_ctx(k->pkey.get(), false, AlgFamily::kRsaPss, md, RSA_PSS_SALTLEN_AUTO);
    if (verify_with(pss.get(), data, signature)) {
      return result(SignatureStatus::kPaddingMismatch,
                    "the signature is RSA-PSS (PS" + std::to_string(alg_digest_size(alg) * 8) +
                        "), but alg says " + std::string(alg_name(alg)));
    }
  }
  return result(SignatureStatus::kInvalid, "the signature does not verify");
}

SignatureCheck check_ecdsa_form(Alg alg, std::string_view signature) {
  if (alg_family(alg) != AlgFamily::kEcdsa) {
    return result(SignatureStatus::kValid);
  }
  if (signature.empty()) {
    return result(SignatureStatus::kEmpty, "the signature is empty");
  }
  EcForm f = check_ec_form(alg, signature);
  SignatureCheck c = result(f.status, std::move(f.detail));
  c.high_s = f.high_s;
  return c;
}

Result<std::string> sign_with_pss_salt(Alg alg, const Key& key, std::string_view data,
                                       int salt_length) {
  const KeyImpl* k = KeyAccess::impl(key);
  if (alg_family(alg) != AlgFamily::kRsaPss || k == nullptr || !k->has_private ||
      k->type != KeyType::kRsa) {
    return make_error(ErrorCode::kInvalidArgument, "PSS with a chosen salt needs a PS* alg and an RSA private key");
  }
  MdCtxPtr ctx = fresh_ctx(k->pkey.get(), /*for_sign=*/true, AlgFamily::kRsaPss, alg_md(alg), salt_length);
  size_t len = 0;
  if (!ctx || EVP_DigestSign(ctx.get(), nullptr, &len, as_uchar(data.data()), data.size()) != 1) {
    return internal::ossl_error(ErrorCode::kCrypto, "cannot sign with salt length " + std::to_string(salt_length));
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), as_uchar(sig.data()), &len, as_uchar(data.data()), data.size()) != 1) {
    return internal::ossl_error(ErrorCode::kCrypto, "signing failed");
  }
  sig.resize(len);
  return sig;
}

std::string ecdsa_negate_s(Alg alg, std::string_view signature) {
  const size_t half = ecdsa_signature_size(alg) / 2;
  const BIGNUM* n = alg_family(alg) == AlgFamily::kEcdsa ? curve_order(alg) : nullptr;
  if (n == nullptr || signature.size() != 2 * half) {
    return {};
  }
  BnPtr s(BN_bin2bn(as_uchar(signature.data() + half), static_cast<int>(half), nullptr));
  BnPtr flipped(BN_new());
  if (!s || !flipped || BN_sub(flipped.get(), n, s.get()) != 1) {
    clear_errors();
    return {};
  }
  std::string out(signature);
  BN_bn2binpad(flipped.get(), as_uchar(out.data() + half), static_cast<int>(half));
  return out;
}

std::string ecdsa_to_der(Alg alg, std::string_view signature) {
  EcForm f;
  const size_t half = ecdsa_signature_size(alg) / 2;
  if (half == 0 || signature.size() != 2 * half) {
    return {};
  }
  f.r.reset(BN_bin2bn(as_uchar(signature.data()), static_cast<int>(half), nullptr));
  f.s.reset(BN_bin2bn(as_uchar(signature.data() + half), static_cast<int>(half), nullptr));
  if (!f.r || !f.s) {
    clear_errors();
    return {};
  }
  DerBuffer buf{};
  return std::string(ec_to_der(f, buf));
}

std::string ecdsa_curve_order(Alg alg) {
  const BIGNUM* n = alg_family(alg) == AlgFamily::kEcdsa ? curve_order(alg) : nullptr;
  if (n == nullptr) {
    return {};
  }
  std::string out(ecdsa_signature_size(alg) / 2, '\0');
  BN_bn2binpad(n, as_uchar(out.data()), static_cast<int>(out.size()));
  return out;
}

std::string hmac_for_confusion_check(std::string_view alg_name_text, std::string_view secret,
                                     std::string_view data) {
  const char* digest = alg_name_text == "HS256"   ? "SHA256"
                       : alg_name_text == "HS384" ? "SHA384"
                       : alg_name_text == "HS512" ? "SHA512"
                                                  : nullptr;
  if (digest == nullptr) {
    return {};
  }
  unsigned char out[EVP_MAX_MD_SIZE];
  size_t len = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, digest, nullptr, secret.data(), secret.size(),
                as_uchar(data.data()), data.size(), out, sizeof(out), &len) == nullptr) {
    clear_errors();
    return {};
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

}  // namespace assay
