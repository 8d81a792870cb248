// File: assay/jose.h
//
// The JWS algorithms assay signs and verifies, as one constant allow-list. `none` and the HMAC
// family are deliberately absent: they are names the rules engine recognises in order to
// reject them, never algorithms a key can be used with.
#ifndef ASSAY_JOSE_H_
#define ASSAY_JOSE_H_

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace assay {

enum class Alg : unsigned char {
  kRS256, kRS384, kRS512,  // RSASSA-PKCS1-v1_5 (RFC 7518 §3.3)
  kPS256, kPS384, kPS512,  // RSASSA-PSS, MGF1 with the same hash, salt = hash length (§3.5)
  kES256, kES384, kES512,  // ECDSA P-256/P-384/P-521, JOSE R||S signature (§3.4)
};

inline constexpr std::array<Alg, 9> kAllAlgs = {Alg::kRS256, Alg::kRS384, Alg::kRS512,
                                                Alg::kPS256, Alg::kPS384, Alg::kPS512,
                                                Alg::kES256, Alg::kES384, Alg::kES512};

enum class AlgFamily : unsigned char { kRsaPkcs1, kRsaPss, kEcdsa };

// The registered name of `alg`, e.g. "PS256".
std::string_view alg_name(Alg alg);

// Parses a registered name exactly (JOSE names are case-sensitive); nullopt otherwise.
std::optional<Alg> parse_alg(std::string_view name);

AlgFamily alg_family(Alg alg);

// The digest size in bytes: 32, 48 or 64.
size_t alg_digest_size(Alg alg);

// For ES256/384/512, the JOSE signature size in bytes (64, 96, 132); 0 for RSA algorithms.
size_t ecdsa_signature_size(Alg alg);

// For ES256/384/512, the curve name ("P-256", "P-384", "P-521"); empty otherwise.
std::string_view ecdsa_curve(Alg alg);

// True for the HMAC names (HS256/384/512), which assay recognises but never accepts.
bool is_hmac_alg_name(std::string_view name);

// True for "none" in any casing.
bool is_none_alg_name(std::string_view name);

}  // namespace assay

#endif  // ASSAY_JOSE_H_
