// CLM rules other than aud: iss, sub, jti and the time claims.
#include <array>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "assay/replay.h"
#include "assay/timefmt.h"
#include "context.h"
#include "json_util.h"

namespace assay::internal {
namespace {

constexpr int64_t kYear9999 = 253402300799;

// A NumericDate claim read leniently (as Entra does) with a finding for every departure from
// RFC 7519 §2. nullopt when the claim is absent or unusable.
std::optional<int64_t> read_time(RuleContext& ctx, const char* name, const Json* it) {
  if (it == nullptr) {
    return std::nullopt;
  }
  auto pointer = [&] { return std::string("/payload/") + name; };
  const Json& v = *it;
  double value = 0;
  if (v.is_number_integer()) {
    value = static_cast<double>(v.get<int64_t>());
    if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(kYear9999)) {
      ctx.emit("CLM040", std::string(name) + " " + v.dump() + " is beyond the year 9999", pointer());
      return std::nullopt;
    }
  } else if (v.is_number_float()) {
    value = v.get<double>();
    if (!std::isfinite(value)) {
      ctx.emit("CLM040", std::string(name) + " is not a finite number", pointer());
      return std::nullopt;
    }
    if (value != std::floor(value)) {
      ctx.emit("CLM039", std::string(name) + " " + v.dump() + " has a fractional part", pointer(),
               "send whole seconds: " + std::to_string(static_cast<int64_t>(std::floor(value))));
    }
  } else if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    char* end = nullptr;
    const double parsed = s.empty() ? 0 : std::strtod(s.c_str(), &end);
    if (s.empty() || end == nullptr || *end != '\0' || !std::isfinite(parsed)) {
      ctx.emit("CLM040", std::string(name) + " is the string " + quote(s) + ", not a number",
               pointer());
      return std::nullopt;
    }
    ctx.emit("CLM038", std::string(name) + " is the string " + quote(s) + ", not a JSON number",
             pointer(), "send " + std::string(name) + " as the number " + s);
    value = parsed;
  } else {
    ctx.emit("CLM040", std::string(name) + " is " + (v.is_null() ? "null" : std::string("a ") + v.type_name()) +
                           ", not a number",
             pointer());
    return std::nullopt;
  }
  if (value <= 0) {
    ctx.emit("CLM040", std::string(name) + " " + v.dump() + " is not after 1970-01-01T00:00:00Z",
             pointer());
    return std::nullopt;
  }
  if (value > static_cast<double>(kYear9999)) {
    ctx.emit("CLM040", std::string(name) + " " + v.dump() + " is beyond the year 9999", pointer());
    return std::nullopt;
  }
  return static_cast<int64_t>(std::floor(value));
}

// Reads a string claim (a pointer into the payload; null when unusable); emits CLM006 for a
// wrong type or an empty string.
const std::string* read_string(RuleContext& ctx, const char* name, const Json* it,
                               const char* missing_rule) {
  auto pointer = [&] { return std::string("/payload/") + name; };
  if (it == nullptr) {
    if (missing_rule != nullptr) {
      ctx.emit(missing_rule, std::string("the claims have no ") + name, pointer());
    }
    return nullptr;
  }
  const auto* s = it->get_ptr<const std::string*>();
  if (s == nullptr) {
    ctx.emit("CLM006", std::string(name) + " is " + (it->is_null() ? "null" : std::string("a ") + it->type_name()) +
                           " (" + it->dump().substr(0, 80) + "), not a string",
             pointer());
    return nullptr;
  }
  if (s->empty()) {
    ctx.emit("CLM006", std::string(name) + " is an empty string", pointer());
    return nullptr;
  }
  return s;
}

// The claims the rules look at, found in one pass over the payload.
struct Claims {
  const Json* iss = nullptr;
  const Json* sub = nullptr;
  const Json* exp = nullptr;
  const Json* nbf = nullptr;
  const Json* iat = nullptr;
  const Json* jti = nullptr;
};

Claims find_claims(const Json& payload) {
  static constexpr std::array<std::string_view, 6> kNames = {"iss", "sub", "exp",
                                                             "nbf", "iat", "jti"};
  std::array<const Json*, kNames.size()> found{};
  members(payload, kNames, found);
  return {found[0], found[1], found[2], found[3], found[4], found[5]};
}

