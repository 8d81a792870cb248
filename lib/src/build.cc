#include "assay/build.h"

#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assay/base64url.h"
#include "assay/signature.h"
#include "assay/timefmt.h"
#include "base64url_internal.h"

namespace assay {

std::string random_uuid() {
  std::array<unsigned char, 16> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) != 1) {
    // The CSPRNG failing is not recoverable; never fall back to a weak source.
    std::abort();
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) {
      out.push_back('-');
    }
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0x0F]);
  }
  return out;
}

namespace {

// Appends `s` as a JSON string when it needs no escaping (printable ASCII other than '"' and
// '\\'), byte for byte as nlohmann's dump() writes it; returns false otherwise.
bool append_plain_string(std::string& out, std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') {
      return false;
    }
  }
  out += '"';
  out += s;
  out += '"';
  return true;
}

// Compact JSON objects of plain strings and integers, written directly.
class PlainObjectWriter {
 public:
  void string(std::string_view name, std::string_view value) {
    ok_ = ok_ && open_member(name) && append_plain_string(text_, value);
  }
  void integer(std::string_view name, int64_t value) {
    ok_ = ok_ && open_member(name);
    text_ += std::to_string(value);
  }
  void string_array(std::string_view name, const std::vector<std::string>& values) {
    ok_ = ok_ && open_member(name);
    text_ += '[';
    for (size_t i = 0; i < values.size() && ok_; ++i) {
      if (i > 0) {
        text_ += ',';
      }
      ok_ = append_plain_string(text_, values[i]);
    }
    text_ += ']';
  }
  // The object text, or false when a string needed escaping.
  bool finish(std::string& out) {
    text_ += text_.empty() ? "{}" : "}";
    if (ok_) {
      out = std::move(text_);
    }
    return ok_;
  }

 private:
  bool open_member(std::string_view name) {
    text_ += text_.empty() ? '{' : ',';
    const bool plain = append_plain_string(text_, name);
    text_ += ':';
    return plain;
  }
  std::string text_;
  bool ok_ = true;
};

bool wants_sha1(ThumbprintHeaders t) {
  return t == ThumbprintHeaders::kSha1 || t == ThumbprintHeaders::kBoth;
}
bool wants_sha256(ThumbprintHeaders t) {
  return t == ThumbprintHeaders::kSha256 || t == ThumbprintHeaders::kBoth;
}

std::vector<std::string> x5c_of(const Certificate& leaf, std::span<const Certificate> chain) {
  std::vector<std::string> x5c;
  x5c.push_back(base64_encode(leaf.der()));
  for (const Certificate& c : chain) {
    x5c.push_back(base64_encode(c.der()));
  }
  return x5c;
}

// The header and claims written directly, byte for byte what build_json's dump() gives, when
// there are no extra members and no string needs escaping (every real assertion); returns
// false otherwise. Building and dumping two nlohmann objects costs more than an ES256
// signature's margin.
bool write_plain_json(const AssertionSpec& spec, const Certificate* certificate,
                      std::span<const Certificate> chain, const std::string& jti, int64_t t,
                      std::string& header_json, std::string& payload_json) {
  if (!spec.extra_headers.empty() || !spec.extra_claims.empty()) {
    return false;
  }
  PlainObjectWriter h;
  h.string("alg", alg_name(spec.alg));
  if (spec.typ) {
    h.string("typ", *spec.typ);
  }
  if (certificate != nullptr && !certificate->empty()) {
    const Thumbprints& tp = certificate->thumbprints();
    if (wants_sha1(spec.thumbprints)) {
      h.string("x5t", tp.x5t);
    }
    if (wants_sha256(spec.thumbprints)) {
      h.string("x5t#S256", tp.x5t_s256);
    }
  }
  if (spec.kid) {
    h.string("kid", *spec.kid);
  }
  if (spec.include_x5c) {
    h.string_array("x5c", x5c_of(*certificate, chain));
  }
  PlainObjectWriter p;
  p.string("aud", spec.audience);
  p.string("iss", spec.client_id);
  p.string("sub", spec.client_id);
  p.string("jti", jti);
  if (spec.include_nbf) {
    p.integer("nbf", t + spec.nbf_offset.count());
  }
  if (spec.include_iat) {
    p.integer("iat", t);
  }
  p.integer("exp", t + spec.lifetime.count());
  std::string header_text;
  std::string payload_text;
  if (!h.finish(header_text) || !p.finish(payload_text)) {
    return false;
  }
  header_json = std::move(header_text);
  payload_json = std::move(payload_text);
  return true;
}

