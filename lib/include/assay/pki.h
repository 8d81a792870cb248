// File: assay/pki.h
//
// Making keys and certificates: what `assay cert new` writes for an app registration (a key, a
// self-signed certificate, a .pfx) and what assay-mock needs for TLS (a CA and a server
// certificate for localhost and 127.0.0.1).
#ifndef ASSAY_PKI_H_
#define ASSAY_PKI_H_

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "assay/key.h"
#include "assay/result.h"
#include "assay/timefmt.h"

namespace assay {

enum class KeySpec : unsigned char { kRsa2048, kRsa3072, kRsa4096, kEcP256, kEcP384 };

// "rsa2048", "rsa3072", "rsa4096", "ec256", "ec384".
std::string_view key_spec_name(KeySpec s);
std::optional<KeySpec> parse_key_spec(std::string_view name);

// Generates a private key. Fails with `kCrypto` when OpenSSL cannot.
[[nodiscard]] Result<Key> generate_key(KeySpec spec);

enum class CertificateUsage : unsigned char {
  kClientAssertion,  // digitalSignature; what Entra certificate credentials use
  kTlsServer,        // digitalSignature + keyEncipherment, extendedKeyUsage serverAuth
  kCa,               // basicConstraints CA:TRUE, keyCertSign + cRLSign
};

struct CertificateRequest {
  // "CN=assay-daemon,O=Contoso" (also "/CN=assay-daemon/O=Contoso").
  std::string subject;
  Seconds not_before;
  Seconds not_after;
  CertificateUsage usage = CertificateUsage::kClientAssertion;
  std::vector<std::string> dns_names;     // subjectAltName DNS entries
  std::vector<std::string> ip_addresses;  // subjectAltName IP entries
};

// Creates a certificate for `subject_key` (its public part), signed with SHA-256 by `issuer_key`
// and named after `issuer` (or self-signed when `issuer` is null, in which case `issuer_key`
// must be the subject's private key). The serial is 16 random bytes. Fails with
// `kInvalidArgument` (bad subject syntax, not_after before not_before, an issuer key without a
// private part, an IP address that does not parse) or `kCrypto`.
[[nodiscard]] Result<Certificate> create_certificate(const CertificateRequest& request,
                                                     const Key& subject_key, const Key& issuer_key,
                                                     const Certificate* issuer = nullptr);

// A PKCS#12 file (DER) with the key, its certificate and the chain, encrypted with AES-256-CBC
// and PBKDF2 under `password` (which may be empty), with a SHA-256 MAC. Fails with
// `kInvalidArgument` when the key does not match the certificate, or `kCrypto`.
[[nodiscard]] Result<std::string> export_pkcs12(const Key& key, const Certificate& cert,
                                                std::span<const Certificate> chain,
                                                std::string_view password,
                                                std::string_view friendly_name = "assay");

}  // namespace assay

#endif  // ASSAY_PKI_H_