void check_identity(RuleContext& ctx, const Claims& c) {
  const std::string* iss = read_string(ctx, "iss", c.iss, "CLM001");
  const std::string* sub = read_string(ctx, "sub", c.sub, "CLM003");
  if (iss != nullptr && !ctx.client_id.empty() && *iss != ctx.client_id) {
    const bool from_form = !ctx.policy.client_id() && ctx.request != nullptr;
    if (!from_form) {
      std::string m = "iss " + quote(*iss) + " is not the client ID " + quote(ctx.client_id);
      std::string hint;
      if (ctx.policy.tenant() && *iss == *ctx.policy.tenant()) {
        hint = "iss holds the tenant ID; set iss and sub to the application (client) ID";
      }
      ctx.emit("CLM002", std::move(m), "/payload/iss", std::move(hint));
    }
  }
  if (iss != nullptr && sub != nullptr && *iss != *sub) {
    ctx.emit("CLM004", "sub " + quote(*sub) + " differs from iss " + quote(*iss), "/payload/sub");
  }
  if (iss != nullptr && ctx.profile == Profile::kEntra && !is_guid(*iss)) {
    ctx.emit("CLM005", "iss " + quote(*iss) + " is not a GUID", "/payload/iss");
  }
}

void check_times(RuleContext& ctx, const Claims& c) {
  const auto exp = read_time(ctx, "exp", c.exp);
  const auto nbf = read_time(ctx, "nbf", c.nbf);
  const auto iat = read_time(ctx, "iat", c.iat);
  const int64_t now = ctx.now.time_since_epoch().count();
  const int64_t skew = ctx.skew.count();
  if (c.exp == nullptr) {
    ctx.emit("CLM030", "the claims have no exp", "/payload/exp");
  }
  if (exp && *exp <= now - skew) {
    ctx.emit("CLM031", "exp " + time_phrase(*exp, ctx.now) + " (" + format_rfc3339(ctx.now) +
                           ", clock skew " + std::to_string(skew) + " s)",
             "/payload/exp");
  }
  if (nbf && *nbf > now + skew) {
    ctx.emit("CLM033", "nbf " + time_phrase(*nbf, ctx.now) + " (" + format_rfc3339(ctx.now) +
                           ", clock skew " + std::to_string(skew) + " s)",
             "/payload/nbf");
  }
  if (iat && *iat > now + skew) {
    ctx.emit("CLM034", "iat " + time_phrase(*iat, ctx.now) + " (" + format_rfc3339(ctx.now) +
                           ", clock skew " + std::to_string(skew) + " s)",
             "/payload/iat");
  }
  if (exp && nbf && *exp <= *nbf) {
    ctx.emit("CLM032", "exp " + format_rfc3339(*exp) + " is not after nbf " + format_rfc3339(*nbf),
             "/payload/exp");
  } else if (exp && iat && *exp <= *iat) {
    ctx.emit("CLM032", "exp " + format_rfc3339(*exp) + " is not after iat " + format_rfc3339(*iat),
             "/payload/exp");
  }
  if (exp) {
    const int64_t start = iat ? *iat : nbf ? *nbf : now;
    const char* from = iat ? "iat" : nbf ? "nbf" : "now";
    const int64_t lifetime = *exp - start;
    auto text = [&] {
      return "the assertion is valid for " + format_duration(std::chrono::seconds{lifetime}) +
             " (exp - " + from + " = " + std::to_string(lifetime) + " s)";
    };
    if (lifetime > 86400) {
      ctx.emit("CLM036", text() + ", more than a day", "/payload/exp");
    } else if (lifetime > ctx.max_lifetime.count()) {
      ctx.emit("CLM035", text() + "; the " + std::string(profile_name(ctx.profile)) +
                             " profile recommends at most " + std::to_string(ctx.max_lifetime.count()) +
                             " s",
               "/payload/exp");
    }
  }
  if (iat && now - *iat > 3600 && (!exp || *exp > now - skew)) {
    ctx.emit("CLM037", "iat " + time_phrase(*iat, ctx.now) + ", more than an hour",
             "/payload/iat");
  }
}

void check_jti(RuleContext& ctx, const Claims& c) {
  const Json& p = ctx.payload();
  if (c.jti == nullptr) {
    ctx.emit("CLM041", "the claims have no jti", "/payload/jti");
    return;
  }
  const std::string* jti = read_string(ctx, "jti", c.jti, nullptr);
  if (jti == nullptr || ctx.replay == nullptr) {
    return;
  }
  const std::string issuer = string_member(p, "iss");
  int64_t exp = ctx.now.time_since_epoch().count() + ctx.skew.count();
  if (const Json* e = c.exp; e != nullptr && e->is_number()) {
    exp = e->get<int64_t>();
  }
  if (ctx.replay->seen_before(issuer, *jti, Seconds{std::chrono::seconds{exp + ctx.skew.count()}},
                              ctx.now)) {
    ctx.emit("CLM042", "jti " + quote(*jti) + " was already used by " + quote(issuer),
             "/payload/jti");
  }
}

}  // namespace

void check_claims(RuleContext& ctx) {
  if (!ctx.payload().is_object()) {
    return;  // ENC010/ENC011 already say why
  }
  const Claims c = find_claims(ctx.payload());
  check_identity(ctx, c);
  check_times(ctx, c);
  check_jti(ctx, c);
}

}  // namespace assay::internal
