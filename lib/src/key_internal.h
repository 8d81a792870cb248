// Internal: what a Key and a Certificate hold, and access to it for the other units of lib/.
#ifndef ASSAY_SRC_KEY_INTERNAL_H_
#define ASSAY_SRC_KEY_INTERNAL_H_

#include <array>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "assay/key.h"
#include "ossl.h"

namespace assay::internal {

// A digest context initialised once for (key, alg) and copied for each operation: copying an
// initialised EVP_MD_CTX is cheaper than EVP_DigestSignInit/VerifyInit every time.
struct PreparedCtx {
  std::once_flag once;
  EVP_MD_CTX* ctx = nullptr;  // null when initialisation failed
};

struct KeyImpl {
  PkeyPtr pkey;
  KeyType type = KeyType::kOther;
  bool has_private = false;
  bool pss_only = false;  // an RSASSA-PSS restricted key
  int bits = 0;
  std::string curve;  // JOSE name
  JwkMetadata jwk;
  mutable std::array<PreparedCtx, kAllAlgs.size()> verify_ctx;
  mutable std::array<PreparedCtx, kAllAlgs.size()> sign_ctx;
  // The SubjectPublicKeyInfo DER, encoded on first use (spki()).
  mutable std::once_flag spki_once;
  mutable std::string spki_der;

  // The SPKI DER of this key (empty if OpenSSL cannot encode it), computed once.
  const std::string& spki() const;

  KeyImpl() = default;
  KeyImpl(const KeyImpl&) = delete;
  KeyImpl& operator=(const KeyImpl&) = delete;
  ~KeyImpl() {
    for (auto& p : verify_ctx) {
      EVP_MD_CTX_free(p.ctx);
    }
    for (auto& p : sign_ctx) {
      EVP_MD_CTX_free(p.ctx);
    }
  }
};

struct CertificateImpl {
  X509Ptr x509;
  std::string der;
  Thumbprints thumbprints;
  Key key;
  // Read once when the certificate is loaded: the verifier labels and date-checks its key on
  // every token, and printing a name or parsing an ASN1_TIME costs more than the rules do.
  std::string subject;
  std::chrono::sys_seconds not_before{};
  std::chrono::sys_seconds not_after{};
};

struct KeyAccess {
  static EVP_PKEY* pkey(const Key& k) { return k.impl_ ? k.impl_->pkey.get() : nullptr; }
  static const KeyImpl* impl(const Key& k) { return k.impl_.get(); }
  static X509* x509(const Certificate& c) { return c.impl_ ? c.impl_->x509.get() : nullptr; }
  static const CertificateImpl* impl(const Certificate& c) { return c.impl_.get(); }
  // Wraps `pkey` (taking ownership). Fails with kUnsupported for key types other than RSA and
  // EC on P-256/P-384/P-521.
  static Result<Key> make_key(PkeyPtr pkey, bool has_private, JwkMetadata jwk = {});
  static Result<Certificate> make_certificate(X509Ptr x509);
};

// Loads OpenSSL's legacy provider (RC2, 3DES, ...) into the default library context once, with
// the default provider beside it (loading any provider explicitly switches off the implicit
// default). Needed only for legacy PKCS#12 files; returns false when unavailable.
bool ensure_legacy_provider();

}  // namespace assay::internal

#endif  // ASSAY_SRC_KEY_INTERNAL_H_
