#include "assay/replay.h"

#include <gtest/gtest.h>

namespace assay {
namespace {

Seconds at(int64_t s) { return Seconds{std::chrono::seconds{s}}; }

TEST(ReplayCache, RemembersUntilExpiry) {
  ReplayCache cache;
  EXPECT_FALSE(cache.seen_before("c", "j1", at(200), at(100)));
  EXPECT_TRUE(cache.seen_before("c", "j1", at(200), at(150)));
  EXPECT_FALSE(cache.seen_before("other", "j1", at(200), at(150)));
  EXPECT_FALSE(cache.seen_before("c", "j1", at(400), at(201)));  // forgotten after exp
  EXPECT_EQ(cache.size(), 1U);  // the expired pairs are gone, the new one is kept
}

TEST(ReplayCache, IsBounded) {
  ReplayCache cache(3);
  for (int i = 0; i < 10; ++i) {
    cache.seen_before("c", "j" + std::to_string(i), at(1000 + i), at(0));
  }
  EXPECT_EQ(cache.size(), 3U);
  EXPECT_TRUE(cache.seen_before("c", "j9", at(1009), at(0)));
}

TEST(ReplayCache, DoesNotRememberExpiredAssertions) {
  ReplayCache cache;
  EXPECT_FALSE(cache.seen_before("c", "j", at(50), at(100)));
  EXPECT_EQ(cache.size(), 0U);
}

}  // namespace
}  // namespace assay
