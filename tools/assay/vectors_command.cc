// assay vectors generate | run: the Wycheproof-style conformance vectors under
// testdata/vectors/, made reproducibly from the test keys, and run against any verifier.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "assay/file.h"
#include "assay/terminal.h"
#include "assay/testing.h"
#include "assay/verify.h"
#include "common.h"
#include "conformance.h"
#include "render.h"
#include "subprocess.h"

namespace assay::cli {
namespace {

namespace fs = std::filesystem;

constexpr int kGeneratorVersion = 1;

// Vector files are large; the strict parser's default caps are for tokens.
JsonParseOutcome parse_big(std::string_view text, Json& out) {
  JsonLimits limits;
  limits.max_bytes = 64 * 1024 * 1024;
  return parse_json_strict(text, out, limits);
}
constexpr const char* kSchemaName = "assay_client_assertion_verify_schema_v1.json";

struct VectorFileSpec {
  std::string file;
  Alg alg;
  std::string key, cert, other_key, other_cert, weak_key, weak_cert, expired_cert;
  std::vector<Profile> profiles;
};

const std::vector<VectorFileSpec>& file_specs() {
  static const std::vector<VectorFileSpec> kSpecs = {
      {"client_assertion_rs256_test.json", Alg::kRS256, "rsa-2048.key.pem", "rsa-2048.crt.pem",
       "rsa-2048-b.key.pem", "rsa-2048-b.crt.pem", "rsa-1024.key.pem", "rsa-1024.crt.pem",
       "rsa-2048-expired.crt.pem",
       {Profile::kEntra, Profile::kRfc7523, Profile::kRfc7523bis, Profile::kOidc}},
      {"client_assertion_ps256_test.json", Alg::kPS256, "rsa-2048.key.pem", "rsa-2048.crt.pem",
       "rsa-2048-b.key.pem", "rsa-2048-b.crt.pem", "rsa-1024.key.pem", "rsa-1024.crt.pem",
       "rsa-2048-expired.crt.pem",
       {Profile::kEntra, Profile::kRfc7523, Profile::kRfc7523bis, Profile::kOidc}},
      {"client_assertion_es256_test.json", Alg::kES256, "ec-p256.key.pem", "ec-p256.crt.pem",
       "ec-p256-b.key.pem", "ec-p256-b.crt.pem", "", "", "",
       {Profile::kRfc7523, Profile::kRfc7523bis, Profile::kOidc, Profile::kEntra}},
  };
  return kSpecs;
}

// ----------------------------------------------------------------- verdicts (the contract)

struct Verdict {
  std::string result;                // valid | invalid | acceptable
  std::vector<std::string> rule_ids;  // every rule at warning or error, sorted
};

Result<Policy> policy_of(const Json& ctx, Profile p) {
  PolicyBuilder b;
  b.profile(p)
      .fixed_now(Seconds{std::chrono::seconds{ctx["now"].get<int64_t>()}})
      .expect_client_id(ctx["clientId"].get<std::string>())
      .clock_skew(std::chrono::seconds{ctx["clockSkewSec"].get<int>()})
      .max_lifetime(std::chrono::seconds{ctx["maxLifetimeSec"].get<int>()});
  const std::string te = ctx["tokenEndpoint"].get<std::string>();
  const std::string iss = ctx["issuer"].get<std::string>();
  if (p == Profile::kEntra) {
    b.expect_audience(te);
  } else if (p == Profile::kRfc7523bis) {
    b.expect_issuer(iss).token_endpoint(te);
  } else {
    b.expect_audience(te).expect_issuer(iss);
  }
  return b.build();
}

Result<KeySet> keyset_of(const Json& group) {
  KeySet ks;
  if (group.contains("jwks")) {
    ASSAY_ASSIGN_OR_RETURN(ks.keys, load_jwks(group["jwks"].dump()));
  } else {
    ASSAY_ASSIGN_OR_RETURN(auto cert, load_certificate(group["certificatePem"].get<std::string>()));
    ks.certificates.push_back(std::move(cert));
  }
  return ks;
}

Result<Verdict> assay_verdict(const std::string& assertion, const Json& group) {
  const Profile p = *parse_profile(group["profile"].get<std::string>());
  ASSAY_ASSIGN_OR_RETURN(auto policy, policy_of(group["context"], p));
  ASSAY_ASSIGN_OR_RETURN(auto ks, keyset_of(group));
  VerifyOptions vo;
  vo.decode.max_bytes = kDefaultMaxTokenBytes;
  Verdict v;
  auto r = verify_input(assertion.empty() ? std::string(" ") : assertion, ks, policy, vo);
  if (!r) {
    // Unusable input (empty): a rejection with no rule to name.
    v.result = "invalid";
    return v;
  }
  std::set<std::string> ids;
  for (const Finding& f : r->findings) {
    if (f.severity >= Severity::kWarning) {
      ids.insert(f.rule_id);
    }
  }
  v.rule_ids.assign(ids.begin(), ids.end());
  const Severity max = r->max_severity();
  v.result = max == Severity::kError ? "invalid" : max == Severity::kWarning ? "acceptable" : "valid";
  return v;
}

// ----------------------------------------------------------------- generate

struct GenerateOptions {
  std::string out = "testdata/vectors";
  std::string keys = "testdata/keys";
  std::string seed = "assay-vectors-v1";
  bool check = false;
};

// A stable, seed-derived UUID-shaped jti (FNV-1a; test data, not security).
std::string stable_jti(const std::string& seed, const std::string& key) {
  uint64_t h1 = 1469598103934665603ULL;
  uint64_t h2 = 1099511628211ULL * 7919ULL;
  for (char c : seed + "|" + key) {
    h1 = (h1 ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    h2 = (h2 ^ static_cast<unsigned char>(c)) * 1469598103934665603ULL + 0x9E3779B97F4A7C15ULL;
  }
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(h1 >> 32),
                static_cast<unsigned>((h1 >> 16) & 0xFFFF), static_cast<unsigned>(h1 & 0xFFF),
                static_cast<unsigned>(0x8000 | ((h2 >> 48) & 0x3FFF)),
                static_cast<unsigned long long>(h2 & 0xFFFFFFFFFFFFULL));
  return buf;
}

Json jwk_with(const Key& k, const std::string& kid, const std::string& use) {
  Json j;
  k.to_public_jwk(j);
  j["kid"] = kid;
  j["use"] = use;
  return j;
}

Result<Credentials> load_key_file(const std::string& dir, const std::string& name) {
  return load_credentials_file((fs::path(dir) / name).string());
}

struct Material {
  Key signer;
  Certificate cert;
  Json key_json;  // members added to the group
};

Result<std::string> generate_file(const VectorFileSpec& spec, const GenerateOptions& o,
                                  const Json& previous) {
  ASSAY_ASSIGN_OR_RETURN(auto main, load_key_file(o.keys, spec.key));
  ASSAY_ASSIGN_OR_RETURN(auto main_cert, load_key_file(o.keys, spec.cert));
  ASSAY_ASSIGN_OR_RETURN(auto other, load_key_file(o.keys, spec.other_key));
  ASSAY_ASSIGN_OR_RETURN(auto other_cert, load_key_file(o.keys, spec.other_cert));
  const Key key = *main.private_key;
  const Certificate cert = main_cert.certificates.front();
  const Key other_key = *other.private_key;
  const Certificate other_c = other_cert.certificates.front();

  auto cert_material = [](const Key& k, const Certificate& c) {
    Material m{k, c, Json::object()};
    Json jwk;
    c.public_key().to_public_jwk(jwk);
    m.key_json["certificatePem"] = c.pem();
    m.key_json["publicKeyPem"] = c.public_key().public_pem();
    m.key_json["publicKeyJwk"] = jwk;
    m.key_json["x5t"] = c.thumbprints().x5t;
    m.key_json["x5tS256"] = c.thumbprints().x5t_s256;
    return m;
  };
  std::map<cli::Material, Material> materials;
  materials.emplace(cli::Material::kCertificate, cert_material(key, cert));
  if (!spec.weak_key.empty()) {
    ASSAY_ASSIGN_OR_RETURN(auto wk, load_key_file(o.keys, spec.weak_key));
    ASSAY_ASSIGN_OR_RETURN(auto wc, load_key_file(o.keys, spec.weak_cert));
    materials.emplace(cli::Material::kWeakKey, cert_material(*wk.private_key, wc.certificates.front()));
  }
  if (!spec.expired_cert.empty()) {
    ASSAY_ASSIGN_OR_RETURN(auto ec, load_key_file(o.keys, spec.expired_cert));
    materials.emplace(cli::Material::kExpiredCertificate, cert_material(key, ec.certificates.front()));
  }
  for (auto [m, use] : {std::pair{cli::Material::kJwks, "sig"}, std::pair{cli::Material::kJwksEncUse, "enc"}}) {
    Material jm{key, cert, Json::object()};
    jm.key_json["jwks"] = Json::object(
        {{"keys", Json::array({jwk_with(key.public_key(), "assay-1", use), jwk_with(other_key.public_key(), "assay-2", "sig")})}});
    materials.emplace(m, std::move(jm));
  }

  // Stable tcIds: reuse the previous file's, append new ones.
  std::map<std::string, int> old_ids;
  int next_id = 1;
  if (previous.is_object() && previous.contains("testGroups")) {
    for (const Json& g : previous["testGroups"]) {
      for (const Json& t : g["tests"]) {
        const std::string k = g["profile"].get<std::string>() + "|" + g.value("material", "certificate") + "|" +
                              t.value("class", "");
        old_ids[k] = t["tcId"].get<int>();
        next_id = std::max(next_id, t["tcId"].get<int>() + 1);
      }
    }
  }

  Json notes = Json::object();
  std::vector<Json> groups;
  std::map<std::string, std::set<std::string>> seen;  // class -> "result|rules" already included
  int count = 0;
  for (Profile p : spec.profiles) {
    const ProfileContext ctx = vector_context(p);
    Json context = Json::object({{"now", ctx.now}, {"clientId", ctx.client_id}});
    if (!ctx.tenant.empty()) {
      context["tenant"] = ctx.tenant;
    }
    context["issuer"] = ctx.issuer;
    context["tokenEndpoint"] = ctx.token_endpoint;
    context["audience"] = ctx.audience;
    Json algs = Json::array();
    for (Alg a : ctx.allowed_algs) {
      algs.push_back(alg_name(a));
    }
    context["allowedAlgs"] = algs;
    context["clockSkewSec"] = ctx.skew;
    context["maxLifetimeSec"] = ctx.max_lifetime;
    context["requireJti"] = ctx.require_jti;
    for (const auto& [mat_kind, mat] : materials) {
      Json group = Json::object();
      group["type"] = "ClientAssertionVerify";
      group["source"] = Json::object({{"name", "assay vectors generate"}, {"version", std::to_string(kGeneratorVersion)}});
      group["comment"] = std::string(alg_name(spec.alg)) + ", profile " + std::string(profile_name(p)) + ", " +
                         std::string(material_name(mat_kind));
      group["profile"] = profile_name(p);
      group["material"] = material_name(mat_kind);
      group["context"] = context;
      for (auto it = mat.key_json.begin(); it != mat.key_json.end(); ++it) {
        group[it.key()] = it.value();
      }
      Json tests = Json::array();
      for (const ConformanceClass& c : conformance_classes()) {
        if (c.material != mat_kind || !class_applies(c, spec.alg, p)) {
          continue;
        }
        // ES256 under entra: one test says it all (HDR006).
        if (alg_family(spec.alg) == AlgFamily::kEcdsa && p == Profile::kEntra && c.id != "valid-baseline") {
          continue;
        }
        const std::string key_id = std::string(profile_name(p)) + "|" + std::string(material_name(mat_kind)) + "|" + c.id;
        Draft d = baseline(ctx, spec.alg, mat.cert, ctx.now, stable_jti(o.seed, spec.file + "|" + key_id));
        const ClassEnv env{ctx, spec.alg, mat.signer, mat.cert, other_key, other_c};
        c.apply(d, env);
        ASSAY_ASSIGN_OR_RETURN(auto token, realize(d, mat.signer));
        ASSAY_ASSIGN_OR_RETURN(auto verdict, assay_verdict(token, group));
        std::string sig = verdict.result;
        for (const auto& id : verdict.rule_ids) {
          sig += "|" + id;
        }
        if (!c.positive && !seen[c.id].insert(sig).second) {
          continue;  // same verdict as under an earlier profile: adds nothing
        }
        seen[c.id].insert(sig);
        Json t = Json::object();
        auto old = old_ids.find(key_id);
        t["tcId"] = old != old_ids.end() ? old->second : next_id++;
        t["comment"] = c.description;
        t["class"] = c.id;
        t["section"] = c.section;
        t["flags"] = Json::array({c.flag});
        t["assertion"] = token;
        t["result"] = verdict.result;
        t["ruleIds"] = verdict.rule_ids;
        tests.push_back(std::move(t));
        if (!notes.contains(c.flag)) {
          const std::string fd = flag_description(c.flag);
          notes[c.flag] = Json::object({{"bugType", c.bug_type}, {"description", fd.empty() ? c.description : fd}});
        }
        ++count;
      }
      if (tests.empty()) {
        continue;
      }
      std::sort(tests.begin(), tests.end(), [](const Json& a, const Json& b) { return a["tcId"] < b["tcId"]; });
      group["tests"] = std::move(tests);
      groups.push_back(std::move(group));
    }
  }
  Json out = Json::object();
  out["algorithm"] = "JWT client assertion (RFC 7523 section 2.2 and 3), " + std::string(alg_name(spec.alg));
  out["schema"] = kSchemaName;
  out["generatorVersion"] = kGeneratorVersion;
  out["numberOfTests"] = count;
  out["header"] = Json::array(
      {"Test vectors of type ClientAssertionVerify check a verifier of OAuth 2.0 private_key_jwt",
       "client assertions under a named profile and a fixed clock. result is valid, invalid, or",
       "acceptable (implementation-defined; assay reports the listed warnings). ruleIds are the",
       "assay rules (docs/rules.md) that fire at warning or error. Generated by",
       "`assay vectors generate` from testdata/keys; see testdata/README.md."});
  Json sorted_notes = Json::object();
  std::vector<std::string> names;
  for (auto it = notes.begin(); it != notes.end(); ++it) {
    names.push_back(it.key());
  }
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    sorted_notes[n] = notes[n];
  }
  out["notes"] = sorted_notes;
  out["testGroups"] = groups;
  return out.dump(1) + "\n";
}

int run_generate(const GenerateOptions& o, const Io& io) {
  auto det = use_deterministic_randomness_for_test_data(o.seed);
  if (!det) {
    return report_error(io, det.error());
  }
  std::error_code ec;
  fs::create_directories(o.out, ec);
  int differences = 0;
  size_t total = 0;
  for (const VectorFileSpec& spec : file_specs()) {
    const std::string path = (fs::path(o.out) / spec.file).string();
    Json previous;
    std::string old_text;
    if (auto old = read_file(path)) {
      old_text = *old;
      parse_big(old_text, previous);
    }
    auto text = generate_file(spec, o, previous);
    if (!text) {
      return report_error(io, text.error());
    }
    Json parsed;
    parse_big(*text, parsed);
    total += parsed["numberOfTests"].get<size_t>();
    if (o.check) {
      if (old_text != *text) {
        io.err << "assay: " << path << " differs from a fresh generation\n";
        ++differences;
      }
      continue;
    }
    if (auto w = write_file_atomic(path, *text, 0644); !w) {
      return report_error(io, w.error());
    }
    io.out << "wrote " << path << " (" << parsed["numberOfTests"].get<size_t>() << " tests)\n";
  }
  if (o.check) {
    io.out << (differences == 0 ? "vectors are up to date" : "vectors are stale") << " (" << total << " tests)\n";
    return differences == 0 ? kExitOk : kExitFindings;
  }
  io.out << total << " tests\n";
  return kExitOk;
}

// ----------------------------------------------------------------- run

struct RunOptions {
  std::string dir = "testdata/vectors";
  std::string exec;
  std::string profile;
  std::string filter;
  std::string junit;
  std::string known;
  std::string markdown;
  std::string format = "text";
  double timeout = 30;
};

// What the verifier made of a test. One that gave no verdict (not found, not executable,
// killed, timed out, an exit status other than 0 and 1) is an error: neither pass nor fail.
enum class Actual { kAccept, kReject, kError };

struct Outcome {
  std::string file;
  int tc_id = 0;
  std::string cls;
  std::string profile;
  std::string expected;
  std::vector<std::string> rule_ids;
  Actual actual = Actual::kError;
  bool pass = false;
  std::string detail;  // one printable line: the verifier's first, or why it gave no verdict
};

using VectorKey = std::pair<std::string, int>;  // (file name, tcId)

struct RunResults {
  std::vector<Outcome> outcomes;  // the tests that ran, in file order
  std::set<VectorKey> all;        // every test in the files, run or filtered out
  int interrupted = 0;            // the signal that stopped the run early, or 0
};

// The known-failures file: documented differences of the verifier under test, with reasons.
using KnownFailures = std::map<VectorKey, std::string>;

struct Tally {
  size_t passed = 0;
  size_t failed = 0;
  size_t errors = 0;
  size_t unexpected = 0;           // failures not in the known-failures file
  std::vector<std::string> stale;  // known entries that no longer fail, one message each
};

std::string actual_name(Actual a) {
  return a == Actual::kAccept ? "accept" : a == Actual::kReject ? "reject" : "error";
}

std::string actual_past(Actual a) {
  return a == Actual::kAccept ? "accepted" : a == Actual::kReject ? "rejected" : "error";
}

// A private directory (mkdtemp, mode 0700) for the files handed to the verifier, removed with
// its contents when the run ends. `path()` is empty when it could not be made (`error()`).
class ScratchDir {
 public:
  ScratchDir() {
    std::error_code ec;
    fs::path base = fs::temp_directory_path(ec);
    std::string pattern = ((ec ? fs::path("/tmp") : base) / "assay-vectors-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr) {
      path_ = pattern;
    } else {
      error_ = pattern + ": " + std::strerror(errno);
    }
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!path_.empty()) {
      fs::remove_all(path_, ec);
    }
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }
  const std::string& error() const { return error_; }

