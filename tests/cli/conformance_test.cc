// The conformance classes as `assay probe` sends them. A server reads its clock after the
// assertion was built, signed, checked and sent, seconds later on a loaded machine: a class's
// verdict must not change in that time, or the probe's verdict depends on the load.
#include "conformance.h"

#include <chrono>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "assay/verify.h"
#include "support/testdata.h"

namespace assay::test {
namespace {

using cli::ConformanceClass;
using cli::ProfileContext;

// libassay's verdict on `token` at `now` under `ctx`: "invalid", "acceptable" or "valid", then
// the rules at warning or above (what the probe expects the server to do, and why).
std::string verdict_at(const std::string& token, const ProfileContext& ctx, const KeySet& keys,
                       int64_t now) {
  PolicyBuilder b = cli::context_policy(ctx);
  b.fixed_now(Seconds{std::chrono::seconds{now}});
  auto policy = b.build();
  EXPECT_TRUE(policy) << policy.error().message;
  if (!policy) {
    return {};
  }
  auto r = verify_input(token, keys, *policy);
  if (!r) {
    return "unusable: " + r.error().message;
  }
  std::set<std::string> ids;
  for (const Finding& f : r->findings) {
    if (f.severity >= Severity::kWarning) {
      ids.insert(f.rule_id);
    }
  }
  std::string v = r->max_severity() == Severity::kError     ? "invalid"
                  : r->max_severity() == Severity::kWarning ? "acceptable"
                                                            : "valid";
  for (const std::string& id : ids) {
    v += " " + id;
  }
  return v;
}

TEST(ConformanceClasses, WireVerdictsHoldLongAfterTheAssertionIsBuilt) {
  const Key key = load_test_private_key("rsa-2048.key.pem");
  const Certificate cert = load_test_certificate("rsa-2048.crt.pem");
  const Key other_key = load_test_private_key("rsa-2048-b.key.pem");
  const Certificate other_cert = load_test_certificate("rsa-2048-b.crt.pem");
  KeySet keys;
  keys.certificates.push_back(cert);
  size_t checked = 0;
  for (Profile p : {Profile::kEntra, Profile::kRfc7523, Profile::kRfc7523bis, Profile::kOidc}) {
    const ProfileContext ctx = cli::vector_context(p);
    // A minute under entra (assay-mock's profile, and the one probe picks for Microsoft hosts);
    // under the 60 s skew of the others a class inside the skew is at most a minute from its
    // edge, and 20 s is still far beyond any scheduling delay.
    const int64_t margin = p == Profile::kEntra ? 60 : 20;
    const cli::ClassEnv env{ctx, Alg::kPS256, key, cert, other_key, other_cert};
    for (const ConformanceClass& c : cli::conformance_classes()) {
      if (!cli::probe_sends(c, Alg::kPS256, p) && c.id != "valid-baseline") {
        continue;
      }
      // The FAPI 2.0 conformance suite's +62 s pair: 2 s past a 60 s skew by definition.
      if ((c.id == "nbf-62s-future" || c.id == "iat-future") && ctx.skew == 60) {
        continue;
      }
      cli::Draft d = cli::baseline(ctx, Alg::kPS256, cert, ctx.now, "jti-" + c.id);
      c.apply(d, env);
      auto token = cli::realize(d, key);
      ASSERT_TRUE(token) << c.id << ": " << token.error().message;
      EXPECT_EQ(verdict_at(*token, ctx, keys, ctx.now),
                verdict_at(*token, ctx, keys, ctx.now + margin))
          << c.id << " under " << profile_name(p) << ": " << c.description;
      ++checked;
    }
  }
  EXPECT_GE(checked, 400U);  // every wire class under every profile, not a filtered few
}

}  // namespace
}  // namespace assay::test
