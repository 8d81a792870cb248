// File: assay/signature.h
//
// JWS signing and verification for the algorithms of assay/jose.h, on OpenSSL. The key type is
// bound to the algorithm: an RSA key never verifies an ES signature, a P-384 key never ES256.
// RSA-PSS uses salt = digest length and MGF1 with the same hash, on sign and on verify
// (OpenSSL's default would accept any salt). ECDSA signatures are JOSE R||S, checked for
// length and for 0 < r, s < n before OpenSSL sees them (CVE-2022-21449).
#ifndef ASSAY_SIGNATURE_H_
#define ASSAY_SIGNATURE_H_

#include <string>
#include <string_view>

#include "assay/jose.h"
#include "assay/key.h"
#include "assay/result.h"

namespace assay {

// Signs `data` (the JWS signing input) and returns the raw JWS signature bytes (R||S for
// ECDSA, always with a low s, so the token string is not malleable). Fails with `kInvalidArgument` when the key has no private part or does not support
// `alg`, `kCrypto` when OpenSSL fails.
[[nodiscard]] Result<std::string> sign(Alg alg, const Key& key, std::string_view data);

enum class SignatureStatus : unsigned char {
  kValid,
  kInvalid,          // well-formed but does not verify
  kEmpty,            // no signature bytes at all
  kKeyAlgMismatch,   // the key cannot verify this alg (type or curve)
  kWrongLength,      // RSA: not the modulus length; ECDSA: not 2 x field size
  kEcdsaRange,       // r or s is 0 or >= n
  kEcdsaDer,         // a DER ECDSA-Sig-Value where R||S is required
  kPssSalt,          // PSS that verifies only with another salt length
  kPaddingMismatch,  // PKCS#1 v1.5 under PS*, or PSS under RS*
};

// "valid", "invalid", "key-alg-mismatch", ...
std::string_view signature_status_name(SignatureStatus s);

struct SignatureCheck {
  SignatureStatus status = SignatureStatus::kInvalid;
  bool high_s = false;  // ECDSA: s > n/2 (valid but malleable)
  std::string detail;   // what was measured: lengths, the salt that matched, the other padding
  bool valid() const { return status == SignatureStatus::kValid; }
};

// Verifies `signature` over `data` with `key` for `alg`. Never fails: every outcome is a
// status. When `diagnose` is true and the signature does not verify, it also tries the other
// RSA padding and other PSS salt lengths to say *why* (costs extra verifications, only on
// failure).
SignatureCheck verify_signature(Alg alg, const Key& key, std::string_view data,
                                std::string_view signature, bool diagnose = true);

// Checks the form of an ECDSA JOSE signature without a key: its length, a DER encoding where
// R||S belongs, and 0 < r, s < n for the curve of `alg`. Returns kValid (with `high_s` set)
// when the form is right, without verifying anything; kValid for RSA algorithms too.
SignatureCheck check_ecdsa_form(Alg alg, std::string_view signature);

// HMAC-SHA256/384/512 (alg "HS256"...) of `data` under `secret`: used only to detect the
// RS/HS key-confusion forgery (HMAC keyed with a public key). Empty for another alg name.
std::string hmac_for_confusion_check(std::string_view alg_name, std::string_view secret,
                                     std::string_view data);

// --- Deliberately wrong signatures, for conformance test data (assay vectors, assay probe).

// RSA-PSS for `alg` (PS256/384/512) with an explicit salt length instead of the digest length.
// Fails with `kInvalidArgument` for a non-PSS alg or a key without a private RSA part.
[[nodiscard]] Result<std::string> sign_with_pss_salt(Alg alg, const Key& key, std::string_view data,
                                                     int salt_length);

// The other valid ECDSA signature (r, n - s) of an R||S `signature` for `alg`; empty when
// `signature` is not R||S of the right length.
std::string ecdsa_negate_s(Alg alg, std::string_view signature);

// The DER ECDSA-Sig-Value of an R||S signature (what OpenSSL emits natively); empty on error.
std::string ecdsa_to_der(Alg alg, std::string_view signature);

// The curve order n of `alg` as big-endian bytes of the field size; empty for RSA algs.
std::string ecdsa_curve_order(Alg alg);

}  // namespace assay

#endif  // ASSAY_SIGNATURE_H_
