#include "assay/pki.h"

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

#include <arpa/inet.h>

#include "key_internal.h"
#include "ossl.h"

namespace assay {

using internal::as_uchar;
using internal::KeyAccess;
using internal::ossl_error;
using internal::X509Ptr;

std::string_view key_spec_name(KeySpec s) {
  switch (s) {
    case KeySpec::kRsa2048:
      return "rsa2048";
    case KeySpec::kRsa3072:
      return "rsa3072";
    case KeySpec::kRsa4096:
      return "rsa4096";
    case KeySpec::kEcP256:
      return "ec256";
    case KeySpec::kEcP384:
      return "ec384";
  }
  return "rsa2048";
}

std::optional<KeySpec> parse_key_spec(std::string_view name) {
  for (KeySpec s : {KeySpec::kRsa2048, KeySpec::kRsa3072, KeySpec::kRsa4096, KeySpec::kEcP256,
                    KeySpec::kEcP384}) {
    if (key_spec_name(s) == name) {
      return s;
    }
  }
  return std::nullopt;
}

Result<Key> generate_key(KeySpec spec) {
  EVP_PKEY* pkey = nullptr;
  switch (spec) {
    case KeySpec::kRsa2048:
      pkey = EVP_RSA_gen(2048);
      break;
    case KeySpec::kRsa3072:
      pkey = EVP_RSA_gen(3072);
      break;
    case KeySpec::kRsa4096:
      pkey = EVP_RSA_gen(4096);
      break;
    case KeySpec::kEcP256:
    case KeySpec::kEcP384: {
      // EVP_EC_gen is a macro with a const-dropping cast; call what it expands to.
      char p256[] = "P-256";
      char p384[] = "P-384";
      pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", spec == KeySpec::kEcP384 ? p384 : p256);
      break;
    }
  }
  if (pkey == nullptr) {
    return ossl_error(ErrorCode::kCrypto, "cannot generate a " + std::string(key_spec_name(spec)) + " key");
  }
  return KeyAccess::make_key(internal::PkeyPtr(pkey), true);
}

namespace {

// Parses "CN=a,O=b" or "/CN=a/O=b" into an X509_NAME. A backslash escapes the next character.
Result<internal::X509NamePtr> parse_name(std::string_view text) {
  internal::X509NamePtr name(X509_NAME_new());
  if (!name) {
    return ossl_error(ErrorCode::kCrypto, "out of memory");
  }
  const char sep = !text.empty() && text.front() == '/' ? '/' : ',';
  if (sep == '/') {
    text.remove_prefix(1);
  }
  std::vector<std::string> parts(1);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      parts.back() += text[++i];
    } else if (text[i] == sep) {
      parts.emplace_back();
    } else {
      parts.back() += text[i];
    }
  }
  for (std::string& part : parts) {
    while (!part.empty() && part.front() == ' ') {
      part.erase(part.begin());
    }
    const size_t eq = part.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == part.size()) {
      return make_error(ErrorCode::kInvalidArgument,
                        "subject part '" + part + "' is not NAME=VALUE (e.g. CN=assay-daemon)");
    }
    const std::string field = part.substr(0, eq);
    const std::string value = part.substr(eq + 1);
    if (X509_NAME_add_entry_by_txt(name.get(), field.c_str(), MBSTRING_UTF8, as_uchar(value.c_str()),
                                   -1, -1, 0) != 1) {
      internal::clear_errors();
      return make_error(ErrorCode::kInvalidArgument, "unknown subject field '" + field + "'");
    }
  }
  if (X509_NAME_entry_count(name.get()) == 0) {
    return make_error(ErrorCode::kInvalidArgument, "the subject is empty");
  }
  return name;
}

bool add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) {
    return false;
  }
  const int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  return ok == 1;
}

}  // namespace

