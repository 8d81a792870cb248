#include "assay/suggest.h"

#include <array>
#include <string_view>

#include <gtest/gtest.h>

namespace assay {
namespace {

TEST(EditDistance, CountsEditsAndAdjacentSwaps) {
  EXPECT_EQ(edit_distance("", ""), 0U);
  EXPECT_EQ(edit_distance("", "abc"), 3U);
  EXPECT_EQ(edit_distance("abc", ""), 3U);
  EXPECT_EQ(edit_distance("inspect", "inspect"), 0U);
  EXPECT_EQ(edit_distance("inpsect", "inspect"), 1U);  // one swap, not two substitutions
  EXPECT_EQ(edit_distance("Mail.Raed", "Mail.Read"), 1U);
  EXPECT_EQ(edit_distance("verfy", "verify"), 1U);
  EXPECT_EQ(edit_distance("buidl", "build"), 1U);
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3U);
  EXPECT_EQ(edit_distance("ca", "abc"), 3U);       // optimal string alignment, not full Damerau
  EXPECT_EQ(edit_distance("Build", "build"), 1U);  // case counts
}

TEST(NearestName, SuggestsOnlyCloseNames) {
  constexpr std::array<std::string_view, 5> kNames = {"inspect", "verify", "build", "cert",
                                                      "rules"};
  EXPECT_EQ(nearest_name("inpsect", kNames), "inspect");
  EXPECT_EQ(nearest_name("VERIFY", kNames), "verify");  // case-insensitive
  EXPECT_EQ(nearest_name("rule", kNames), "rules");
  EXPECT_EQ(nearest_name("crt", kNames), "cert");
  EXPECT_EQ(nearest_name("frobnicate", kNames), std::nullopt);
  EXPECT_EQ(nearest_name("x", kNames), std::nullopt);
  EXPECT_EQ(nearest_name("", kNames), std::nullopt);
  EXPECT_EQ(nearest_name("inspect", std::span<const std::string_view>()), std::nullopt);
}

TEST(NearestName, PrefersTheClosestThenTheFirst) {
  constexpr std::array<std::string_view, 3> kRoles = {"Mail.ReadBasic.All", "Mail.Read",
                                                      "Mail.ReadWrite"};
  EXPECT_EQ(nearest_name("Mail.Raed", kRoles), "Mail.Read");
  EXPECT_EQ(nearest_name("mail.readwrit", kRoles), "Mail.ReadWrite");
  constexpr std::array<std::string_view, 2> kTie = {"abcd", "abce"};
  EXPECT_EQ(nearest_name("abcf", kTie), "abcd");
}

}  // namespace
}  // namespace assay