 private:
  fs::path path_;
  std::string error_;
};

Result<void> write_scratch(const fs::path& path, std::string_view data) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(data.data(), static_cast<std::streamsize>(data.size()));
  f.close();
  if (!f) {
    return make_error(ErrorCode::kIo,
                      "cannot write " + path.string() + ": " + std::strerror(errno));
  }
  return {};
}

// The length of the well-formed UTF-8 sequence at s[i] (RFC 3629), or 0.
size_t utf8_sequence(std::string_view s, size_t i) {
  const auto at = [&](size_t k) { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0U; };
  const unsigned c = at(i);
  const auto cont = [&](size_t k, unsigned lo, unsigned hi) { return at(k) >= lo && at(k) <= hi; };
  if (c >= 0xC2 && c <= 0xDF) {
    return cont(i + 1, 0x80, 0xBF) ? 2 : 0;
  }
  if (c >= 0xE0 && c <= 0xEF) {
    const unsigned lo = c == 0xE0 ? 0xA0 : 0x80;
    const unsigned hi = c == 0xED ? 0x9F : 0xBF;
    return cont(i + 1, lo, hi) && cont(i + 2, 0x80, 0xBF) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    const unsigned lo = c == 0xF0 ? 0x90 : 0x80;
    const unsigned hi = c == 0xF4 ? 0x8F : 0xBF;
    return cont(i + 1, lo, hi) && cont(i + 2, 0x80, 0xBF) && cont(i + 3, 0x80, 0xBF) ? 4 : 0;
  }
  return 0;
}

