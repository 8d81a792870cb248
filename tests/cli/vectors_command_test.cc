// assay vectors run: a verifier's verdicts counted exactly. Exit 0 accepts, 1 rejects, and
// anything else (not found, not executable, a signal, another status, a timeout) is an error,
// counted apart in the summary, JSON, JUnit and Markdown; --known judges only tests that ran.
#include <chrono>
#include <fstream>
#include <map>
#include <sys/stat.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "assay/json.h"
#include "assay/key.h"
#include "support/golden.h"
#include "support/scratch.h"
#include "support/testdata.h"

namespace assay::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kFile = "client_assertion_rs256_test.json";

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) {
    ++n;
  }
  return n;
}

Json parse(const std::string& text) {
  Json j;
  EXPECT_TRUE(parse_json_strict(text, j, JsonLimits{.max_bytes = 64 << 20}).parsed) << text;
  return j;
}

std::string slurp(const std::string& path) {
  auto text = read_file(path);
  EXPECT_TRUE(text.has_value()) << path;
  return text ? *text : std::string();
}

struct VectorCase {
  std::string profile;
  int tc_id;
  std::string cls;
  std::string result;
};

// A small vector directory cut from the RS256 file: the entra and rfc7523 certificate groups,
// the first two tests of each result (valid, invalid, acceptable) in each.
class VectorsRun : public ::testing::Test {
 protected:
  void SetUp() override {
    Json doc = parse(read_testdata(std::string("vectors/") + kFile));
    Json groups = Json::array();
    for (const Json& g : doc["testGroups"]) {
      if (g["material"] != "certificate" ||
          (g["profile"] != "entra" && g["profile"] != "rfc7523")) {
        continue;
      }
      Json kept = g;
      kept["tests"] = Json::array();
      std::map<std::string, int> per_result;
      for (const Json& t : g["tests"]) {
        const std::string result = t["result"].get<std::string>();
        if (per_result[result]++ < 2) {
          kept["tests"].push_back(t);
          tests_.push_back({g["profile"].get<std::string>(), t["tcId"].get<int>(),
                            t["class"].get<std::string>(), result});
        }
      }
      groups.push_back(kept);
    }
    doc["testGroups"] = groups;
    doc["numberOfTests"] = tests_.size();
    std::filesystem::create_directory(vectors_);
    std::ofstream(vectors_ + "/" + kFile) << doc.dump(1);
    ASSERT_EQ(tests_.size(), 12U);
  }

  CliResult run(std::vector<std::string> extra) const {
    std::vector<std::string> args = {"vectors", "run", "--dir", vectors_};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_cli(args);
  }

  size_t how_many(const std::string& result, const std::string& profile = "") const {
    size_t n = 0;
    for (const VectorCase& t : tests_) {
      if (t.result == result && (profile.empty() || t.profile == profile)) {
        ++n;
      }
    }
    return n;
  }

  // Writes a known-failures file naming `entries` (file, tcId) and returns its path.
  std::string known_file(const std::vector<std::pair<std::string, int>>& entries) const {
    Json list = Json::array();
    for (const auto& [file, id] : entries) {
      list.push_back(Json::object({{"file", file}, {"tcId", id}, {"reason", "test"}}));
    }
    const std::string path = dir_.file("known.json");
    std::ofstream(path) << Json::object({{"knownFailures", list}}).dump();
    return path;
  }

  // The entries an accept-everything verifier fails on: every invalid test, both profiles.
  std::vector<std::pair<std::string, int>> invalid_entries() const {
    std::vector<std::pair<std::string, int>> out;
    for (const VectorCase& t : tests_) {
      if (t.result == "invalid") {
        out.emplace_back(kFile, t.tc_id);
      }
    }
    return out;
  }

  // A valid rfc7523 test other than valid-baseline: it passes under an accept-everything
  // verifier, so a known entry for it is stale whenever it runs.
  const VectorCase& passing_rfc7523_test() const {
    for (const VectorCase& t : tests_) {
      if (t.profile == "rfc7523" && t.result == "valid" && t.cls != "valid-baseline") {
        return t;
      }
    }
    ADD_FAILURE() << "no such test";
    return tests_.front();
  }

  ScratchDir dir_;
  std::string vectors_ = dir_.file("vectors");
  std::vector<VectorCase> tests_;
};

TEST_F(VectorsRun, LibassayItselfPassesEveryTest) {
  const CliResult r = run({});
  EXPECT_EQ(r.exit, 0) << r.out;
  EXPECT_EQ(r.out, "12 passed, 0 failed, 0 errors\n");
}

TEST_F(VectorsRun, ACorrectVerifierPassesEveryTest) {
  // It reads the assertion on stdin and the trusted certificate from its file, and answers
  // from ASSAY_EXPECTED; anything missing is exit 2 (an error).
  const CliResult r =
      run({"--exec",
           "a=$(cat); [ ${#a} -gt 100 ] && [ -s \"$ASSAY_CERT_PEM_FILE\" ] || exit 2; "
           "[ \"$ASSAY_EXPECTED\" != invalid ]"});
  EXPECT_EQ(r.exit, 0) << r.out;
  EXPECT_EQ(r.out, "12 passed, 0 failed, 0 errors\n");
}

