// File: assay/testing.h
//
// Reproducibility for test data: making every random choice OpenSSL makes in this process (the
// RSA-PSS salt, the ECDSA nonce, blinding) a function of a seed, so that `assay vectors
// generate` writes byte-identical files on every run. NEVER use this outside test-data
// generation: signatures made this way are only as secret as the seed.
#ifndef ASSAY_TESTING_H_
#define ASSAY_TESTING_H_

#include <cstddef>
#include <string_view>

#include "assay/result.h"

namespace assay {

// Replaces the default library context's random generators with OpenSSL's TEST-RAND fed with
// `bytes` of SHA-256-counter output derived from `seed`. Must run before anything in the process
// has used randomness. Fails with `kCrypto` when OpenSSL refuses (e.g. the generators already
// exist) and `kInvalidArgument` when called twice. Signing fails once the bytes are used up.
[[nodiscard]] Result<bool> use_deterministic_randomness_for_test_data(
    std::string_view seed, size_t bytes = 32 * 1024 * 1024);

// SHA-1 and SHA-256 of `data`, raw bytes (for thumbprints of arbitrary DER in test data).
std::string sha1_digest(std::string_view data);
std::string sha256_digest(std::string_view data);

}  // namespace assay

#endif  // ASSAY_TESTING_H_
