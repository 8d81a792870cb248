// File: assay/base64url.h
//
// base64url (RFC 4648 §5) as JOSE uses it (RFC 7515 §2): no padding, no line breaks, no other
// characters. `base64url_decode` is strict; `base64url_decode_lenient` accepts what real
// producers emit (padding, the standard alphabet, whitespace, non-canonical trailing bits) and
// reports each irregularity, so the rules engine can turn it into a finding. Standard base64
// (RFC 4648 §4) is offered for `x5c` and `customKeyIdentifier`. The primitives are OpenSSL's.
#ifndef ASSAY_BASE64URL_H_
#define ASSAY_BASE64URL_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "assay/result.h"

namespace assay {

// One way a base64url string departs from the canonical RFC 7515 form.
enum class Base64Irregularity {
  kPadding,            // '=' characters
  kStandardAlphabet,   // '+' or '/' (the RFC 4648 §4 alphabet)
  kWhitespace,         // spaces, tabs, CR or LF
  kNonCanonicalBits,   // the unused low bits of the last character are not zero
};

// The stable kebab-case name of `irregularity`, e.g. "padding".
std::string_view base64_irregularity_name(Base64Irregularity irregularity);

// The bytes a lenient decode produced, and what it had to tolerate (each kind at most once, in
// the order of the enum).
struct LenientDecoded {
  std::string bytes;
  std::vector<Base64Irregularity> irregularities;
  bool canonical() const { return irregularities.empty(); }
};

// Encodes `bytes` as canonical base64url without padding.
[[nodiscard]] std::string base64url_encode(std::string_view bytes);

// Decodes canonical base64url. Fails with `kMalformedToken` on padding, '+', '/', whitespace,
// any other character outside the alphabet, a length that is 1 modulo 4, or non-zero trailing
// bits; the message names the first offending position.
[[nodiscard]] Result<std::string> base64url_decode(std::string_view in);

// Decodes base64url, tolerating and reporting padding, the standard alphabet, whitespace and
// non-canonical trailing bits. Fails with `kMalformedToken` only when no bytes can be recovered:
// a character that belongs to neither alphabet, misplaced padding, or an impossible length.
[[nodiscard]] Result<LenientDecoded> base64url_decode_lenient(std::string_view in);

// Encodes `bytes` as standard base64 with padding (RFC 4648 §4), on one line.
[[nodiscard]] std::string base64_encode(std::string_view bytes);

// Decodes standard base64 with padding. Line breaks are ignored (PEM bodies, MSAL Python's
// `x5c`); anything else outside the alphabet fails with `kMalformedToken`.
[[nodiscard]] Result<std::string> base64_decode(std::string_view in);

// Upper-case hexadecimal of `bytes`, as Windows and the Entra portal show thumbprints.
[[nodiscard]] std::string hex_upper(std::string_view bytes);

// Decodes hexadecimal of either case, ignoring ':' and ' ' separators. Fails with
// `kInvalidArgument` on an odd digit count or a non-hex character.
[[nodiscard]] Result<std::string> hex_decode(std::string_view hex);

}  // namespace assay

#endif  // ASSAY_BASE64URL_H_
