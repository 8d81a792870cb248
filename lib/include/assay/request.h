// File: assay/request.h
//
// The token request around an assertion, and what users paste: `parse_form` reads an
// application/x-www-form-urlencoded body strictly enough to report repeated parameters and bad
// percent-escapes; `parse_input` recognises a bare token (a "Bearer " prefix and surrounding
// whitespace tolerated), a whole form body, or a JSON object with a `client_assertion` member.
#ifndef ASSAY_REQUEST_H_
#define ASSAY_REQUEST_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "assay/finding.h"
#include "assay/result.h"

namespace assay {

// The largest input `parse_input` and `parse_form` accept by default, and the most the tools
// read of one input: a token request carries one assertion (at most `kDefaultMaxTokenBytes`,
// beyond which an assertion is finding ENC012) and a few parameters, so anything larger is not
// one and fails with `kTooLarge` before it is parsed.
inline constexpr size_t kMaxInputBytes = 256 * 1024;

inline constexpr std::string_view kJwtBearerAssertionType =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

struct FormParam {
  std::string name;
  std::string value;
};

// A parsed form body. Parameters keep their order; `findings` holds EXC013 (repeated) and
// EXC015 (bad encoding) observations.
struct TokenRequest {
  std::vector<FormParam> params;
  std::vector<Finding> findings;

  // The first value of `name`, if present.
  std::optional<std::string> get(std::string_view name) const;
  size_t count(std::string_view name) const;
  bool has(std::string_view name) const { return count(name) > 0; }
};

// Parses a form body. Never fails on content: a malformed escape is kept literally and reported
// as EXC015. Fails with `kTooLarge` above `max_bytes`.
[[nodiscard]] Result<TokenRequest> parse_form(std::string_view body,
                                              size_t max_bytes = kMaxInputBytes);

// URL-encodes `value` for a form body (RFC 3986 unreserved characters stay as they are).
std::string form_encode(std::string_view value);

// Builds a form body from name/value pairs.
std::string form_body(const std::vector<FormParam>& params);

enum class InputKind : unsigned char { kToken, kForm, kJson };

// "token", "form", "json".
std::string_view input_kind_name(InputKind k);

struct ParsedInput {
  InputKind kind = InputKind::kToken;
  std::string token;                    // the assertion (may be empty for a form without one)
  std::optional<TokenRequest> request;  // for kForm
};

// Recognises what a user pasted. Fails with `kInvalidArgument` for empty input or a JSON
// object without a string `client_assertion` (and not a JWS JSON serialization), and with
// `kTooLarge` above `max_bytes`.
[[nodiscard]] Result<ParsedInput> parse_input(std::string_view text,
                                              size_t max_bytes = kMaxInputBytes);

}  // namespace assay

#endif  // ASSAY_REQUEST_H_
