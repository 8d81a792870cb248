#include "assay/base64url.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "base64url_internal.h"
#include "ossl.h"

namespace assay {
namespace {

using internal::as_uchar;

enum class CharClass : unsigned char { kInvalid, kUrl, kStd, kBoth, kPad, kSpace };

constexpr std::array<CharClass, 256> make_table() {
  std::array<CharClass, 256> t{};
  for (auto& c : t) {
    c = CharClass::kInvalid;
  }
  for (int c = 'A'; c <= 'Z'; ++c) {
    t[static_cast<size_t>(c)] = CharClass::kBoth;
  }
  for (int c = 'a'; c <= 'z'; ++c) {
    t[static_cast<size_t>(c)] = CharClass::kBoth;
  }
  for (int c = '0'; c <= '9'; ++c) {
    t[static_cast<size_t>(c)] = CharClass::kBoth;
  }
  t['-'] = CharClass::kUrl;
  t['_'] = CharClass::kUrl;
  t['+'] = CharClass::kStd;
  t['/'] = CharClass::kStd;
  t['='] = CharClass::kPad;
  t[' '] = CharClass::kSpace;
  t['\t'] = CharClass::kSpace;
  t['\r'] = CharClass::kSpace;
  t['\n'] = CharClass::kSpace;
  return t;
}
constexpr std::array<CharClass, 256> kTable = make_table();

CharClass classify(char c) { return kTable[static_cast<unsigned char>(c)]; }

// The 6-bit value of a base64 character of either alphabet (callers have classified it).
unsigned sextet(char c) {
  if (c >= 'A' && c <= 'Z') {
    return static_cast<unsigned>(c - 'A');
  }
  if (c >= 'a' && c <= 'z') {
    return static_cast<unsigned>(c - 'a' + 26);
  }
  if (c >= '0' && c <= '9') {
    return static_cast<unsigned>(c - '0' + 52);
  }
  return (c == '-' || c == '+') ? 62U : 63U;
}

std::string describe_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7f) {
    return std::string("'") + c + "'";
  }
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string s = "byte 0x";
  s += kHex[u >> 4];
  s += kHex[u & 0xF];
  return s;
}

// Translates `n` base64url characters to the standard alphabet ('-' -> '+', '_' -> '/') and
// returns false when any of them is outside the base64url alphabet. Written without branches
// or tables over fixed 64-byte blocks, so that g++ -O2 vectorizes it.
bool translate_url_block(const char* __restrict in, unsigned char* __restrict out) {
  uint8_t bad = 0;
  for (size_t i = 0; i < 64; ++i) {
    const auto c = static_cast<uint8_t>(in[i]);
    const auto letter = static_cast<uint8_t>(static_cast<uint8_t>((c | 0x20) - 'a') < 26 ? 0xFF : 0);
    const auto digit = static_cast<uint8_t>(static_cast<uint8_t>(c - '0') < 10 ? 0xFF : 0);
    const auto minus = static_cast<uint8_t>(c == '-' ? 0xFF : 0);
    const auto under = static_cast<uint8_t>(c == '_' ? 0xFF : 0);
    bad |= static_cast<uint8_t>(~(letter | digit | minus | under));
    out[i] = static_cast<uint8_t>((c & ~(minus | under)) | (minus & '+') | (under & '/'));
  }
  return bad == 0;
}

bool translate_url(const char* in, unsigned char* out, size_t n) {
  size_t i = 0;
  bool ok = true;
  for (; i + 64 <= n; i += 64) {
    ok &= translate_url_block(in + i, out + i);
  }
  for (; i < n; ++i) {
    const char c = in[i];
    const CharClass k = classify(c);
    ok &= k == CharClass::kBoth || k == CharClass::kUrl;
    out[i] = static_cast<unsigned char>(c == '-' ? '+' : c == '_' ? '/' : c);
  }
  return ok;
}

