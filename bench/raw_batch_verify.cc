// The baseline of bench/batch_verify.sh: a plain C++ loop of OpenSSL EVP_DigestVerify over a
// token file, one token per line. The key is parsed once from the certificate; each token's
// signature is base64url-decoded (EVP_DecodeBlock) and verified with a fresh context
// (bench/raw_openssl.h). Prints the number of tokens that verified; exit 1 if any did not.
//
//   raw_batch_verify CERT.pem TOKENS.txt [RS256|PS256|ES256]
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "raw_openssl.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: raw_batch_verify CERT.pem TOKENS.txt [RS256|PS256|ES256]\n");
    return 2;
  }
  using assay::bench::RawAlg;
  const std::string alg_name = argc > 3 ? argv[3] : "RS256";
  const RawAlg alg = alg_name == "PS256"   ? RawAlg::kPS256
                     : alg_name == "ES256" ? RawAlg::kES256
                                           : RawAlg::kRS256;
  std::ifstream cert_file(argv[1], std::ios::binary);
  std::stringstream cert_pem;
  cert_pem << cert_file.rdbuf();
  EVP_PKEY* pkey = assay::bench::raw_public_key_from_cert_pem(cert_pem.str());
  if (pkey == nullptr) {
    std::fprintf(stderr, "raw_batch_verify: cannot read %s\n", argv[1]);
    return 3;
  }
  std::ifstream in(argv[2], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "raw_batch_verify: cannot open %s\n", argv[2]);
    return 3;
  }
  size_t total = 0;
  size_t valid = 0;
  std::string line;
  while (std::getline(in, line)) {
    ++total;
    if (assay::bench::raw_verify(pkey, alg, line)) {
      ++valid;
    }
  }
  EVP_PKEY_free(pkey);
  std::printf("%zu of %zu verified\n", valid, total);
  return valid == total ? 0 : 1;
}
