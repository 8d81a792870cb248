// run_command: how a verifier ended (exit status, signal, time limit), its whole process group
// ended on a timeout or an interrupt, bounded output, and no wait on a pipe a leftover keeps.
#include "subprocess.h"

#include <csignal>
#include <fstream>
#include <sys/stat.h>
#include <thread>

#include <gtest/gtest.h>

#include "support/scratch.h"

namespace assay::cli {
namespace {

using namespace std::chrono_literals;
using End = CommandResult::End;
using test::process_running;
using test::read_pid_file;

class RunCommand : public ::testing::Test {
 protected:
  void SetUp() override { std::ofstream(dir_.file("in.jwt")) << "eyJ.assertion"; }

  CommandSpec spec(const std::string& command, std::chrono::milliseconds timeout = 10s) const {
    CommandSpec s;
    s.command = command;
    s.stdin_path = dir_.file("in.jwt");
    s.timeout = timeout;
    s.grace = 300ms;
    return s;
  }
  std::string pid_file() const { return dir_.file("pid"); }

  test::ScratchDir dir_;
};

TEST_F(RunCommand, ReportsTheExitStatusAndOutput) {
  CommandSpec s = spec("cat; echo \" $ASSAY_X\" >&2; exit 1");
  s.env = {{"ASSAY_X", "from-env"}};
  const CommandResult r = run_command(s);
  EXPECT_EQ(r.end, End::kExited);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.output, "eyJ.assertion from-env\n");
}

TEST_F(RunCommand, EnvironmentReplacesInheritedVariables) {
  ::setenv("ASSAY_RUN_COMMAND_TEST", "outer", 1);
  CommandSpec s = spec("env | grep '^ASSAY_RUN_COMMAND_TEST='");
  s.env = {{"ASSAY_RUN_COMMAND_TEST", "inner"}};
  const CommandResult r = run_command(s);
  ::unsetenv("ASSAY_RUN_COMMAND_TEST");
  EXPECT_EQ(r.output, "ASSAY_RUN_COMMAND_TEST=inner\n");
}

TEST_F(RunCommand, NotFoundIsExitStatus127) {
  const CommandResult r = run_command(spec("/nonexistent/verifier"));
  EXPECT_EQ(r.end, End::kExited);
  EXPECT_EQ(r.status, 127);
  EXPECT_NE(r.output.find("/nonexistent/verifier"), std::string::npos) << r.output;
}

TEST_F(RunCommand, NotExecutableIsExitStatus126) {
  const std::string script = dir_.file("verifier.sh");
  std::ofstream(script) << "#!/bin/sh\nexit 0\n";
  ::chmod(script.c_str(), 0644);
  const CommandResult r = run_command(spec(script));
  EXPECT_EQ(r.end, End::kExited);
  EXPECT_EQ(r.status, 126);
}

TEST_F(RunCommand, DeathBySignalIsReportedAsSuch) {
  const CommandResult r = run_command(spec("ulimit -c 0; kill -SEGV $$"));
  EXPECT_EQ(r.end, End::kSignaled);
  EXPECT_EQ(r.status, SIGSEGV);
}

TEST_F(RunCommand, TimeoutEndsTheWholeProcessGroup) {
  const CommandResult r = run_command(spec("sleep 30 & echo $! > " + pid_file() + "; wait", 1s));
  EXPECT_EQ(r.end, End::kTimedOut);
  EXPECT_GE(r.elapsed, 1s);
  EXPECT_LT(r.elapsed, 5s);
  const pid_t grandchild = read_pid_file(pid_file());
  ASSERT_NE(grandchild, 0);
  EXPECT_FALSE(process_running(grandchild, 2s)) << "the grandchild sleep outlived the timeout";
}

TEST_F(RunCommand, TimeoutKillsWhatIgnoresSigterm) {
  const CommandResult r =
      run_command(spec("trap '' TERM; sleep 30 & echo $! > " + pid_file() + "; wait", 1s));
  EXPECT_EQ(r.end, End::kTimedOut);
  EXPECT_GE(r.elapsed, 1300ms);  // the timeout, then the grace before SIGKILL
  EXPECT_LT(r.elapsed, 5s);
  const pid_t grandchild = read_pid_file(pid_file());
  ASSERT_NE(grandchild, 0);
  EXPECT_FALSE(process_running(grandchild, 2s));
}

TEST_F(RunCommand, LeftoversAreKilledWhenTheCommandExits) {
  // The background sleep keeps the output pipe open: waiting for end of file would take 30 s.
  const CommandResult r = run_command(spec("sleep 30 & echo $! > " + pid_file() + "; echo done"));
  EXPECT_EQ(r.end, End::kExited);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.output, "done\n");
  EXPECT_LT(r.elapsed, 5s);
  const pid_t leftover = read_pid_file(pid_file());
  ASSERT_NE(leftover, 0);
  EXPECT_FALSE(process_running(leftover, 2s));
}

TEST_F(RunCommand, NeverWaitsOnAPipeHeldOutsideTheGroup) {
  // setsid leaves the group (before it writes the pid file), so nothing here may kill it; the
  // test does. It keeps the output pipe open for 30 s.
  const CommandResult r =
      run_command(spec("setsid sh -c 'echo $$ > " + pid_file() + "; exec sleep 30' & until [ -s " +
                       pid_file() + " ]; do sleep 0.01; done; echo done"));
  const pid_t escaped = read_pid_file(pid_file());
  ASSERT_NE(escaped, 0);
  EXPECT_TRUE(test::process_running(escaped, 0ms)) << "it did not escape the group";
  ::kill(escaped, SIGKILL);
  EXPECT_EQ(r.end, End::kExited);
  EXPECT_EQ(r.output, "done\n");
  EXPECT_LT(r.elapsed, 5s);
}

TEST_F(RunCommand, OutputIsBoundedAndTheCommandNeverBlocks) {
  const CommandResult r = run_command(spec("head -c 1000000 /dev/zero | tr '\\0' a; exit 1"));
  EXPECT_EQ(r.end, End::kExited);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.output, std::string(kMaxCommandOutput, 'a'));
}

TEST_F(RunCommand, UnreadableInputIsAFailureToStart) {
  CommandSpec s = spec("exit 0");
  s.stdin_path = dir_.file("missing.jwt");
  const CommandResult r = run_command(s);
  EXPECT_EQ(r.end, End::kFailed);
  EXPECT_NE(r.output.find("missing.jwt"), std::string::npos) << r.output;
}

TEST_F(RunCommand, AnInterruptEndsTheGroupAndIsReported) {
  CommandResult r;
  {
    const InterruptScope scope;
    std::thread sender([this] {
      read_pid_file(pid_file());  // the command runs
      ::kill(::getpid(), SIGINT);
    });
    r = run_command(spec("sleep 30 & echo $! > " + pid_file() + "; wait"));
    sender.join();
    EXPECT_EQ(scope.signal(), SIGINT);
  }
  EXPECT_EQ(r.end, End::kInterrupted);
  EXPECT_EQ(r.status, SIGINT);
  EXPECT_LT(r.elapsed, 5s);
  const pid_t grandchild = read_pid_file(pid_file());
  ASSERT_NE(grandchild, 0);
  EXPECT_FALSE(process_running(grandchild, 2s));
  struct sigaction now {};
  ::sigaction(SIGINT, nullptr, &now);
  EXPECT_EQ(now.sa_handler, SIG_DFL) << "the scope did not restore SIGINT";
}

}  // namespace
}  // namespace assay::cli
