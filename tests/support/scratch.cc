#include "support/scratch.h"

#include <filesystem>
#include <fstream>
#include <stdlib.h>
#include <thread>

#include <gtest/gtest.h>

namespace assay::test {

using namespace std::chrono_literals;

ScratchDir::ScratchDir() {
  std::string pattern = testing::TempDir() + "/assay-test-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp " << pattern << " failed";
    return;
  }
  path_ = pattern;
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  if (!path_.empty()) {
    std::filesystem::remove_all(path_, ec);
  }
}

std::string ScratchDir::file(std::string_view name) const {
  return path_ + "/" + std::string(name);
}

bool process_running(pid_t pid, std::chrono::milliseconds patience) {
  const auto until = std::chrono::steady_clock::now() + patience;
  while (true) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    const size_t paren = line.rfind(')');
    if (!stat || paren == std::string::npos || paren + 2 >= line.size() || line[paren + 2] == 'Z' ||
        line[paren + 2] == 'X') {
      return false;
    }
    if (std::chrono::steady_clock::now() >= until) {
      return true;
    }
    std::this_thread::sleep_for(10ms);
  }
}

pid_t read_pid_file(const std::string& path) {
  const auto until = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < until) {
    std::ifstream in(path);
    std::string line;
    if (std::getline(in, line) && !line.empty()) {
      return static_cast<pid_t>(std::stol(line));
    }
    std::this_thread::sleep_for(10ms);
  }
  return 0;
}

}  // namespace assay::test
