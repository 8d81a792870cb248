#include "assay/build.h"

#include <openssl/rand.h>

#include <array>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "assay/base64url.h"
#include "assay/signature.h"
#include "assay/timefmt.h"

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

Result<std::string> sign_compact_bytes(std::string_view header_bytes,
                                       std::string_view payload_bytes, Alg alg, const Key& key) {
  std::string input = base64url_encode(header_bytes);
  input += '.';
  input += base64url_encode(payload_bytes);
  ASSAY_ASSIGN_OR_RETURN(auto sig, sign(alg, key, input));
  input += '.';
  input += base64url_encode(sig);
  return input;
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

  Json header = Json::object();
  header["alg"] = alg_name(spec.alg);
  if (spec.typ) {
    header["typ"] = *spec.typ;
  }
  if (certificate != nullptr && !certificate->empty()) {
    const Thumbprints& t = certificate->thumbprints();
    if (spec.thumbprints == ThumbprintHeaders::kSha1 ||
        spec.thumbprints == ThumbprintHeaders::kBoth) {
      header["x5t"] = t.x5t;
    }
    if (spec.thumbprints == ThumbprintHeaders::kSha256 ||
        spec.thumbprints == ThumbprintHeaders::kBoth) {
      header["x5t#S256"] = t.x5t_s256;
    }
  }
  if (spec.kid) {
    header["kid"] = *spec.kid;
  }
  if (spec.include_x5c) {
    Json x5c = Json::array();
    x5c.push_back(base64_encode(certificate->der()));
    for (const Certificate& c : chain) {
      x5c.push_back(base64_encode(c.der()));
    }
    header["x5c"] = std::move(x5c);
  }

  const Seconds now = spec.now.value_or(now_seconds());
  const int64_t t = now.time_since_epoch().count();
  Json payload = Json::object();
  payload["aud"] = spec.audience;
  payload["iss"] = spec.client_id;
  payload["sub"] = spec.client_id;
  payload["jti"] = spec.jti.value_or(random_uuid());
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

  BuiltAssertion out;
  out.header_json = header.dump();
  out.payload_json = payload.dump();
  ASSAY_ASSIGN_OR_RETURN(out.token,
                         sign_compact_bytes(out.header_json, out.payload_json, spec.alg, key));
  return out;
}

}  // namespace assay
