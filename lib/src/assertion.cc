#include "assay/assertion.h"

#include <algorithm>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "assay/base64url.h"
#include "assay/timefmt.h"

namespace assay {
namespace internal {

// nlohmann's destructor moves an object's members to a heap-allocated stack before destroying
// them (to bound recursion); emptying the top-level object first spares a flat header or claim
// set that allocation. Nested values are destroyed as before.
inline void clear_top_level(Json& j) {
  if (auto* members = j.get_ptr<Json::object_t*>(); members != nullptr) {
    members->clear();
  }
}

// A decoded header segment. Immutable once made, so assertions share it: one client's
// assertions differ only in their claims, and the header is about a quarter of the decoding
// work.
struct HeaderPart {
  std::string segment;  // the base64url text it was decoded from
  size_t max_depth = 0;
  std::string bytes;
  Json json;
  std::vector<Finding> findings;  // ENC findings of the header, in the order found

  HeaderPart() = default;
  HeaderPart(const HeaderPart&) = delete;
  HeaderPart& operator=(const HeaderPart&) = delete;
  ~HeaderPart() { clear_top_level(json); }
};

struct AssertionData {
  std::string compact;
  size_t dot1 = 0;  // position of the first '.'
  size_t dot2 = 0;  // position of the second '.'
  std::shared_ptr<const HeaderPart> header;
  std::string payload_bytes;
  std::string signature_bytes;
  Json payload;
  std::vector<Finding> findings;  // the header's, then the payload's and the signature's

