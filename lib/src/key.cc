#include "assay/key.h"

#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/provider.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <utility>

#include <nlohmann/json.hpp>

#include "assay/base64url.h"
#include "assay/timefmt.h"
#include "key_internal.h"
#include "ossl.h"

namespace assay {
namespace internal {

namespace {

std::string curve_jose_name(const std::string& group) {
  if (group == "prime256v1" || group == "P-256" || group == "secp256r1") {
    return "P-256";
  }
  if (group == "secp384r1" || group == "P-384") {
    return "P-384";
  }
  if (group == "secp521r1" || group == "P-521") {
    return "P-521";
  }
  return {};
}

std::string digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1) {
    clear_errors();
    return {};
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string name_to_string(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~XN_FLAG_DN_REV) < 0) {
    clear_errors();
    return {};
  }
  return bio_to_string(bio.get());
}

std::chrono::sys_seconds asn1_time_to_sys(const ASN1_TIME* t) {
  struct tm tm {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    clear_errors();
    return std::chrono::sys_seconds{};
  }
  return std::chrono::sys_seconds{std::chrono::seconds{timegm(&tm)}};
}

}  // namespace

Result<Key> KeyAccess::make_key(PkeyPtr pkey, bool has_private, JwkMetadata jwk) {
  auto impl = std::make_shared<KeyImpl>();
  const int id = EVP_PKEY_get_base_id(pkey.get());
  impl->bits = EVP_PKEY_get_bits(pkey.get());
  if (id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS) {
    impl->type = KeyType::kRsa;
    impl->pss_only = id == EVP_PKEY_RSA_PSS;
  } else if (id == EVP_PKEY_EC) {
    char group[64] = {};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey.get(), OSSL_PKEY_PARAM_GROUP_NAME, group,
                                       sizeof(group), &len) != 1) {
      return ossl_error(ErrorCode::kUnsupported, "EC key with explicit or unknown curve parameters");
    }
    impl->curve = curve_jose_name(group);
    if (impl->curve.empty()) {
      return make_error(ErrorCode::kUnsupported,
                        "EC curve " + std::string(group) +
                            " is not supported (JOSE ES256/384/512 use P-256, P-384, P-521)");
    }
    impl->type = KeyType::kEc;
  } else {
    const char* name = EVP_PKEY_get0_type_name(pkey.get());
    return make_error(ErrorCode::kUnsupported,
                      std::string(name != nullptr ? name : "this") +
                          " keys are not supported (assay signs and verifies RSA and EC P-256/"
                          "P-384/P-521)");
  }
  impl->has_private = has_private;
  impl->pkey = std::move(pkey);
  impl->jwk = std::move(jwk);
  return Key(std::move(impl));
}

const std::string& KeyImpl::spki() const {
  std::call_once(spki_once, [this] {
    unsigned char* der = nullptr;
    const int len = i2d_PUBKEY(pkey.get(), &der);
    if (len <= 0) {
      clear_errors();
      return;
    }
    spki_der.assign(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
    OPENSSL_free(der);
  });
  return spki_der;
}

Result<Certificate> KeyAccess::make_certificate(X509Ptr x509) {
  auto impl = std::make_shared<CertificateImpl>();
  unsigned char* der = nullptr;
  const int len = i2d_X509(x509.get(), &der);
  if (len <= 0) {
    return ossl_error(ErrorCode::kMalformedKey, "cannot re-encode the certificate as DER");
  }
  impl->der.assign(reinterpret_cast<const char*>(der), static_cast<size_t>(len));
  OPENSSL_free(der);
  EVP_PKEY* pub = X509_get_pubkey(x509.get());
  if (pub == nullptr) {
    return ossl_error(ErrorCode::kMalformedKey, "the certificate's public key cannot be read");
  }
  ASSAY_ASSIGN_OR_RETURN(impl->key, make_key(PkeyPtr(pub), false));
  Thumbprints& t = impl->thumbprints;
  t.sha1 = digest(EVP_sha1(), impl->der);
  t.sha256 = digest(EVP_sha256(), impl->der);
  t.sha1_hex = hex_upper(t.sha1);
  t.sha256_hex = hex_upper(t.sha256);
  t.x5t = base64url_encode(t.sha1);
  t.x5t_s256 = base64url_encode(t.sha256);
  t.custom_key_identifier = base64_encode(t.sha1);
  impl->subject = name_to_string(X509_get_subject_name(x509.get()));
  impl->not_before = asn1_time_to_sys(X509_get0_notBefore(x509.get()));
  impl->not_after = asn1_time_to_sys(X509_get0_notAfter(x509.get()));
  impl->x509 = std::move(x509);
  return Certificate(std::move(impl));
}

namespace {
OSSL_PROVIDER* g_default_provider = nullptr;
OSSL_PROVIDER* g_legacy_provider = nullptr;

void unload_providers() {
  OSSL_PROVIDER_unload(g_legacy_provider);
  OSSL_PROVIDER_unload(g_default_provider);
  g_legacy_provider = nullptr;
  g_default_provider = nullptr;
}
}  // namespace

bool ensure_legacy_provider() {
  // The one piece of process-wide state in libassay: OpenSSL's default library context is
  // global, so the legacy provider is loaded into it once, on first need, and unloaded at exit
  // (registered after OpenSSL's own cleanup, so it runs before it).
  static std::once_flag once;
  static bool loaded = false;
  std::call_once(once, [] {
    g_default_provider = OSSL_PROVIDER_load(nullptr, "default");
    g_legacy_provider = OSSL_PROVIDER_load(nullptr, "legacy");
    loaded = g_default_provider != nullptr && g_legacy_provider != nullptr;
    clear_errors();
    std::atexit(unload_providers);
  });
  return loaded;
}

}  // namespace internal

