#include "connection_threads.h"

#include <system_error>
#include <utility>

namespace assay::mock {
namespace {

void serve(const std::function<void()>& fn) {
  try {
    fn();  // serves one connection and closes its socket
  } catch (...) {
    // cpp-httplib answers a handler's exception with a 500; nothing else should throw, and
    // one connection's failure must not end the server.
  }
}

}  // namespace

ConnectionThreads::ConnectionThreads(size_t max_connections, std::shared_ptr<ConnectionStats> stats,
                                     std::function<void()> force_close,
                                     std::chrono::milliseconds grace)
    : max_(max_connections),
      stats_(std::move(stats)),
      force_close_(std::move(force_close)),
      grace_(grace) {
  stats_->max.store(max_, std::memory_order_relaxed);
}

ConnectionThreads::~ConnectionThreads() {
  shutdown();
}

void ConnectionThreads::publish() {
  stats_->active.store(active_, std::memory_order_relaxed);
  stats_->waiting.store(waiting_.size(), std::memory_order_relaxed);
}

void ConnectionThreads::enqueue(std::function<void()> fn) {
  std::unique_lock<std::mutex> lock(mu_);
  stats_->total.fetch_add(1, std::memory_order_relaxed);
  // Connections already waiting go first (they wait only at the cap, or after a thread could
  // not be had).
  if (active_ < max_ && waiting_.empty()) {
    if (start(fn)) {
      publish();
      return;
    }
    if (active_ == 0) {
      // No thread to be had and none running to take the connection later: serve it here,
      // on the accepting thread.
      lock.unlock();
      serve(fn);
      return;
    }
  }
  waiting_.push_back(std::move(fn));
  publish();
}

bool ConnectionThreads::start(std::function<void()>& fn) {
  std::thread t;
  try {
    t = std::thread([this, task = fn]() mutable { run(std::move(task)); });
  } catch (const std::system_error&) {
    return false;  // `fn` is untouched: the caller queues or serves it
  }
  ++active_;
  const std::thread::id id = t.get_id();
  threads_.emplace(id, std::move(t));
  return true;
}

void ConnectionThreads::run(std::function<void()> fn) {
  for (;;) {
    serve(fn);
    std::vector<std::thread> finished;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!waiting_.empty()) {
        fn = std::move(waiting_.front());
        waiting_.pop_front();
        publish();
        continue;
      }
      for (const std::thread::id& id : finished_) {
        auto it = threads_.find(id);
        if (it != threads_.end()) {
          finished.push_back(std::move(it->second));
          threads_.erase(it);
        }
      }
      finished_.assign(1, std::this_thread::get_id());
      --active_;
      publish();
      idle_.notify_all();
    }
    // Those threads have released mu_ for the last time: join() only waits for them to return.
    // This thread touches nothing of `this` from here on, so shutdown() may complete meanwhile
    // (it joins this thread, which is in finished_).
    for (std::thread& t : finished) {
      t.join();
    }
    return;
  }
}

void ConnectionThreads::shutdown() {
  std::unique_lock<std::mutex> lock(mu_);
  const auto done = [this] { return active_ == 0 && waiting_.empty(); };
  if (!idle_.wait_for(lock, grace_, done) && force_close_) {
    while (!done()) {
      lock.unlock();
      force_close_();
      lock.lock();
      idle_.wait_for(lock, std::chrono::seconds(1), done);
    }
  }
  idle_.wait(lock, done);
  for (auto& [id, t] : threads_) {
    t.join();  // each has left its last critical section
  }
  threads_.clear();
  finished_.clear();
}

}  // namespace assay::mock
