// Writes N distinct, valid RS256 (or PS256/ES256) client assertions, one per line, for the
// batch benchmark. Reproducible: the clock and every jti are fixed ("bench-00000001", ...), and
// RSA PKCS#1 v1.5 signatures are deterministic, so the same arguments give the same file.
//
//   gen_tokens --key rsa-2048.key.pem --cert rsa-2048.crt.pem --count 100000 --out tokens.txt
//              [--alg RS256] [--now 1767225600] [--threads 2]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "assay/build.h"
#include "assay/key.h"
#include "assay/timefmt.h"

namespace {

constexpr const char* kClientId = "6b3c0f0e-5f3e-4a5c-9d61-3f1d2a7b9c10";
constexpr const char* kAudience =
    "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token";

int usage() {
  std::fprintf(stderr,
               "usage: gen_tokens --key KEY.pem --cert CERT.pem --count N --out FILE "
               "[--alg RS256] [--now EPOCH] [--threads N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string key_path, cert_path, out_path, alg_text = "RS256";
  size_t count = 0;
  long long now = 1767225600;
  unsigned threads = 2;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i];
    const std::string value = argv[i + 1];
    if (name == "--key") {
      key_path = value;
    } else if (name == "--cert") {
      cert_path = value;
    } else if (name == "--out") {
      out_path = value;
    } else if (name == "--alg") {
      alg_text = value;
    } else if (name == "--count") {
      count = std::strtoull(value.c_str(), nullptr, 10);
    } else if (name == "--now") {
      now = std::strtoll(value.c_str(), nullptr, 10);
    } else if (name == "--threads") {
      threads = static_cast<unsigned>(std::strtoul(value.c_str(), nullptr, 10));
    } else {
      return usage();
    }
  }
  const auto alg = assay::parse_alg(alg_text);
  if (key_path.empty() || cert_path.empty() || out_path.empty() || count == 0 || !alg ||
      threads == 0) {
    return usage();
  }
  auto key = assay::load_credentials_file(key_path);
  auto cert = assay::load_credentials_file(cert_path);
  if (!key || !key->private_key || !cert || cert->certificates.empty()) {
    std::fprintf(stderr, "gen_tokens: cannot load %s and %s\n", key_path.c_str(),
                 cert_path.c_str());
    return 3;
  }
  assay::AssertionSpec spec;
  spec.client_id = kClientId;
  spec.audience = kAudience;
  spec.alg = *alg;
  spec.thumbprints = assay::ThumbprintHeaders::kSha256;
  spec.now = assay::Seconds{std::chrono::seconds{now}};

  std::vector<std::string> tokens(count);
  bool failed = false;
  auto work = [&](size_t first) {
    assay::AssertionSpec s = spec;
    for (size_t i = first; i < count; i += threads) {
      char jti[32];
      std::snprintf(jti, sizeof(jti), "bench-%08zu", i + 1);
      s.jti = jti;
      auto built = assay::build_assertion(s, *key->private_key, &cert->certificates.front());
      if (!built) {
        failed = true;
        return;
      }
      tokens[i] = std::move(built->token);
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < threads; ++t) {
    pool.emplace_back(work, t);
  }
  for (auto& t : pool) {
    t.join();
  }
  if (failed) {
    std::fprintf(stderr, "gen_tokens: signing failed\n");
    return 3;
  }
  std::ofstream out(out_path, std::ios::binary);
  for (const std::string& t : tokens) {
    out << t << '\n';
  }
  out.close();
  if (!out) {
    std::fprintf(stderr, "gen_tokens: cannot write %s\n", out_path.c_str());
    return 3;
  }
  return 0;
}