using internal::as_uchar;
using internal::BioPtr;
using internal::clear_errors;
using internal::KeyAccess;
using internal::ossl_error;
using internal::PkeyPtr;
using internal::X509Ptr;

// ------------------------------------------------------------------------------------- Key

KeyType Key::type() const { return impl_ ? impl_->type : KeyType::kOther; }
int Key::bits() const { return impl_ ? impl_->bits : 0; }
std::string_view Key::curve() const { return impl_ ? std::string_view(impl_->curve) : ""; }
bool Key::has_private() const { return impl_ && impl_->has_private; }

std::string Key::describe() const {
  if (!impl_) {
    return "no key";
  }
  std::string s = impl_->type == KeyType::kRsa
                      ? (impl_->pss_only ? "RSA-PSS " : "RSA ") + std::to_string(impl_->bits) + "-bit"
                      : "EC " + impl_->curve;
  s += impl_->has_private ? " private key" : " public key";
  return s;
}

bool Key::supports(Alg alg) const {
  if (!impl_) {
    return false;
  }
  switch (alg_family(alg)) {
    case AlgFamily::kRsaPkcs1:
      return impl_->type == KeyType::kRsa && !impl_->pss_only;
    case AlgFamily::kRsaPss:
      return impl_->type == KeyType::kRsa;
    case AlgFamily::kEcdsa:
      return impl_->type == KeyType::kEc && impl_->curve == ecdsa_curve(alg);
  }
  return false;
}

std::vector<Alg> Key::supported_algs() const {
  std::vector<Alg> out;
  for (Alg a : kAllAlgs) {
    if (supports(a)) {
      out.push_back(a);
    }
  }
  return out;
}

std::string Key::spki_der() const { return impl_ ? impl_->spki() : std::string(); }

Key Key::public_key() const {
  if (!impl_ || !impl_->has_private) {
    return *this;
  }
  const std::string der = spki_der();
  const unsigned char* p = as_uchar(der.data());
  PkeyPtr pub(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
  if (!pub) {
    clear_errors();
    return Key();
  }
  auto k = KeyAccess::make_key(std::move(pub), false, impl_->jwk);
  return k ? *k : Key();
}

bool Key::same_public_key(const Key& other) const {
  if (!impl_ || !other.impl_) {
    return false;
  }
  const int r = EVP_PKEY_eq(impl_->pkey.get(), other.impl_->pkey.get());
  clear_errors();
  return r == 1;
}

std::string Key::public_pem() const {
  if (!impl_) {
    return {};
  }
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), impl_->pkey.get()) != 1) {
    clear_errors();
    return {};
  }
  return internal::bio_to_string(bio.get());
}

Result<std::string> Key::private_pem(std::string_view password) const {
  if (!impl_ || !impl_->has_private) {
    return make_error(ErrorCode::kInvalidArgument, "the key has no private part to export");
  }
  BioPtr bio(BIO_new(BIO_s_mem()));
  const EVP_CIPHER* cipher = password.empty() ? nullptr : EVP_aes_256_cbc();
  std::string pw(password);
  if (!bio || PEM_write_bio_PKCS8PrivateKey(bio.get(), impl_->pkey.get(), cipher,
                                            pw.empty() ? nullptr : pw.data(),
                                            static_cast<int>(pw.size()), nullptr, nullptr) != 1) {
    OPENSSL_cleanse(pw.data(), pw.size());
    return ossl_error(ErrorCode::kCrypto, "cannot write the private key as PKCS#8");
  }
  OPENSSL_cleanse(pw.data(), pw.size());
  return internal::bio_to_string(bio.get());
}

namespace {

std::string bn_to_bytes(const BIGNUM* bn, size_t width) {
  std::string out(width, '\0');
  if (BN_bn2binpad(bn, as_uchar(out.data()), static_cast<int>(width)) < 0) {
    clear_errors();
    return {};
  }
  return out;
}

size_t curve_field_bytes(std::string_view curve) {
  if (curve == "P-256") {
    return 32;
  }
  if (curve == "P-384") {
    return 48;
  }
  return 66;  // P-521
}

struct PublicJwkParts {
  std::string kty, n, e, crv, x, y;
};

PublicJwkParts public_jwk_parts(const internal::KeyImpl& k) {
  PublicJwkParts parts;
  if (k.type == KeyType::kRsa) {
    BIGNUM* n = nullptr;
    BIGNUM* e = nullptr;
    EVP_PKEY_get_bn_param(k.pkey.get(), OSSL_PKEY_PARAM_RSA_N, &n);
    EVP_PKEY_get_bn_param(k.pkey.get(), OSSL_PKEY_PARAM_RSA_E, &e);
    internal::BnPtr np(n);
    internal::BnPtr ep(e);
    parts.kty = "RSA";
    if (n != nullptr && e != nullptr) {
      parts.n = base64url_encode(bn_to_bytes(n, static_cast<size_t>(BN_num_bytes(n))));
      parts.e = base64url_encode(bn_to_bytes(e, static_cast<size_t>(BN_num_bytes(e))));
    }
  } else if (k.type == KeyType::kEc) {
    BIGNUM* x = nullptr;
    BIGNUM* y = nullptr;
    EVP_PKEY_get_bn_param(k.pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X, &x);
    EVP_PKEY_get_bn_param(k.pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y, &y);
    internal::BnPtr xp(x);
    internal::BnPtr yp(y);
    const size_t width = curve_field_bytes(k.curve);
    parts.kty = "EC";
    parts.crv = k.curve;
    if (x != nullptr && y != nullptr) {
      parts.x = base64url_encode(bn_to_bytes(x, width));
      parts.y = base64url_encode(bn_to_bytes(y, width));
    }
  }
  clear_errors();
  return parts;
}

}  // namespace

