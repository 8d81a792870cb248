// assay-mock's state directory: private files are written without following anything planted
// at their paths.
#include "mock_server.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace assay::test
