#include "support/testdata.h"

#include <cstdlib>

#include <gtest/gtest.h>

namespace assay::test {

std::string testdata_dir() {
  const char* env = std::getenv("ASSAY_TESTDATA_DIR");
  if (env != nullptr && env[0] != '\0') {
    return env;
  }
  return ASSAY_TESTDATA_DIR;
}

std::string testdata_path(std::string_view relative) {
  return testdata_dir() + "/" + std::string(relative);
}

std::string read_testdata(std::string_view relative) {
  auto bytes = read_file(testdata_path(relative));
  EXPECT_TRUE(bytes.has_value()) << (bytes ? "" : bytes.error().message);
  return bytes ? *bytes : std::string();
}

Credentials load_test_credentials(std::string_view name) {
  LoadOptions opts;
  opts.password = std::string(kTestPassword);
  auto c = load_credentials_file(testdata_path("keys/" + std::string(name)), opts);
  EXPECT_TRUE(c.has_value()) << name << ": " << (c ? "" : c.error().message);
  return c ? *c : Credentials();
}

Key load_test_private_key(std::string_view name) {
  Credentials c = load_test_credentials(name);
  EXPECT_TRUE(c.private_key.has_value()) << name << " has no private key";
  return c.private_key ? *c.private_key : Key();
}

Certificate load_test_certificate(std::string_view name) {
  Credentials c = load_test_credentials(name);
  EXPECT_FALSE(c.certificates.empty()) << name << " has no certificate";
  return c.certificates.empty() ? Certificate() : c.certificates.front();
}

}  // namespace assay::test
