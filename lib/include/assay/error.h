// File: assay/error.h
//
// The error channel of libassay: an `Error` says that an operation could not be carried out
// (a file is unreadable, the input is not a JWS at all, a password is wrong). Problems found
// *in* a token are not errors; they are `Finding`s (see assay/finding.h).
#ifndef ASSAY_ERROR_H_
#define ASSAY_ERROR_H_

#include <string>
#include <string_view>

namespace assay {

// What kind of failure an `Error` reports. Callers branch on this, never on message text.
enum class ErrorCode {
  kInvalidArgument,   // the caller passed something unusable (unknown alg, bad option)
  kMalformedToken,    // no JOSE structure could be recovered from the input
  kMalformedKey,      // key, certificate, JWK or PKCS#12 bytes could not be parsed
  kPasswordRequired,  // the key material is encrypted and no password was given
  kBadPassword,       // the password given does not open the key material
  kNotFound,          // a requested item (JWKS key, PEM block) is absent
  kUnsupported,       // understood but not supported (key type, algorithm)
  kTooLarge,          // the input exceeds a configured size limit
  kIo,                // reading or writing a file failed
  kCrypto,            // OpenSSL reported a failure during a cryptographic operation
  kNetwork,           // an HTTP exchange failed (CLI and mock only)
  kInternal,          // a bug in assay
};

// The stable lower-case name of `code`, e.g. "malformed-key".
std::string_view error_code_name(ErrorCode code);

// An operation failure. `message` is lower case, has no trailing period and carries the
// concrete values; `detail` holds supporting text such as the drained OpenSSL error queue.
// Neither ever contains private key material, passwords or full signatures.
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string rule_id;  // set when the failure is also a finding, e.g. "ENC001"; else empty
  std::string message;
  std::string detail;
};

}  // namespace assay

#endif  // ASSAY_ERROR_H_
