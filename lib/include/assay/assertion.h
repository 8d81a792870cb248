// File: assay/assertion.h
//
// Decoding a compact JWS (a client assertion) without judging it: `decode` splits the token,
// keeps the raw segments and the signing input, decodes header and payload to bytes and to
// strict JSON, and records every irregularity found on the way as a `Finding` (severity is
// assigned later by the rules engine, per profile). A size cap protects every entry point.
#ifndef ASSAY_ASSERTION_H_
#define ASSAY_ASSERTION_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "assay/finding.h"
#include "assay/json.h"
#include "assay/result.h"

namespace assay {

inline constexpr size_t kDefaultMaxTokenBytes = 64 * 1024;

struct DecodeOptions {
  size_t max_bytes = kDefaultMaxTokenBytes;  // the whole compact token
  size_t max_json_depth = 32;
};

namespace internal {
struct AssertionData;
}

// A decoded compact JWS. Immutable; copies share the decoded data, and so do consecutive
// tokens decoded on one thread with the same header segment (their decoded header).
class Assertion {
 public:
  // The token exactly as given.
  std::string_view compact() const;
  // The three base64url segments as given, and `header.payload` (what the signature covers).
  std::string_view header_segment() const;
  std::string_view payload_segment() const;
  std::string_view signature_segment() const;
  std::string_view signing_input() const;

  // The decoded bytes of each segment (empty when a segment could not be decoded at all).
  const std::string& header_bytes() const;
  const std::string& payload_bytes() const;
  const std::string& signature_bytes() const;

  // The parsed JSON; null when the segment is not JSON. `header_is_object()` and
  // `payload_is_object()` say whether claims can be read from them.
  const Json& header() const;
  const Json& payload() const;
  bool header_is_object() const;
  bool payload_is_object() const;

  // Irregularities found while decoding (ENC rules), in the order found.
  const std::vector<Finding>& findings() const;

 private:
  friend Result<Assertion> decode(std::string_view compact, const DecodeOptions& options);
  explicit Assertion(std::shared_ptr<const internal::AssertionData> data);
  std::shared_ptr<const internal::AssertionData> data_;
};

// Decodes a compact JWS. Fails only when no JOSE structure can be recovered: the input is
// empty, larger than `options.max_bytes` (`kTooLarge`, rule ENC012), a JWS JSON serialization
// (`kMalformedToken`, ENC013), or not three dot-separated segments (`kMalformedToken`, ENC001,
// with a message that recognises a JWE or a missing signature). Everything else becomes a
// finding on the returned assertion.
[[nodiscard]] Result<Assertion> decode(std::string_view compact,
                                       const DecodeOptions& options = {});

}  // namespace assay

#endif  // ASSAY_ASSERTION_H_