void Key::to_public_jwk(Json& out) const {
  out = Json::object();
  if (!impl_) {
    return;
  }
  const PublicJwkParts p = public_jwk_parts(*impl_);
  out["kty"] = p.kty;
  if (p.kty == "RSA") {
    out["n"] = p.n;
    out["e"] = p.e;
  } else {
    out["crv"] = p.crv;
    out["x"] = p.x;
    out["y"] = p.y;
  }
  if (!impl_->jwk.kid.empty()) {
    out["kid"] = impl_->jwk.kid;
  }
}

std::string Key::jwk_thumbprint() const {
  if (!impl_) {
    return {};
  }
  const PublicJwkParts p = public_jwk_parts(*impl_);
  // RFC 7638 §3: required members only, lexicographic order, no whitespace.
  std::string canonical =
      p.kty == "RSA"
          ? R"({"e":")" + p.e + R"(","kty":"RSA","n":")" + p.n + R"("})"
          : R"({"crv":")" + p.crv + R"(","kty":"EC","x":")" + p.x + R"(","y":")" + p.y + R"("})";
  return base64url_encode(internal::digest(EVP_sha256(), canonical));
}

const JwkMetadata& Key::jwk() const {
  static const JwkMetadata kEmpty;
  return impl_ ? impl_->jwk : kEmpty;
}

Key Key::with_kid(std::string kid) const {
  if (!impl_) {
    return *this;
  }
  if (EVP_PKEY_up_ref(impl_->pkey.get()) != 1) {
    return *this;
  }
  JwkMetadata meta = impl_->jwk;
  meta.kid = std::move(kid);
  auto k = KeyAccess::make_key(PkeyPtr(impl_->pkey.get()), impl_->has_private, std::move(meta));
  return k ? *k : *this;
}

// ----------------------------------------------------------------------------- Certificate

const std::string& Certificate::der() const {
  static const std::string kEmpty;
  return impl_ ? impl_->der : kEmpty;
}

std::string Certificate::pem() const {
  if (!impl_) {
    return {};
  }
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), impl_->x509.get()) != 1) {
    clear_errors();
    return {};
  }
  return internal::bio_to_string(bio.get());
}

std::string Certificate::subject() const { return impl_ ? impl_->subject : std::string(); }
std::string Certificate::issuer() const {
  return impl_ ? internal::name_to_string(X509_get_issuer_name(impl_->x509.get())) : "";
}

std::string Certificate::serial_hex() const {
  if (!impl_) {
    return {};
  }
  internal::BnPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(impl_->x509.get()), nullptr));
  if (!bn) {
    clear_errors();
    return {};
  }
  char* hex = BN_bn2hex(bn.get());
  std::string out = hex != nullptr ? hex : "";
  OPENSSL_free(hex);
  return out;
}

std::chrono::sys_seconds Certificate::not_before() const {
  return impl_ ? impl_->not_before : std::chrono::sys_seconds{};
}
std::chrono::sys_seconds Certificate::not_after() const {
  return impl_ ? impl_->not_after : std::chrono::sys_seconds{};
}
bool Certificate::valid_at(std::chrono::sys_seconds t) const {
  return impl_ && t >= not_before() && t <= not_after();
}
bool Certificate::self_issued() const {
  return impl_ && X509_NAME_cmp(X509_get_subject_name(impl_->x509.get()),
                                X509_get_issuer_name(impl_->x509.get())) == 0;
}
Key Certificate::public_key() const { return impl_ ? impl_->key : Key(); }
const Thumbprints& Certificate::thumbprints() const {
  static const Thumbprints kEmpty;
  return impl_ ? impl_->thumbprints : kEmpty;
}

bool key_matches_certificate(const Key& key, const Certificate& cert) {
  if (key.empty() || cert.empty()) {
    return false;
  }
  // Equal SubjectPublicKeyInfo encodings are the same key, and both are computed once per
  // key; only when they differ (another key, or another encoding of the same one) does
  // EVP_PKEY_eq decide. build_assertion checks this on every assertion.
  const std::string& a = KeyAccess::impl(key)->spki();
  const Key cert_key = cert.public_key();
  const internal::KeyImpl* b = KeyAccess::impl(cert_key);
  if (b != nullptr && !a.empty() && a == b->spki()) {
    return true;
  }
  return key.same_public_key(cert_key);
}

// --------------------------------------------------------------------------------- loading

std::string_view key_format_name(KeyFormat f) {
  switch (f) {
    case KeyFormat::kPem:
      return "PEM";
    case KeyFormat::kDerCertificate:
      return "DER certificate";
    case KeyFormat::kDerPrivateKey:
      return "DER private key";
    case KeyFormat::kDerPublicKey:
      return "DER public key";
    case KeyFormat::kPkcs12:
      return "PKCS#12";
    case KeyFormat::kJwk:
      return "JWK";
    case KeyFormat::kJwks:
      return "JWKS";
  }
  return "unknown";
}

Result<std::string> read_file(const std::string& path, size_t max_bytes) {
  if (path.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "the file name is empty");
  }
  // A directory opens as a stream and fails only when read (EISDIR, "read error"); a regular
  // file's size is known before it is read.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      return make_error(ErrorCode::kIo, path + ": is a directory");
    }
    if (S_ISREG(st.st_mode) && static_cast<uintmax_t>(st.st_size) > max_bytes) {
      return make_error(ErrorCode::kTooLarge, path + ": the file is " + std::to_string(st.st_size) +
                                                  " bytes; the limit is " + format_size(max_bytes));
    }
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(ErrorCode::kIo, path + ": " + std::strerror(errno));
  }
  // No seeking: the path may be a pipe (/dev/stdin, a shell process substitution).
  std::string data;
  char buf[65536];
  while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
    data.append(buf, static_cast<size_t>(in.gcount()));
    if (data.size() > max_bytes) {
      return make_error(ErrorCode::kTooLarge,
                        path + ": larger than the limit of " + format_size(max_bytes));
    }
  }
  if (in.bad()) {
    return make_error(ErrorCode::kIo, path + ": read error");
  }
  return data;
}

