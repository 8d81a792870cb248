#include "assay/terminal.h"

#include <algorithm>
#include <locale.h>
#include <wchar.h>

namespace assay {
namespace {

// The length of the well-formed UTF-8 sequence starting at text[i] (Unicode Table 3-7: no
// overlong forms, no surrogates, nothing above U+10FFFF) and its code point in `cp`; 0 when
// text[i] starts none.
size_t utf8_sequence(std::string_view text, size_t i, char32_t& cp) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) {
    cp = lead;
    return 1;
  }
  size_t n = 0;
  unsigned char lo = 0x80;  // the range of the second byte
  unsigned char hi = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    n = 2;
    cp = lead & 0x1FU;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    n = 3;
    cp = lead & 0x0FU;
    lo = lead == 0xE0 ? 0xA0 : 0x80;
    hi = lead == 0xED ? 0x9F : 0xBF;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    n = 4;
    cp = lead & 0x07U;
    lo = lead == 0xF0 ? 0x90 : 0x80;
    hi = lead == 0xF4 ? 0x8F : 0xBF;
  } else {
    return 0;
  }
  if (text.size() - i < n) {
    return 0;
  }
  for (size_t k = 1; k < n; ++k) {
    const unsigned char b = byte(i + k);
    if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xBF)) {
      return 0;
    }
    cp = (cp << 6) | (b & 0x3FU);
  }
  return n;
}

bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// Character widths from the C library's Unicode tables: wcwidth under the C.UTF-8 locale, set
// for this thread only while the object lives (the process's locale is left alone). Without
// that locale every character counts one column.
class CharWidths {
 public:
  CharWidths() : utf8_(::newlocale(LC_CTYPE_MASK, "C.UTF-8", nullptr)) {
    if (utf8_ != nullptr) {
      previous_ = ::uselocale(utf8_);
    }
  }
  ~CharWidths() {
    if (utf8_ != nullptr) {
      ::uselocale(previous_);
      ::freelocale(utf8_);
    }
  }
  CharWidths(const CharWidths&) = delete;
  CharWidths& operator=(const CharWidths&) = delete;

  size_t of(char32_t cp) const {
    if (utf8_ == nullptr) {
      return 1;
    }
    const int w = ::wcwidth(static_cast<wchar_t>(cp));
    return w < 0 ? 1 : static_cast<size_t>(w);
  }

 private:
  locale_t utf8_;
  locale_t previous_ = nullptr;
};

void append_hex(std::string& out, unsigned value) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += kHex[(value >> 4) & 0xFU];
  out += kHex[value & 0xFU];
}

}  // namespace

std::string terminal_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7F) {
      out += text[i++];
      continue;
    }
    char32_t cp = 0;
    const size_t n = utf8_sequence(text, i, cp);
    if (n == 0) {
      out += "\\x";
      append_hex(out, c);
      ++i;
    } else if (cp < 0xA0) {  // C0 (below 0x20), DEL, C1 (0x80..0x9F)
      out += "\\u00";
      append_hex(out, static_cast<unsigned>(cp));
      i += n;
    } else {
      out.append(text.substr(i, n));
      i += n;
    }
  }
  return out;
}

size_t terminal_width(std::string_view text) {
  if (is_ascii(text)) {
    return text.size();
  }
  const CharWidths widths;
  size_t columns = 0;
  for (size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const size_t n = utf8_sequence(text, i, cp);
    columns += n == 0 ? 1 : widths.of(cp);
    i += n == 0 ? 1 : n;
  }
  return columns;
}

std::string_view terminal_prefix(std::string_view text, size_t columns) {
  if (is_ascii(text)) {
    return text.substr(0, columns);
  }
  const CharWidths widths;
  size_t used = 0;
  size_t i = 0;
  while (i < text.size()) {
    char32_t cp = 0;
    const size_t n = utf8_sequence(text, i, cp);
    const size_t w = n == 0 ? 1 : widths.of(cp);
    if (used + w > columns) {
      break;
    }
    used += w;
    i += n == 0 ? 1 : n;
  }
  return text.substr(0, i);
}

}  // namespace assay
