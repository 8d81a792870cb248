// How assay-mock runs connections: one thread per connection, up to a cap.
//
// cpp-httplib hands each accepted connection to a TaskQueue and holds the task for the
// connection's whole life (TLS handshake, every keep-alive request). Its ThreadPool therefore
// serves at most N connections at once and queues the rest behind them, so N idle or slow
// clients (a TCP connect with no TLS hello, a header trickled one byte at a time) starve every
// other client. Here a connection gets its own thread at once, up to `max_connections`; only
// beyond that do new connections wait, oldest first, for one to close.
#ifndef ASSAY_MOCK_CONNECTION_THREADS_H_
#define ASSAY_MOCK_CONNECTION_THREADS_H_

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include <httplib.h>

#include "state.h"

namespace assay::mock {

class ConnectionThreads final : public httplib::TaskQueue {
 public:
  // `force_close` is called when connections are still open `grace` after shutdown began (a
  // client trickling a header a byte at a time would otherwise hold the server's stop for
  // hours); it must make their reads fail, e.g. shut their sockets down. Called again each
  // second until they have all ended.
  ConnectionThreads(size_t max_connections, std::shared_ptr<ConnectionStats> stats,
                    std::function<void()> force_close = {},
                    std::chrono::milliseconds grace = std::chrono::seconds(3));
  ~ConnectionThreads() override;
  ConnectionThreads(const ConnectionThreads&) = delete;
  ConnectionThreads& operator=(const ConnectionThreads&) = delete;

  void enqueue(std::function<void()> fn) override;
  // Waits until every accepted connection, waiting ones included, has ended. cpp-httplib ends a
  // keep-alive connection once the server stops, and closes a waiting one unserved.
  void shutdown() override;

 private:
  // Starts a thread for `fn`; false when none can be had (EAGAIN: a process or memory limit).
  bool start(std::function<void()>& fn);  // mu_ held
  void run(std::function<void()> fn);
  void publish();  // mu_ held: the counters /_assay/health reports

  const size_t max_;
  const std::shared_ptr<ConnectionStats> stats_;
  const std::function<void()> force_close_;
  const std::chrono::milliseconds grace_;
  std::mutex mu_;
  std::condition_variable idle_;
  size_t active_ = 0;
  std::deque<std::function<void()>> waiting_;
  std::map<std::thread::id, std::thread> threads_;
  // Threads that have finished their last connection: each exiting thread joins those that
  // finished before it, so a burst of connections leaves at most one thread unjoined.
  std::vector<std::thread::id> finished_;
};

}  // namespace assay::mock

#endif  // ASSAY_MOCK_CONNECTION_THREADS_H_
