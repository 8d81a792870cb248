// ENC rules, through the whole engine.
#include <gtest/gtest.h>

#include "assay/base64url.h"
#include "support/rule_cases.h"

namespace assay::test {
namespace {

std::string seg(const std::string& token, int i) {
  size_t a = 0;
  for (int k = 0; k < i; ++k) {
    a = token.find('.', a) + 1;
  }
  const size_t b = token.find('.', a);
  return token.substr(a, b == std::string::npos ? std::string::npos : b - a);
}

std::string replace_seg(const std::string& token, int i, const std::string& value) {
  std::string parts[3] = {seg(token, 0), seg(token, 1), seg(token, 2)};
  parts[i] = value;
  return parts[0] + "." + parts[1] + "." + parts[2];
}

}  // namespace

const std::vector<RuleCase>& encoding_rule_cases() {
  static const std::vector<RuleCase> kCases = {
    {"Valid", [](Case&) {}, {}},
    {"TwoSegments", [](Case& c) { c.tamper = [](const std::string& t) { return t.substr(0, t.rfind('.')); }; },
     {"ENC001"}},
    {"FiveSegments", [](Case& c) { c.tamper = [](const std::string& t) { return t + ".x.y"; }; },
     {"ENC001"}},
    {"PaddedHeaderSigned",
     [](Case& c) {
       std::string h = c.header.dump();
       while (h.size() % 3 == 0) {
         h += ' ';  // JSON allows trailing whitespace; it makes base64 need padding
       }
       c.raw_header = h;
       c.pre_sign = [](const std::string& in) {
         std::string padded = base64_encode(base64url_decode(in.substr(0, in.find('.'))).value());
         for (char& ch : padded) {
           ch = ch == '+' ? '-' : ch == '/' ? '_' : ch;
         }
         return padded + in.substr(in.find('.'));
       };
     },
     {"ENC002"}},
    {"StandardAlphabetSignature",
     [](Case& c) {
       c.alg = Alg::kRS256;
       c.header["alg"] = "RS256";
       c.tamper = [](const std::string& t) {
         std::string s = seg(t, 2);
         const std::string before = s;
         for (char& ch : s) {
           ch = ch == '-' ? '+' : ch == '_' ? '/' : ch;
         }
         EXPECT_NE(s, before) << "the RS256 signature has no '-' or '_' to swap";
         return replace_seg(t, 2, s);
       };
     },
     {"ENC003"}},
    {"WhitespaceSigned",
     [](Case& c) {
       c.pre_sign = [](const std::string& in) { return in.substr(0, 10) + "\n" + in.substr(10); };
     },
     {"ENC004"}},
    {"InvalidCharacter",
     [](Case& c) { c.tamper = [](const std::string& t) { return "*" + t.substr(1); }; }, {"ENC005"}},
    {"NonCanonicalSignatureBits",
     [](Case& c) {
       c.alg = Alg::kRS256;  // deterministic, so the altered character is stable
       c.header["alg"] = "RS256";
       c.tamper = [](const std::string& t) {
         std::string s = seg(t, 2);  // 256 bytes -> 342 chars, 4 unused bits in the last one
         const std::string alphabet =
             "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
         const size_t v = alphabet.find(s.back());
         s.back() = alphabet[v + 1];
         return replace_seg(t, 2, s);
       };
     },
     {"ENC006"}},
    {"Bom", [](Case& c) { c.raw_payload = "\xEF\xBB\xBF" + c.payload.dump(); }, {"ENC007"}},
    {"DuplicateMember",
     [](Case& c) {
       std::string p = c.payload.dump();
       p.insert(1, "\"exp\":1,");
       c.raw_payload = p;
     },
     {"ENC008"}},
    {"NulInString", [](Case& c) { c.payload["jti"] = std::string("abc\0def", 7); }, {"ENC009"}},
    {"TrailingComma", [](Case& c) { c.raw_payload = R"({"iss":"x",})"; }, {"ENC010"}},
    {"TrailingGarbage", [](Case& c) { c.raw_payload = c.payload.dump() + "xyz"; }, {"ENC010"}},
    {"PayloadArray", [](Case& c) { c.raw_payload = "[1,2]"; }, {"ENC011"}},
    {"TooLarge", [](Case& c) { c.payload["pad"] = std::string(70000, 'a'); }, {"ENC012"}},
    {"JsonSerialization",
     [](Case& c) { c.tamper = [](const std::string&) { return R"({"payload":"e30","signature":"x"})"; }; },
     {"ENC013"}},
  };
  return kCases;
}

namespace {

class EncodingRules : public ::testing::TestWithParam<RuleCase> {};
TEST_P(EncodingRules, FireExactly) { expect_rules(GetParam()); }
INSTANTIATE_TEST_SUITE_P(Cases, EncodingRules, ::testing::ValuesIn(encoding_rule_cases()), case_name);

}  // namespace
}  // namespace assay::test
