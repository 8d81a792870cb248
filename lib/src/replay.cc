#include "assay/replay.h"

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>

namespace assay {

struct ReplayCache::Impl {
  size_t capacity;
  mutable std::mutex mu;
  std::map<std::pair<std::string, std::string>, Seconds> entries;  // (iss, jti) -> exp
  std::set<std::pair<Seconds, std::pair<std::string, std::string>>> by_expiry;

  void forget_expired(Seconds now) {
    while (!by_expiry.empty() && by_expiry.begin()->first < now) {
      entries.erase(by_expiry.begin()->second);
      by_expiry.erase(by_expiry.begin());
    }
  }
};

ReplayCache::ReplayCache(size_t capacity) : impl_(std::make_unique<Impl>()) {
  impl_->capacity = capacity == 0 ? 1 : capacity;
}
ReplayCache::~ReplayCache() = default;

bool ReplayCache::seen_before(std::string_view iss, std::string_view jti, Seconds exp, Seconds now) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  impl_->forget_expired(now);
  auto key = std::make_pair(std::string(iss), std::string(jti));
  auto it = impl_->entries.find(key);
  if (it != impl_->entries.end()) {
    return true;
  }
  if (exp < now) {
    return false;  // an expired assertion is rejected anyway; do not remember it
  }
  while (impl_->entries.size() >= impl_->capacity && !impl_->by_expiry.empty()) {
    impl_->entries.erase(impl_->by_expiry.begin()->second);
    impl_->by_expiry.erase(impl_->by_expiry.begin());
  }
  impl_->entries.emplace(key, exp);
  impl_->by_expiry.emplace(exp, std::move(key));
  return false;
}

size_t ReplayCache::size() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->entries.size();
}

}  // namespace assay
