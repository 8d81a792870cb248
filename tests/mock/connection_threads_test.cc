// ConnectionThreads: one thread per connection up to the cap, the rest waiting in order, and
// shutdown waiting for all of them. Connections are stood in for by tasks that block.
#include "connection_threads.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include <gtest/gtest.h>

namespace assay::test {
namespace {

using namespace std::chrono_literals;

// A gate the tasks wait at until the test opens it.
struct Gate {
  std::mutex mu;
  std::condition_variable cv;
  bool open = false;
  void wait() {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [this] { return open; });
  }
  void release() {
    {
      std::lock_guard<std::mutex> lock(mu);
      open = true;
    }
    cv.notify_all();
  }
};

// Waits up to 10 s for `pred`; the tests never depend on a timing beyond "eventually".
template <typename Pred>
bool eventually(Pred pred) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return false;
    }
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

TEST(ConnectionThreads, EveryBlockedConnectionGetsItsOwnThreadUpToTheCap) {
  auto stats = std::make_shared<mock::ConnectionStats>();
  mock::ConnectionThreads q(8, stats);
  Gate gate;
  std::atomic<int> running{0};
  std::atomic<int> peak{0};
  std::atomic<int> done{0};
  for (int i = 0; i < 20; ++i) {
    q.enqueue([&] {
      const int now = ++running;
      int p = peak.load();
      while (now > p && !peak.compare_exchange_weak(p, now)) {
      }
      gate.wait();
      --running;
      ++done;
    });
  }
  // Eight run at once (none waits for another to finish); twelve wait.
  ASSERT_TRUE(eventually([&] { return running.load() == 8; }));
  EXPECT_EQ(stats->active.load(), 8u);
  EXPECT_EQ(stats->waiting.load(), 12u);
  EXPECT_EQ(stats->total.load(), 20u);
  EXPECT_EQ(stats->max.load(), 8u);
  gate.release();
  q.shutdown();  // returns only when every task has run
  EXPECT_EQ(done.load(), 20);
  EXPECT_EQ(peak.load(), 8);
  EXPECT_EQ(stats->active.load(), 0u);
  EXPECT_EQ(stats->waiting.load(), 0u);
}

TEST(ConnectionThreads, ABlockedConnectionDoesNotDelayAnother) {
  // The failure of cpp-httplib's ThreadPool: with every worker held by an idle connection, a
  // new connection waited for one of them. Here it runs at once.
  auto stats = std::make_shared<mock::ConnectionStats>();
  mock::ConnectionThreads q(64, stats);
  Gate idle;
  for (int i = 0; i < 40; ++i) {
    q.enqueue([&] { idle.wait(); });
  }
  std::atomic<bool> served{false};
  q.enqueue([&] { served = true; });
  EXPECT_TRUE(eventually([&] { return served.load(); }));
  idle.release();
  q.shutdown();
}

TEST(ConnectionThreads, WaitingConnectionsRunInArrivalOrder) {
  // One thread: while it holds the first connection, ten wait; then it takes them in order.
  auto stats = std::make_shared<mock::ConnectionStats>();
  mock::ConnectionThreads q(1, stats);
  Gate gate;
  std::vector<int> order;  // written by the one thread only
  q.enqueue([&] { gate.wait(); });
  for (int i = 0; i < 10; ++i) {
    q.enqueue([&order, i] { order.push_back(i); });
  }
  ASSERT_TRUE(eventually([&] { return stats->waiting.load() == 10; }));
  gate.release();
  q.shutdown();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(ConnectionThreads, AThrowingConnectionDoesNotEndTheOthers) {
  auto stats = std::make_shared<mock::ConnectionStats>();
  mock::ConnectionThreads q(4, stats);
  std::atomic<int> done{0};
  q.enqueue([] { throw std::runtime_error("boom"); });
  for (int i = 0; i < 10; ++i) {
    q.enqueue([&] { ++done; });
  }
  q.shutdown();
  EXPECT_EQ(done.load(), 10);
  EXPECT_EQ(stats->active.load(), 0u);
}

size_t threads_in_process() {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task")) {
    ++n;
  }
  return n;
}

TEST(ConnectionThreads, FinishedThreadsAreJoinedAsNewConnectionsArrive) {
  auto stats = std::make_shared<mock::ConnectionStats>();
  mock::ConnectionThreads q(4, stats);
  const size_t before = threads_in_process();
  // 300 connections one after another, each on a new thread: every exiting thread joins the
  // ones that finished before it, so they do not pile up (each would keep its stack). A thread
  // is listed until the kernel has ended it, and each ends only after the one before it: on a
  // loaded machine dozens can be listed at one instant (55 seen), so the counts are waited for.
  // Threads that really piled up would stay listed.
  std::atomic<int> done{0};
  for (int i = 0; i < 300; ++i) {
    q.enqueue([&] { ++done; });
    ASSERT_TRUE(eventually([&] { return done.load() == i + 1 && stats->active.load() == 0; }));
  }
  EXPECT_TRUE(eventually([&] { return threads_in_process() <= before + 2; }))
      << threads_in_process() << " threads, " << before << " before";
  q.shutdown();
  EXPECT_EQ(done.load(), 300);
  EXPECT_EQ(stats->total.load(), 300u);
  EXPECT_TRUE(eventually([&] { return threads_in_process() == before; }))
      << threads_in_process() << " threads, " << before << " before";
}

TEST(ConnectionThreads, ShutdownForceClosesConnectionsThatOutstayTheGrace) {
  // A client trickling a header byte every few seconds would hold a stop for hours: after the
  // grace period the queue asks for the remaining connections to be closed.
  auto stats = std::make_shared<mock::ConnectionStats>();
  Gate stuck;
  std::atomic<int> forced{0};
  mock::ConnectionThreads q(
      8, stats,
      [&] {
        ++forced;
        stuck.release();
      },
      std::chrono::milliseconds(50));
  for (int i = 0; i < 3; ++i) {
    q.enqueue([&] { stuck.wait(); });
  }
  ASSERT_TRUE(eventually([&] { return stats->active.load() == 3; }));
  q.shutdown();
  EXPECT_EQ(forced.load(), 1);
  EXPECT_EQ(stats->active.load(), 0u);
}

TEST(ConnectionThreads, ShutdownDoesNotForceConnectionsThatEndInTime) {
  auto stats = std::make_shared<mock::ConnectionStats>();
  std::atomic<int> forced{0};
  mock::ConnectionThreads q(
      8, stats, [&] { ++forced; }, std::chrono::seconds(10));
  q.enqueue([] { std::this_thread::sleep_for(20ms); });
  q.shutdown();
  EXPECT_EQ(forced.load(), 0);
}

}  // namespace
}  // namespace assay::test
