#include "subprocess.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <set>
#include <spawn.h>
#include <string_view>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char** environ;

namespace assay::cli {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kInterruptSignals[] = {SIGINT, SIGTERM, SIGHUP};
// How long the rest of the output is read once the command has ended.
constexpr milliseconds kDrain{200};
// The longest wait between two looks at the command (its exit, the clock, an interrupt).
constexpr milliseconds kSlice{20};

volatile std::sig_atomic_t g_interrupt = 0;

void on_interrupt(int sig) {
  if (g_interrupt == 0) {
    g_interrupt = sig;
  }
}

// Closes a descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }

 private:
  int fd_;
};

// This process's environment with `extra` set on top, as "NAME=VALUE" strings.
std::vector<std::string> child_environment(
    const std::vector<std::pair<std::string, std::string>>& extra) {
  std::set<std::string_view> names;
  for (const auto& [k, v] : extra) {
    names.insert(k);
  }
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry(*e);
    if (names.count(entry.substr(0, entry.find('='))) == 0) {
      out.emplace_back(entry);
    }
  }
  for (const auto& [k, v] : extra) {
    out.push_back(k + "=" + v);
  }
  return out;
}

// Starts /bin/sh -c COMMAND as the leader of a new process group, standard input from
// `spec.stdin_path`, standard output and error into `out_fd`, signals at their defaults.
// Returns 0 or an errno value.
int spawn_shell(const CommandSpec& spec, int out_fd, pid_t& pid) {
  std::vector<std::string> env = child_environment(spec.env);
  std::vector<char*> envp;
  for (std::string& e : env) {
    envp.push_back(e.data());
  }
  envp.push_back(nullptr);
  std::string arg0 = "sh";
  std::string arg1 = "-c";
  std::string arg2 = spec.command;
  char* argv[] = {arg0.data(), arg1.data(), arg2.data(), nullptr};

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, spec.stdin_path.c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out_fd, STDERR_FILENO);
  sigset_t none;
  sigemptyset(&none);
  sigset_t defaults;
  sigemptyset(&defaults);
  // SIGPIPE may be ignored here (the network code ignores it); SIGTERM is what the timeout sends.
  for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP}) {
    sigaddset(&defaults, sig);
  }
  posix_spawnattr_setflags(
      &attr,
      static_cast<short>(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  const int rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return rc;
}

// Whether `pid` has ended, without reaping it: until it is reaped its pid, and so its process
// group's id, cannot be reused, which keeps kill(-pid) aimed at the right group.
bool has_ended(pid_t pid) {
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    if (errno != EINTR) {
      return true;  // ECHILD: nothing left to wait for
    }
  }
  return info.si_pid != 0;
}

// Reaps `pid`; false when its status is lost (ECHILD, as when SIGCHLD is ignored).
bool reap(pid_t pid, int& status) {
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      return false;
    }
  }
  return true;
}

// Waits up to `wait` for output on `fd` and appends what one read gives (up to the bound).
// Returns false at end of file or on an error.
bool read_some(int fd, std::string& out, milliseconds wait) {
  pollfd p{fd, POLLIN, 0};
  const int ready = ::poll(&p, 1, static_cast<int>(wait.count()));
  if (ready <= 0) {
    return ready == 0 || errno == EINTR;
  }
  char buf[4096];
  const ssize_t n = ::read(fd, buf, sizeof(buf));
  if (n < 0) {
    return errno == EINTR || errno == EAGAIN;
  }
  if (n == 0) {
    return false;
  }
  out.append(buf, std::min(static_cast<size_t>(n), kMaxCommandOutput - out.size()));
  return true;
}

// Reads what is left in the pipe once the writers in the group are gone, for at most kDrain: a
// process that left the group may hold the pipe open forever.
void drain(int fd, std::string& out) {
  const auto until = Clock::now() + kDrain;
  for (auto now = Clock::now(); now < until; now = Clock::now()) {
    if (!read_some(fd, out, std::chrono::duration_cast<milliseconds>(until - now))) {
      return;
    }
  }
}