namespace {

using DecoderCtxPtr =
    std::unique_ptr<OSSL_DECODER_CTX, internal::OsslDeleter<&OSSL_DECODER_CTX_free>>;

// Decodes one key from PEM or DER text with OpenSSL's decoder framework.
Result<PkeyPtr> decode_pkey(std::string_view data, const char* input_type, int selection,
                            const std::optional<std::string>& password, bool encrypted,
                            std::string_view what) {
  if (encrypted && !password) {
    return make_error(ErrorCode::kPasswordRequired,
                      std::string(what) + " is encrypted: give its password");
  }
  EVP_PKEY* pkey = nullptr;
  DecoderCtxPtr ctx(OSSL_DECODER_CTX_new_for_pkey(&pkey, input_type, nullptr, nullptr, selection,
                                                  nullptr, nullptr));
  if (!ctx) {
    return ossl_error(ErrorCode::kInternal, "cannot create an OpenSSL decoder");
  }
  if (password) {
    OSSL_DECODER_CTX_set_passphrase(ctx.get(), as_uchar(password->data()), password->size());
  }
  const unsigned char* p = as_uchar(data.data());
  size_t len = data.size();
  if (OSSL_DECODER_from_data(ctx.get(), &p, &len) != 1 || pkey == nullptr) {
    EVP_PKEY_free(pkey);
    if (encrypted) {
      return ossl_error(ErrorCode::kBadPassword,
                        std::string(what) + " cannot be decrypted: wrong password (or a damaged "
                                            "file)");
    }
    return ossl_error(ErrorCode::kMalformedKey, std::string(what) + " cannot be parsed");
  }
  clear_errors();
  return PkeyPtr(pkey);
}

Result<Key> pkey_to_key(Result<PkeyPtr> pkey, bool has_private) {
  if (!pkey) {
    return tl::unexpected(std::move(pkey).error());
  }
  return KeyAccess::make_key(std::move(*pkey), has_private);
}

struct PemBlock {
  std::string name;
  std::string header;
  std::string der;
};

// Splits PEM text into blocks. Fails when no block is found or a block is damaged.
Result<std::vector<PemBlock>> read_pem_blocks(std::string_view text) {
  std::vector<PemBlock> blocks;
  BioPtr bio = internal::mem_bio(text);
  for (;;) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long len = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) {
      const unsigned long err = ERR_peek_last_error();
      const bool end = ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE;
      if (end && !blocks.empty()) {
        clear_errors();
        break;
      }
      if (end) {
        clear_errors();
        return make_error(ErrorCode::kMalformedKey, "PEM: no '-----BEGIN' block found");
      }
      return ossl_error(ErrorCode::kMalformedKey,
                        "PEM: block " + std::to_string(blocks.size() + 1) +
                            " is damaged (bad base64 or a missing END line)");
    }
    PemBlock b{name, header != nullptr ? header : "",
               std::string(reinterpret_cast<const char*>(data), static_cast<size_t>(len))};
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    blocks.push_back(std::move(b));
  }
  return blocks;
}

std::string pem_block_text(const PemBlock& b) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio(bio.get(), b.name.c_str(), b.header.c_str(), as_uchar(b.der.data()),
                static_cast<long>(b.der.size()));
  return internal::bio_to_string(bio.get());
}

Result<Certificate> parse_der_certificate(std::string_view der, std::string_view what) {
  const unsigned char* p = as_uchar(der.data());
  X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!x) {
    return ossl_error(ErrorCode::kMalformedKey, std::string(what) + " is not an X.509 certificate");
  }
  if (p != as_uchar(der.data()) + der.size()) {
    clear_errors();
    return make_error(ErrorCode::kMalformedKey,
                      std::string(what) + " has " +
                          std::to_string(as_uchar(der.data()) + der.size() - p) +
                          " bytes after the certificate");
  }
  return KeyAccess::make_certificate(std::move(x));
}

void summarize(Credentials& c) {
  std::string s(key_format_name(c.format));
  std::vector<std::string> parts;
  if (c.private_key) {
    parts.push_back(c.private_key->describe());
  }
  if (!c.certificates.empty()) {
    parts.push_back(std::to_string(c.certificates.size()) +
                    (c.certificates.size() == 1 ? " certificate" : " certificates"));
  }
  if (!c.public_keys.empty()) {
    parts.push_back(std::to_string(c.public_keys.size()) +
                    (c.public_keys.size() == 1 ? " public key" : " public keys"));
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    s += (i == 0 ? ": " : ", ") + parts[i];
  }
  c.summary = std::move(s);
}