  AssertionData() = default;
  AssertionData(const AssertionData&) = delete;
  AssertionData& operator=(const AssertionData&) = delete;
  ~AssertionData() { clear_top_level(payload); }
};

}  // namespace internal

namespace {

using internal::AssertionData;

Finding make_finding(std::string rule, std::string message, std::string pointer,
                     std::string hint = {}) {
  Finding f;
  f.rule_id = std::move(rule);
  f.severity = Severity::kError;
  f.message = std::move(message);
  f.hint = std::move(hint);
  f.pointer = std::move(pointer);
  return f;
}

// Decodes one segment, strictly when possible (the fast path), else leniently with a finding
// per irregularity. Returns false when no bytes could be recovered.
bool decode_segment(std::string_view segment, std::string_view name, std::string& out,
                    std::vector<Finding>& findings) {
  auto strict = base64url_decode(segment);
  if (strict) {
    out = std::move(*strict);
    return true;
  }
  const std::string pointer = "/" + std::string(name);
  auto lenient = base64url_decode_lenient(segment);
  if (!lenient) {
    findings.push_back(make_finding("ENC005", "the " + std::string(name) +
                                                  " segment cannot be decoded: " +
                                                  lenient.error().message,
                                    pointer));
    return false;
  }
  for (Base64Irregularity irr : lenient->irregularities) {
    switch (irr) {
      case Base64Irregularity::kPadding:
        findings.push_back(make_finding(
            "ENC002", "the " + std::string(name) + " segment has '=' padding", pointer));
        break;
      case Base64Irregularity::kStandardAlphabet:
        findings.push_back(make_finding("ENC003",
                                        "the " + std::string(name) +
                                            " segment uses the standard base64 alphabet ('+' or "
                                            "'/')",
                                        pointer));
        break;
      case Base64Irregularity::kWhitespace:
        findings.push_back(make_finding(
            "ENC004", "the " + std::string(name) + " segment contains whitespace", pointer));
        break;
      case Base64Irregularity::kNonCanonicalBits:
        findings.push_back(make_finding("ENC006",
                                        "the " + std::string(name) +
                                            " segment is not canonical base64url: the last "
                                            "character '" +
                                            std::string(1, segment.back()) +
                                            "' has non-zero unused bits",
                                        pointer));
        break;
    }
  }
  out = std::move(lenient->bytes);
  return true;
}

void parse_segment_json(const std::string& bytes, std::string_view name, Json& out,
                        size_t max_depth, std::vector<Finding>& findings) {
  const std::string base = "/" + std::string(name);
  JsonLimits limits;
  limits.max_bytes = kDefaultMaxTokenBytes * 2;  // the token cap already bounds the input
  limits.max_depth = max_depth;
  if (bytes.empty()) {
    findings.push_back(make_finding("ENC010", "the " + std::string(name) + " is empty", base));
    out = nullptr;
    return;
  }
  JsonParseOutcome outcome = parse_json_strict(bytes, out, limits, /*require_object=*/true);
  for (JsonIssue& issue : outcome.issues) {
    std::string what = "the " + std::string(name) + " " + issue.message;
    switch (issue.kind) {
      case JsonIssueKind::kBom:
        findings.push_back(make_finding("ENC007", std::move(what), base));
        break;
      case JsonIssueKind::kDuplicateMember:
        findings.push_back(make_finding(
            "ENC008",
            "in the " + std::string(name) + ", " + issue.message + "; the last value is used",
            base + issue.pointer));
        break;
      case JsonIssueKind::kNulInString:
        findings.push_back(make_finding("ENC009", "in the " + std::string(name) + ", a " +
                                                      issue.message,
                                        base + issue.pointer));
        break;
      case JsonIssueKind::kTooLarge:
      case JsonIssueKind::kTooDeep:
      case JsonIssueKind::kSyntax:
        findings.push_back(make_finding("ENC010", "the " + std::string(name) + " is not valid JSON: " +
                                                      issue.message,
                                        base));
        break;
      case JsonIssueKind::kNotObject:
        findings.push_back(make_finding("ENC011", "the " + std::string(name) + " is JSON, but its " +
                                                      issue.message,
                                        base));
        break;
    }
  }
}

std::string segment_count_message(size_t dots, std::string_view compact) {
  const size_t segments = dots + 1;
  std::string m = "expected 3 dot-separated segments, found " + std::to_string(segments);
  if (segments == 5) {
    m += ": this is a JWE (an encrypted token), not a signed assertion";
  } else if (segments == 2) {
    m += ": the signature segment is missing (a token must end in '.' plus the signature)";
  } else if (segments == 1) {
    m += compact.find('%') != std::string_view::npos
             ? ": no '.' at all; the token looks URL-encoded (%2E is '.')"
             : ": no '.' at all, so this is not a JWT";
  }
  return m;
}

// Headers up to this size are remembered (per thread) for the next token.
constexpr size_t kRememberedHeaderBytes = 1024;

// The decoded header for `segment`: the one this thread decoded last when the segment is the
// same (a client's assertions, a batch, a token endpoint's traffic), else a new one.
std::shared_ptr<const internal::HeaderPart> header_part(std::string_view segment,
                                                        size_t max_depth) {
  thread_local std::shared_ptr<const internal::HeaderPart> last;
  if (last != nullptr && last->max_depth == max_depth && last->segment == segment) {
    return last;
  }
  auto part = std::make_shared<internal::HeaderPart>();
  part->max_depth = max_depth;
  if (decode_segment(segment, "header", part->bytes, part->findings)) {
    parse_segment_json(part->bytes, "header", part->json, max_depth, part->findings);
  }
  if (segment.size() <= kRememberedHeaderBytes) {
    part->segment.assign(segment);
    last = part;
  }
  return part;
}

}  // namespace

Assertion::Assertion(std::shared_ptr<const internal::AssertionData> data) : data_(std::move(data)) {}

std::string_view Assertion::compact() const { return data_->compact; }
std::string_view Assertion::header_segment() const {
  return std::string_view(data_->compact).substr(0, data_->dot1);
}
std::string_view Assertion::payload_segment() const {
  return std::string_view(data_->compact).substr(data_->dot1 + 1, data_->dot2 - data_->dot1 - 1);
}
std::string_view Assertion::signature_segment() const {
  return std::string_view(data_->compact).substr(data_->dot2 + 1);
}
std::string_view Assertion::signing_input() const {
  return std::string_view(data_->compact).substr(0, data_->dot2);
}
const std::string& Assertion::header_bytes() const { return data_->header->bytes; }
const std::string& Assertion::payload_bytes() const { return data_->payload_bytes; }
const std::string& Assertion::signature_bytes() const { return data_->signature_bytes; }
const Json& Assertion::header() const { return data_->header->json; }
const Json& Assertion::payload() const { return data_->payload; }
bool Assertion::header_is_object() const { return data_->header->json.is_object(); }
bool Assertion::payload_is_object() const { return data_->payload.is_object(); }
const std::vector<Finding>& Assertion::findings() const { return data_->findings; }

Result<Assertion> decode(std::string_view compact, const DecodeOptions& options) {
  if (compact.size() > options.max_bytes) {
    return make_error(ErrorCode::kTooLarge,
                      "the token is " + std::to_string(compact.size()) + " bytes; the limit is " +
                          format_size(options.max_bytes),
                      {}, "ENC012");
  }
  if (compact.empty()) {
    return make_error(ErrorCode::kMalformedToken, "the token is empty", {}, "ENC001");
  }
  if (compact.front() == '{') {
    return make_error(ErrorCode::kMalformedToken,
                      "this is a JWS JSON serialization ('{' ...), not the compact form", {},
                      "ENC013");
  }
  const size_t dot1 = compact.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : compact.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || compact.find('.', dot2 + 1) != std::string_view::npos) {
    const size_t dots = static_cast<size_t>(std::count(compact.begin(), compact.end(), '.'));
    return make_error(ErrorCode::kMalformedToken, segment_count_message(dots, compact), {},
                      "ENC001");
  }
  auto data = std::make_shared<AssertionData>();
  data->compact.assign(compact);
  data->dot1 = dot1;
  data->dot2 = dot2;
  const std::string_view c = data->compact;
  const std::string_view h = c.substr(0, data->dot1);
  const std::string_view p = c.substr(data->dot1 + 1, data->dot2 - data->dot1 - 1);
  const std::string_view s = c.substr(data->dot2 + 1);

  data->header = header_part(h, options.max_json_depth);
  data->findings = data->header->findings;
  if (decode_segment(p, "payload", data->payload_bytes, data->findings)) {
    parse_segment_json(data->payload_bytes, "payload", data->payload, options.max_json_depth,
                       data->findings);
  }
  decode_segment(s, "signature", data->signature_bytes, data->findings);
  return Assertion(std::move(data));
}

}  // namespace assay
