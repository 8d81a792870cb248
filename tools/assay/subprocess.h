// Running a verifier for `assay vectors run`: `/bin/sh -c COMMAND` in a process group of its
// own, standard input from a file, standard output and error captured together (bounded), and a
// time limit that ends the whole group, grandchildren included.
#ifndef ASSAY_TOOLS_SUBPROCESS_H_
#define ASSAY_TOOLS_SUBPROCESS_H_

#include <chrono>
#include <cstddef>
#include <signal.h>
#include <string>
#include <utility>
#include <vector>

namespace assay::cli {

// How much of a command's output is kept; the rest is read and discarded, so a chatty command
// never blocks on a full pipe.
inline constexpr size_t kMaxCommandOutput = 16 * 1024;

struct CommandSpec {
  std::string command;     // run as /bin/sh -c COMMAND
  std::string stdin_path;  // the file its standard input reads
  // Set in its environment on top of this process's (replacing variables of the same name).
  std::vector<std::pair<std::string, std::string>> env;
  std::chrono::milliseconds timeout{30000};
  // After the timeout: SIGTERM to the group, this long for it to end, then SIGKILL.
  std::chrono::milliseconds grace{1000};
};

struct CommandResult {
  enum class End {
    kExited,       // `status` is its exit status
    kSignaled,     // `status` is the signal that ended it
    kTimedOut,     // the time limit ended its process group
    kInterrupted,  // this process caught signal `status` (see InterruptScope); the group ended
    kFailed,       // it could not be started, or its exit status was lost: `output` says why
  };
  End end = End::kFailed;
  int status = 0;
  std::chrono::milliseconds elapsed{0};
  std::string output;  // standard output and error as interleaved, at most kMaxCommandOutput bytes
};

// Runs `spec.command` and waits until it ends or `spec.timeout` passes. When the command exits,
// whatever it left running in its process group is killed; on a timeout the whole group gets
// SIGTERM, then SIGKILL after `spec.grace`; on an interrupt both at once. The command is always
// reaped before this returns, and a pipe kept open by a process that left the group is
// abandoned after a short drain rather than waited on. Never throws except std::bad_alloc.
CommandResult run_command(const CommandSpec& spec);

// While alive, SIGINT, SIGTERM and SIGHUP (those not ignored) are caught instead of ending this
// process, so that run_command can end its command's process group first: that group is not
// the terminal's foreground group, so it never sees the user's Ctrl-C. `signal()` is the first
// signal caught, or 0: the caller notes it, cleans up, ends the scope and re-raises it. The
// destructor restores the previous dispositions and forgets the signal. One scope at a time.
class InterruptScope {
 public:
  InterruptScope();
  ~InterruptScope();
  InterruptScope(const InterruptScope&) = delete;
  InterruptScope& operator=(const InterruptScope&) = delete;
  int signal() const;

 private:
  struct sigaction old_[3];
  bool installed_[3] = {false, false, false};
};

}  // namespace assay::cli

#endif  // ASSAY_TOOLS_SUBPROCESS_H_