Result<Credentials> load_pem(std::string_view text, const LoadOptions& options) {
  ASSAY_ASSIGN_OR_RETURN(auto blocks, read_pem_blocks(text));
  Credentials c;
  c.format = KeyFormat::kPem;
  int index = 0;
  for (const PemBlock& b : blocks) {
    ++index;
    const std::string what = "PEM block " + std::to_string(index) + " (" + b.name + ")";
    if (b.name == "CERTIFICATE" || b.name == "X509 CERTIFICATE") {
      ASSAY_ASSIGN_OR_RETURN(auto cert, parse_der_certificate(b.der, what));
      c.certificates.push_back(std::move(cert));
    } else if (b.name == "TRUSTED CERTIFICATE") {
      const unsigned char* p = as_uchar(b.der.data());
      X509Ptr x(d2i_X509_AUX(nullptr, &p, static_cast<long>(b.der.size())));
      if (!x) {
        return ossl_error(ErrorCode::kMalformedKey, what + " is not an X.509 certificate");
      }
      ASSAY_ASSIGN_OR_RETURN(auto cert, KeyAccess::make_certificate(std::move(x)));
      c.certificates.push_back(std::move(cert));
    } else if (b.name == "PRIVATE KEY" || b.name == "ENCRYPTED PRIVATE KEY" ||
               b.name == "RSA PRIVATE KEY" || b.name == "EC PRIVATE KEY") {
      if (c.private_key) {
        return make_error(ErrorCode::kInvalidArgument,
                          what + ": the PEM holds more than one private key");
      }
      const bool encrypted = b.name == "ENCRYPTED PRIVATE KEY" ||
                             b.header.find("ENCRYPTED") != std::string::npos;
      const std::string kind = b.name == "PRIVATE KEY"           ? "PKCS#8 private key"
                               : b.name == "ENCRYPTED PRIVATE KEY" ? "encrypted PKCS#8 private key"
                               : b.name == "RSA PRIVATE KEY"       ? "PKCS#1 RSA private key"
                                                                   : "SEC1 EC private key";
      ASSAY_ASSIGN_OR_RETURN(
          auto key, pkey_to_key(decode_pkey(pem_block_text(b), "PEM", EVP_PKEY_KEYPAIR,
                                            options.password, encrypted,
                                            what + ", a " + kind + ","),
                                true));
      c.private_key = std::move(key);
    } else if (b.name == "PUBLIC KEY" || b.name == "RSA PUBLIC KEY") {
      const std::string kind =
          b.name == "PUBLIC KEY" ? "SubjectPublicKeyInfo" : "PKCS#1 RSA public key";
      ASSAY_ASSIGN_OR_RETURN(auto key, pkey_to_key(decode_pkey(pem_block_text(b), "PEM",
                                                               EVP_PKEY_PUBLIC_KEY, std::nullopt,
                                                               false, what + ", a " + kind + ","),
                                                   false));
      c.public_keys.push_back(std::move(key));
    } else if (b.name == "EC PARAMETERS") {
      continue;  // written by `openssl ecparam -genkey` before the key
    } else {
      return make_error(ErrorCode::kUnsupported,
                        what + ": unsupported PEM block type '" + b.name + "'");
    }
  }
  if (!c.private_key && c.certificates.empty() && c.public_keys.empty()) {
    return make_error(ErrorCode::kMalformedKey, "PEM: no key or certificate found");
  }
  // Put the certificate that matches the private key first.
  if (c.private_key && c.certificates.size() > 1) {
    for (size_t i = 1; i < c.certificates.size(); ++i) {
      if (key_matches_certificate(*c.private_key, c.certificates[i])) {
        std::swap(c.certificates[0], c.certificates[i]);
        break;
      }
    }
  }
  summarize(c);
  return c;
}

Result<Credentials> load_pkcs12(std::string_view der, const LoadOptions& options) {
  const unsigned char* p = as_uchar(der.data());
  internal::Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, static_cast<long>(der.size())));
  if (!p12) {
    return ossl_error(ErrorCode::kMalformedKey, "PKCS#12: the file cannot be parsed");
  }
  // Find the password: the given one, or (when none is given) an empty or absent one.
  std::optional<std::string> pass = options.password;
  if (PKCS12_mac_present(p12.get()) == 1) {
    if (pass) {
      if (PKCS12_verify_mac(p12.get(), pass->c_str(), static_cast<int>(pass->size())) != 1) {
        // An RC2/3DES file may also fail here only because its MAC algorithm is missing.
        clear_errors();
        return make_error(ErrorCode::kBadPassword,
                          "PKCS#12: wrong password (the integrity check failed)");
      }
    } else if (PKCS12_verify_mac(p12.get(), "", 0) == 1) {
      pass = std::string();
    } else if (PKCS12_verify_mac(p12.get(), nullptr, 0) != 1) {
      clear_errors();
      return make_error(ErrorCode::kPasswordRequired,
                        "PKCS#12: the file is password-protected: give its password");
    }
  }
  EVP_PKEY* pkey = nullptr;
  X509* cert = nullptr;
  STACK_OF(X509)* ca = nullptr;
  const char* pw = pass ? pass->c_str() : nullptr;
  int ok = PKCS12_parse(p12.get(), pw, &pkey, &cert, &ca);
  if (ok != 1) {
    // Legacy files (RC2-40 / 3DES, as Windows and older OpenSSL export them) need the legacy
    // provider in OpenSSL 3.
    clear_errors();
    if (internal::ensure_legacy_provider()) {
      ok = PKCS12_parse(p12.get(), pw, &pkey, &cert, &ca);
    }
  }
  if (ok != 1) {
    return ossl_error(ErrorCode::kMalformedKey,
                      "PKCS#12: the contents cannot be decrypted or parsed (wrong password, or an "
                      "algorithm this OpenSSL lacks)");
  }
  PkeyPtr key_owner(pkey);
  X509Ptr cert_owner(cert);
  internal::X509StackPtr ca_owner(ca);
  Credentials c;
  c.format = KeyFormat::kPkcs12;
  if (key_owner) {
    ASSAY_ASSIGN_OR_RETURN(auto k, KeyAccess::make_key(std::move(key_owner), true));
    c.private_key = std::move(k);
  }
  if (cert_owner) {
    ASSAY_ASSIGN_OR_RETURN(auto leaf, KeyAccess::make_certificate(std::move(cert_owner)));
    c.certificates.push_back(std::move(leaf));
  }
  while (ca_owner && sk_X509_num(ca_owner.get()) > 0) {
    X509Ptr x(sk_X509_shift(ca_owner.get()));
    ASSAY_ASSIGN_OR_RETURN(auto extra, KeyAccess::make_certificate(std::move(x)));
    c.certificates.push_back(std::move(extra));
  }
  if (!c.private_key && c.certificates.empty()) {
    return make_error(ErrorCode::kMalformedKey, "PKCS#12: the file holds no key and no certificate");
  }
  summarize(c);
  return c;
}

