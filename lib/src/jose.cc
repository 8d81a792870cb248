#include "assay/jose.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace assay {

std::string_view alg_name(Alg alg) {
  switch (alg) {
    case Alg::kRS256:
      return "RS256";
    case Alg::kRS384:
      return "RS384";
    case Alg::kRS512:
      return "RS512";
    case Alg::kPS256:
      return "PS256";
    case Alg::kPS384:
      return "PS384";
    case Alg::kPS512:
      return "PS512";
    case Alg::kES256:
      return "ES256";
    case Alg::kES384:
      return "ES384";
    case Alg::kES512:
      return "ES512";
  }
  return "RS256";
}

std::optional<Alg> parse_alg(std::string_view name) {
  for (Alg a : kAllAlgs) {
    if (alg_name(a) == name) {
      return a;
    }
  }
  return std::nullopt;
}

AlgFamily alg_family(Alg alg) {
  switch (alg) {
    case Alg::kRS256:
    case Alg::kRS384:
    case Alg::kRS512:
      return AlgFamily::kRsaPkcs1;
    case Alg::kPS256:
    case Alg::kPS384:
    case Alg::kPS512:
      return AlgFamily::kRsaPss;
    case Alg::kES256:
    case Alg::kES384:
    case Alg::kES512:
      return AlgFamily::kEcdsa;
  }
  return AlgFamily::kRsaPkcs1;
}

size_t alg_digest_size(Alg alg) {
  switch (alg) {
    case Alg::kRS256:
    case Alg::kPS256:
    case Alg::kES256:
      return 32;
    case Alg::kRS384:
    case Alg::kPS384:
    case Alg::kES384:
      return 48;
    case Alg::kRS512:
    case Alg::kPS512:
    case Alg::kES512:
      return 64;
  }
  return 32;
}

size_t ecdsa_signature_size(Alg alg) {
  switch (alg) {
    case Alg::kES256:
      return 64;
    case Alg::kES384:
      return 96;
    case Alg::kES512:
      return 132;
    default:
      return 0;
  }
}

std::string_view ecdsa_curve(Alg alg) {
  switch (alg) {
    case Alg::kES256:
      return "P-256";
    case Alg::kES384:
      return "P-384";
    case Alg::kES512:
      return "P-521";
    default:
      return {};
  }
}

bool is_hmac_alg_name(std::string_view name) {
  return name == "HS256" || name == "HS384" || name == "HS512";
}

bool is_none_alg_name(std::string_view name) {
  if (name.size() != 4) {
    return false;
  }
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return lower == "none";
}

}  // namespace assay