// The first line of a verifier's output, safe for a terminal, JSON and XML: at most 300 bytes,
// control characters and ill-formed UTF-8 each shown as '?'.
std::string printable_first_line(std::string_view output) {
  constexpr size_t kMaxDetail = 300;
  const std::string_view line = output.substr(0, output.find('\n'));
  std::string out;
  for (size_t i = 0; i < line.size() && out.size() < kMaxDetail;) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c >= 0x20 && c < 0x7F) {
      out += line[i++];
    } else if (const size_t n = utf8_sequence(line, i); n != 0) {
      out.append(line.substr(i, n));
      i += n;
    } else {
      out += c == '\t' ? " " : c == '\r' && i + 1 == line.size() ? "" : "?";
      ++i;
    }
  }
  return out;
}

// Why a verifier gave no verdict, or "" when it did (exit 0 or 1).
std::string no_verdict_reason(const CommandResult& c) {
  switch (c.end) {
    case CommandResult::End::kExited:
      if (c.status == 0 || c.status == 1) {
        return "";
      }
      return "exit status " + std::to_string(c.status) +
             (c.status == 127   ? " (command not found)"
              : c.status == 126 ? " (not executable)"
                                : " (0 accepts, 1 rejects)");
    case CommandResult::End::kSignaled:
      return "killed by signal " + std::to_string(c.status) + " (" + ::strsignal(c.status) + ")";
    case CommandResult::End::kTimedOut: {
      char seconds[32];
      std::snprintf(seconds, sizeof(seconds), "%.1f",
                    static_cast<double>(c.elapsed.count()) / 1000.0);
      return std::string("timed out after ") + seconds + " s";
    }
    case CommandResult::End::kInterrupted:
      return "interrupted";
    case CommandResult::End::kFailed:
      break;
  }
  return printable_first_line(c.output);
}