// ------------------------------------------------------------------------------------ JWK

Result<std::string> jwk_member_bytes(const Json& jwk, const char* name, bool required,
                                     std::string_view ctx) {
  auto it = jwk.find(name);
  if (it == jwk.end()) {
    if (required) {
      return make_error(ErrorCode::kMalformedKey,
                        std::string(ctx) + ": member \"" + name + "\" is missing");
    }
    return std::string();
  }
  if (!it->is_string()) {
    return make_error(ErrorCode::kMalformedKey,
                      std::string(ctx) + ": member \"" + name + "\" is not a string");
  }
  auto bytes = base64url_decode(it->get_ref<const std::string&>());
  if (!bytes) {
    return make_error(ErrorCode::kMalformedKey,
                      std::string(ctx) + ": member \"" + name + "\": " + bytes.error().message);
  }
  if (required && bytes->empty()) {
    return make_error(ErrorCode::kMalformedKey,
                      std::string(ctx) + ": member \"" + name + "\" is empty");
  }
  return bytes;
}

std::string jwk_string(const Json& jwk, const char* name) {
  auto it = jwk.find(name);
  return it != jwk.end() && it->is_string() ? it->get<std::string>() : std::string();
}

using PkeyCtxPtr = internal::PkeyCtxPtr;

Result<Key> key_from_params(const char* type, internal::ParamBldPtr& bld, bool priv,
                            JwkMetadata meta, std::string_view ctx) {
  internal::ParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  PkeyCtxPtr pctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!params || !pctx || EVP_PKEY_fromdata_init(pctx.get()) != 1 ||
      EVP_PKEY_fromdata(pctx.get(), &pkey, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                        params.get()) != 1) {
    return ossl_error(ErrorCode::kMalformedKey, std::string(ctx) + ": not a valid key");
  }
  PkeyPtr owner(pkey);
  // EVP_PKEY_fromdata does not check that an EC point is on the curve, nor RSA consistency.
  PkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  const int valid = priv ? EVP_PKEY_pairwise_check(check.get()) : EVP_PKEY_public_check(check.get());
  if (!check || valid != 1) {
    return ossl_error(ErrorCode::kMalformedKey,
                      std::string(ctx) + ": the key parameters are inconsistent (" +
                          (priv ? "private and public parts do not match" : "invalid public key") +
                          ")");
  }
  return KeyAccess::make_key(std::move(owner), priv, std::move(meta));
}