// Sleeps up to `d`, cut short by a caught interrupt.
void pause_for(std::chrono::microseconds d) {
  if (g_interrupt == 0 && d.count() > 0) {
    std::this_thread::sleep_for(d);
  }
}

// SIGTERM to the group, up to `grace` for its leader to end, then SIGKILL to whatever is left.
void end_group(pid_t pid, milliseconds grace) {
  ::kill(-pid, SIGTERM);
  const auto until = Clock::now() + grace;
  while (!has_ended(pid) && Clock::now() < until && g_interrupt == 0) {
    pause_for(std::min(kSlice, std::chrono::duration_cast<milliseconds>(until - Clock::now())));
  }
  ::kill(-pid, SIGKILL);
}

void finish(pid_t pid, int fd, CommandResult& r) {
  drain(fd, r.output);
  int status = 0;
  if (!reap(pid, status)) {
    r.end = CommandResult::End::kFailed;
    r.output = std::string("its exit status was lost: ") + std::strerror(errno);
  } else if (r.end == CommandResult::End::kExited && WIFSIGNALED(status)) {
    r.end = CommandResult::End::kSignaled;
    r.status = WTERMSIG(status);
  } else if (r.end == CommandResult::End::kExited) {
    r.status = WEXITSTATUS(status);
  }
}

}  // namespace

CommandResult run_command(const CommandSpec& spec) {
  CommandResult r;
  const auto start = Clock::now();
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    r.output = std::string("cannot create a pipe: ") + std::strerror(errno);
    return r;
  }
  Fd read_end(fds[0]);
  Fd write_end(fds[1]);
  pid_t pid = 0;
  if (const int rc = spawn_shell(spec, write_end.get(), pid); rc != 0) {
    r.output = "cannot run /bin/sh -c with input " + spec.stdin_path + ": " + std::strerror(rc);
    return r;
  }
  write_end.reset();
  const auto deadline = start + spec.timeout;
  bool open = true;
  std::chrono::microseconds nap{100};
  while (true) {
    if (g_interrupt != 0) {
      end_group(pid, milliseconds{0});
      r.end = CommandResult::End::kInterrupted;
      r.status = g_interrupt;
      break;
    }
    if (has_ended(pid)) {
      ::kill(-pid, SIGKILL);  // anything it left running in its group
      r.end = CommandResult::End::kExited;
      break;
    }
    const auto now = Clock::now();
    if (now >= deadline) {
      end_group(pid, spec.grace);
      r.end = CommandResult::End::kTimedOut;
      break;
    }
    const milliseconds wait = std::min(kSlice, std::chrono::ceil<milliseconds>(deadline - now));
    if (open) {
      open = read_some(read_end.get(), r.output, wait);
    } else {
      // Its output is closed but it has not ended yet (it usually has within microseconds).
      pause_for(std::min<std::chrono::microseconds>(nap, wait));
      nap = std::min<std::chrono::microseconds>(nap * 2, kSlice);
    }
  }
  finish(pid, read_end.get(), r);
  r.elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  return r;
}

InterruptScope::InterruptScope() {
  g_interrupt = 0;
  struct sigaction sa {};
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a blocked poll() returns at once
  for (size_t i = 0; i < std::size(kInterruptSignals); ++i) {
    struct sigaction old {};
    if (::sigaction(kInterruptSignals[i], nullptr, &old) == 0 && old.sa_handler != SIG_IGN &&
        ::sigaction(kInterruptSignals[i], &sa, &old_[i]) == 0) {
      installed_[i] = true;
    }
  }
}

InterruptScope::~InterruptScope() {
  for (size_t i = 0; i < std::size(kInterruptSignals); ++i) {
    if (installed_[i]) {
      ::sigaction(kInterruptSignals[i], &old_[i], nullptr);
    }
  }
  g_interrupt = 0;
}

int InterruptScope::signal() const {
  return g_interrupt;
}

}  // namespace assay::cli