// The verdict of a verifier run with --exec: exit 0 accepts, 1 rejects, anything else is an error.
void judge_by_command(const CommandResult& c, Outcome& out) {
  const std::string reason = no_verdict_reason(c);
  const std::string first =
      c.end == CommandResult::End::kFailed ? "" : printable_first_line(c.output);
  if (!reason.empty()) {
    out.actual = Actual::kError;
    out.pass = false;
    out.detail = first.empty() ? reason : reason + ": " + first;
    return;
  }
  out.actual = c.status == 0 ? Actual::kAccept : Actual::kReject;
  out.pass =
      out.expected == "acceptable" || (out.expected == "valid") == (out.actual == Actual::kAccept);
  out.detail = first;
}

// libassay itself: the exact verdict and rule IDs.
void judge_in_process(const std::string& assertion, const Json& group, Outcome& out) {
  auto v = assay_verdict(assertion, group);
  if (!v) {
    out.actual = Actual::kError;
    out.detail = "assay could not verify: " + v.error().message;
    return;
  }
  out.actual = v->result != "invalid" ? Actual::kAccept : Actual::kReject;
  out.pass = v->result == out.expected && v->rule_ids == out.rule_ids;
  if (!out.pass) {
    out.detail = "assay says " + v->result;
    for (const auto& id : v->rule_ids) {
      out.detail += " " + id;
    }
  }
}

