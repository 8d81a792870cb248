// assay vectors generate | run: the Wycheproof-style conformance vectors under
// testdata/vectors/, made reproducibly from the test keys, and run against any verifier.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "assay/file.h"
#include "assay/terminal.h"
#include "assay/testing.h"
#include "assay/verify.h"
#include "common.h"
#include "conformance.h"
#include "render.h"

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
  int timeout = 30;
};

struct Outcome {
  std::string file;
  int tc_id = 0;
  std::string cls;
  std::string profile;
  std::string expected;
  std::vector<std::string> rule_ids;
  bool accepted = false;
  bool pass = false;
  std::string detail;
};

// Runs `cmd` with the assertion on stdin and `env` added; returns (exit status, output).
std::pair<int, std::string> run_adapter(const std::string& cmd, const std::string& stdin_path,
                                        const std::vector<std::pair<std::string, std::string>>& env,
                                        int timeout) {
  int out_pipe[2];
  if (pipe(out_pipe) != 0) {
    return {-1, "pipe failed"};
  }
  const pid_t pid = fork();
  if (pid < 0) {
    return {-1, "fork failed"};
  }
  if (pid == 0) {
    const int in = ::open(stdin_path.c_str(), O_RDONLY);
    dup2(in, STDIN_FILENO);
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(out_pipe[1], STDERR_FILENO);
    close(out_pipe[0]);
    for (const auto& [k, v] : env) {
      setenv(k.c_str(), v.c_str(), 1);
    }
    alarm(static_cast<unsigned>(timeout));
    execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out_pipe[1]);
  std::string output;
  char buf[4096];
  ssize_t n = 0;
  while ((n = read(out_pipe[0], buf, sizeof(buf))) > 0) {
    if (output.size() < 16384) {
      output.append(buf, static_cast<size_t>(n));
    }
  }
  close(out_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  return {code, output};
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

int run_run(const RunOptions& o, const Io& io) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(o.dir, ec)) {
    if (entry.path().extension() == ".json") {
      files.push_back(entry.path());
    }
  }
  if (ec || files.empty()) {
    return report_error(io, Error{ErrorCode::kIo, "", o.dir + ": no vector files found", ""});
  }
  std::sort(files.begin(), files.end());
  std::optional<std::regex> filter;
  if (!o.filter.empty()) {
    try {
      filter = std::regex(o.filter);
    } catch (const std::regex_error&) {
      return report_error(io, Error{ErrorCode::kInvalidArgument, "", "--filter: not a regular expression", ""});
    }
  }
  // A new private directory (mkdtemp: an unpredictable name, mode 0700): a fixed name in /tmp
  // could be created first by someone else, with symlinks where the files below are written.
  std::string tmp_name = (fs::temp_directory_path() / "assay-vectors-XXXXXX").string();
  if (::mkdtemp(tmp_name.data()) == nullptr) {
    return report_error(
        io,
        Error{ErrorCode::kIo, "",
              "cannot create a temporary directory " + tmp_name + ": " + std::strerror(errno), ""});
  }
  const fs::path tmp = tmp_name;
  std::vector<Outcome> outcomes;
  for (const fs::path& path : files) {
    auto text = read_file(path.string());
    Json doc;
    if (!text || !parse_big(*text, doc).parsed || !doc.contains("testGroups")) {
      return report_error(io, Error{ErrorCode::kIo, "", path.string() + ": not a vector file", ""});
    }
    for (const Json& g : doc["testGroups"]) {
      const std::string profile = g["profile"].get<std::string>();
      if (!o.profile.empty() && profile != o.profile) {
        continue;
      }
      const Json& ctx = g["context"];
      const std::string cert_file = (tmp / "certificate.pem").string();
      const std::string key_file = (tmp / "public-key.pem").string();
      const std::string jwks_file = (tmp / "jwks.json").string();
      std::ofstream(cert_file) << g.value("certificatePem", "");
      std::ofstream(key_file) << g.value("publicKeyPem", "");
      std::ofstream(jwks_file) << (g.contains("jwks") ? g["jwks"].dump() : "");
      std::string algs;
      for (const Json& a : ctx["allowedAlgs"]) {
        algs += (algs.empty() ? "" : ",") + a.get<std::string>();
      }
      for (const Json& t : g["tests"]) {
        const std::string cls = t.value("class", "");
        if (filter && !std::regex_search(cls, *filter) &&
            !std::regex_search(t["flags"].dump(), *filter)) {
          continue;
        }
        Outcome out;
        out.file = path.filename().string();
        out.tc_id = t["tcId"].get<int>();
        out.cls = cls;
        out.profile = profile;
        out.expected = t["result"].get<std::string>();
        out.rule_ids = t["ruleIds"].get<std::vector<std::string>>();
        const std::string assertion = t["assertion"].get<std::string>();
        if (o.exec.empty()) {
          auto v = assay_verdict(assertion, g);
          out.accepted = v && v->result != "invalid";
          const bool same = v && v->result == out.expected && v->rule_ids == out.rule_ids;
          out.pass = same;
          if (!same && v) {
            out.detail = "assay says " + v->result;
            for (const auto& id : v->rule_ids) {
              out.detail += " " + id;
            }
          }
        } else {
          const std::string in = (tmp / "assertion.jwt").string();
          std::ofstream(in, std::ios::binary) << assertion;
          std::vector<std::pair<std::string, std::string>> env = {
              {"ASSAY_VECTOR_FILE", out.file},
              {"ASSAY_TCID", std::to_string(out.tc_id)},
              {"ASSAY_EXPECTED", out.expected},
              {"ASSAY_PROFILE", profile},
              {"ASSAY_NOW", std::to_string(ctx["now"].get<int64_t>())},
              {"ASSAY_CLIENT_ID", ctx["clientId"].get<std::string>()},
              {"ASSAY_ISSUER", ctx["issuer"].get<std::string>()},
              {"ASSAY_TOKEN_ENDPOINT", ctx["tokenEndpoint"].get<std::string>()},
              {"ASSAY_AUDIENCE", ctx["audience"].get<std::string>()},
              {"ASSAY_ALLOWED_ALGS", algs},
              {"ASSAY_SKEW", std::to_string(ctx["clockSkewSec"].get<int>())},
              {"ASSAY_MAX_LIFETIME", std::to_string(ctx["maxLifetimeSec"].get<int>())},
              {"ASSAY_REQUIRE_JTI", ctx["requireJti"].get<bool>() ? "1" : "0"},
              {"ASSAY_CERT_PEM_FILE", g.contains("certificatePem") ? cert_file : ""},
              {"ASSAY_PUBLIC_KEY_PEM_FILE", g.contains("publicKeyPem") ? key_file : ""},
              {"ASSAY_JWKS_FILE", g.contains("jwks") ? jwks_file : ""},
              {"ASSAY_X5T", g.value("x5t", "")},
              {"ASSAY_X5T_S256", g.value("x5tS256", "")},
          };
          if (ctx.contains("tenant")) {
            env.emplace_back("ASSAY_TENANT", ctx["tenant"].get<std::string>());
          }
          const auto [code, output] = run_adapter(o.exec, in, env, o.timeout);
          out.accepted = code == 0;
          out.pass = out.expected == "acceptable" || (out.expected == "valid") == out.accepted;
          out.detail = output.substr(0, output.find('\n'));
        }
        outcomes.push_back(std::move(out));
      }
    }
  }
  fs::remove_all(tmp, ec);

  // Known failures (documented differences of the verifier under test).
  std::map<std::pair<std::string, int>, std::string> known;
  if (!o.known.empty()) {
    auto kt = read_file(o.known);
    Json kj;
    if (!kt || !parse_big(*kt, kj).parsed || !kj.contains("knownFailures")) {
      return report_error(io, Error{ErrorCode::kIo, "", o.known + ": not a known-failures file", ""});
    }
    for (const Json& k : kj["knownFailures"]) {
      known[{k["file"].get<std::string>(), k["tcId"].get<int>()}] = k.value("reason", "");
    }
  }
  size_t passed = 0;
  size_t failed = 0;
  size_t unexpected = 0;
  std::set<std::pair<std::string, int>> failed_keys;
  for (const Outcome& r : outcomes) {
    if (r.pass) {
      ++passed;
    } else {
      ++failed;
      failed_keys.insert({r.file, r.tc_id});
      if (known.count({r.file, r.tc_id}) == 0) {
        ++unexpected;
      }
    }
  }
  size_t stale = 0;
  for (const auto& [k, reason] : known) {
    if (failed_keys.count(k) == 0) {
      ++stale;
      io.err << "assay: known failure " << terminal_safe(k.first) << " tcId " << k.second
             << " now passes: remove it from " << terminal_safe(o.known) << "\n";
    }
  }
  const Paint p{io.color};
  if (o.format == "json") {
    Json arr = Json::array();
    for (const Outcome& r : outcomes) {
      arr.push_back(Json::object({{"file", r.file}, {"tcId", r.tc_id}, {"class", r.cls}, {"profile", r.profile},
                                  {"expected", r.expected}, {"ruleIds", r.rule_ids},
                                  {"actual", r.accepted ? "accept" : "reject"}, {"pass", r.pass},
                                  {"known", known.count({r.file, r.tc_id}) > 0}, {"detail", r.detail}}));
    }
    io.out << Json::object({{"schema", 1}, {"passed", passed}, {"failed", failed}, {"unexpected", unexpected},
                            {"results", arr}})
                  .dump(1)
           << "\n";
  } else {
    for (const Outcome& r : outcomes) {
      if (r.pass) {
        continue;
      }
      const bool is_known = known.count({r.file, r.tc_id}) > 0;
      // File names, classes and the verifier's own words come from outside: escaped.
      io.out << (is_known ? p.yellow("KNOWN") : p.red("FAIL ")) << " " << terminal_safe(r.file)
             << " tcId " << r.tc_id << " " << terminal_safe(r.cls) << " ("
             << terminal_safe(r.profile) << "): expected " << terminal_safe(r.expected) << ", "
             << (r.accepted ? "accepted" : "rejected")
             << (r.detail.empty() ? "" : ": " + terminal_safe(r.detail)) << "\n";
    }
    io.out << passed << " passed, " << failed << " failed";
    if (!o.known.empty()) {
      io.out << " (" << (failed - unexpected) << " known, " << unexpected << " unexpected)";
    }
    io.out << "\n";
  }
  if (!o.junit.empty()) {
    std::ostringstream x;
    x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites tests=\"" << outcomes.size() << "\" failures=\""
      << unexpected << "\">\n";
    std::string current;
    for (const Outcome& r : outcomes) {
      if (r.file != current) {
        if (!current.empty()) {
          x << " </testsuite>\n";
        }
        current = r.file;
        x << " <testsuite name=\"" << xml_escape(r.file) << "\">\n";
      }
      x << "  <testcase classname=\"" << xml_escape(r.file + "." + r.profile) << "\" name=\"" << r.tc_id << " "
        << xml_escape(r.cls) << "\">";
      if (!r.pass) {
        const bool is_known = known.count({r.file, r.tc_id}) > 0;
        x << (is_known ? "<skipped message=\"known: " : "<failure message=\"") << "expected " << r.expected << ", "
          << (r.accepted ? "accepted" : "rejected") << "\">" << xml_escape(r.detail) << (is_known ? "</skipped>" : "</failure>");
      }
      x << "</testcase>\n";
    }
    if (!current.empty()) {
      x << " </testsuite>\n";
    }
    x << "</testsuites>\n";
    if (auto w = write_file_atomic(o.junit, x.str(), 0644); !w) {
      return report_error(io, w.error());
    }
  }
  if (!o.markdown.empty()) {
    std::ostringstream md;
    md << "# Conformance run\n\nGenerated by `assay vectors run --markdown`. Command under test: `"
       << (o.exec.empty() ? std::string("libassay (in process)") : o.exec) << "`.\n\n"
       << passed << " passed, " << failed << " failed (" << (failed - unexpected) << " documented below).\n\n"
       << "| file | tcId | class | profile | expected | actual | why |\n|---|---|---|---|---|---|---|\n";
    for (const Outcome& r : outcomes) {
      if (!r.pass) {
        auto k = known.find({r.file, r.tc_id});
        md << "| " << r.file << " | " << r.tc_id << " | " << r.cls << " | " << r.profile << " | " << r.expected << " | "
           << (r.accepted ? "accepted" : "rejected") << " | " << (k != known.end() ? k->second : "(not documented)") << " |\n";
      }
    }
    if (auto w = write_file_atomic(o.markdown, md.str(), 0644); !w) {
      return report_error(io, w.error());
    }
  }
  if (!o.known.empty()) {
    return unexpected == 0 && stale == 0 ? kExitOk : kExitFindings;
  }
  return failed == 0 ? kExitOk : kExitFindings;
}

}  // namespace

