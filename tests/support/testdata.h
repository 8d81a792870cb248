// Test-only helpers: where testdata lives, and reading it.
#ifndef ASSAY_TESTS_SUPPORT_TESTDATA_H_
#define ASSAY_TESTS_SUPPORT_TESTDATA_H_

#include <string>
#include <string_view>

#include "assay/key.h"

namespace assay::test {

// The testdata directory: $ASSAY_TESTDATA_DIR, else the compiled-in default.
std::string testdata_dir();

// testdata_dir() + "/" + relative.
std::string testdata_path(std::string_view relative);

// The bytes of a testdata file; fails the current test (and returns "") when unreadable.
std::string read_testdata(std::string_view relative);

// Loads testdata/keys/<name> (with the test password) or fails the current test.
Credentials load_test_credentials(std::string_view name);
Key load_test_private_key(std::string_view name);
Certificate load_test_certificate(std::string_view name);

// The password of every encrypted test key and .pfx.
inline constexpr std::string_view kTestPassword = "assay-test";

}  // namespace assay::test

#endif  // ASSAY_TESTS_SUPPORT_TESTDATA_H_