// The files a group's trusted keys are handed over in ("" for what the group does not have).
struct GroupFiles {
  std::string cert;
  std::string key;
  std::string jwks;
};

Result<GroupFiles> write_group_files(const Json& g, const fs::path& dir) {
  GroupFiles f;
  const std::pair<const char*, std::string*> members[] = {
      {"certificatePem", &f.cert}, {"publicKeyPem", &f.key}, {"jwks", &f.jwks}};
  for (const auto& [member, path] : members) {
    if (!g.contains(member)) {
      continue;
    }
    const Json& v = g[member];
    *path = (dir / (std::string(member) + (v.is_string() ? ".pem" : ".json"))).string();
    ASSAY_TRY(write_scratch(*path, v.is_string() ? v.get<std::string>() : v.dump()));
  }
  return f;
}

// The ASSAY_* variables of one test (testdata/README.md).
std::vector<std::pair<std::string, std::string>> adapter_env(const Json& g, const Outcome& t,
                                                             const GroupFiles& files) {
  const Json& ctx = g["context"];
  std::string algs;
  for (const Json& a : ctx["allowedAlgs"]) {
    algs += (algs.empty() ? "" : ",") + a.get<std::string>();
  }
  std::vector<std::pair<std::string, std::string>> env = {
      {"ASSAY_VECTOR_FILE", t.file},
      {"ASSAY_TCID", std::to_string(t.tc_id)},
      {"ASSAY_EXPECTED", t.expected},
      {"ASSAY_PROFILE", t.profile},
      {"ASSAY_NOW", std::to_string(ctx["now"].get<int64_t>())},
      {"ASSAY_CLIENT_ID", ctx["clientId"].get<std::string>()},
      {"ASSAY_ISSUER", ctx["issuer"].get<std::string>()},
      {"ASSAY_TOKEN_ENDPOINT", ctx["tokenEndpoint"].get<std::string>()},
      {"ASSAY_AUDIENCE", ctx["audience"].get<std::string>()},
      {"ASSAY_ALLOWED_ALGS", algs},
      {"ASSAY_SKEW", std::to_string(ctx["clockSkewSec"].get<int>())},
      {"ASSAY_MAX_LIFETIME", std::to_string(ctx["maxLifetimeSec"].get<int>())},
      {"ASSAY_REQUIRE_JTI", ctx["requireJti"].get<bool>() ? "1" : "0"},
      {"ASSAY_CERT_PEM_FILE", files.cert},
      {"ASSAY_PUBLIC_KEY_PEM_FILE", files.key},
      {"ASSAY_JWKS_FILE", files.jwks},
      {"ASSAY_X5T", g.value("x5t", "")},
      {"ASSAY_X5T_S256", g.value("x5tS256", "")},
  };
  if (ctx.contains("tenant")) {
    env.emplace_back("ASSAY_TENANT", ctx["tenant"].get<std::string>());
  }
  return env;
}

// What a run needs besides the options: the compiled filter, and with --exec the scratch
// directory and the interrupt scope.
struct RunContext {
  const RunOptions& options;
  std::optional<std::regex> filter;
  const ScratchDir* scratch = nullptr;
  const InterruptScope* interrupts = nullptr;
};

bool selected(const RunContext& rc, const std::string& profile, const Json& t) {
  if (!rc.options.profile.empty() && profile != rc.options.profile) {
    return false;
  }
  const std::string cls = t.value("class", "");
  return !rc.filter || std::regex_search(cls, *rc.filter) ||
         std::regex_search(t["flags"].dump(), *rc.filter);
}

