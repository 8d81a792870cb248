// File: assay/timefmt.h
//
// Times (and sizes) as users need to read them: RFC 3339 UTC, human durations ("7m12s",
// "11y 298d"), relative phrases ("expires in 7m12s", "expired 3h ago"), and size limits in
// their unit ("256 KiB"). Also the parser behind every `--now` option.
#ifndef ASSAY_TIMEFMT_H_
#define ASSAY_TIMEFMT_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "assay/result.h"

namespace assay {

using Clock = std::chrono::system_clock;
using Seconds = std::chrono::sys_seconds;

// "2015-02-05T20:34:48Z"; years outside 0..9999 are printed as a number of seconds.
std::string format_rfc3339(Seconds t);
std::string format_rfc3339(int64_t epoch_seconds);

// A duration in the two largest units: "0s", "45s", "7m12s", "3h5m", "2d4h", "11y 298d".
// Negative durations are formatted by magnitude.
std::string format_duration(std::chrono::seconds d);

// "in 7m12s" when `t` is after `now`, "7m12s ago" when before, "now" when equal.
std::string format_relative(Seconds t, Seconds now);

// A size in the largest binary unit that divides it exactly, as limits are stated: "256 KiB",
// "16 MiB", "1000 bytes", "1 byte".
std::string format_size(size_t bytes);

// Parses epoch seconds ("1767225600") or RFC 3339 ("2026-01-01T00:00:00Z", with an optional
// fraction and a Z or +hh:mm offset). Fails with `kInvalidArgument`.
[[nodiscard]] Result<Seconds> parse_time(std::string_view text);

// The wall clock, truncated to seconds. Library code takes `now` as a parameter; this is for
// tools.
Seconds now_seconds();

}  // namespace assay

#endif  // ASSAY_TIMEFMT_H_