// Decodes `chars` when every one is in the base64url alphabet and the length is possible
// (not 1 modulo 4): translated to the standard alphabet in stack-sized chunks and decoded
// with EVP_DecodeBlock straight into `out`. Returns false, leaving `out` alone, otherwise.
// (`out` is empty if OpenSSL rejects the input, as decode_unpadded.)
bool decode_url_alphabet(std::string_view chars, std::string& out) {
  if (chars.size() % 4 == 1) {
    return false;
  }
  std::string bytes((chars.size() + 3) / 4 * 3, '\0');
  std::array<unsigned char, 1024> chunk;  // a multiple of 4: only the last chunk is padded
  size_t written = 0;
  for (size_t pos = 0; pos < chars.size();) {
    const size_t n = std::min(chars.size() - pos, chunk.size());
    if (!translate_url(chars.data() + pos, chunk.data(), n)) {
      return false;
    }
    const size_t pad = (4 - n % 4) % 4;  // n < chunk.size() whenever pad > 0
    for (size_t i = 0; i < pad; ++i) {
      chunk[n + i] = '=';
    }
    const int r = EVP_DecodeBlock(as_uchar(bytes.data()) + written, chunk.data(),
                                  static_cast<int>(n + pad));
    if (r < 0) {
      internal::clear_errors();
      out.clear();
      return true;
    }
    written += static_cast<size_t>(r) - pad;
    pos += n;
  }
  bytes.resize(written);
  out = std::move(bytes);
  return true;
}

// Decodes `chars` (characters of either alphabet, no padding, no whitespace, length % 4 != 1)
// with OpenSSL's EVP_DecodeBlock. The characters are translated to the standard alphabet in
// stack-sized chunks, so no copy of the input is made. Empty when OpenSSL rejects the input.
std::string decode_unpadded(std::string_view chars) {
  if (chars.empty()) {
    return {};
  }
  std::string out((chars.size() + 3) / 4 * 3, '\0');
  std::array<unsigned char, 1024> chunk;  // a multiple of 4: only the last chunk is padded
  size_t written = 0;
  for (size_t pos = 0; pos < chars.size();) {
    const size_t n = std::min(chars.size() - pos, chunk.size());
    for (size_t i = 0; i < n; ++i) {
      const char c = chars[pos + i];
      chunk[i] = static_cast<unsigned char>(c == '-' ? '+' : c == '_' ? '/' : c);
    }
    const size_t pad = (4 - n % 4) % 4;  // n < chunk.size() whenever pad > 0
    for (size_t i = 0; i < pad; ++i) {
      chunk[n + i] = '=';
    }
    const int r = EVP_DecodeBlock(as_uchar(out.data()) + written, chunk.data(),
                                  static_cast<int>(n + pad));
    if (r < 0) {
      internal::clear_errors();
      return {};
    }
    written += static_cast<size_t>(r) - pad;
    pos += n;
  }
  out.resize(written);
  return out;
}

bool trailing_bits_zero(std::string_view chars) {
  const size_t rem = chars.size() % 4;
  if (rem == 0 || chars.empty()) {
    return true;
  }
  const unsigned last = sextet(chars.back());
  return rem == 2 ? (last & 0x0F) == 0 : (last & 0x03) == 0;
}

}  // namespace

std::string_view base64_irregularity_name(Base64Irregularity irregularity) {
  switch (irregularity) {
    case Base64Irregularity::kPadding:
      return "padding";
    case Base64Irregularity::kStandardAlphabet:
      return "standard-alphabet";
    case Base64Irregularity::kWhitespace:
      return "whitespace";
    case Base64Irregularity::kNonCanonicalBits:
      return "non-canonical-bits";
  }
  return "unknown";
}

