#include "assay/file.h"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

namespace assay {
namespace {

namespace fs = std::filesystem;

class WriteFileAtomic : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           ("assay-file-" +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  static unsigned mode_of(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777U;
  }

  // The directory's entries other than `keep`.
  std::vector<std::string> others(const std::string& keep) const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) {
      if (e.path().filename() != keep) {
        names.push_back(e.path().filename().string());
      }
    }
    return names;
  }

  fs::path dir_;
};

TEST_F(WriteFileAtomic, WritesWithTheModeGivenWhateverTheUmask) {
  const fs::path key = dir_ / "k.pem";
  const mode_t old = ::umask(0);
  auto w = write_file_atomic(key.string(), "secret\n");
  ::umask(old);
  ASSERT_TRUE(w) << w.error().message;
  EXPECT_EQ(read(key), "secret\n");
  EXPECT_EQ(mode_of(key), 0600U);
  ASSERT_TRUE(write_file_atomic((dir_ / "c.pem").string(), "public", 0644));
  EXPECT_EQ(mode_of(dir_ / "c.pem"), 0644U);
  EXPECT_TRUE(others("k.pem").size() == 1 && others("k.pem")[0] == "c.pem");
}

TEST_F(WriteFileAtomic, ReplacesAnExistingFileAndNarrowsItsMode) {
  const fs::path key = dir_ / "k.pem";
  std::ofstream(key) << "a much longer old content than the new one";
  fs::permissions(key, fs::perms::all);
  ASSERT_TRUE(write_file_atomic(key.string(), "new"));
  EXPECT_EQ(read(key), "new");
  EXPECT_EQ(mode_of(key), 0600U);
}

TEST_F(WriteFileAtomic, ReplacesAPlantedSymlinkWithoutFollowingIt) {
  const fs::path victim = dir_ / "victim";
  std::ofstream(victim) << "do not touch";
  fs::permissions(victim, fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  const fs::path key = dir_ / "k.pem";
  fs::create_symlink(victim, key);
  ASSERT_TRUE(write_file_atomic(key.string(), "secret"));
  EXPECT_EQ(read(victim), "do not touch");
  EXPECT_EQ(mode_of(victim), 0604U);
  EXPECT_FALSE(fs::is_symlink(key));
  EXPECT_TRUE(fs::is_regular_file(key));
  EXPECT_EQ(read(key), "secret");
  EXPECT_EQ(mode_of(key), 0600U);
  // A dangling symlink (to a file it would create) is replaced the same way.
  const fs::path other = dir_ / "other.pem";
  fs::create_symlink(dir_ / "created-elsewhere", other);
  ASSERT_TRUE(write_file_atomic(other.string(), "x"));
  EXPECT_FALSE(fs::exists(dir_ / "created-elsewhere"));
  EXPECT_FALSE(fs::is_symlink(other));
}

TEST_F(WriteFileAtomic, FailureLeavesTheTargetAndNoTemporaryFile) {
  // The target is a directory: the rename fails after every byte was written.
  const fs::path target = dir_ / "taken";
  fs::create_directories(target / "inside");
  auto w = write_file_atomic(target.string(), "data");
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code, ErrorCode::kIo);
  EXPECT_NE(w.error().message.find(target.string()), std::string::npos) << w.error().message;
  EXPECT_TRUE(fs::is_directory(target / "inside"));
  EXPECT_TRUE(others("taken").empty());
  // The directory does not exist: nothing can be created.
  auto missing = write_file_atomic((dir_ / "no" / "such" / "file").string(), "data");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kIo);
}

TEST_F(WriteFileAtomic, AWriteCutShortLeavesTheOldFile) {
  const fs::path key = dir_ / "k.pem";
  std::ofstream(key) << "old";
  // A file size limit makes write(2) fail with EFBIG part way (SIGXFSZ ignored meanwhile).
  rlimit old_limit{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  auto* old_handler = std::signal(SIGXFSZ, SIG_IGN);
  rlimit small = old_limit;
  small.rlim_cur = 16;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  auto w = write_file_atomic(key.string(), std::string(4096, 'x'));
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  std::signal(SIGXFSZ, old_handler);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().code, ErrorCode::kIo);
  EXPECT_EQ(read(key), "old");
  EXPECT_TRUE(others("k.pem").empty());
}

}  // namespace
}  // namespace assay
