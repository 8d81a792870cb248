// File: assay/replay.h
//
// Replay detection for jti (CLM042): a bounded, thread-safe memory of (iss, jti) pairs that
// forgets each entry once its assertion has expired.
#ifndef ASSAY_REPLAY_H_
#define ASSAY_REPLAY_H_

#include <cstddef>
#include <memory>
#include <string_view>

#include "assay/timefmt.h"

namespace assay {

class ReplayCache {
 public:
  // `capacity` bounds the number of remembered pairs; when full, the entries closest to
  // expiry are forgotten first.
  explicit ReplayCache(size_t capacity = 100000);
  ~ReplayCache();
  ReplayCache(const ReplayCache&) = delete;
  ReplayCache& operator=(const ReplayCache&) = delete;

  // Records (iss, jti) until `exp` and returns true when the pair was already present and
  // unexpired at `now`.
  bool seen_before(std::string_view iss, std::string_view jti, Seconds exp, Seconds now);

  size_t size() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace assay

#endif  // ASSAY_REPLAY_H_
