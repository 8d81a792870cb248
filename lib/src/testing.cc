#include "assay/testing.h"

#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <mutex>
#include <string>

#include "ossl.h"

namespace assay {
namespace {

std::string digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1) {
    internal::clear_errors();
    return {};
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

bool feed(EVP_RAND_CTX* ctx, std::string& entropy) {
  unsigned int strength = 256;
  OSSL_PARAM params[3];
  params[0] = OSSL_PARAM_construct_octet_string(OSSL_RAND_PARAM_TEST_ENTROPY, entropy.data(), entropy.size());
  params[1] = OSSL_PARAM_construct_uint(OSSL_RAND_PARAM_STRENGTH, &strength);
  params[2] = OSSL_PARAM_construct_end();
  return ctx != nullptr && EVP_RAND_CTX_set_params(ctx, params) == 1;
}

}  // namespace

std::string sha1_digest(std::string_view data) { return digest(EVP_sha1(), data); }
std::string sha256_digest(std::string_view data) { return digest(EVP_sha256(), data); }

Result<bool> use_deterministic_randomness_for_test_data(std::string_view seed, size_t bytes) {
  static std::once_flag once;
  bool first = false;
  std::call_once(once, [&] { first = true; });
  if (!first) {
    return make_error(ErrorCode::kInvalidArgument, "deterministic randomness is already set up");
  }
  // SHA-256 in counter mode over the seed: a stream nobody can mistake for real entropy.
  std::string stream;
  stream.reserve(bytes + 32);
  for (uint64_t counter = 0; stream.size() < bytes; ++counter) {
    std::string block(seed);
    block.append(reinterpret_cast<const char*>(&counter), sizeof(counter));
    stream += sha256_digest(block);
  }
  stream.resize(bytes);
  if (RAND_set_DRBG_type(nullptr, "TEST-RAND", nullptr, nullptr, nullptr) != 1) {
    return internal::ossl_error(ErrorCode::kCrypto, "cannot switch OpenSSL to TEST-RAND");
  }
  // Each generator copies its own stream; public and private draw from disjoint halves.
  std::string primary = stream.substr(0, 4096);
  std::string pub = stream.substr(4096, (bytes - 4096) / 2);
  std::string priv = stream.substr(4096 + (bytes - 4096) / 2);
  if (!feed(RAND_get0_primary(nullptr), primary) || !feed(RAND_get0_public(nullptr), pub) ||
      !feed(RAND_get0_private(nullptr), priv)) {
    return internal::ossl_error(ErrorCode::kCrypto, "cannot seed TEST-RAND");
  }
  return true;
}

}  // namespace assay
