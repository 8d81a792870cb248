// EXC rules: the form body around the assertion.
#include <string>

#include "assay/request.h"
#include "context.h"
#include "json_util.h"

namespace assay::internal {
namespace {

std::string pointer(std::string_view name) { return "/form/" + std::string(name); }

}  // namespace

void check_request(RuleContext& ctx) {
  if (ctx.request == nullptr) {
    return;
  }
  const TokenRequest& r = *ctx.request;
  for (const Finding& f : r.findings) {
    ctx.emit(f.rule_id, f.message, f.pointer, f.hint);
  }
  const auto grant = r.get("grant_type");
  if (!grant) {
    ctx.emit("EXC001", "the request has no grant_type", pointer("grant_type"));
  } else if (*grant != "client_credentials") {
    ctx.emit("EXC002", "grant_type is " + quote(*grant) + ", not \"client_credentials\"",
             pointer("grant_type"));
  }
  const auto type = r.get("client_assertion_type");
  if (!type) {
    ctx.emit("EXC003", "the request has no client_assertion_type", pointer("client_assertion_type"));
  } else if (*type != kJwtBearerAssertionType) {
    std::string hint;
    if (type->find("%3A") != std::string::npos || type->find("%3a") != std::string::npos) {
      hint = "the value was URL-encoded twice; encode it once";
    }
    ctx.emit("EXC004", "client_assertion_type is " + quote(*type), pointer("client_assertion_type"),
             std::move(hint));
  }
  const auto assertion = r.get("client_assertion");
  if (!assertion || assertion->empty()) {
    ctx.emit("EXC005",
             assertion ? "client_assertion is empty" : "the request has no client_assertion",
             pointer("client_assertion"));
  }
  if (r.has("client_secret")) {
    ctx.emit("EXC012", "the request carries client_secret as well as client_assertion",
             pointer("client_secret"));
  }
  const auto client_id = r.get("client_id");
  if (!client_id) {
    ctx.emit("EXC007", "the request has no client_id", pointer("client_id"));
  } else {
    const Json& p = ctx.payload();
    const std::string iss = string_member(p, "iss");
    if (!iss.empty() && iss != *client_id) {
      ctx.emit("EXC006", "client_id " + quote(*client_id) + " differs from the assertion's iss " +
                             quote(iss),
               pointer("client_id"));
    }
    if (ctx.policy.client_id() && *client_id != *ctx.policy.client_id()) {
      ctx.emit("EXC006", "client_id " + quote(*client_id) + " is not the expected client ID " +
                             quote(*ctx.policy.client_id()),
               pointer("client_id"));
    }
  }
  if (ctx.profile != Profile::kEntra) {
    return;
  }
  const auto scope = r.get("scope");
  const auto resource = r.get("resource");
  if (ctx.endpoint == EntraEndpoint::kV1) {
    if (!resource) {
      ctx.emit("EXC011", "the v1 request has no resource", pointer("resource"));
    }
    return;
  }
  if (ctx.endpoint != EntraEndpoint::kV2) {
    return;
  }
  if (resource) {
    ctx.emit("EXC010", "the v2 request carries resource " + quote(*resource), pointer("resource"),
             "send scope=" + *resource + "/.default instead");
  }
  if (!scope) {
    ctx.emit("EXC008", "the v2 request has no scope", pointer("scope"));
    return;
  }
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos < scope->size()) {
    const size_t end = std::min(scope->find(' ', pos), scope->size());
    if (end > pos) {
      parts.push_back(scope->substr(pos, end - pos));
    }
    pos = end + 1;
  }
  for (const std::string& s : parts) {
    if (!s.ends_with("/.default")) {
      ctx.emit("EXC009", "scope " + quote(s) + " does not end in /.default", pointer("scope"));
      break;
    }
  }
  if (parts.size() > 1) {
    ctx.emit("EXC014", "scope names " + std::to_string(parts.size()) + " values: " + quote(*scope),
             pointer("scope"));
  }
}

}  // namespace assay::internal