Result<Key> load_jwk_object(const Json& jwk, std::string_view ctx) {
  if (!jwk.is_object()) {
    return make_error(ErrorCode::kMalformedKey, std::string(ctx) + " is not a JSON object");
  }
  const std::string kty = jwk_string(jwk, "kty");
  JwkMetadata meta;
  meta.kid = jwk_string(jwk, "kid");
  meta.alg = jwk_string(jwk, "alg");
  meta.use = jwk_string(jwk, "use");
  if (auto ops = jwk.find("key_ops"); ops != jwk.end() && ops->is_array()) {
    for (const Json& op : *ops) {
      if (op.is_string()) {
        meta.key_ops.push_back(op.get<std::string>());
      }
    }
  }
  meta.x5t = jwk_string(jwk, "x5t");
  meta.x5t_s256 = jwk_string(jwk, "x5t#S256");
  const bool priv = jwk.contains("d");
  internal::ParamBldPtr bld(OSSL_PARAM_BLD_new());
  std::vector<internal::BnPtr> bns;
  auto push_bn = [&](const char* param, const std::string& bytes) {
    bns.emplace_back(BN_bin2bn(as_uchar(bytes.data()), static_cast<int>(bytes.size()), nullptr));
    OSSL_PARAM_BLD_push_BN(bld.get(), param, bns.back().get());
  };
  Result<Key> key = make_error(ErrorCode::kInternal, "unreachable");
  if (kty == "RSA") {
    ASSAY_ASSIGN_OR_RETURN(auto n, jwk_member_bytes(jwk, "n", true, ctx));
    ASSAY_ASSIGN_OR_RETURN(auto e, jwk_member_bytes(jwk, "e", true, ctx));
    push_bn(OSSL_PKEY_PARAM_RSA_N, n);
    push_bn(OSSL_PKEY_PARAM_RSA_E, e);
    if (priv) {
      // RFC 7518 §6.3.2: p, q, dp, dq and qi come all together or not at all (and OpenSSL 3.0
      // leaks on the partial sets, as fuzzing showed).
      int crt = 0;
      for (const char* m : {"p", "q", "dp", "dq", "qi"}) {
        crt += jwk.contains(m) ? 1 : 0;
      }
      if (crt != 0 && crt != 5) {
        return make_error(ErrorCode::kMalformedKey,
                          std::string(ctx) + ": a private RSA JWK has all of p, q, dp, dq and qi "
                                             "or none of them (RFC 7518 §6.3.2)");
      }
      static constexpr const char* kMembers[] = {"d", "p", "q", "dp", "dq", "qi"};
      static constexpr const char* kParams[] = {
          OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
          OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
          OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
      for (size_t i = 0; i < 6; ++i) {
        ASSAY_ASSIGN_OR_RETURN(auto v, jwk_member_bytes(jwk, kMembers[i], i == 0, ctx));
        if (!v.empty()) {
          push_bn(kParams[i], v);
        }
      }
    }
    key = key_from_params("RSA", bld, priv, meta, ctx);
  } else if (kty == "EC") {
    const std::string crv = jwk_string(jwk, "crv");
    const char* group = crv == "P-256"   ? "prime256v1"
                        : crv == "P-384" ? "secp384r1"
                        : crv == "P-521" ? "secp521r1"
                                         : nullptr;
    if (group == nullptr) {
      return make_error(ErrorCode::kUnsupported,
                        std::string(ctx) + ": EC curve \"" + crv + "\" is not supported");
    }
    const size_t width = curve_field_bytes(crv);
    ASSAY_ASSIGN_OR_RETURN(auto x, jwk_member_bytes(jwk, "x", true, ctx));
    ASSAY_ASSIGN_OR_RETURN(auto y, jwk_member_bytes(jwk, "y", true, ctx));
    if (x.size() != width || y.size() != width) {
      return make_error(ErrorCode::kMalformedKey,
                        std::string(ctx) + ": x and y of a " + crv + " key must be " +
                            std::to_string(width) + " bytes (RFC 7518 §6.2.1.2)");
    }
    std::string point = "\x04" + x + y;
    OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, 0);
    OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                     point.size());
    if (priv) {
      ASSAY_ASSIGN_OR_RETURN(auto d, jwk_member_bytes(jwk, "d", true, ctx));
      push_bn(OSSL_PKEY_PARAM_PRIV_KEY, d);
    }
    key = key_from_params("EC", bld, priv, meta, ctx);
  } else if (kty == "oct") {
    return make_error(ErrorCode::kUnsupported,
                      std::string(ctx) + ": a symmetric (oct) key cannot verify a private_key_jwt "
                                         "assertion");
  } else if (kty.empty()) {
    return make_error(ErrorCode::kMalformedKey, std::string(ctx) + ": member \"kty\" is missing");
  } else {
    return make_error(ErrorCode::kUnsupported,
                      std::string(ctx) + ": key type \"" + kty + "\" is not supported");
  }
  if (!key) {
    return key;
  }
  // x5c: the certificate must carry the same key; fill in missing thumbprints from it.
  auto x5c = jwk.find("x5c");
  if (x5c != jwk.end() && x5c->is_array() && !x5c->empty() && (*x5c)[0].is_string()) {
    ASSAY_ASSIGN_OR_RETURN(auto der, base64_decode((*x5c)[0].get<std::string>())
                                         .map_error([&](Error e) {
                                           e.code = ErrorCode::kMalformedKey;
                                           e.message = std::string(ctx) + ": x5c[0]: " + e.message;
                                           return e;
                                         }));
    ASSAY_ASSIGN_OR_RETURN(auto cert, parse_der_certificate(der, std::string(ctx) + ": x5c[0]"));
    if (!key_matches_certificate(*key, cert)) {
      return make_error(ErrorCode::kMalformedKey,
                        std::string(ctx) + ": x5c[0] certificate does not carry this key");
    }
    meta.x5t = meta.x5t.empty() ? cert.thumbprints().x5t : meta.x5t;
    meta.x5t_s256 = meta.x5t_s256.empty() ? cert.thumbprints().x5t_s256 : meta.x5t_s256;
    JwkMetadata updated = key->jwk();
    updated.x5t = meta.x5t;
    updated.x5t_s256 = meta.x5t_s256;
    PkeyPtr dup(KeyAccess::pkey(*key));
    EVP_PKEY_up_ref(dup.get());
    return KeyAccess::make_key(std::move(dup), priv, std::move(updated));
  }
  return key;
}

Result<Credentials> load_json_keys(std::string_view text) {
  Json doc;
  JsonLimits limits;
  limits.max_bytes = 1024 * 1024;
  const JsonParseOutcome outcome = parse_json_strict(text, doc, limits);
  if (!outcome.parsed || !doc.is_object()) {
    const std::string why = outcome.issues.empty() ? "not a JSON object" : outcome.issues[0].message;
    return make_error(ErrorCode::kMalformedKey, "JWK/JWKS: " + why);
  }
  for (const JsonIssue& i : outcome.issues) {
    if (i.kind == JsonIssueKind::kDuplicateMember) {
      return make_error(ErrorCode::kMalformedKey, "JWK/JWKS: " + i.message + " at " + i.pointer);
    }
  }
  Credentials c;
  if (doc.contains("keys")) {
    const Json& keys = static_cast<const Json&>(doc)["keys"];
    c.format = KeyFormat::kJwks;
    if (!keys.is_array()) {
      return make_error(ErrorCode::kMalformedKey, "JWKS: \"keys\" is not an array");
    }
    size_t i = 0;
    for (const Json& k : keys) {
      ASSAY_ASSIGN_OR_RETURN(auto key, load_jwk_object(k, "JWKS key " + std::to_string(i++)));
      if (key.has_private()) {
        c.public_keys.push_back(key.public_key());
      } else {
        c.public_keys.push_back(std::move(key));
      }
    }
    if (c.public_keys.empty()) {
      return make_error(ErrorCode::kNotFound, "JWKS: the key set is empty");
    }
  } else if (doc.contains("kty")) {
    c.format = KeyFormat::kJwk;
    ASSAY_ASSIGN_OR_RETURN(auto key, load_jwk_object(doc, "JWK"));
    if (key.has_private()) {
      c.public_keys.push_back(key.public_key());
      c.private_key = std::move(key);
    } else {
      c.public_keys.push_back(std::move(key));
    }
  } else {
    return make_error(ErrorCode::kMalformedKey,
                      "JSON is neither a JWK (no \"kty\") nor a JWKS (no \"keys\")");
  }
  summarize(c);
  return c;
}