Command add_vectors_command(CLI::App& parent, bool with_options) {
  CLI::App* app = parent.add_subcommand("vectors", "Generate the conformance vectors, or run them against a verifier");
  if (!with_options) {
    return {app, nullptr};
  }
  app->require_subcommand(1);
  auto g = std::make_shared<GenerateOptions>();
  CLI::App* gen = app->add_subcommand("generate", "Regenerate testdata/vectors/*.json reproducibly from the test keys");
  gen->add_option("--out", g->out, "Output directory (default testdata/vectors)");
  gen->add_option("--keys", g->keys, "Test key directory (default testdata/keys)");
  gen->add_option("--seed", g->seed, "Seed of every random choice (default assay-vectors-v1)");
  gen->add_flag("--check", g->check, "Do not write: exit 1 when the files differ from a fresh generation");
  auto r = std::make_shared<RunOptions>();
  CLI::App* run = app->add_subcommand("run",
      "Run the vectors against a verifier: --exec COMMAND gets each assertion on stdin and the group's "
      "context as ASSAY_* environment variables (see testdata/README.md); exit 0 means accept. "
      "Without --exec, libassay itself is checked (exact verdict and rule IDs).");
  run->add_option("--dir", r->dir, "Vector directory (default testdata/vectors)");
  run->add_option("--exec", r->exec, "The verifier command (run with /bin/sh -c)");
  run->add_option("--profile", r->profile, "Only groups of this profile")
      ->check(CLI::IsMember({"entra", "rfc7523", "rfc7523bis", "oidc"}));
  run->add_option("--filter", r->filter, "Only tests whose class or flags match this regular expression");
  run->add_option("--known", r->known, "Known failures file: exit 0 when exactly these fail");
  run->add_option("--junit", r->junit, "Also write JUnit XML here");
  run->add_option("--markdown", r->markdown, "Also write a Markdown table of the failures here");
  run->add_option("--timeout", r->timeout, "Seconds per test (default 30)");
  add_format_option(*run, r->format);
  return {app, [g, r, gen](const Io& io) { return gen->parsed() ? run_generate(*g, io) : run_run(*r, io); }};
}

}  // namespace assay::cli
