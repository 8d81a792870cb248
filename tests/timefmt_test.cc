#include "assay/timefmt.h"

#include <gtest/gtest.h>

namespace assay {
namespace {

Seconds at(int64_t s) { return Seconds{std::chrono::seconds{s}}; }

TEST(FormatRfc3339, Utc) {
  EXPECT_EQ(format_rfc3339(at(0)), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(at(1423168488)), "2015-02-05T20:34:48Z");
  EXPECT_EQ(format_rfc3339(int64_t{99999999999999}), "99999999999999s since 1970");
}

TEST(FormatDuration, TwoLargestUnits) {
  using std::chrono::seconds;
  EXPECT_EQ(format_duration(seconds{0}), "0s");
  EXPECT_EQ(format_duration(seconds{45}), "45s");
  EXPECT_EQ(format_duration(seconds{432}), "7m12s");
  EXPECT_EQ(format_duration(seconds{3600}), "1h");
  EXPECT_EQ(format_duration(seconds{11100}), "3h5m");
  EXPECT_EQ(format_duration(seconds{-11100}), "3h5m");
  EXPECT_EQ(format_duration(seconds{190800}), "2d5h");
  EXPECT_EQ(format_duration(seconds{(11 * 365 + 298) * 86400 + 5}), "11y 298d");
  EXPECT_EQ(format_duration(at(1795996800) - at(1423168488)), "11y 300d");
}

TEST(FormatSize, LargestExactBinaryUnit) {
  EXPECT_EQ(format_size(0), "0 bytes");
  EXPECT_EQ(format_size(1), "1 byte");
  EXPECT_EQ(format_size(1000), "1000 bytes");
  EXPECT_EQ(format_size(1024), "1 KiB");
  EXPECT_EQ(format_size(1025), "1025 bytes");
  EXPECT_EQ(format_size(64 * 1024), "64 KiB");
  EXPECT_EQ(format_size(256 * 1024), "256 KiB");
  EXPECT_EQ(format_size(1536 * 1024), "1536 KiB");
  EXPECT_EQ(format_size(16 * 1024 * 1024), "16 MiB");
}

TEST(FormatRelative, Direction) {
  EXPECT_EQ(format_relative(at(1000), at(568)), "in 7m12s");
  EXPECT_EQ(format_relative(at(0), at(10800)), "3h ago");
  EXPECT_EQ(format_relative(at(5), at(5)), "now");
}

TEST(ParseTime, EpochAndRfc3339) {
  EXPECT_EQ(*parse_time("1767225600"), at(1767225600));
  EXPECT_EQ(*parse_time("2026-01-01T00:00:00Z"), at(1767225600));
  EXPECT_EQ(*parse_time("2026-01-01T01:00:00.123+01:00"), at(1767225600));
  EXPECT_EQ(*parse_time("2025-12-31T19:00:00-05:00"), at(1767225600));
  EXPECT_FALSE(parse_time(""));
  EXPECT_FALSE(parse_time("yesterday"));
  EXPECT_FALSE(parse_time("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_time("2026-01-01T00:00:00"));
  EXPECT_FALSE(parse_time("2026-01-01T00:00:00Zjunk"));
}

}  // namespace
}  // namespace assay
