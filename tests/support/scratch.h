// Test-only: a fresh directory per test, and whether a process a test started is still running.
#ifndef ASSAY_TESTS_SUPPORT_SCRATCH_H_
#define ASSAY_TESTS_SUPPORT_SCRATCH_H_

#include <chrono>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace assay::test {

// A new directory under testing::TempDir() (mkdtemp, so parallel tests never share one),
// removed with its contents by the destructor.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string file(std::string_view name) const;

 private:
  std::string path_;
};

// Whether `pid` is still running after up to `patience` (a zombie no longer runs).
bool process_running(pid_t pid, std::chrono::milliseconds patience);

// The process ID a test command wrote to `path` ("12345\n"), waiting up to 5 s for it; 0 when
// none appeared.
pid_t read_pid_file(const std::string& path);

}  // namespace assay::test

#endif  // ASSAY_TESTS_SUPPORT_SCRATCH_H_
