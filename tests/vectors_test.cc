// Every conformance vector in testdata/vectors, through the library: the exact verdict and
// the exact rule IDs. The mapping from a group's context to a Policy is the one
// testdata/README.md documents for other implementations.
#include <filesystem>
#include <memory>
#include <set>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "assay/verify.h"
#include "support/testdata.h"

namespace assay::test {
namespace {

struct Vector {
  std::string name;                  // file-tcId-class
  std::shared_ptr<const Json> group;  // without tests; shared by the group's vectors
  std::shared_ptr<const Json> test;
};

std::vector<Vector> load_vectors() {
  std::vector<Vector> out;
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(testdata_path("vectors"), ec)) {
    if (e.path().extension() == ".json") {
      files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto text = read_file(f.string());
    Json doc;
    JsonLimits limits;
    limits.max_bytes = 64 * 1024 * 1024;
    if (!text || !parse_json_strict(*text, doc, limits).parsed) {
      continue;
    }
    std::string stem = f.stem().string();
    // Every test process registers every vector (gtest evaluates the parameters before the
    // filter), so nothing is copied per vector: under ASan that kept ~300 MB alive per process.
    for (Json& g : doc["testGroups"]) {
      Json tests = std::move(g["tests"]);
      g.erase("tests");
      auto group = std::make_shared<const Json>(std::move(g));
      for (Json& t : tests) {
        std::string name = stem + "_" + std::to_string(t["tcId"].get<int>()) + "_" + t["class"].get<std::string>();
        for (char& c : name) {
          c = std::isalnum(static_cast<unsigned char>(c)) != 0 ? c : '_';
        }
        out.push_back({std::move(name), group, std::make_shared<const Json>(std::move(t))});
      }
    }
  }
  return out;
}

Policy policy_for(const Json& group) {
  const Json& ctx = group["context"];
  const Profile p = *parse_profile(group["profile"].get<std::string>());
  PolicyBuilder b;
  b.profile(p)
      .fixed_now(Seconds{std::chrono::seconds{ctx["now"].get<int64_t>()}})
      .expect_client_id(ctx["clientId"].get<std::string>())
      .clock_skew(std::chrono::seconds{ctx["clockSkewSec"].get<int>()})
      .max_lifetime(std::chrono::seconds{ctx["maxLifetimeSec"].get<int>()});
  if (p == Profile::kEntra) {
    b.expect_audience(ctx["tokenEndpoint"].get<std::string>());
  } else if (p == Profile::kRfc7523bis) {
    b.expect_issuer(ctx["issuer"].get<std::string>()).token_endpoint(ctx["tokenEndpoint"].get<std::string>());
  } else {
    b.expect_audience(ctx["tokenEndpoint"].get<std::string>()).expect_issuer(ctx["issuer"].get<std::string>());
  }
  return b.build().value();
}

KeySet keys_for(const Json& group) {
  KeySet ks;
  if (group.contains("jwks")) {
    ks.keys = load_jwks(group["jwks"].dump()).value();
  } else {
    ks.certificates.push_back(load_certificate(group["certificatePem"].get<std::string>()).value());
  }
  return ks;
}

class Vectors : public ::testing::TestWithParam<Vector> {};

void PrintTo(const Vector& v, std::ostream* os) { *os << v.name; }

TEST_P(Vectors, ExactVerdictAndRules) {
  const Vector& v = GetParam();
  const Json& test = *v.test;
  const std::string assertion = test["assertion"].get<std::string>();
  auto r = verify_input(assertion, keys_for(*v.group), policy_for(*v.group));
  ASSERT_TRUE(r) << r.error().message;
  std::set<std::string> ids;
  for (const Finding& f : r->findings) {
    if (f.severity >= Severity::kWarning) {
      ids.insert(f.rule_id);
    }
  }
  const std::vector<std::string> got(ids.begin(), ids.end());
  const std::string verdict = r->max_severity() == Severity::kError     ? "invalid"
                              : r->max_severity() == Severity::kWarning ? "acceptable"
                                                                        : "valid";
  EXPECT_EQ(verdict, test["result"].get<std::string>()) << test["comment"];
  EXPECT_EQ(got, test["ruleIds"].get<std::vector<std::string>>()) << test["comment"];
}

INSTANTIATE_TEST_SUITE_P(Conformance, Vectors, ::testing::ValuesIn(load_vectors()),
                         [](const ::testing::TestParamInfo<Vector>& p) { return p.param.name; });

}  // namespace
}  // namespace assay::test