TEST_F(VectorsRun, AVerifierThatAcceptsEverythingFailsTheInvalidTests) {
  const size_t invalid = how_many("invalid");
  ASSERT_EQ(invalid, 4U);
  const CliResult text = run({"--exec", "exit 0"});
  EXPECT_EQ(text.exit, 1);
  EXPECT_EQ(count(text.out, "FAIL "), invalid);
  EXPECT_NE(text.out.find("\n8 passed, 4 failed, 0 errors\n"), std::string::npos) << text.out;

  const CliResult json = run({"--exec", "exit 0", "--format", "json"});
  EXPECT_EQ(json.exit, 1);
  const Json j = parse(json.out);
  EXPECT_EQ(j["passed"], 8);
  EXPECT_EQ(j["failed"], 4);
  EXPECT_EQ(j["errors"], 0);
  for (const Json& res : j["results"]) {
    EXPECT_EQ(res["actual"], "accept");
    EXPECT_EQ(res["pass"], res["expected"] != "invalid") << res.dump();
  }
}

TEST_F(VectorsRun, ABrokenVerifierIsAnErrorNeverAPass) {
  const std::string script = dir_.file("verifier.sh");
  std::ofstream(script) << "#!/bin/sh\nexit 0\n";
  ::chmod(script.c_str(), 0644);
  const std::pair<std::string, std::string> cases[] = {
      {"/nonexistent/verifier", "exit status 127 (command not found): "},
      {script, "exit status 126 (not executable): "},
      {"ulimit -c 0; kill -SEGV $$", "killed by signal 11 ("},
      {"echo oops; exit 2", "exit status 2 (0 accepts, 1 rejects): oops"},
  };
  for (const auto& [command, reason] : cases) {
    SCOPED_TRACE(command);
    const CliResult r = run({"--exec", command});
    EXPECT_EQ(r.exit, 3);
    EXPECT_EQ(count(r.out, "ERROR "), 12U) << r.out;
    EXPECT_EQ(count(r.out, reason), 12U) << r.out;
    EXPECT_NE(r.out.find("\n0 passed, 0 failed, 12 errors\n"), std::string::npos) << r.out;
  }
}

TEST_F(VectorsRun, ErrorsAreCountedApartInJsonJunitAndMarkdown) {
  const std::string junit = dir_.file("run.xml");
  const std::string md = dir_.file("run.md");
  const CliResult r = run(
      {"--exec", "/nonexistent/verifier", "--format", "json", "--junit", junit, "--markdown", md});
  EXPECT_EQ(r.exit, 3);
  const Json j = parse(r.out);
  EXPECT_EQ(j["passed"], 0);
  EXPECT_EQ(j["failed"], 0);
  EXPECT_EQ(j["errors"], 12);
  for (const Json& res : j["results"]) {
    EXPECT_EQ(res["actual"], "error");
    EXPECT_EQ(res["pass"], false);
    EXPECT_EQ(res["detail"].get<std::string>().rfind("exit status 127", 0), 0U) << res.dump();
  }
  const std::string xml = slurp(junit);
  EXPECT_NE(xml.find("<testsuites tests=\"12\" failures=\"0\" errors=\"12\">"), std::string::npos)
      << xml;
  EXPECT_EQ(count(xml, "<error message="), 12U);
  EXPECT_EQ(count(xml, "<failure"), 0U);
  const std::string table = slurp(md);
  EXPECT_NE(table.find("0 passed, 0 failed, 12 errors"), std::string::npos) << table;
  EXPECT_EQ(count(table, " | error | exit status 127"), 12U) << table;
}