// Runs the selected tests of one group. Stops early (run.interrupted set) on an interrupt.
Result<void> run_group(const RunContext& rc, const std::string& file, const Json& g,
                       RunResults& run) {
  const RunOptions& o = rc.options;
  const std::string profile = g["profile"].get<std::string>();
  std::optional<GroupFiles> files;
  for (const Json& t : g["tests"]) {
    run.all.insert({file, t["tcId"].get<int>()});
    if (run.interrupted != 0 || !selected(rc, profile, t)) {
      continue;
    }
    if (rc.interrupts != nullptr && rc.interrupts->signal() != 0) {
      run.interrupted = rc.interrupts->signal();
      continue;
    }
    Outcome out;
    out.file = file;
    out.tc_id = t["tcId"].get<int>();
    out.cls = t.value("class", "");
    out.profile = profile;
    out.expected = t["result"].get<std::string>();
    out.rule_ids = t["ruleIds"].get<std::vector<std::string>>();
    const std::string assertion = t["assertion"].get<std::string>();
    if (o.exec.empty()) {
      judge_in_process(assertion, g, out);
      run.outcomes.push_back(std::move(out));
      continue;
    }
    if (!files) {
      ASSAY_ASSIGN_OR_RETURN(files, write_group_files(g, rc.scratch->path()));
    }
    CommandSpec spec;
    spec.command = o.exec;
    spec.stdin_path = (rc.scratch->path() / "assertion.jwt").string();
    ASSAY_TRY(write_scratch(spec.stdin_path, assertion));
    spec.env = adapter_env(g, out, *files);
    spec.timeout = std::chrono::milliseconds{static_cast<int64_t>(o.timeout * 1000.0 + 0.5)};
    const CommandResult c = run_command(spec);
    if (c.end == CommandResult::End::kInterrupted) {
      run.interrupted = c.status;
      continue;
    }
    judge_by_command(c, out);
    run.outcomes.push_back(std::move(out));
  }
  return {};
}

Result<std::vector<fs::path>> vector_files(const std::string& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  if (ec || files.empty()) {
    return make_error(ErrorCode::kIo, dir + ": no vector files found");
  }
  std::sort(files.begin(), files.end());
  return files;
}

Result<RunResults> run_vectors(const RunContext& rc) {
  ASSAY_ASSIGN_OR_RETURN(auto files, vector_files(rc.options.dir));
  RunResults run;
  for (const fs::path& path : files) {
    auto text = read_file(path.string());
    Json doc;
    if (!text || !parse_big(*text, doc).parsed || !doc.contains("testGroups")) {
      return make_error(ErrorCode::kIo, path.string() + ": not a vector file");
    }
    for (const Json& g : doc["testGroups"]) {
      ASSAY_TRY(run_group(rc, path.filename().string(), g, run));
    }
  }
  return run;
}

Result<KnownFailures> load_known(const std::string& path) {
  KnownFailures known;
  if (path.empty()) {
    return known;
  }
  auto kt = read_file(path);
  Json kj;
  if (!kt || !parse_big(*kt, kj).parsed || !kj.contains("knownFailures")) {
    return make_error(ErrorCode::kIo, path + ": not a known-failures file");
  }
  for (const Json& k : kj["knownFailures"]) {
    known[{k["file"].get<std::string>(), k["tcId"].get<int>()}] = k.value("reason", "");
  }
  return known;
}

// Counts the outcomes. A known entry is stale when its test ran and passed, or when no file has
// that test; a test filtered out by --profile or --filter says nothing about its entry.
Tally tally(const RunResults& run, const KnownFailures& known, const RunOptions& o) {
  Tally t;
  std::map<VectorKey, const Outcome*> ran;
  for (const Outcome& r : run.outcomes) {
    ran[{r.file, r.tc_id}] = &r;
    if (r.actual == Actual::kError) {
      ++t.errors;
    } else if (r.pass) {
      ++t.passed;
    } else {
      ++t.failed;
      if (known.count({r.file, r.tc_id}) == 0) {
        ++t.unexpected;
      }
    }
  }
  for (const auto& [k, reason] : known) {
    const std::string entry = "known failure " + k.first + " tcId " + std::to_string(k.second);
    auto it = ran.find(k);
    if (run.all.count(k) == 0) {
      t.stale.push_back(entry + " names no test in " + o.dir + ": remove it from " + o.known);
    } else if (it != ran.end() && it->second->pass) {
      t.stale.push_back(entry + " now passes: remove it from " + o.known);
    }
  }
  return t;
}

std::string summary_line(const Tally& t, bool with_known) {
  std::string s = std::to_string(t.passed) + " passed, " + std::to_string(t.failed) + " failed, " +
                  std::to_string(t.errors) + (t.errors == 1 ? " error" : " errors");
  if (with_known) {
    s += " (" + std::to_string(t.failed - t.unexpected) + " known, " +
         std::to_string(t.unexpected) + " unexpected";
    if (!t.stale.empty()) {
      s += ", " + std::to_string(t.stale.size()) +
           (t.stale.size() == 1 ? " stale known entry" : " stale known entries");
    }
    s += ")";
  }
  return s;
}

