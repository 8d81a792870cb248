// The bodies of the fuzz targets, shared by the libFuzzer executables (fuzz/*_fuzzer.cc) and the
// regression test that replays testdata/fuzz-regressions/ in the normal test binary. Each body
// must never crash, hang or leak on any input; invariants are checked with abort(), so a
// violation is a crash the fuzzer reports.
#ifndef ASSAY_FUZZ_TARGETS_H_
#define ASSAY_FUZZ_TARGETS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace assay::fuzz {

// base64url strict/lenient decode; the strict decoder's output re-encodes to the input.
void base64url(const uint8_t* data, size_t size);
// Strict JSON parsing.
void json(const uint8_t* data, size_t size);
// decode + the full rules evaluation, with and without key material; the verdict is the same
// for the bare token, the token in a form body and the token in JSON.
void verify(const uint8_t* data, size_t size);
// Loading keys and certificates in every format (PEM, DER, PKCS#12, JWK, JWKS).
void keys(const uint8_t* data, size_t size);
// Form bodies and input detection.
void form(const uint8_t* data, size_t size);

struct Target {
  const char* name;
  void (*run)(const uint8_t*, size_t);
};

// Every target, by name (the directory name under testdata/fuzz-regressions).
const std::vector<Target>& all_targets();

}  // namespace assay::fuzz

#endif  // ASSAY_FUZZ_TARGETS_H_
