// File: assay/terminal.h
//
// Text that came from elsewhere (a token's member names, a form body, a server's answer, a mail
// subject, a request path) made safe to print on a terminal, and measured in terminal columns
// for table layouts. Every text renderer of the assay tools and assay-mock passes untrusted
// values through `terminal_safe`; JSON output needs no such step.
#ifndef ASSAY_TERMINAL_H_
#define ASSAY_TERMINAL_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace assay {

// Returns `text` with every byte a terminal could act on shown visibly instead: C0 controls
// (newline, carriage return and tab included) and DEL as `\u001b`, `\u000a`, `\u007f`; C1
// controls (U+0080..U+009F, encoded in UTF-8) as `\u009b`; every byte that is not part of valid
// UTF-8 (a stray continuation byte, a truncated or overlong sequence, a surrogate, a code point
// above U+10FFFF) as `\xff`. Valid printable UTF-8, the backslash included, is kept as is, so
// ASCII text without controls comes back unchanged. Never fails.
std::string terminal_safe(std::string_view text);

// The number of terminal columns `text` takes, for text without control characters (such as
// `terminal_safe`'s result): two for East Asian wide and fullwidth characters, none for
// combining marks, one for any other character. Bytes that are not valid UTF-8 count one each.
size_t terminal_width(std::string_view text);

// The longest prefix of `text` that takes at most `columns` columns (as `terminal_width` counts
// them), never ending inside a UTF-8 sequence. The result views `text`.
std::string_view terminal_prefix(std::string_view text, size_t columns);

}  // namespace assay

#endif  // ASSAY_TERMINAL_H_