Result<Credentials> load_der(std::string_view der, const LoadOptions& options) {
  // Certificate, then PKCS#12, then a private key, then a public key.
  {
    const unsigned char* p = as_uchar(der.data());
    X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (x && p == as_uchar(der.data()) + der.size()) {
      Credentials c;
      c.format = KeyFormat::kDerCertificate;
      ASSAY_ASSIGN_OR_RETURN(auto cert, KeyAccess::make_certificate(std::move(x)));
      c.certificates.push_back(std::move(cert));
      summarize(c);
      return c;
    }
    clear_errors();
  }
  {
    const unsigned char* p = as_uchar(der.data());
    internal::Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, static_cast<long>(der.size())));
    clear_errors();
    if (p12) {
      return load_pkcs12(der, options);
    }
  }
  {
    auto priv = decode_pkey(der, "DER", EVP_PKEY_KEYPAIR, options.password, false,
                            "DER private key");
    if (priv) {
      Credentials c;
      c.format = KeyFormat::kDerPrivateKey;
      ASSAY_ASSIGN_OR_RETURN(auto k, KeyAccess::make_key(std::move(*priv), true));
      c.private_key = std::move(k);
      summarize(c);
      return c;
    }
  }
  {
    auto pub = decode_pkey(der, "DER", EVP_PKEY_PUBLIC_KEY, std::nullopt, false, "DER public key");
    if (pub) {
      Credentials c;
      c.format = KeyFormat::kDerPublicKey;
      ASSAY_ASSIGN_OR_RETURN(auto k, KeyAccess::make_key(std::move(*pub), false));
      c.public_keys.push_back(std::move(k));
      summarize(c);
      return c;
    }
  }
  clear_errors();
  return make_error(ErrorCode::kMalformedKey,
                    "binary data is not a DER certificate, a PKCS#12 file, or a DER private or "
                    "public key");
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' ||
                        s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

Result<Credentials> load_credentials(std::string_view bytes, const LoadOptions& options) {
  if (bytes.size() > options.max_bytes) {
    return make_error(ErrorCode::kTooLarge, "the key material is " + std::to_string(bytes.size()) +
                                                " bytes; the limit is " +
                                                format_size(options.max_bytes));
  }
  if (bytes.empty()) {
    return make_error(ErrorCode::kMalformedKey, "the key material is empty");
  }
  const std::string_view text = trim(bytes);
  if (!text.empty() && text.front() == '{') {
    return load_json_keys(text);
  }
  if (text.find("-----BEGIN ") != std::string_view::npos) {
    return load_pem(bytes, options);
  }
  if (static_cast<unsigned char>(bytes.front()) == 0x30) {
    return load_der(bytes, options);
  }
  // A bare base64 DER certificate, as in x5c or the keyCredentials "value".
  if (!text.empty()) {
    auto der = base64_decode(text);
    if (der && !der->empty() && static_cast<unsigned char>(der->front()) == 0x30) {
      auto c = load_der(*der, options);
      if (c) {
        return c;
      }
    }
  }
  return make_error(ErrorCode::kMalformedKey,
                    "unrecognised key format: not PEM, DER, PKCS#12, JWK, JWKS or base64 DER");
}

Result<Credentials> load_credentials_file(const std::string& path, const LoadOptions& options) {
  ASSAY_ASSIGN_OR_RETURN(auto bytes, read_file(path, options.max_bytes));
  auto c = load_credentials(bytes, options);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  if (!c) {
    Error e = std::move(c).error();
    e.message = path + ": " + e.message;
    return tl::unexpected(std::move(e));
  }
  return c;
}

Result<Key> load_private_key(std::string_view bytes, const LoadOptions& options) {
  ASSAY_ASSIGN_OR_RETURN(auto c, load_credentials(bytes, options));
  if (!c.private_key) {
    return make_error(ErrorCode::kNotFound,
                      std::string(key_format_name(c.format)) + " holds no private key (" +
                          c.summary + ")");
  }
  return *c.private_key;
}

Result<Key> load_public_key(std::string_view bytes, const LoadOptions& options) {
  ASSAY_ASSIGN_OR_RETURN(auto c, load_credentials(bytes, options));
  std::vector<Key> keys = c.public_keys;
  for (const Certificate& cert : c.certificates) {
    keys.push_back(cert.public_key());
  }
  if (keys.empty() && c.private_key) {
    keys.push_back(c.private_key->public_key());
  }
  if (keys.empty()) {
    return make_error(ErrorCode::kNotFound, "no public key found (" + c.summary + ")");
  }
  if (keys.size() > 1 && c.certificates.size() != keys.size()) {
    return make_error(ErrorCode::kInvalidArgument,
                      "several public keys found (" + c.summary + "); select one");
  }
  return keys.front();
}

Result<Certificate> load_certificate(std::string_view bytes, const LoadOptions& options) {
  ASSAY_ASSIGN_OR_RETURN(auto c, load_credentials(bytes, options));
  if (c.certificates.empty()) {
    return make_error(ErrorCode::kNotFound, "no certificate found (" + c.summary + ")");
  }
  return c.certificates.front();
}

Result<std::vector<Key>> load_jwks(std::string_view json) {
  const std::string_view text = trim(json);
  if (text.starts_with("-----BEGIN ")) {
    return make_error(ErrorCode::kMalformedKey, "JWK/JWKS: this is PEM text, not JSON");
  }
  ASSAY_ASSIGN_OR_RETURN(auto c, load_json_keys(text));
  return c.public_keys;
}

}  // namespace assay
