// File: assay/json.h
//
// Strict JSON for JOSE headers, claim sets and every other JSON assay reads. nlohmann/json keeps
// the last of duplicate member names, skips a UTF-8 BOM and accepts NUL inside strings, all
// silently; `parse_json_strict` reports each of these as a `JsonIssue` instead, enforces depth
// and size limits, and rejects trailing data. Objects keep their member order (`Json` is
// nlohmann's `ordered_json`) so tools show a header exactly as it was sent.
#ifndef ASSAY_JSON_H_
#define ASSAY_JSON_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace assay {

using Json = nlohmann::ordered_json;

// What a strict parse found wrong with its input.
enum class JsonIssueKind {
  kBom,              // a UTF-8 byte order mark before the value (parsing continued)
  kDuplicateMember,  // a member name repeated within one object (the output keeps the last
                     // value; the message does not say so, as callers may refuse the text)
  kNulInString,      // U+0000 inside a string or member name (kept as is)
  kTooLarge,         // the input exceeds JsonLimits::max_bytes (not parsed)
  kTooDeep,          // nesting exceeds JsonLimits::max_depth (parsing stopped)
  kSyntax,           // not JSON: syntax error, invalid UTF-8, number overflow, trailing data
  kNotObject,        // the top-level value is not an object (only with require_object)
};

// The stable kebab-case name of `kind`, e.g. "duplicate-member".
std::string_view json_issue_name(JsonIssueKind kind);

struct JsonIssue {
  JsonIssueKind kind;
  std::string pointer;  // RFC 6901 pointer into the value ("" = the whole document)
  std::string message;  // lower case, with the offending name, values or byte offset
};

struct JsonLimits {
  size_t max_bytes = 64 * 1024;
  size_t max_depth = 32;
};

// The outcome of a strict parse: `parsed` is true when a complete value was read into the
// output (possibly with BOM, duplicate, NUL or not-object issues); false after kTooLarge,
// kTooDeep or kSyntax, in which case the output is left null.
struct JsonParseOutcome {
  bool parsed = false;
  std::vector<JsonIssue> issues;
  bool clean() const { return parsed && issues.empty(); }
};

// Parses `text` into `out`. Never throws (except std::bad_alloc). With `require_object`, a
// top-level value that is not an object adds a kNotObject issue (the value is still returned).
JsonParseOutcome parse_json_strict(std::string_view text, Json& out, const JsonLimits& limits = {},
                                   bool require_object = true);

// Escapes one reference token for an RFC 6901 pointer ("~" -> "~0", "/" -> "~1").
std::string json_pointer_escape(std::string_view token);

}  // namespace assay

#endif  // ASSAY_JSON_H_
