#include "assay/rules.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace assay {
namespace {

TEST(RuleCatalogue, IdsAreWellFormedUniqueAndSorted) {
  const std::regex id_re("(ENC|HDR|SIG|KEY|CLM|EXC)[0-9]{3}");
  const std::regex name_re("[a-z0-9]+(-[a-z0-9]+)*");
  std::set<std::string_view> names;
  std::string_view prev;
  for (const RuleInfo& r : all_rules()) {
    EXPECT_TRUE(std::regex_match(std::string(r.id), id_re)) << r.id;
    EXPECT_TRUE(std::regex_match(std::string(r.name), name_re)) << r.name;
    EXPECT_LT(prev, r.id);
    prev = r.id;
    EXPECT_TRUE(names.insert(r.name).second) << "duplicate name " << r.name;
    EXPECT_FALSE(r.summary.empty()) << r.id;
    EXPECT_FALSE(r.hint.empty()) << r.id;
    EXPECT_FALSE(r.ref.empty()) << r.id;
    bool applies = false;
    for (Profile p : kAllProfiles) {
      applies = applies || r.severity_for(p) != Severity::kOff;
    }
    EXPECT_TRUE(applies) << r.id << " applies to no profile";
  }
}

TEST(RuleCatalogue, FindByIdOrName) {
  const RuleInfo* byid = find_rule("HDR001");
  ASSERT_NE(byid, nullptr);
  EXPECT_EQ(byid->name, "alg-none");
  EXPECT_EQ(find_rule("alg-none"), byid);
  EXPECT_EQ(find_rule("XYZ999"), nullptr);
}

TEST(RuleCatalogue, EntraIsMoreLenientWhereRealClientsDeviate) {
  // Padded x5t (MSAL Python), numbers as strings (MSAL.NET), fractional iat, reused jti.
  for (const char* id : {"HDR012", "CLM038", "CLM039", "CLM042"}) {
    const RuleInfo* r = find_rule(id);
    ASSERT_NE(r, nullptr) << id;
    EXPECT_EQ(r->severity_for(Profile::kEntra), Severity::kWarning) << id;
    for (Profile p : {Profile::kRfc7523, Profile::kRfc7523bis, Profile::kOidc}) {
      EXPECT_EQ(r->severity_for(p), Severity::kError) << id;
    }
  }
}

}  // namespace
}  // namespace assay
