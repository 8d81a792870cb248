// Replays every input under testdata/fuzz-regressions/<target>/ through the fuzz target bodies
// (fuzz/targets.cc) in the normal (and the sanitizer) test build: each crash, leak or invariant
// violation the fuzzers ever found stays fixed.
#include <filesystem>
#include <vector>

#include <gtest/gtest.h>

#include "../fuzz/targets.h"
#if ASSAY_TESTS_WITH_MOCK
#include "../fuzz/mock_target.h"
#endif
#include "assay/key.h"
#include "support/testdata.h"

namespace assay::test {
namespace {

TEST(FuzzRegressions, ReplayEveryRecordedInput) {
  size_t replayed = 0;
  std::vector<fuzz::Target> targets = fuzz::all_targets();
#if ASSAY_TESTS_WITH_MOCK
  targets.push_back({"mock", fuzz::mock});
#endif
  for (const fuzz::Target& t : targets) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(
             testdata_path(std::string("fuzz-regressions/") + t.name), ec)) {
      auto bytes = read_file(e.path().string());
      ASSERT_TRUE(bytes) << e.path();
      t.run(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size());
      ++replayed;
    }
  }
  EXPECT_GE(replayed, 1U);
}

TEST(FuzzRegressions, PartialRsaCrtJwkIsRefused) {
  auto c = load_credentials(read_testdata("fuzz-regressions/keys/rsa-jwk-partial-crt-leak"));
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, ErrorCode::kMalformedKey);
  EXPECT_NE(c.error().message.find("RFC 7518"), std::string::npos);
}

}  // namespace
}  // namespace assay::test
