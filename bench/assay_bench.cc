// Google Benchmark: libassay's decode, full verify (decode + every rule + signature) and
// build_assertion for RS256, PS256 and ES256, beside the raw OpenSSL one-shot operation on the
// same tokens in the same run (bench/raw_openssl.h). After the table it prints each libassay
// rate as a multiple of the raw rate ("libassay verify RS256 = 0.97x raw"), from the medians
// when --benchmark_repetitions > 1.
//
//   build/test/bench/assay_bench --benchmark_repetitions=5
//       --benchmark_enable_random_interleaving=true --benchmark_min_time=0.2   (one line)
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <time.h>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include "assay/assertion.h"
#include "assay/build.h"
#include "assay/key.h"
#include "assay/policy.h"
#include "assay/signature.h"
#include "assay/verify.h"
#include "raw_openssl.h"

namespace assay::bench {
namespace {

constexpr int64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z, inside the test certificates
constexpr const char* kClientId = "6b3c0f0e-5f3e-4a5c-9d61-3f1d2a7b9c10";
constexpr const char* kTenant = "contoso.onmicrosoft.com";
constexpr const char* kAudience =
    "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token";
constexpr size_t kTokenCount = 256;  // distinct tokens (distinct jti), cycled through

struct PkeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
using RawKey = std::unique_ptr<EVP_PKEY, PkeyFree>;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "assay_bench: %s\n", what.c_str());
  std::exit(2);
}

std::string testdata_file(const std::string& name) {
  const char* env = std::getenv("ASSAY_TESTDATA_DIR");
  const std::string dir = env != nullptr && env[0] != '\0' ? env : ASSAY_TESTDATA_DIR;
  auto bytes = read_file(dir + "/keys/" + name);
  if (!bytes) {
    die(bytes.error().message);
  }
  return *bytes;
}

// Everything one algorithm's benchmarks need, built once.
struct Fixture {
  Alg alg = Alg::kRS256;
  RawAlg raw_alg = RawAlg::kRS256;
  Key private_key;
  Certificate certificate;
  KeySet keys;
  Policy policy;
  AssertionSpec spec;
  std::vector<std::string> tokens;
  // Every other token with x5t as well as x5t#S256: each header differs from the previous
  // token's (two clients interleaved), so nothing decoded for one token serves the next.
  std::vector<std::string> mixed_tokens;
  std::vector<std::string> signing_inputs;
  RawKey raw_public;
  RawKey raw_private;
};

Fixture make_fixture(Alg alg) {
  Fixture f;
  f.alg = alg;
  const bool ec = alg == Alg::kES256;
  f.raw_alg = alg == Alg::kRS256   ? RawAlg::kRS256
              : alg == Alg::kPS256 ? RawAlg::kPS256
                                   : RawAlg::kES256;
  const std::string key_pem = testdata_file(ec ? "ec-p256.key.pem" : "rsa-2048.key.pem");
  const std::string cert_pem = testdata_file(ec ? "ec-p256.crt.pem" : "rsa-2048.crt.pem");
  auto key = load_private_key(key_pem);
  auto cert = load_certificate(cert_pem);
  if (!key || !cert) {
    die("cannot load the test keys");
  }
  f.private_key = *key;
  f.certificate = *cert;
  f.keys.certificates.push_back(*cert);
  // The policy of `assay verify --tenant T --client-id C --now N` (entra, picked because a
  // tenant is given); Entra takes RSA only, so ES256 is allowed explicitly (--alg ES256).
  PolicyBuilder b;
  b.tenant(kTenant).expect_client_id(kClientId).fixed_now(Seconds{std::chrono::seconds{kNow}});
  if (ec) {
    b.allow_algorithms({Alg::kES256});
  }
  auto policy = b.build();
  if (!policy) {
    die(policy.error().message);
  }
  f.policy = *policy;
  f.spec.client_id = kClientId;
  f.spec.audience = kAudience;
  f.spec.alg = alg;
  f.spec.thumbprints = ThumbprintHeaders::kSha256;
  f.spec.now = Seconds{std::chrono::seconds{kNow}};
  for (size_t i = 0; i < kTokenCount; ++i) {
    auto built = build_assertion(f.spec, f.private_key, &f.certificate);  // random jti each
    if (!built) {
      die(built.error().message);
    }
    f.signing_inputs.push_back(built->token.substr(0, built->token.rfind('.')));
    f.tokens.push_back(std::move(built->token));
  }
  AssertionSpec both = f.spec;
  both.thumbprints = ThumbprintHeaders::kBoth;
  for (size_t i = 0; i < kTokenCount; ++i) {
    auto built = i % 2 == 0 ? build_assertion(f.spec, f.private_key, &f.certificate)
                            : build_assertion(both, f.private_key, &f.certificate);
    if (!built) {
      die(built.error().message);
    }
    f.mixed_tokens.push_back(std::move(built->token));
  }
  f.raw_public.reset(raw_public_key_from_cert_pem(cert_pem));
  f.raw_private.reset(raw_private_key_from_pem(key_pem));
  if (!f.raw_public || !f.raw_private) {
    die("OpenSSL cannot parse the test keys");
  }
  // The tokens must be valid with no finding at all, or the comparison means nothing.
  std::vector<std::string> all = f.tokens;
  all.insert(all.end(), f.mixed_tokens.begin(), f.mixed_tokens.end());
  for (const std::string& t : all) {
    auto r = verify_input(t, f.keys, f.policy);
    if (!r || !r->findings.empty() || !r->signature.verified) {
      die(std::string(alg_name(alg)) + ": a bench token does not verify cleanly" +
          (r && !r->findings.empty() ? " (" + r->findings.front().rule_id + ")" : ""));
    }
    if (!raw_verify(f.raw_public.get(), f.raw_alg, t)) {
      die(std::string(alg_name(alg)) + ": the raw OpenSSL baseline rejects a bench token");
    }
  }
  return f;
}