TEST_F(VectorsRun, AVerifierOutputIsShownAsOnePrintablePlainLine) {
  // An escape sequence, ill-formed UTF-8 (a lone 0xff), well-formed UTF-8, a '|' and a second
  // line: the report shows the first line only, the bad bytes as '?', the '|' escaped in
  // Markdown.
  const std::string md = dir_.file("run.md");
  const CliResult r =
      run({"--exec", "printf 'bad \\033[31m \\377 caf\\303\\251 a|b\\nmore\\n'; exit 2",
           "--profile", "entra", "--filter", "^valid-baseline$", "--markdown", md});
  EXPECT_EQ(r.exit, 3);
  EXPECT_NE(r.out.find("(0 accepts, 1 rejects): bad ?[31m ? caf\xc3\xa9 a|b\n"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("more"), std::string::npos);
  EXPECT_NE(slurp(md).find(": bad ?[31m ? caf\xc3\xa9 a\\|b |\n"), std::string::npos) << slurp(md);
}

TEST_F(VectorsRun, ATimeoutEndsTheVerifierAndItsGrandchild) {
  const std::string pid_file = dir_.file("pid");
  const auto start = std::chrono::steady_clock::now();
  const CliResult r = run({"--exec", "sleep 30 & echo $! > " + pid_file + "; wait; exit 0",
                           "--timeout", "1", "--profile", "entra", "--filter", "^valid-baseline$"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  EXPECT_EQ(r.exit, 3);
  EXPECT_NE(r.out.find("timed out after 1."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n0 passed, 0 failed, 1 error\n"), std::string::npos) << r.out;
  const pid_t grandchild = read_pid_file(pid_file);
  ASSERT_NE(grandchild, 0);
  EXPECT_FALSE(process_running(grandchild, 2s)) << "the verifier's sleep outlived the timeout";
}

TEST_F(VectorsRun, KnownJudgesOnlyTheProfileThatRan) {
  auto entries = invalid_entries();
  const VectorCase& stale = passing_rfc7523_test();
  entries.emplace_back(kFile, stale.tc_id);
  const std::string known = known_file(entries);

  const CliResult entra = run({"--exec", "exit 0", "--known", known, "--profile", "entra"});
  EXPECT_EQ(entra.exit, 0) << entra.out << entra.err;
  EXPECT_EQ(entra.err, "");
  EXPECT_NE(entra.out.find("\n4 passed, 2 failed, 0 errors (2 known, 0 unexpected)\n"),
            std::string::npos)
      << entra.out;

  const CliResult rfc = run({"--exec", "exit 0", "--known", known, "--profile", "rfc7523"});
  EXPECT_EQ(rfc.exit, 1);
  EXPECT_EQ(rfc.err, "assay: known failure " + std::string(kFile) + " tcId " +
                         std::to_string(stale.tc_id) + " now passes: remove it from " + known +
                         "\n");
  EXPECT_NE(rfc.out.find("(2 known, 0 unexpected, 1 stale known entry)\n"), std::string::npos)
      << rfc.out;
}

TEST_F(VectorsRun, KnownJudgesOnlyTheTestsTheFilterKept) {
  auto entries = invalid_entries();
  const VectorCase& stale = passing_rfc7523_test();
  entries.emplace_back(kFile, stale.tc_id);
  const std::string known = known_file(entries);

  const CliResult baseline =
      run({"--exec", "exit 0", "--known", known, "--filter", "^valid-baseline$"});
  EXPECT_EQ(baseline.exit, 0) << baseline.out << baseline.err;
  EXPECT_EQ(baseline.err, "");
  EXPECT_EQ(baseline.out, "2 passed, 0 failed, 0 errors (0 known, 0 unexpected)\n");

  const CliResult kept =
      run({"--exec", "exit 0", "--known", known, "--filter", "^" + stale.cls + "$"});
  EXPECT_EQ(kept.exit, 1);
  EXPECT_NE(kept.err.find("tcId " + std::to_string(stale.tc_id) + " now passes"), std::string::npos)
      << kept.err;
  EXPECT_NE(kept.out.find(", 1 stale known entry)\n"), std::string::npos) << kept.out;
}

TEST_F(VectorsRun, AKnownEntryNamingNoTestIsStale) {
  auto entries = invalid_entries();
  entries.emplace_back(kFile, 99999);
  const CliResult r =
      run({"--exec", "exit 0", "--known", known_file(entries), "--profile", "entra"});
  EXPECT_EQ(r.exit, 1);
  EXPECT_NE(r.err.find("tcId 99999 names no test in " + vectors_), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("(2 known, 0 unexpected, 1 stale known entry)\n"), std::string::npos)
      << r.out;
}

TEST_F(VectorsRun, KnownFailuresNeverHideErrors) {
  auto entries = invalid_entries();
  for (const VectorCase& t : tests_) {
    entries.emplace_back(kFile, t.tc_id);
  }
  const CliResult r = run({"--exec", "exit 3", "--known", known_file(entries)});
  EXPECT_EQ(r.exit, 3);
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("\n0 passed, 0 failed, 12 errors (0 known, 0 unexpected)\n"),
            std::string::npos)
      << r.out;
}

TEST_F(VectorsRun, AnUnwritableReportIsARuntimeError) {
  const CliResult r = run({"--junit", dir_.file("no/such/dir/run.xml")});
  EXPECT_EQ(r.exit, 3);
  EXPECT_NE(r.err.find("assay: error: cannot write "), std::string::npos) << r.err;
}

TEST_F(VectorsRun, TheTimeoutMustBeBetweenAMillisecondAndADay) {
  for (const char* bad : {"0", "-1", "86401", "nan"}) {
    const CliResult r = run({"--exec", "exit 0", "--timeout", bad});
    EXPECT_EQ(r.exit, 2) << bad;
    EXPECT_EQ(r.err, "assay: error: --timeout must be between 0.001 and 86400 seconds\n") << bad;
  }
}

}  // namespace
}  // namespace assay::test
