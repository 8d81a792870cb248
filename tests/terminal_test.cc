#include "assay/terminal.h"

#include <string>

#include <gtest/gtest.h>

namespace assay {
namespace {

TEST(TerminalSafe, KeepsPrintableTextAsIs) {
  EXPECT_EQ(terminal_safe(""), "");
  EXPECT_EQ(terminal_safe("aud \"https://login.microsoftonline.com/x\" ~ \\u001b"),
            "aud \"https://login.microsoftonline.com/x\" ~ \\u001b");
  // Valid printable UTF-8: Latin, CJK, emoji, and U+00A0 (the first code point after C1).
  const std::string utf8 = "Zo\xc3\xab \xe5\xb1\xb1\xe7\x94\xb0 \xf0\x9f\x93\xa7 \xc2\xa0!";
  EXPECT_EQ(terminal_safe(utf8), utf8);
}

TEST(TerminalSafe, EscapesC0AndDel) {
  EXPECT_EQ(terminal_safe("\x1b[31mRED\x1b[0m"), "\\u001b[31mRED\\u001b[0m");
  EXPECT_EQ(terminal_safe("\x1b]0;PWNED\x07"), "\\u001b]0;PWNED\\u0007");  // OSC ... BEL
  EXPECT_EQ(terminal_safe("a\nb\rc\td"), "a\\u000ab\\u000dc\\u0009d");
  EXPECT_EQ(terminal_safe(std::string("nul\0x", 5)), "nul\\u0000x");
  EXPECT_EQ(terminal_safe("del\x7f"), "del\\u007f");
  EXPECT_EQ(terminal_safe("\x1f"), "\\u001f");
}

TEST(TerminalSafe, EscapesC1EncodedInUtf8) {
  const std::string csi = std::string("\xc2\x9b") + "31m";
  EXPECT_EQ(terminal_safe(csi), "\\u009b31m");
  const std::string osc = std::string("\xc2\x9d") + "0;x\xc2\x9c";  // OSC ... ST
  EXPECT_EQ(terminal_safe(osc), "\\u009d0;x\\u009c");
  EXPECT_EQ(terminal_safe("\xc2\x80\xc2\x9f"), "\\u0080\\u009f");
}

TEST(TerminalSafe, ShowsBytesThatAreNotUtf8AsHex) {
  EXPECT_EQ(terminal_safe(std::string("\x9b") + "31m"), "\\x9b31m");  // a raw 8-bit CSI
  EXPECT_EQ(terminal_safe("\xff\xfe"), "\\xff\\xfe");
  EXPECT_EQ(terminal_safe("\xc3"), "\\xc3");  // truncated sequence
  EXPECT_EQ(terminal_safe("\xe5\xb1"), "\\xe5\\xb1");
  EXPECT_EQ(terminal_safe("\xc0\xaf"), "\\xc0\\xaf");                    // overlong '/'
  EXPECT_EQ(terminal_safe("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");           // overlong '/'
  EXPECT_EQ(terminal_safe("\xed\xa0\x80"), "\\xed\\xa0\\x80");           // a surrogate
  EXPECT_EQ(terminal_safe("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
  EXPECT_EQ(terminal_safe("\xc2\x1b"), "\\xc2\\u001b");
  // A valid character right after an invalid byte is kept.
  EXPECT_EQ(terminal_safe("\xff\xc3\xab"), "\\xff\xc3\xab");
}

TEST(TerminalSafe, OutputHasNoControlBytes) {
  std::string every;
  for (int b = 0; b < 256; ++b) {
    every += static_cast<char>(b);
    every += "\xc2";
    every += static_cast<char>(b);
  }
  const std::string out = terminal_safe(every);
  for (char c : out) {
    const auto u = static_cast<unsigned char>(c);
    EXPECT_TRUE(u >= 0x20 && u != 0x7f) << static_cast<int>(u);
  }
  EXPECT_EQ(out.find("\xc2\x80"), std::string::npos);
  EXPECT_EQ(out.find("\xc2\x9f"), std::string::npos);
  EXPECT_EQ(terminal_safe(out), out);  // escaping twice changes nothing more
}

TEST(TerminalWidth, CountsColumnsNotBytes) {
  EXPECT_EQ(terminal_width(""), 0U);
  EXPECT_EQ(terminal_width("abc"), 3U);
  EXPECT_EQ(terminal_width("Zo\xc3\xab"), 3U);                // 4 bytes
  EXPECT_EQ(terminal_width("\xe5\xb1\xb1\xe7\x94\xb0"), 4U);  // two wide CJK characters
  EXPECT_EQ(terminal_width("e\xcc\x81"), 1U);                 // e + combining acute
  EXPECT_EQ(terminal_width(terminal_safe("\x1b[2J")), 9U);    // "\u001b[2J"
  EXPECT_EQ(terminal_width("\xff"), 1U);
}

TEST(TerminalPrefix, NeverCutsACharacterInHalf) {
  EXPECT_EQ(terminal_prefix("abcdef", 3), "abc");
  EXPECT_EQ(terminal_prefix("abc", 10), "abc");
  EXPECT_EQ(terminal_prefix("Zo\xc3\xab!", 3), "Zo\xc3\xab");
  EXPECT_EQ(terminal_prefix("Zo\xc3\xab!", 2), "Zo");
  // A wide character that would overflow the budget is left out whole.
  EXPECT_EQ(terminal_prefix("a\xe5\xb1\xb1\xe7\x94\xb0", 4), "a\xe5\xb1\xb1");
  EXPECT_EQ(terminal_prefix("a\xe5\xb1\xb1\xe7\x94\xb0", 2), "a");
  EXPECT_EQ(terminal_prefix("\xf0\x9f\x93\xa7x", 1), "");
  EXPECT_EQ(terminal_prefix("", 5), "");
}

}  // namespace
}  // namespace assay
