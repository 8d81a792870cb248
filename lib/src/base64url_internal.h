// Internal: base64url encoding straight into a caller's buffer, for building compact JWS
// strings without intermediate copies.
#ifndef ASSAY_SRC_BASE64URL_INTERNAL_H_
#define ASSAY_SRC_BASE64URL_INTERNAL_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace assay::internal {

// The length of the unpadded base64url encoding of `n` bytes.
constexpr size_t base64url_length(size_t n) {
  return n / 3 * 4 + (n % 3 == 0 ? 0 : n % 3 + 1);
}

// Appends the canonical base64url encoding of `bytes` (no padding) to `out`.
void append_base64url(std::string& out, std::string_view bytes);

}  // namespace assay::internal

#endif  // ASSAY_SRC_BASE64URL_INTERNAL_H_