// Built on first use, so that a filtered run builds only what it needs.
const Fixture& fixture(Alg alg) {
  if (alg == Alg::kRS256) {
    static const Fixture rs = make_fixture(Alg::kRS256);
    return rs;
  }
  if (alg == Alg::kPS256) {
    static const Fixture ps = make_fixture(Alg::kPS256);
    return ps;
  }
  static const Fixture es = make_fixture(Alg::kES256);
  return es;
}

// ------------------------------------------------------------------------------ benchmarks

void BM_Decode(benchmark::State& state, Alg alg) {
  const Fixture& f = fixture(alg);
  size_t i = 0;
  for (auto _ : state) {
    auto a = decode(f.tokens[i++ % kTokenCount]);
    benchmark::DoNotOptimize(a);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Verify(benchmark::State& state, Alg alg) {
  const Fixture& f = fixture(alg);
  size_t i = 0;
  for (auto _ : state) {
    auto r = verify_input(f.tokens[i++ % kTokenCount], f.keys, f.policy);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

// The signature check alone (prepared context copy + EVP_DigestVerify), on decoded tokens:
// with decode, the part of `verify` that is not the rules.
void BM_Signature(benchmark::State& state, Alg alg) {
  const Fixture& f = fixture(alg);
  std::vector<Assertion> decoded;
  for (const std::string& t : f.tokens) {
    decoded.push_back(*decode(t));
  }
  const Key key = f.certificate.public_key();
  size_t i = 0;
  for (auto _ : state) {
    const Assertion& a = decoded[i++ % kTokenCount];
    auto r = verify_signature(alg, key, a.signing_input(), a.signature_bytes());
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_RawVerify(benchmark::State& state, Alg alg) {
  const Fixture& f = fixture(alg);
  size_t i = 0;
  for (auto _ : state) {
    const bool ok = raw_verify(f.raw_public.get(), f.raw_alg, f.tokens[i++ % kTokenCount]);
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_Build(benchmark::State& state, Alg alg) {
  const Fixture& f = fixture(alg);
  for (auto _ : state) {
    auto built = build_assertion(f.spec, f.private_key, &f.certificate);
    benchmark::DoNotOptimize(built);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_RawSign(benchmark::State& state, Alg alg) {
  const Fixture& f = fixture(alg);
  size_t i = 0;
  for (auto _ : state) {
    std::string sig = raw_sign(f.raw_private.get(), f.raw_alg, f.signing_inputs[i++ % kTokenCount]);
    benchmark::DoNotOptimize(sig);
  }
  state.SetItemsProcessed(state.iterations());
}

// ----------------------------------------------------------------------- side by side

double thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

constexpr size_t kPairBlock = 8;

// libassay and raw OpenSSL side by side, for the ratios: alternating blocks of kPairBlock
// operations of each (in alternating order), each block timed with the thread's CPU clock, so
// that both see the same machine (other processes on a shared machine, frequency, caches).
// Counters: raw_us and libassay_us per operation, and ratio = rate(libassay) / rate(raw).
template <class Raw, class Lib>
void run_pair(benchmark::State& state, Raw raw, Lib lib) {
  double raw_ns = 0;
  double lib_ns = 0;
  size_t i = 0;
  for (auto _ : state) {
    const bool raw_first = (i / kPairBlock) % 2 == 0;
    const double t0 = thread_cpu_ns();
    for (size_t k = 0; k < kPairBlock; ++k) {
      raw_first ? raw(i + k) : lib(i + k);
    }
    const double t1 = thread_cpu_ns();
    for (size_t k = 0; k < kPairBlock; ++k) {
      raw_first ? lib(i + k) : raw(i + k);
    }
    const double t2 = thread_cpu_ns();
    (raw_first ? raw_ns : lib_ns) += t1 - t0;
    (raw_first ? lib_ns : raw_ns) += t2 - t1;
    i += kPairBlock;
  }
  const double ops = static_cast<double>(i);
  state.counters["raw_us"] = raw_ns / ops / 1000;
  state.counters["libassay_us"] = lib_ns / ops / 1000;
  state.counters["ratio"] = lib_ns > 0 ? raw_ns / lib_ns : 0;
}

// libassay verify_input beside the raw verify, over `tokens` (a member of the Fixture).
void pair_verify(benchmark::State& state, Alg alg, std::vector<std::string> Fixture::*tokens) {
  const Fixture& f = fixture(alg);
  const std::vector<std::string>& t = f.*tokens;
  run_pair(
      state,
      [&](size_t i) {
        benchmark::DoNotOptimize(raw_verify(f.raw_public.get(), f.raw_alg, t[i % kTokenCount]));
      },
      [&](size_t i) {
        auto r = verify_input(t[i % kTokenCount], f.keys, f.policy);
        benchmark::DoNotOptimize(r);
      });
}

void BM_PairVerify(benchmark::State& state, Alg alg) {
  pair_verify(state, alg, &Fixture::tokens);
}

// The same with a header that changes from token to token (the worst case for decoding).
void BM_PairVerifyMixed(benchmark::State& state, Alg alg) {
  pair_verify(state, alg, &Fixture::mixed_tokens);
}

void BM_PairBuild(benchmark::State& state, Alg alg) {
  const Fixture& f = fixture(alg);
  run_pair(
      state,
      [&](size_t i) {
        std::string sig =
            raw_sign(f.raw_private.get(), f.raw_alg, f.signing_inputs[i % kTokenCount]);
        benchmark::DoNotOptimize(sig);
      },
      [&](size_t /*i*/) {
        auto built = build_assertion(f.spec, f.private_key, &f.certificate);
        benchmark::DoNotOptimize(built);
      });
}

void register_benchmarks() {
  for (Alg alg : {Alg::kRS256, Alg::kPS256, Alg::kES256}) {
    const std::string a(alg_name(alg));
    benchmark::RegisterBenchmark(("decode/" + a).c_str(), BM_Decode, alg);
    benchmark::RegisterBenchmark(("verify/" + a).c_str(), BM_Verify, alg);
    benchmark::RegisterBenchmark(("signature/" + a).c_str(), BM_Signature, alg);
    benchmark::RegisterBenchmark(("raw_verify/" + a).c_str(), BM_RawVerify, alg);
    benchmark::RegisterBenchmark(("build/" + a).c_str(), BM_Build, alg);
    benchmark::RegisterBenchmark(("raw_sign/" + a).c_str(), BM_RawSign, alg);
    benchmark::RegisterBenchmark(("pair_verify/" + a).c_str(), BM_PairVerify, alg);
    benchmark::RegisterBenchmark(("pair_verify_mixed/" + a).c_str(), BM_PairVerifyMixed, alg);
    benchmark::RegisterBenchmark(("pair_build/" + a).c_str(), BM_PairBuild, alg);
  }
}

// The console table, plus the ratio counter of every pair_ benchmark (the median when
// repeated) for the summary printed at the end.
class RatioReporter final : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      const bool repeated = r.repetitions > 1;
      const auto ratio = r.counters.find("ratio");
      if (r.error_occurred || ratio == r.counters.end() ||
          (repeated ? r.aggregate_name != "median" : r.run_type != Run::RT_Iteration)) {
        continue;
      }
      ratios_[r.run_name.function_name] = ratio->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }

  // Prints "libassay verify RS256 = 0.97x raw (target >= 0.95x): met" for each pair run;
  // returns the number of targets missed.
  int print_ratios() const {
    int missed = 0;
    std::printf("\n");
    for (const char* alg : {"RS256", "PS256", "ES256"}) {
      for (const auto& [op, target] : {std::pair{"verify", 0.95}, std::pair{"build", 0.97}}) {
        const auto it = ratios_.find("pair_" + std::string(op) + "/" + alg);
        if (it == ratios_.end()) {
          continue;
        }
        const double ratio = it->second;
        missed += ratio < target ? 1 : 0;
        std::printf("libassay %-6s %s = %.2fx raw (target >= %.2fx): %s\n", op, alg, ratio, target,
                    ratio >= target ? "met" : "MISSED");
      }
    }
    for (const char* alg : {"RS256", "PS256", "ES256"}) {
      const auto it = ratios_.find(std::string("pair_verify_mixed/") + alg);
      if (it != ratios_.end()) {
        std::printf("libassay verify %s, header changing every token = %.2fx raw (no target)\n",
                    alg, it->second);
      }
    }
    return missed;
  }

 private:
  std::map<std::string, double> ratios_;
};

}  // namespace
}  // namespace assay::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  assay::bench::register_benchmarks();
  assay::bench::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratios();
  benchmark::Shutdown();
  return 0;
}