Result<Certificate> create_certificate(const CertificateRequest& request, const Key& subject_key,
                                       const Key& issuer_key, const Certificate* issuer) {
  if (!issuer_key.has_private()) {
    return make_error(ErrorCode::kInvalidArgument, "the issuer key has no private part");
  }
  if (request.not_after <= request.not_before) {
    return make_error(ErrorCode::kInvalidArgument, "notAfter must be after notBefore");
  }
  ASSAY_ASSIGN_OR_RETURN(auto subject, parse_name(request.subject));
  for (const std::string& ip : request.ip_addresses) {
    unsigned char buf[16];
    if (inet_pton(AF_INET, ip.c_str(), buf) != 1 && inet_pton(AF_INET6, ip.c_str(), buf) != 1) {
      return make_error(ErrorCode::kInvalidArgument, "'" + ip + "' is not an IP address");
    }
  }
  X509Ptr cert(X509_new());
  unsigned char serial[16];
  if (!cert || RAND_bytes(serial, sizeof(serial)) != 1) {
    return ossl_error(ErrorCode::kCrypto, "cannot start a certificate");
  }
  serial[0] &= 0x7F;  // a positive INTEGER
  internal::BnPtr sn(BN_bin2bn(serial, sizeof(serial), nullptr));
  const int64_t nb = request.not_before.time_since_epoch().count();
  const int64_t na = request.not_after.time_since_epoch().count();
  if (!sn || X509_set_version(cert.get(), 2) != 1 ||
      BN_to_ASN1_INTEGER(sn.get(), X509_get_serialNumber(cert.get())) == nullptr ||
      X509_set_subject_name(cert.get(), subject.get()) != 1 ||
      X509_set_issuer_name(cert.get(), issuer != nullptr
                                           ? X509_get_subject_name(KeyAccess::x509(*issuer))
                                           : subject.get()) != 1 ||
      ASN1_TIME_set(X509_getm_notBefore(cert.get()), static_cast<time_t>(nb)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), static_cast<time_t>(na)) == nullptr ||
      X509_set_pubkey(cert.get(), KeyAccess::pkey(subject_key)) != 1) {
    return ossl_error(ErrorCode::kCrypto, "cannot fill in the certificate");
  }
  X509* issuer_x509 = issuer != nullptr ? KeyAccess::x509(*issuer) : cert.get();
  bool ok = add_ext(cert.get(), issuer_x509, NID_subject_key_identifier, "hash");
  if (issuer != nullptr) {
    ok = ok && add_ext(cert.get(), issuer_x509, NID_authority_key_identifier, "keyid:always");
  }
  switch (request.usage) {
    case CertificateUsage::kClientAssertion:
      ok = ok && add_ext(cert.get(), issuer_x509, NID_basic_constraints, "critical,CA:FALSE") &&
           add_ext(cert.get(), issuer_x509, NID_key_usage, "critical,digitalSignature");
      break;
    case CertificateUsage::kTlsServer:
      ok = ok && add_ext(cert.get(), issuer_x509, NID_basic_constraints, "critical,CA:FALSE") &&
           add_ext(cert.get(), issuer_x509, NID_key_usage,
                   subject_key.type() == KeyType::kRsa ? "critical,digitalSignature,keyEncipherment"
                                                       : "critical,digitalSignature") &&
           add_ext(cert.get(), issuer_x509, NID_ext_key_usage, "serverAuth");
      break;
    case CertificateUsage::kCa:
      ok = ok && add_ext(cert.get(), issuer_x509, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") &&
           add_ext(cert.get(), issuer_x509, NID_key_usage, "critical,keyCertSign,cRLSign");
      break;
  }
  std::string san;
  for (const std::string& d : request.dns_names) {
    san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
  }
  for (const std::string& ip : request.ip_addresses) {
    san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
  }
  if (!san.empty()) {
    ok = ok && add_ext(cert.get(), issuer_x509, NID_subject_alt_name, san);
  }
  if (!ok) {
    return ossl_error(ErrorCode::kCrypto, "cannot add the certificate extensions");
  }
  if (X509_sign(cert.get(), KeyAccess::pkey(issuer_key), EVP_sha256()) <= 0) {
    return ossl_error(ErrorCode::kCrypto, "cannot sign the certificate");
  }
  return KeyAccess::make_certificate(std::move(cert));
}

Result<std::string> export_pkcs12(const Key& key, const Certificate& cert,
                                  std::span<const Certificate> chain, std::string_view password,
                                  std::string_view friendly_name) {
  if (!key.has_private() || !key_matches_certificate(key, cert)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the PKCS#12 key must be the private key of the certificate");
  }
  internal::X509StackPtr ca(sk_X509_new_null());
  for (const Certificate& c : chain) {
    X509* x = KeyAccess::x509(c);
    if (X509_up_ref(x) != 1 || sk_X509_push(ca.get(), x) <= 0) {
      return ossl_error(ErrorCode::kCrypto, "cannot build the certificate chain");
    }
  }
  const std::string pw(password);
  const std::string name(friendly_name);
  // AES-256-CBC with PBKDF2 for key and certificates, SHA-256 MAC: OpenSSL 3's modern choice,
  // which Windows 10 1709+ and macOS import.
  internal::Pkcs12Ptr p12(PKCS12_create_ex(pw.c_str(), name.c_str(), KeyAccess::pkey(key),
                                           KeyAccess::x509(cert), ca.get(), NID_aes_256_cbc,
                                           NID_aes_256_cbc, 2048, 2048, 0, nullptr, nullptr));
  if (!p12) {
    return ossl_error(ErrorCode::kCrypto, "cannot create the PKCS#12 file");
  }
  unsigned char* der = nullptr;
  const int len = i2d_PKCS12(p12.get(), &der);
  if (len <= 0) {
    return ossl_error(ErrorCode::kCrypto, "cannot encode the PKCS#12 file");
  }
  std::string out(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  return out;
}

}  // namespace assay