void write_text(const RunResults& run, const Tally& t, const KnownFailures& known,
                const RunOptions& o, const Io& io) {
  const Paint p{io.color};
  for (const Outcome& r : run.outcomes) {
    if (r.pass) {
      continue;
    }
    const bool is_error = r.actual == Actual::kError;
    const bool is_known = known.count({r.file, r.tc_id}) > 0;
    io.out << (is_error   ? p.red("ERROR")
               : is_known ? p.yellow("KNOWN")
                          : p.red("FAIL "))
           << " " << r.file << " tcId " << r.tc_id << " " << r.cls << " (" << r.profile
           << "): expected " << r.expected << (is_error ? "" : ", " + actual_past(r.actual))
           << (r.detail.empty() ? "" : ": " + r.detail) << "\n";
  }
  io.out << summary_line(t, !o.known.empty()) << "\n";
}

void write_json(const RunResults& run, const Tally& t, const KnownFailures& known, const Io& io) {
  Json arr = Json::array();
  for (const Outcome& r : run.outcomes) {
    arr.push_back(Json::object({{"file", r.file},
                                {"tcId", r.tc_id},
                                {"class", r.cls},
                                {"profile", r.profile},
                                {"expected", r.expected},
                                {"ruleIds", r.rule_ids},
                                {"actual", actual_name(r.actual)},
                                {"pass", r.pass},
                                {"known", known.count({r.file, r.tc_id}) > 0},
                                {"detail", r.detail}}));
  }
  io.out << Json::object({{"schema", 1},
                          {"passed", t.passed},
                          {"failed", t.failed},
                          {"errors", t.errors},
                          {"unexpected", t.unexpected},
                          {"stale", t.stale.size()},
                          {"results", arr}})
                .dump(1, ' ', false, Json::error_handler_t::replace)
         << "\n";
}

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t') {
          out += c;
        }
    }
  }
  return out;
}

// JUnit XML: a failure is <failure>, a known failure <skipped>, a test without a verdict <error>.
std::string junit_xml(const RunResults& run, const Tally& t, const KnownFailures& known) {
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites tests=\"" +
                  std::to_string(run.outcomes.size()) + "\" failures=\"" +
                  std::to_string(t.unexpected) + "\" errors=\"" + std::to_string(t.errors) +
                  "\">\n";
  std::string current;
  for (const Outcome& r : run.outcomes) {
    if (r.file != current) {
      if (!current.empty()) {
        x += " </testsuite>\n";
      }
      current = r.file;
      x += " <testsuite name=\"" + xml_escape(r.file) + "\">\n";
    }
    x += "  <testcase classname=\"" + xml_escape(r.file + "." + r.profile) + "\" name=\"" +
         std::to_string(r.tc_id) + " " + xml_escape(r.cls) + "\">";
    if (r.actual == Actual::kError) {
      x += "<error message=\"expected " + r.expected + ", no verdict\">" + xml_escape(r.detail) +
           "</error>";
    } else if (!r.pass) {
      const bool is_known = known.count({r.file, r.tc_id}) > 0;
      x += std::string(is_known ? "<skipped message=\"known: " : "<failure message=\"") +
           "expected " + r.expected + ", " + actual_past(r.actual) + "\">" + xml_escape(r.detail) +
           (is_known ? "</skipped>" : "</failure>");
    }
    x += "</testcase>\n";
  }
  if (!current.empty()) {
    x += " </testsuite>\n";
  }
  return x + "</testsuites>\n";
}

// `s` in a Markdown table cell: a '|' would end the cell.
std::string markdown_cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    out += c == '|' ? std::string("\\|") : std::string(1, c);
  }
  return out;
}

// Markdown: the failures and errors, with the known-failures file's reasons.
std::string markdown_table(const RunResults& run, const Tally& t, const KnownFailures& known,
                           const RunOptions& o) {
  std::string md =
      "# Conformance run\n\nGenerated by `assay vectors run --markdown`. Command under test: `" +
      (o.exec.empty() ? std::string("libassay (in process)") : o.exec) + "`.\n\n" +
      summary_line(t, false) + " (" + std::to_string(t.failed - t.unexpected) +
      " documented below).\n\n" +
      "| file | tcId | class | profile | expected | actual | why |\n"
      "|---|---|---|---|---|---|---|\n";
  for (const Outcome& r : run.outcomes) {
    if (r.pass) {
      continue;
    }
    auto k = known.find({r.file, r.tc_id});
    const std::string why = r.actual == Actual::kError ? r.detail
                            : k != known.end()         ? k->second
                                                       : "(not documented)";
    md += "| " + r.file + " | " + std::to_string(r.tc_id) + " | " + r.cls + " | " + r.profile +
          " | " + r.expected + " | " + actual_past(r.actual) + " | " + markdown_cell(why) + " |\n";
  }
  return md;
}

int exit_code(const Tally& t, bool with_known) {
  if (t.errors > 0) {
    return kExitRuntime;
  }
  if (with_known) {
    return t.unexpected == 0 && t.stale.empty() ? kExitOk : kExitFindings;
  }
  return t.failed == 0 ? kExitOk : kExitFindings;
}

