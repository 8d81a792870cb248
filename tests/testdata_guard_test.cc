// Fails when the testdata directory is missing or empty, so a wrong path can never turn into
// "0 tests ran".
#include <filesystem>

#include <gtest/gtest.h>

#include "support/testdata.h"

namespace assay::test {
namespace {

size_t count_files(const std::string& dir, const std::string& ext) {
  size_t n = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(testdata_path(dir), ec)) {
    n += e.path().extension() == ext ? 1U : 0U;
  }
  return n;
}

TEST(TestdataGuard, DirectoriesArePresentAndFull) {
  EXPECT_GE(count_files("keys", ".pem"), 30U) << testdata_dir();
  EXPECT_GE(count_files("vectors", ".json"), 3U);
  EXPECT_GE(count_files("cli/rules", ".json"), 6U);
  EXPECT_TRUE(std::filesystem::exists(testdata_path("schemas/assay_client_assertion_verify_schema_v1.json")));
}

}  // namespace
}  // namespace assay::test
