// Internal: parse_input without the copy of a bare token, for verify_input.
#ifndef ASSAY_SRC_REQUEST_INTERNAL_H_
#define ASSAY_SRC_REQUEST_INTERNAL_H_

#include <cstddef>
#include <string_view>

#include "assay/request.h"
#include "assay/result.h"

namespace assay::internal {

// Does the work of parse_input into `out` and returns the assertion: a view into `text` when
// the input is a bare token (or a JWS JSON serialization; `out.token` is then left empty), or
// into `out.token` (JSON, form). The view is valid while `text` and `out` are, and `out` is
// not moved. Fails as parse_input does.
[[nodiscard]] Result<std::string_view> parse_input_view(std::string_view text, size_t max_bytes,
                                                        ParsedInput& out);

}  // namespace assay::internal

#endif  // ASSAY_SRC_REQUEST_INTERNAL_H_
