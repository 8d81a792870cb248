// Internal: RAII owners for OpenSSL handles and the error-queue convention (BoringSSL style:
// test the return value, then drain the queue into Error::detail).
#ifndef ASSAY_SRC_OSSL_H_
#define ASSAY_SRC_OSSL_H_

#include <memory>
#include <string>
#include <string_view>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "assay/result.h"

namespace assay::internal {

template <auto Fn>
struct OsslDeleter {
  template <class T>
  void operator()(T* p) const noexcept {
    Fn(p);
  }
};

using BioPtr = std::unique_ptr<BIO, OsslDeleter<&BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, OsslDeleter<&BN_free>>;
using BnCtxPtr = std::unique_ptr<BN_CTX, OsslDeleter<&BN_CTX_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OsslDeleter<&ECDSA_SIG_free>>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, OsslDeleter<&EVP_MD_CTX_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, OsslDeleter<&EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OsslDeleter<&EVP_PKEY_CTX_free>>;
using Pkcs12Ptr = std::unique_ptr<PKCS12, OsslDeleter<&PKCS12_free>>;
using X509Ptr = std::unique_ptr<X509, OsslDeleter<&X509_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, OsslDeleter<&X509_NAME_free>>;
using ParamBldPtr = std::unique_ptr<OSSL_PARAM_BLD, OsslDeleter<&OSSL_PARAM_BLD_free>>;
using ParamPtr = std::unique_ptr<OSSL_PARAM, OsslDeleter<&OSSL_PARAM_free>>;

inline void free_x509_stack(STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); }
using X509StackPtr = std::unique_ptr<STACK_OF(X509), OsslDeleter<&free_x509_stack>>;

// Drains the thread's OpenSSL error queue into one line ("lib:reason; lib:reason"), leaving it
// empty.
std::string drain_errors();

// Clears the queue without reading it (after an expected, handled failure).
inline void clear_errors() { ERR_clear_error(); }

// An Error with `code` and `message` whose detail is the drained OpenSSL queue.
inline tl::unexpected<Error> ossl_error(ErrorCode code, std::string message) {
  return make_error(code, std::move(message), drain_errors());
}

// A read-only memory BIO over `data` (which must outlive it).
inline BioPtr mem_bio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

// Everything written to a memory BIO, as a string.
std::string bio_to_string(BIO* bio);

inline const unsigned char* as_uchar(const char* p) {
  return reinterpret_cast<const unsigned char*>(p);
}
inline unsigned char* as_uchar(char* p) { return reinterpret_cast<unsigned char*>(p); }

}  // namespace assay::internal

#endif  // ASSAY_SRC_OSSL_H_