std::string base64_encode(std::string_view bytes) {
  if (bytes.empty()) {
    return {};
  }
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(as_uchar(out.data()), as_uchar(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

namespace internal {

namespace {

// '+' -> '-' and '/' -> '_' over a fixed 64-byte block, branch-free so that g++ -O2
// vectorizes it.
void std_to_url_block(char* p) {
  for (size_t i = 0; i < 64; ++i) {
    const auto c = static_cast<uint8_t>(p[i]);
    const auto plus = static_cast<uint8_t>(c == '+' ? 0xFF : 0);
    const auto slash = static_cast<uint8_t>(c == '/' ? 0xFF : 0);
    p[i] = static_cast<char>((c & ~(plus | slash)) | (plus & '-') | (slash & '_'));
  }
}

}  // namespace

void append_base64url(std::string& out, std::string_view bytes) {
  if (bytes.empty()) {
    return;
  }
  const size_t start = out.size();
  out.resize(start + 4 * ((bytes.size() + 2) / 3) + 1);  // EVP_EncodeBlock adds a NUL
  char* p = out.data() + start;
  const int n = EVP_EncodeBlock(as_uchar(p), as_uchar(bytes.data()), static_cast<int>(bytes.size()));
  size_t len = static_cast<size_t>(n);
  while (len > 0 && p[len - 1] == '=') {
    --len;
  }
  size_t i = 0;
  for (; i + 64 <= len; i += 64) {
    std_to_url_block(p + i);
  }
  for (; i < len; ++i) {
    p[i] = p[i] == '+' ? '-' : p[i] == '/' ? '_' : p[i];
  }
  out.resize(start + len);
}

}  // namespace internal

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  internal::append_base64url(out, bytes);
  return out;
}

Result<std::string> base64url_decode(std::string_view in) {
  // The canonical form every conforming producer emits: one pass, no copy.
  if (std::string out; trailing_bits_zero(in) && decode_url_alphabet(in, out)) {
    return out;
  }
  for (size_t i = 0; i < in.size(); ++i) {
    switch (classify(in[i])) {
      case CharClass::kBoth:
      case CharClass::kUrl:
        break;
      case CharClass::kPad:
        return make_error(ErrorCode::kMalformedToken,
                          "base64url padding '=' at offset " + std::to_string(i));
      case CharClass::kStd:
        return make_error(ErrorCode::kMalformedToken,
                          "standard base64 character " + describe_char(in[i]) + " at offset " +
                              std::to_string(i) + " (base64url uses '-' and '_')");
      case CharClass::kSpace:
        return make_error(ErrorCode::kMalformedToken,
                          "whitespace (" + describe_char(in[i]) + ") at offset " +
                              std::to_string(i));
      case CharClass::kInvalid:
        return make_error(ErrorCode::kMalformedToken, "character " + describe_char(in[i]) +
                                                          " at offset " + std::to_string(i) +
                                                          " is not base64url");
    }
  }
  if (in.size() % 4 == 1) {
    return make_error(ErrorCode::kMalformedToken,
                      "base64url length " + std::to_string(in.size()) +
                          " is impossible (1 modulo 4): the text is truncated or has an extra "
                          "character");
  }
  return make_error(ErrorCode::kMalformedToken,
                    "non-canonical base64url: the last character '" + std::string(1, in.back()) +
                        "' has non-zero unused bits");
}

Result<LenientDecoded> base64url_decode_lenient(std::string_view in) {
  if (LenientDecoded out; decode_url_alphabet(in, out.bytes)) {
    // Nothing to tolerate but (perhaps) the trailing bits: skip the copy the general case makes.
    if (!trailing_bits_zero(in)) {
      out.irregularities.push_back(Base64Irregularity::kNonCanonicalBits);
    }
    return out;
  }
  bool padding = false;
  bool standard = false;
  bool space = false;
  std::string chars;
  chars.reserve(in.size());
  size_t pad_count = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    switch (classify(c)) {
      case CharClass::kBoth:
      case CharClass::kUrl:
      case CharClass::kStd:
        if (pad_count > 0) {
          return make_error(ErrorCode::kMalformedToken,
                            "data after '=' padding at offset " + std::to_string(i));
        }
        if (classify(c) == CharClass::kStd) {
          standard = true;
        }
        chars.push_back(c);
        break;
      case CharClass::kPad:
        padding = true;
        ++pad_count;
        break;
      case CharClass::kSpace:
        space = true;
        break;
      case CharClass::kInvalid:
        return make_error(ErrorCode::kMalformedToken, "character " + describe_char(c) +
                                                          " at offset " + std::to_string(i) +
                                                          " is in no base64 alphabet");
    }
  }
  if (chars.size() % 4 == 1) {
    return make_error(ErrorCode::kMalformedToken,
                      "base64 length " + std::to_string(chars.size()) +
                          " is impossible (1 modulo 4): the text is truncated or has an extra "
                          "character");
  }
  if (pad_count > 2 || (pad_count > 0 && (chars.size() + pad_count) % 4 != 0)) {
    return make_error(ErrorCode::kMalformedToken,
                      std::to_string(pad_count) + " padding characters do not fit a length of " +
                          std::to_string(chars.size()));
  }
  LenientDecoded out;
  if (padding) {
    out.irregularities.push_back(Base64Irregularity::kPadding);
  }
  if (standard) {
    out.irregularities.push_back(Base64Irregularity::kStandardAlphabet);
  }
  if (space) {
    out.irregularities.push_back(Base64Irregularity::kWhitespace);
  }
  if (!trailing_bits_zero(chars)) {
    out.irregularities.push_back(Base64Irregularity::kNonCanonicalBits);
  }
  out.bytes = decode_unpadded(chars);
  return out;
}

Result<std::string> base64_decode(std::string_view in) {
  std::string chars;
  chars.reserve(in.size());
  size_t pad = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    const CharClass k = classify(c);
    if (c == '\r' || c == '\n') {
      continue;
    }
    if (k == CharClass::kPad) {
      ++pad;
      continue;
    }
    if (pad > 0 || (k != CharClass::kBoth && k != CharClass::kStd)) {
      return make_error(ErrorCode::kMalformedToken, "character " + describe_char(c) +
                                                        " at offset " + std::to_string(i) +
                                                        " is not standard base64");
    }
    chars.push_back(c);
  }
  if (chars.size() % 4 == 1 || pad > 2 || (pad > 0 && (chars.size() + pad) % 4 != 0)) {
    return make_error(ErrorCode::kMalformedToken,
                      "base64 length " + std::to_string(chars.size()) + " with " +
                          std::to_string(pad) + " padding characters is impossible");
  }
  return decode_unpadded(chars);
}

