#include "connection_threads.h"

#include <exception>
#include <system_error>
#include <utility>

namespace assay::mock {

ConnectionThreads::ConnectionThreads(size_t max_connections, std::shared_ptr<ConnectionStats> stats)
    : max_(max_connections), stats_(std::move(stats)) {
  stats_->max.store(max_, std::memory_order_relaxed);
}

ConnectionThreads::~ConnectionThreads() {
  shutdown();
}

void ConnectionThreads::enqueue(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  reap();
  stats_->total.fetch_add(1, std::memory_order_relaxed);
  if (active_ >= max_) {
    waiting_.push_back(std::move(fn));
    stats_->waiting.store(waiting_.size(), std::memory_order_relaxed);
    return;
  }
  start(std::move(fn));
}

void ConnectionThreads::start(std::function<void()> fn) {
  std::thread t;
  try {
    t = std::thread([this, fn]() mutable { run(std::move(fn)); });
  } catch (const std::system_error&) {
    // No thread to be had (EAGAIN: a process or memory limit). The connection waits for a
    // running one; with none running, it is served here, on the accepting thread.
    if (active_ > 0) {
      waiting_.push_back(std::move(fn));
      stats_->waiting.store(waiting_.size(), std::memory_order_relaxed);
      return;
    }
    mu_.unlock();
    try {
      fn();
    } catch (const std::exception&) {
    }
    mu_.lock();
    return;
  }
  ++active_;
  stats_->active.store(active_, std::memory_order_relaxed);
  const std::thread::id id = t.get_id();
  threads_.emplace(id, std::move(t));
}

void ConnectionThreads::run(std::function<void()> fn) {
  for (;;) {
    try {
      fn();  // serves one connection and closes its socket
    } catch (const std::exception&) {
      // cpp-httplib answers a handler's exception with a 500; nothing else should throw, and
      // a connection's failure must not end the process.
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (waiting_.empty()) {
      --active_;
      stats_->active.store(active_, std::memory_order_relaxed);
      finished_.push_back(std::this_thread::get_id());
      idle_.notify_all();
      return;
    }
    fn = std::move(waiting_.front());
    waiting_.pop_front();
    stats_->waiting.store(waiting_.size(), std::memory_order_relaxed);
  }
}

void ConnectionThreads::reap() {
  // A finished thread has released mu_ for the last time; join() only waits for it to return.
  for (const std::thread::id& id : finished_) {
    auto it = threads_.find(id);
    if (it != threads_.end()) {
      it->second.join();
      threads_.erase(it);
    }
  }
  finished_.clear();
}

void ConnectionThreads::shutdown() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return active_ == 0 && waiting_.empty(); });
  reap();
}

}  // namespace assay::mock
