// Bench-only: the raw OpenSSL baseline libassay is measured against. One JWS operation done the
// plain way with nothing cached but the parsed key: a fresh EVP_MD_CTX, EVP_DigestVerifyInit or
// EVP_DigestSignInit (with the PSS parameters for PS256), then the one-shot EVP_DigestVerify or
// EVP_DigestSign. For verify the signature is base64url-decoded with EVP_DecodeBlock first and,
// for ES256, re-encoded from JOSE R||S to DER, which is what any OpenSSL JWS verifier must do.
// No claim, header or JSON checks: this is the floor, not a verifier.
#ifndef ASSAY_BENCH_RAW_OPENSSL_H_
#define ASSAY_BENCH_RAW_OPENSSL_H_

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

namespace assay::bench {

enum class RawAlg { kRS256, kPS256, kES256 };

inline const unsigned char* uc(const char* p) {
  return reinterpret_cast<const unsigned char*>(p);
}

// The public key of the PEM certificate `pem`; null on failure. The caller frees it.
inline EVP_PKEY* raw_public_key_from_cert_pem(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* x = bio != nullptr ? PEM_read_bio_X509(bio, nullptr, nullptr, nullptr) : nullptr;
  EVP_PKEY* k = x != nullptr ? X509_get_pubkey(x) : nullptr;
  X509_free(x);
  BIO_free(bio);
  return k;
}

// The private key in PEM `pem`; null on failure. The caller frees it.
inline EVP_PKEY* raw_private_key_from_pem(std::string_view pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  EVP_PKEY* k = bio != nullptr ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr) : nullptr;
  BIO_free(bio);
  return k;
}

inline bool raw_set_pss(EVP_PKEY_CTX* pctx) {
  return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256()) == 1;
}

// Verifies the compact JWS `token` ("h.p.s") with `pkey`. True when the signature verifies.
inline bool raw_verify(EVP_PKEY* pkey, RawAlg alg, std::string_view token) {
  const size_t dot = token.rfind('.');
  if (dot == std::string_view::npos) {
    return false;
  }
  const std::string_view input = token.substr(0, dot);
  const std::string_view sig64 = token.substr(dot + 1);
  // base64url -> padded standard base64 -> bytes (EVP_DecodeBlock).
  std::array<unsigned char, 1024> b64{};
  std::array<unsigned char, 768> sig{};
  if (sig64.size() + 3 > b64.size()) {
    return false;
  }
  size_t n = 0;
  for (char c : sig64) {
    b64[n++] = static_cast<unsigned char>(c == '-' ? '+' : c == '_' ? '/' : c);
  }
  const size_t pad = (4 - n % 4) % 4;
  for (size_t i = 0; i < pad; ++i) {
    b64[n++] = '=';
  }
  const int decoded = EVP_DecodeBlock(sig.data(), b64.data(), static_cast<int>(n));
  if (decoded < 0) {
    return false;
  }
  size_t sig_len = static_cast<size_t>(decoded) - pad;
  const unsigned char* sig_ptr = sig.data();
  std::array<unsigned char, 80> der{};
  if (alg == RawAlg::kES256) {
    if (sig_len != 64) {
      return false;
    }
    ECDSA_SIG* es = ECDSA_SIG_new();
    BIGNUM* r = BN_bin2bn(sig.data(), 32, nullptr);
    BIGNUM* s = BN_bin2bn(sig.data() + 32, 32, nullptr);
    if (es == nullptr || r == nullptr || s == nullptr || ECDSA_SIG_set0(es, r, s) != 1) {
      ECDSA_SIG_free(es);
      BN_free(r);
      BN_free(s);
      return false;
    }
    unsigned char* out = der.data();
    const int len = i2d_ECDSA_SIG(es, &out);
    ECDSA_SIG_free(es);
    if (len <= 0) {
      return false;
    }
    sig_ptr = der.data();
    sig_len = static_cast<size_t>(len);
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok = ctx != nullptr && EVP_DigestVerifyInit(ctx, &pctx, EVP_sha256(), nullptr, pkey) == 1 &&
            (alg != RawAlg::kPS256 || raw_set_pss(pctx)) &&
            EVP_DigestVerify(ctx, sig_ptr, sig_len, uc(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

// Signs `input` with `pkey` and returns the signature as OpenSSL produces it (DER for ECDSA);
// empty on failure.
inline std::string raw_sign(EVP_PKEY* pkey, RawAlg alg, std::string_view input) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  std::string sig(512, '\0');
  size_t len = sig.size();
  const bool ok = ctx != nullptr &&
                  EVP_DigestSignInit(ctx, &pctx, EVP_sha256(), nullptr, pkey) == 1 &&
                  (alg != RawAlg::kPS256 || raw_set_pss(pctx)) &&
                  EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                                 uc(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  sig.resize(ok ? len : 0);
  return sig;
}

}  // namespace assay::bench

#endif  // ASSAY_BENCH_RAW_OPENSSL_H_
