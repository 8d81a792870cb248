// assay-mock's state directory and request log: private files are written without following
// anything planted at their paths, and a client's bytes never reach the text log raw.
#include "mock_server.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <sys/stat.h>
#include <thread>

#include <gtest/gtest.h>

#include "mock/mock_fixture.h"
#include "support/testdata.h"

namespace assay::test {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777U;
}

TEST(MockStateDir, KeyFilesReplacePlantedSymlinksInsteadOfFollowingThem) {
  const fs::path root = fs::path(::testing::TempDir()) / "assay-mock-state-symlinks";
  fs::remove_all(root);
  const fs::path state = root / "state";
  fs::create_directories(state);
  const fs::path victim = root / "victim";
  std::ofstream(victim) << "not a key";
  fs::permissions(victim, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  // Every private file the mock writes (built-in world: the first app's credentials are app.*).
  const std::vector<std::string> secrets = {"ca.key.pem",  "tls.key.pem", "signing.key.pem",
                                            "app.key.pem", "app.pfx",     "app.pfx.password"};
  for (const std::string& name : secrets) {
    fs::create_symlink(victim, state / name);
  }
  mock::ServerOptions o;
  o.state_dir = state.string();
  auto server = mock::MockServer::create(o);
  ASSERT_TRUE(server) << server.error().message;
  EXPECT_EQ(read(victim), "not a key");
  EXPECT_EQ(mode_of(victim), 0604U);
  for (const std::string& name : secrets) {
    EXPECT_FALSE(fs::is_symlink(state / name)) << name;
    EXPECT_TRUE(fs::is_regular_file(state / name)) << name;
    EXPECT_EQ(mode_of(state / name), 0600U) << name;
  }
  for (const char* name : {"ca.pem", "tls.crt.pem", "signing.crt.pem", "app.crt.pem"}) {
    EXPECT_EQ(mode_of(state / name), 0644U) << name;
  }
  // Nothing but the files themselves: no temporary file is left behind.
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(state)) {
    ++entries;
  }
  EXPECT_EQ(entries, secrets.size() + 4);
  EXPECT_EQ((*server)->ready().key, (state / "app.key.pem").string());
  server->reset();
  fs::remove_all(root);
}

class MockLog : public MockServerTest {
 protected:
  void start(mock::LogFormat format) {
    mock::ServerOptions o;
    o.config_path = testdata_path("mock/contoso.json");
    o.log_format = format;
    o.log = [this](const std::string& line) {
      std::lock_guard<std::mutex> lock(mu_);
      lines_.push_back(line);
    };
    restart(o);
  }

  // The first log line containing `needle`, waiting up to 5 s for it (the log is written after
  // the answer is sent); "" when none came.
  std::string line_with(const std::string& needle) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        for (const std::string& l : lines_) {
          if (l.find(needle) != std::string::npos) {
            return l;
          }
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return {};
  }

  std::mutex mu_;
  std::vector<std::string> lines_;
};

TEST_F(MockLog, TextLogShowsControlCharactersInThePathEscaped) {
  start(mock::LogFormat::kText);
  // Decoded by the server: CSI, OSC ... BEL, a C1 CSI in UTF-8, and a byte that is not UTF-8.
  auto res = client()->Get("/%1B%5B31mRED%1B%5D0;PWNED%07/%C2%9B2J/%FF/x");
  ASSERT_TRUE(res);
  const std::string line = line_with("RED");
  ASSERT_FALSE(line.empty()) << "no log line";
  EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
  EXPECT_EQ(line.find('\x07'), std::string::npos) << line;
  EXPECT_EQ(line.find("\xc2\x9b"), std::string::npos) << line;
  EXPECT_EQ(line.find('\xff'), std::string::npos) << line;
  EXPECT_NE(line.find(" GET /\\u001b[31mRED\\u001b]0;PWNED\\u0007/\\u009b2J/\\xff/x 404 "),
            std::string::npos)
      << line;
}

}  // namespace
}  // namespace assay::test