// The header and claims as nlohmann objects (extra members replace defaults), dumped.
Result<bool> build_json(const AssertionSpec& spec, const Certificate* certificate,
                        std::span<const Certificate> chain, const std::string& jti, int64_t t,
                        std::string& header_json, std::string& payload_json) {
  Json header = Json::object();
  header["alg"] = alg_name(spec.alg);
  if (spec.typ) {
    header["typ"] = *spec.typ;
  }
  if (certificate != nullptr && !certificate->empty()) {
    const Thumbprints& tp = certificate->thumbprints();
    if (wants_sha1(spec.thumbprints)) {
      header["x5t"] = tp.x5t;
    }
    if (wants_sha256(spec.thumbprints)) {
      header["x5t#S256"] = tp.x5t_s256;
    }
  }
  if (spec.kid) {
    header["kid"] = *spec.kid;
  }
  if (spec.include_x5c) {
    Json x5c = Json::array();
    for (std::string& c : x5c_of(*certificate, chain)) {
      x5c.push_back(std::move(c));
    }
    header["x5c"] = std::move(x5c);
  }

  Json payload = Json::object();
  payload["aud"] = spec.audience;
  payload["iss"] = spec.client_id;
  payload["sub"] = spec.client_id;
  payload["jti"] = jti;
  if (spec.include_nbf) {
    payload["nbf"] = t + spec.nbf_offset.count();
  }
  if (spec.include_iat) {
    payload["iat"] = t;
  }
  payload["exp"] = t + spec.lifetime.count();

  auto apply = [](Json& target, const std::vector<std::pair<std::string, std::string>>& extra,
                  std::string_view what) -> Result<bool> {
    for (const auto& [name, text] : extra) {
      Json value;
      const JsonParseOutcome o = parse_json_strict(text, value, {}, /*require_object=*/false);
      if (!o.clean()) {
        return make_error(ErrorCode::kInvalidArgument,
                          std::string(what) + " " + name + ": value is not JSON (" +
                              (o.issues.empty() ? "invalid" : o.issues[0].message) +
                              "); quote strings, e.g. '\"text\"'");
      }
      target[name] = std::move(value);
    }
    return true;
  };
  ASSAY_TRY(apply(header, spec.extra_headers, "header"));
  ASSAY_TRY(apply(payload, spec.extra_claims, "claim"));
  header_json = header.dump();
  payload_json = payload.dump();
  return true;
}

}  // namespace

Result<std::string> sign_compact_bytes(std::string_view header_bytes,
                                       std::string_view payload_bytes, Alg alg, const Key& key) {
  using internal::base64url_length;
  std::string token;
  // One allocation for the whole token: ES512 signatures are 132 bytes, RSA ones the modulus.
  const size_t max_sig = std::max<size_t>(132, static_cast<size_t>(std::max(key.bits(), 0)) / 8 + 1);
  token.reserve(base64url_length(header_bytes.size()) + base64url_length(payload_bytes.size()) +
                base64url_length(max_sig) + 2);
  internal::append_base64url(token, header_bytes);
  token += '.';
  internal::append_base64url(token, payload_bytes);
  ASSAY_ASSIGN_OR_RETURN(auto sig, sign(alg, key, token));
  token += '.';
  internal::append_base64url(token, sig);
  return token;
}

Result<std::string> sign_compact(const Json& header, const Json& payload, Alg alg,
                                 const Key& key) {
  return sign_compact_bytes(header.dump(), payload.dump(), alg, key);
}

Result<BuiltAssertion> build_assertion(const AssertionSpec& spec, const Key& key,
                                       const Certificate* certificate,
                                       std::span<const Certificate> chain) {
  if (spec.client_id.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "a client id is required (iss and sub)");
  }
  if (spec.audience.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "an audience is required (aud)");
  }
  if (!key.has_private()) {
    return make_error(ErrorCode::kInvalidArgument, "signing needs a private key");
  }
  if (!key.supports(spec.alg)) {
    std::string algs;
    for (Alg a : key.supported_algs()) {
      algs += (algs.empty() ? "" : ", ") + std::string(alg_name(a));
    }
    return make_error(ErrorCode::kInvalidArgument,
                      "a " + key.describe() + " cannot sign " + std::string(alg_name(spec.alg)) +
                          " (it can sign " + algs + ")");
  }
  const bool wants_cert = spec.thumbprints != ThumbprintHeaders::kNone || spec.include_x5c;
  if (wants_cert && (certificate == nullptr || certificate->empty())) {
    return make_error(ErrorCode::kInvalidArgument,
                      "thumbprint headers (x5t, x5t#S256) and x5c need the certificate");
  }
  if (certificate != nullptr && !certificate->empty() &&
      !key_matches_certificate(key, *certificate)) {
    return make_error(ErrorCode::kInvalidArgument,
                      "the private key does not belong to the certificate (subject " +
                          certificate->subject() + ", SHA-1 " +
                          certificate->thumbprints().sha1_hex + ")");
  }

  const Seconds now = spec.now ? *spec.now : now_seconds();
  const int64_t t = now.time_since_epoch().count();
  const std::string jti = spec.jti ? *spec.jti : random_uuid();
  BuiltAssertion out;
  if (!write_plain_json(spec, certificate, chain, jti, t, out.header_json, out.payload_json)) {
    ASSAY_TRY(build_json(spec, certificate, chain, jti, t, out.header_json, out.payload_json));
  }
  ASSAY_ASSIGN_OR_RETURN(out.token,
                         sign_compact_bytes(out.header_json, out.payload_json, spec.alg, key));
  return out;
}

}  // namespace assay