std::string hex_upper(std::string_view bytes) {
  if (bytes.empty()) {
    return {};
  }
  std::string out(bytes.size() * 2 + 1, '\0');
  size_t len = 0;
  if (OPENSSL_buf2hexstr_ex(out.data(), out.size(), &len, as_uchar(bytes.data()), bytes.size(),
                            '\0') != 1) {
    internal::clear_errors();
    return {};
  }
  out.resize(len > 0 ? len - 1 : 0);  // len counts the terminating NUL
  return out;
}

Result<std::string> hex_decode(std::string_view hex) {
  std::string digits;
  digits.reserve(hex.size());
  for (char c : hex) {
    if (c == ':' || c == ' ') {
      continue;
    }
    digits.push_back(c);
  }
  if (digits.empty()) {
    return std::string();
  }
  if (digits.size() % 2 != 0) {
    return make_error(ErrorCode::kInvalidArgument,
                      "hex string has an odd number of digits (" + std::to_string(digits.size()) +
                          ")");
  }
  std::string out(digits.size() / 2, '\0');
  size_t len = 0;
  if (OPENSSL_hexstr2buf_ex(as_uchar(out.data()), out.size(), &len, digits.c_str(), '\0') != 1) {
    internal::clear_errors();
    return make_error(ErrorCode::kInvalidArgument, "not a hex string");
  }
  out.resize(len);
  return out;
}

}  // namespace assay
