#include "assay/request.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "assay/json.h"
#include "assay/timefmt.h"
#include "json_util.h"
#include "request_internal.h"

namespace assay {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

// Decodes one form component ('+' is a space). Returns false when an escape is malformed; the
// offending text is kept literally.
bool form_decode(std::string_view in, std::string& out) {
  bool ok = true;
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      const int hi = i + 1 < in.size() ? hex_value(in[i + 1]) : -1;
      const int lo = i + 2 < in.size() ? hex_value(in[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        ok = false;
        out.push_back(c);
      } else {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
      }
    } else {
      out.push_back(c);
    }
  }
  return ok;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) {
    s.remove_suffix(1);
  }
  return s;
}

bool starts_with_icase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) {
    return false;
  }
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

constexpr std::string_view kFormNames[] = {"grant_type=",          "client_id=",
                                           "client_assertion_type=", "client_assertion=",
                                           "scope=",               "resource=",
                                           "client_secret="};

bool looks_like_form(std::string_view s) {
  if (s.find('&') != std::string_view::npos) {
    return true;
  }
  return std::any_of(std::begin(kFormNames), std::end(kFormNames),
                     [&](std::string_view n) { return s.starts_with(n); });
}

}  // namespace

std::optional<std::string> TokenRequest::get(std::string_view name) const {
  for (const FormParam& p : params) {
    if (p.name == name) {
      return p.value;
    }
  }
  return std::nullopt;
}

size_t TokenRequest::count(std::string_view name) const {
  return static_cast<size_t>(std::count_if(params.begin(), params.end(),
                                           [&](const FormParam& p) { return p.name == name; }));
}

Result<TokenRequest> parse_form(std::string_view body, size_t max_bytes) {
  if (body.size() > max_bytes) {
    return make_error(ErrorCode::kTooLarge, "the form body is " + std::to_string(body.size()) +
                                                " bytes; the limit is " + format_size(max_bytes));
  }
  TokenRequest req;
  size_t start = 0;
  while (start <= body.size()) {
    size_t end = body.find('&', start);
    if (end == std::string_view::npos) {
      end = body.size();
    }
    const std::string_view pair = body.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) {
      if (end == body.size()) {
        break;
      }
      continue;
    }
    const size_t eq = pair.find('=');
    FormParam p;
    const bool name_ok = form_decode(pair.substr(0, eq), p.name);
    const bool value_ok =
        eq == std::string_view::npos ? true : form_decode(pair.substr(eq + 1), p.value);
    if (!name_ok || !value_ok) {
      req.findings.push_back(Finding{"EXC015", Severity::kError,
                                     "parameter '" + p.name + "' has a malformed percent-escape",
                                     "", "/form/" + json_pointer_escape(p.name)});
    }
    req.params.push_back(std::move(p));
  }
  std::vector<std::string> reported;
  for (const FormParam& p : req.params) {
    if (req.count(p.name) > 1 &&
        std::find(reported.begin(), reported.end(), p.name) == reported.end()) {
      reported.push_back(p.name);
      req.findings.push_back(Finding{"EXC013", Severity::kError,
                                     "parameter '" + p.name + "' appears " +
                                         std::to_string(req.count(p.name)) + " times",
                                     "", "/form/" + json_pointer_escape(p.name)});
    }
  }
  return req;
}

std::string form_encode(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size() * 3);
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) != 0 || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    }
  }
  return out;
}

std::string form_body(const std::vector<FormParam>& params) {
  std::string out;
  for (const FormParam& p : params) {
    if (!out.empty()) {
      out.push_back('&');
    }
    out += form_encode(p.name);
    out.push_back('=');
    out += form_encode(p.value);
  }
  return out;
}

std::string_view input_kind_name(InputKind k) {
  switch (k) {
    case InputKind::kToken:
      return "token";
    case InputKind::kForm:
      return "form";
    case InputKind::kJson:
      return "json";
  }
  return "token";
}

namespace internal {

Result<std::string_view> parse_input_view(std::string_view text, size_t max_bytes,
                                          ParsedInput& out) {
  if (text.size() > max_bytes) {
    return make_error(ErrorCode::kTooLarge, "the input is " + std::to_string(text.size()) +
                                                " bytes; the limit is " + format_size(max_bytes));
  }
  std::string_view s = trim(text);
  if (s.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "the input is empty");
  }
  out.kind = InputKind::kToken;
  if (s.front() == '{') {
    Json doc;
    JsonLimits limits;
    limits.max_bytes = max_bytes;
    const JsonParseOutcome o = parse_json_strict(s, doc, limits);
    if (o.parsed && doc.is_object()) {
      const Json& obj = doc;
      if (const Json* cap = internal::member(obj, "client_assertion"); cap != nullptr) {
        const Json& ca = *cap;
        if (!ca.is_string()) {
          return make_error(ErrorCode::kInvalidArgument,
                            "the JSON input's client_assertion is not a string");
        }
        out.kind = InputKind::kJson;
        out.token = std::string(trim(ca.get_ref<const std::string&>()));
        return std::string_view(out.token);
      }
      if (internal::member(obj, "payload") != nullptr &&
          (internal::member(obj, "signature") != nullptr || internal::member(obj, "signatures") != nullptr)) {
        return s;  // a JWS JSON serialization: decode reports ENC013
      }
    }
    return make_error(ErrorCode::kInvalidArgument,
                      "the input is JSON but has no client_assertion member");
  }
  if (looks_like_form(s)) {
    ASSAY_ASSIGN_OR_RETURN(auto req, parse_form(s, max_bytes));
    out.kind = InputKind::kForm;
    out.token = req.get("client_assertion").value_or("");
    out.request = std::move(req);
    return std::string_view(out.token);
  }
  if (starts_with_icase(s, "bearer ")) {
    s = trim(s.substr(7));
  }
  return s;
}

}  // namespace internal

Result<ParsedInput> parse_input(std::string_view text, size_t max_bytes) {
  ParsedInput out;
  ASSAY_ASSIGN_OR_RETURN(const std::string_view token,
                         internal::parse_input_view(text, max_bytes, out));
  if (out.kind == InputKind::kToken) {
    out.token = std::string(token);
  }
  return out;
}

}  // namespace assay