// Runs the tests: with --exec inside a private scratch directory and an interrupt scope, so
// that an interrupt ends the verifier's process group and removes the directory before this
// process ends by the same signal.
Result<RunResults> run_all(RunContext& rc) {
  if (rc.options.exec.empty()) {
    return run_vectors(rc);
  }
  int interrupted = 0;
  Result<RunResults> run = make_error(ErrorCode::kInternal, "not run");
  {
    const ScratchDir scratch;
    if (scratch.path().empty()) {
      return make_error(ErrorCode::kIo, "cannot make a scratch directory: " + scratch.error());
    }
    const InterruptScope interrupts;
    rc.scratch = &scratch;
    rc.interrupts = &interrupts;
    run = run_vectors(rc);
    interrupted = run ? run->interrupted : interrupts.signal();
  }
  if (interrupted != 0) {
    std::raise(interrupted);  // the disposition from before the run (the default) ends us here
    return make_error(ErrorCode::kIo, std::string("interrupted by ") + ::strsignal(interrupted));
  }
  return run;
}

int run_run(const RunOptions& o, const Io& io) {
  if (!(o.timeout >= 0.001 && o.timeout <= 86400)) {
    return report_error(io, Error{ErrorCode::kInvalidArgument, "",
                                  "--timeout must be between 0.001 and 86400 seconds", ""});
  }
  RunContext rc{o, std::nullopt, nullptr, nullptr};
  if (!o.filter.empty()) {
    try {
      rc.filter = std::regex(o.filter);
    } catch (const std::regex_error&) {
      return report_error(
          io, Error{ErrorCode::kInvalidArgument, "", "--filter: not a regular expression", ""});
    }
  }
  auto known = load_known(o.known);
  if (!known) {
    return report_error(io, known.error());
  }
  auto run = run_all(rc);
  if (!run) {
    return report_error(io, run.error());
  }
  const Tally t = tally(*run, *known, o);
  for (const std::string& s : t.stale) {
    io.err << "assay: " << terminal_safe(s) << "\n";
  }
  if (o.format == "json") {
    write_json(*run, t, *known, io);
  } else {
    write_text(*run, t, *known, o, io);
  }
  for (const auto& [path, text] : {std::pair{o.junit, junit_xml(*run, t, *known)},
                                   std::pair{o.markdown, markdown_table(*run, t, *known, o)}}) {
    if (path.empty()) {
      continue;
    }
    if (auto w = write_file_atomic(path, text, 0644); !w) {
      return report_error(io, w.error());
    }
  }
  return exit_code(t, !o.known.empty());
}

}  // namespace

Command add_vectors_command(CLI::App& parent, bool with_options) {
  CLI::App* app = parent.add_subcommand("vectors", "Generate the conformance vectors, or run them against a verifier");
  if (!with_options) {
    return {app, nullptr};
  }
  app->require_subcommand(1);
  app->footer(
      "Exit codes: generate: 0 written or up to date, 1 with --check: stale, 3 a key unreadable; "
      "run: 0 every test passed (with --known: exactly the known ones failed), 1 failures, "
      "3 a test got no verdict from the verifier; 2 usage error. See each command's --help.");
  auto g = std::make_shared<GenerateOptions>();
  CLI::App* gen = app->add_subcommand("generate", "Regenerate testdata/vectors/*.json reproducibly from the test keys");
  gen->add_option("--out", g->out, "Output directory (default testdata/vectors)");
  gen->add_option("--keys", g->keys, "Test key directory (default testdata/keys)");
  gen->add_option("--seed", g->seed, "Seed of every random choice (default assay-vectors-v1)");
  gen->add_flag("--check", g->check, "Do not write: exit 1 when the files differ from a fresh generation");
  gen->footer(
      "Exit codes: 0 written, or with --check up to date; 1 with --check: a file differs from a "
      "fresh generation; 2 usage error; 3 runtime error (a key unreadable).");
  auto r = std::make_shared<RunOptions>();
  CLI::App* run = app->add_subcommand(
      "run",
      "Run the vectors against a verifier: --exec COMMAND gets each assertion on stdin and the "
      "group's "
      "context as ASSAY_* environment variables (see testdata/README.md); it exits 0 to accept, 1 "
      "to "
      "reject. Without --exec, libassay itself is checked (exact verdict and rule IDs).");
  run->add_option("--dir", r->dir, "Vector directory (default testdata/vectors)");
  run->add_option("--exec", r->exec,
                  "The verifier command (run with /bin/sh -c, in a process group of its own)");
  run->add_option("--profile", r->profile, "Only groups of this profile")
      ->check(CLI::IsMember({"entra", "rfc7523", "rfc7523bis", "oidc"}));
  run->add_option("--filter", r->filter, "Only tests whose class or flags match this regular expression");
  run->add_option("--known", r->known,
                  "Known failures file: exit 0 when exactly these fail among the tests that ran");
  run->add_option("--junit", r->junit, "Also write JUnit XML here");
  run->add_option("--markdown", r->markdown, "Also write a Markdown table of the failures here");
  run->add_option("--timeout", r->timeout,
                  "Seconds each test may take (default 30, from 0.001 to 86400): then the "
                  "verifier's whole process group is ended and the test is an error");
  add_format_option(*run, r->format);
  run->footer(
      "A test without a verdict is an error, counted apart from failures: the verifier was not "
      "found (exit 127) or not executable (126), was killed by a signal or timed out, or exited "
      "with a status other than 0 and 1.\n"
      "Exit codes: 0 every test passed, or with --known exactly the known ones failed; 1 a test "
      "failed, or a --known entry no longer fails or names no test; 2 usage error; 3 a test was "
      "an error, or a file could not be read or written.");
  return {app, [g, r, gen](const Io& io) { return gen->parsed() ? run_generate(*g, io) : run_run(*r, io); }};
}

}  // namespace assay::cli
