// The fuzz target for assay-mock's request handling, called in process (MockServer::handle):
// kept apart from targets.h because it needs the assay_mock library and cpp-httplib.
#ifndef ASSAY_FUZZ_MOCK_TARGET_H_
#define ASSAY_FUZZ_MOCK_TARGET_H_

#include <cstddef>
#include <cstdint>

namespace assay::fuzz {

// The first byte picks the shape of the request (the token endpoints, Graph with a valid
// token, discovery, admin consent, the error page, the operator routes, or any method and
// path); the rest is the fuzzed part (form body, query, path segment, header or JSON body).
// Invariants: no exception escapes a handler, no 5xx, every JSON answer parses, and a token
// is only issued for an assertion whose signature the app's registered certificate verifies
// (the rest of the verdict is the rules', which the verify target fuzzes).
void mock(const uint8_t* data, size_t size);

}  // namespace assay::fuzz

#endif  // ASSAY_FUZZ_MOCK_TARGET_H_
