// File: assay/key.h
//
// Keys and certificates in every format users hold: PEM PKCS#8 (plain and encrypted), PEM
// PKCS#1 and SEC1, SPKI and PKCS#1 public keys, X.509 certificates in PEM and DER, PKCS#12
// (.pfx, including legacy RC2/3DES files as Windows exports them), JWK and JWKS. The format is
// detected from the bytes; every failure names the format that was tried.
//
// A loaded `Key` is parsed once and reused for any number of sign and verify calls from any
// number of threads. `Key` and `Certificate` are immutable values; copies share the parsed
// object. Nothing here ever prints or returns private key material except `private_pem`, which
// exists so that `assay cert new` can write a key file.
#ifndef ASSAY_KEY_H_
#define ASSAY_KEY_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "assay/jose.h"
#include "assay/json.h"
#include "assay/result.h"

namespace assay {

namespace internal {
struct KeyImpl;
struct CertificateImpl;
struct KeyAccess;
}  // namespace internal

enum class KeyType : unsigned char { kRsa, kEc, kOther };

// Members a key carried in its JWK, if it came from one.
struct JwkMetadata {
  std::string kid;
  std::string alg;
  std::string use;
  std::vector<std::string> key_ops;
  std::string x5t;       // as given in the JWK (or computed from its x5c)
  std::string x5t_s256;  // as given in the JWK (or computed from its x5c)
};

class Key {
 public:
  Key() = default;

  bool empty() const { return impl_ == nullptr; }
  KeyType type() const;
  int bits() const;                 // modulus or field size
  std::string_view curve() const;   // "P-256", "P-384", "P-521"; empty for RSA
  bool has_private() const;
  // "RSA 2048-bit", "EC P-256"; with " private key" or " public key".
  std::string describe() const;

  // True when this key can sign/verify `alg` (RSA for RS*/PS*; the matching curve for ES*).
  bool supports(Alg alg) const;
  // The algorithms this key supports, in `kAllAlgs` order.
  std::vector<Alg> supported_algs() const;

  // The same key without its private part.
  Key public_key() const;
  // True when both keys have the same public key.
  bool same_public_key(const Key& other) const;

  // SubjectPublicKeyInfo as DER and as PEM.
  std::string spki_der() const;
  std::string public_pem() const;
  // PKCS#8 PEM of the private key, encrypted with AES-256-CBC when `password` is non-empty.
  // Fails with `kInvalidArgument` for a public key.
  [[nodiscard]] Result<std::string> private_pem(std::string_view password = {}) const;

  // The public JWK members (kty, n, e or kty, crv, x, y) into `out` (an object), plus kid
  // when the key has one.
  void to_public_jwk(Json& out) const;
  // RFC 7638 JWK thumbprint: base64url of the SHA-256 of the canonical public JWK.
  std::string jwk_thumbprint() const;

  const JwkMetadata& jwk() const;
  // A copy of this key carrying `kid`.
  Key with_kid(std::string kid) const;

 private:
  friend struct internal::KeyAccess;
  explicit Key(std::shared_ptr<const internal::KeyImpl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const internal::KeyImpl> impl_;
};

// Every form of a certificate's thumbprint that users meet.
struct Thumbprints {
  std::string sha1;                   // raw 20 bytes
  std::string sha256;                 // raw 32 bytes
  std::string sha1_hex;               // upper case, as the Entra portal and Windows show it
  std::string sha256_hex;             // upper case
  std::string x5t;                    // base64url(SHA-1), no padding
  std::string x5t_s256;               // base64url(SHA-256), no padding
  std::string custom_key_identifier;  // standard base64(SHA-1), as in keyCredentials
};

class Certificate {
 public:
  Certificate() = default;

  bool empty() const { return impl_ == nullptr; }
  const std::string& der() const;
  std::string pem() const;
  // Names in RFC 2253 syntax, in certificate order: "CN=assay-daemon,O=Contoso".
  std::string subject() const;
  std::string issuer() const;
  std::string serial_hex() const;  // upper case
  std::chrono::sys_seconds not_before() const;
  std::chrono::sys_seconds not_after() const;
  bool valid_at(std::chrono::sys_seconds t) const;
  bool self_issued() const;
  Key public_key() const;
  const Thumbprints& thumbprints() const;

 private:
  friend struct internal::KeyAccess;
  explicit Certificate(std::shared_ptr<const internal::CertificateImpl> impl)
      : impl_(std::move(impl)) {}
  std::shared_ptr<const internal::CertificateImpl> impl_;
};

// The formats `load_credentials` recognises.
enum class KeyFormat : unsigned char {
  kPem,          // one or more PEM blocks (keys and/or certificates)
  kDerCertificate,
  kDerPrivateKey,
  kDerPublicKey,
  kPkcs12,
  kJwk,
  kJwks,
};

// "PEM", "DER certificate", "PKCS#12", "JWK", ...
std::string_view key_format_name(KeyFormat f);

// What a file or byte string held.
struct Credentials {
  KeyFormat format = KeyFormat::kPem;
  std::optional<Key> private_key;
  std::vector<Certificate> certificates;  // for PKCS#12: the leaf (matching the key) first
  std::vector<Key> public_keys;           // SPKI, PKCS#1 public, JWK and JWKS keys
  // A short description of what was found ("PKCS#12: RSA 2048-bit private key, 2 certificates").
  std::string summary;
};

struct LoadOptions {
  std::optional<std::string> password;  // for encrypted PKCS#8, PKCS#1 and PKCS#12
  size_t max_bytes = 1024 * 1024;
};

// Detects the format of `bytes` and loads everything in it. Fails with `kMalformedKey` (naming
// the format tried), `kPasswordRequired`, `kBadPassword`, `kUnsupported` (e.g. an Ed25519 or
// DSA key) or `kTooLarge`.
[[nodiscard]] Result<Credentials> load_credentials(std::string_view bytes,
                                                   const LoadOptions& options = {});
// As `load_credentials`, reading `path` first (`kIo` when unreadable; the path is in the
// message).
[[nodiscard]] Result<Credentials> load_credentials_file(const std::string& path,
                                                        const LoadOptions& options = {});

// The private key in `bytes` (any private format, including PKCS#12). `kNotFound` when the
// bytes hold only public material.
[[nodiscard]] Result<Key> load_private_key(std::string_view bytes, const LoadOptions& options = {});
// A public key from SPKI, PKCS#1 public, a certificate, a single JWK, or the public half of a
// private key. `kNotFound` when there is none, `kInvalidArgument` when there are several.
[[nodiscard]] Result<Key> load_public_key(std::string_view bytes, const LoadOptions& options = {});
// The first certificate in PEM or DER bytes or a PKCS#12 file.
[[nodiscard]] Result<Certificate> load_certificate(std::string_view bytes,
                                                   const LoadOptions& options = {});
// Every key of a JWKS (or a single JWK) with its metadata. Keys of unsupported types fail the
// whole set with `kUnsupported`.
[[nodiscard]] Result<std::vector<Key>> load_jwks(std::string_view json);

// True when `key` (private or public) has the certificate's public key.
bool key_matches_certificate(const Key& key, const Certificate& cert);

// Reads a whole file (or a pipe), failing with `kInvalidArgument` for an empty path, `kIo`
// (the message names the path and the reason, e.g. "is a directory") or `kTooLarge` (with the
// size and the limit in its unit).
[[nodiscard]] Result<std::string> read_file(const std::string& path,
                                            size_t max_bytes = 16 * 1024 * 1024);

}  // namespace assay

#endif  // ASSAY_KEY_H_
