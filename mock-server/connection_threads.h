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
  ConnectionThreads(size_t max_connections, std::shared_ptr<ConnectionStats> stats);
  ~ConnectionThreads() override;
  ConnectionThreads(const ConnectionThreads&) = delete;
  ConnectionThreads& operator=(const ConnectionThreads&) = delete;

  void enqueue(std::function<void()> fn) override;
  // Waits until every accepted connection, waiting ones included, has been served and closed
  // (cpp-httplib stops reading a keep-alive connection once the server stops).
  void shutdown() override;

 private:
  void start(std::function<void()> fn);  // mu_ held
  void run(std::function<void()> fn);
  void reap();  // mu_ held: joins the threads that have finished

  const size_t max_;
  std::shared_ptr<ConnectionStats> stats_;
  std::mutex mu_;
  std::condition_variable idle_;
  size_t active_ = 0;
  std::deque<std::function<void()>> waiting_;
  std::map<std::thread::id, std::thread> threads_;
  std::vector<std::thread::id> finished_;
};

}  // namespace assay::mock

#endif  // ASSAY_MOCK_CONNECTION_THREADS_H_
