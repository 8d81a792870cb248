// JSON strictness lives here, in one place: a SAX handler that builds the DOM itself so it can
// see what nlohmann's own DOM parser hides (duplicate names, NUL in strings) and bound depth.
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "assay/json.h"
#include "assay/timefmt.h"

namespace assay {
namespace {

class StrictSax final : public nlohmann::json_sax<Json> {
 public:
  static constexpr size_t kReservedMembers = 8;

  StrictSax(Json& root, size_t max_depth, std::vector<JsonIssue>& issues)
      : root_(root), max_depth_(max_depth), issues_(issues) {}

  bool null() override { return add(Json(nullptr)); }
  bool boolean(bool v) override { return add(Json(v)); }
  bool number_integer(number_integer_t v) override { return add(Json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return add(Json(v)); }
  bool number_float(number_float_t v, const string_t& /*raw*/) override { return add(Json(v)); }
  bool string(string_t& v) override {
    if (v.find('\0') != std::string::npos) {
      issues_.push_back({JsonIssueKind::kNulInString, child_pointer(),
                         "string value contains a NUL character (U+0000)"});
    }
    // Copied, not moved: `v` is the lexer's buffer, which keeps its capacity for the next
    // string only if it is not moved from.
    return add(Json(v));
  }
  bool binary(binary_t& /*v*/) override { return false; }  // not produced by the JSON lexer

  bool start_object(std::size_t /*n*/) override {
    Json obj = Json::object();
    // Room for a typical JOSE header or claim set, so that adding members does not reallocate.
    obj.get_ref<Json::object_t&>().reserve(kReservedMembers);
    return open(std::move(obj));
  }
  bool end_object() override { return close(); }
  bool start_array(std::size_t /*n*/) override { return open(Json::array()); }
  bool end_array() override { return close(); }

  bool key(string_t& k) override {
    Json& obj = *stack_.back();
    if (k.find('\0') != std::string::npos) {
      issues_.push_back({JsonIssueKind::kNulInString, pointer() + "/" + json_pointer_escape(k),
                         "member name contains a NUL character (U+0000)"});
    }
    auto it = obj.find(k);
    if (it != obj.end()) {
      duplicate_key_ = true;
      first_value_ = it->dump();
    } else {
      duplicate_key_ = false;
    }
    key_.assign(k);  // a copy leaves the lexer's buffer its capacity
    return true;
  }

  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& ex) override {
    if (!too_deep_) {
      std::string what = ex.what();
      // nlohmann's text starts with "[json.exception.parse_error.101] parse error at line 1,
      // column 5: "; keep the reason and report a byte offset instead.
      const auto colon = what.find(": ");
      if (what.rfind("[json.exception.", 0) == 0 && colon != std::string::npos) {
        what = what.substr(colon + 2);
      }
      issues_.push_back({JsonIssueKind::kSyntax, "",
                         "invalid JSON at byte " + std::to_string(position > 0 ? position - 1 : 0) +
                             ": " + what});
    }
    return false;
  }

  bool too_deep() const { return too_deep_; }

 private:
  // The pointer of the container on top of the stack.
  std::string pointer() const {
    std::string p;
    for (const auto& t : path_) {
      p += '/';
      p += json_pointer_escape(t);
    }
    return p;
  }

  // The pointer of the value about to be added to the top container.
  std::string child_pointer() const {
    if (stack_.empty()) {
      return "";
    }
    const Json& top = *stack_.back();
    if (top.is_array()) {
      return pointer() + "/" + std::to_string(top.size());
    }
    return pointer() + "/" + json_pointer_escape(key_);
  }

  // Places `v` in the current container (or as the root) and returns where it now lives.
  Json* place(Json&& v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    Json& top = *stack_.back();
    if (top.is_array()) {
      top.push_back(std::move(v));
      return &top.back();
    }
    if (duplicate_key_) {
      Json& slot = top[key_];
      std::string last = v.dump();
      issues_.push_back({JsonIssueKind::kDuplicateMember,
                         pointer() + "/" + json_pointer_escape(key_),
                         "member \"" + key_ + "\" appears more than once (first " + first_value_ +
                             ", then " + last + ")"});
      slot = std::move(v);
      duplicate_key_ = false;
      return &slot;
    }
    // key() found no member of this name: append without ordered_map::emplace's second search.
    Json::object_t& members = top.get_ref<Json::object_t&>();
    members.emplace_back(key_, std::move(v));
    return &members.back().second;
  }

  bool add(Json&& v) {
    place(std::move(v));
    return true;
  }

  bool open(Json&& container) {
    if (stack_.size() >= max_depth_) {
      too_deep_ = true;
      issues_.push_back({JsonIssueKind::kTooDeep, pointer(),
                         "nesting deeper than " + std::to_string(max_depth_) + " levels"});
      return false;
    }
    std::string token;
    if (!stack_.empty()) {
      const Json& top = *stack_.back();
      token = top.is_array() ? std::to_string(top.size()) : key_;
    }
    Json* placed = place(std::move(container));
    if (stack_.size() > 0) {
      path_.push_back(std::move(token));
    }
    stack_.push_back(placed);
    return true;
  }

  bool close() {
    stack_.pop_back();
    if (!path_.empty() && !stack_.empty()) {
      path_.pop_back();
    }
    return true;
  }

  Json& root_;
  size_t max_depth_;
  std::vector<JsonIssue>& issues_;
  std::vector<Json*> stack_;
  std::vector<std::string> path_;
  std::string key_;
  std::string first_value_;
  bool duplicate_key_ = false;
  bool too_deep_ = false;
};

}  // namespace

std::string_view json_issue_name(JsonIssueKind kind) {
  switch (kind) {
    case JsonIssueKind::kBom:
      return "bom";
    case JsonIssueKind::kDuplicateMember:
      return "duplicate-member";
    case JsonIssueKind::kNulInString:
      return "nul-in-string";
    case JsonIssueKind::kTooLarge:
      return "too-large";
    case JsonIssueKind::kTooDeep:
      return "too-deep";
    case JsonIssueKind::kSyntax:
      return "syntax";
    case JsonIssueKind::kNotObject:
      return "not-object";
  }
  return "unknown";
}

std::string json_pointer_escape(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

JsonParseOutcome parse_json_strict(std::string_view text, Json& out, const JsonLimits& limits,
                                   bool require_object) {
  JsonParseOutcome outcome;
  out = nullptr;
  if (text.size() > limits.max_bytes) {
    outcome.issues.push_back({JsonIssueKind::kTooLarge, "",
                              "the JSON text is " + std::to_string(text.size()) +
                                  " bytes; the limit is " + format_size(limits.max_bytes)});
    return outcome;
  }
  if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
      static_cast<unsigned char>(text[1]) == 0xBB && static_cast<unsigned char>(text[2]) == 0xBF) {
    outcome.issues.push_back(
        {JsonIssueKind::kBom, "", "starts with a UTF-8 byte order mark (EF BB BF)"});
    text.remove_prefix(3);
  }
  Json value;
  StrictSax sax(value, limits.max_depth, outcome.issues);
  const bool ok = Json::sax_parse(text.begin(), text.end(), &sax, nlohmann::json::input_format_t::json,
                                  /*strict=*/true, /*ignore_comments=*/false);
  if (!ok) {
    return outcome;
  }
  outcome.parsed = true;
  if (require_object && !value.is_object()) {
    outcome.issues.push_back({JsonIssueKind::kNotObject, "",
                              std::string("top-level value is ") + value.type_name() +
                                  ", not an object"});
  }
  out = std::move(value);
  return outcome;
}

}  // namespace assay
