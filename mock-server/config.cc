#include "config.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "assay/base64url.h"
#include "assay/json.h"
#include "assay/suggest.h"
#include "json_access.h"

namespace assay::mock {
namespace {

// Accumulates the "SOURCE: POINTER: REASON" form of every configuration error.
struct Where {
  std::string source;
  std::string pointer;

  Where operator/(std::string_view token) const {
    return Where{source, pointer + "/" + json_pointer_escape(token)};
  }
  Where operator/(size_t index) const {
    return Where{source, pointer + "/" + std::to_string(index)};
  }

  tl::unexpected<Error> fail(const std::string& reason) const {
    return make_error(ErrorCode::kInvalidArgument,
                      source + ": " + (pointer.empty() ? "(root)" : pointer) + ": " + reason);
  }
};

template <class T>
using R = Result<T>;
using Void = Result<void>;

std::string squote(std::string_view s) {
  return "'" + std::string(s) + "'";
}

Void allow_only(const Json& obj, const Where& at, std::initializer_list<std::string_view> names) {
  const Json::object_t* m = members(obj);
  if (m == nullptr) {
    return at.fail("expected an object");
  }
  for (const auto& kv : *m) {
    if (std::find(names.begin(), names.end(), kv.first) == names.end()) {
      std::string expected;
      for (std::string_view n : names) {
        expected += (expected.empty() ? "" : ", ") + std::string(n);
      }
      return (at / kv.first).fail("unknown member (expected one of: " + expected + ")");
    }
  }
  return {};
}

R<std::string> req_string(const Json& obj, std::string_view name, const Where& at) {
  const Json* v = member(obj, name);
  if (v == nullptr) {
    return at.fail("missing required member " + squote(name));
  }
  const auto* s = v->get_ptr<const std::string*>();
  if (s == nullptr || s->empty()) {
    return (at / name).fail("expected a non-empty string");
  }
  return *s;
}

R<std::optional<std::string>> opt_string(const Json& obj, std::string_view name, const Where& at) {
  const Json* v = member(obj, name);
  if (v == nullptr) {
    return std::optional<std::string>();
  }
  const auto* s = v->get_ptr<const std::string*>();
  if (s == nullptr) {
    return (at / name).fail("expected a string");
  }
  return std::optional<std::string>(*s);
}

R<std::optional<bool>> opt_bool(const Json& obj, std::string_view name, const Where& at) {
  const Json* v = member(obj, name);
  if (v == nullptr) {
    return std::optional<bool>();
  }
  const auto* b = v->get_ptr<const bool*>();
  if (b == nullptr) {
    return (at / name).fail("expected true or false");
  }
  return std::optional<bool>(*b);
}

R<std::optional<int64_t>> opt_int(const Json& obj, std::string_view name, int64_t lo, int64_t hi,
                                  const Where& at) {
  const Json* v = member(obj, name);
  if (v == nullptr) {
    return std::optional<int64_t>();
  }
  const std::string range = " between " + std::to_string(lo) + " and " + std::to_string(hi);
  if (!v->is_number_integer()) {
    return (at / name).fail("expected an integer" + range);
  }
  if (v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(hi)) {
    return (at / name).fail(v->dump() + " is not" + range);
  }
  const auto n = v->get<int64_t>();
  if (n < lo || n > hi) {
    return (at / name).fail(std::to_string(n) + " is not" + range);
  }
  return std::optional<int64_t>(n);
}

const Json::array_t* array_member(const Json& obj, std::string_view name) {
  const Json* v = member(obj, name);
  return v != nullptr ? elements(*v) : nullptr;
}

std::string sha256(std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md.data(), &len, EVP_sha256(), nullptr) != 1) {
    return std::string(32, '\0');  // cannot happen with the default provider
  }
  return std::string(reinterpret_cast<const char*>(md.data()), len);
}

std::string hex_lower(std::string_view bytes) {
  return ascii_lower(hex_upper(bytes));
}

const TenantConfig* find_tenant(const std::vector<TenantConfig>& tenants, std::string_view name) {
  const std::string l = ascii_lower(name);
  for (const TenantConfig& t : tenants) {
    if (t.id == l || std::find(t.domains.begin(), t.domains.end(), l) != t.domains.end()) {
      return &t;
    }
  }
  return nullptr;
}

// ------------------------------------------------------------------ certificates

R<Json> parse_strict(std::string_view text, const Where& at) {
  Json doc;
  JsonLimits limits;
  limits.max_bytes = 16 * 1024 * 1024;
  limits.max_depth = 64;
  const JsonParseOutcome o = parse_json_strict(text, doc, limits, false);
  for (const JsonIssue& issue : o.issues) {
    Where w{at.source, issue.pointer};
    if (issue.kind == JsonIssueKind::kDuplicateMember) {
      // Without the two values, which may be whole sections of the file.
      return w.fail("duplicate-member: this member appears more than once; give it once");
    }
    return w.fail(std::string(json_issue_name(issue.kind)) + ": " + issue.message);
  }
  if (!o.parsed) {
    return at.fail("not valid JSON");
  }
  return doc;
}

Void check_thumbprint_id(const std::string& given, const Certificate& cert, const Where& at) {
  const Thumbprints& t = cert.thumbprints();
  std::string compact;
  for (char c : given) {
    if (c != ':' && c != ' ') {
      compact.push_back(c);
    }
  }
  if (given == t.custom_key_identifier || ascii_lower(compact) == ascii_lower(t.sha1_hex)) {
    return {};
  }
  return at.fail("customKeyIdentifier " + squote(given) +
                 " is not the certificate's SHA-1 thumbprint (base64 " +
                 squote(t.custom_key_identifier) + ", hex " + t.sha1_hex + ")");
}

R<std::vector<Certificate>> parse_key_credentials(std::string_view text, const Where& file) {
  ASSAY_ASSIGN_OR_RETURN(Json doc, parse_strict(text, file));
  const Json* list = &doc;
  Where at = file;
  if (doc.is_object()) {
    for (std::string_view name : {"keyCredentials", "value"}) {
      if (const Json* m = member(doc, name); m != nullptr) {
        list = m;
        at = file / name;
        break;
      }
    }
    if (list == &doc) {
      return file.fail("expected an array of keyCredentials or an object with 'keyCredentials'");
    }
  }
  const Json::array_t* arr = elements(*list);
  if (arr == nullptr) {
    return at.fail("expected an array of keyCredentials");
  }
  std::vector<Certificate> out;
  for (size_t i = 0; i < arr->size(); ++i) {
    const Json& kc = (*arr)[i];
    const Where w = at / i;
    ASSAY_TRY(allow_only(kc, w,
                         {"customKeyIdentifier", "keyId", "type", "usage", "value", "key",
                          "startDateTime", "endDateTime", "displayName", "hasExtendedValue"}));
    ASSAY_ASSIGN_OR_RETURN(std::string type, req_string(kc, "type", w));
    if (type != "AsymmetricX509Cert") {
      return (w / "type").fail(squote(type) + " is not \"AsymmetricX509Cert\"");
    }
    ASSAY_ASSIGN_OR_RETURN(std::string usage, req_string(kc, "usage", w));
    if (usage != "Verify") {
      return (w / "usage")
          .fail(squote(usage) +
                " is not \"Verify\" (only verification keys "
                "authenticate a client)");
    }
    const char* value_name = member(kc, "value") != nullptr ? "value" : "key";
    ASSAY_ASSIGN_OR_RETURN(std::string value, req_string(kc, value_name, w));
    auto der = base64_decode(value);
    if (!der) {
      return (w / value_name).fail("not base64: " + der.error().message);
    }
    auto cert = load_certificate(*der);
    if (!cert) {
      return (w / value_name).fail("not a DER certificate: " + cert.error().message);
    }
    ASSAY_ASSIGN_OR_RETURN(auto ckid, opt_string(kc, "customKeyIdentifier", w));
    if (ckid) {
      ASSAY_TRY(check_thumbprint_id(*ckid, *cert, w / "customKeyIdentifier"));
    }
    ASSAY_ASSIGN_OR_RETURN(auto key_id, opt_string(kc, "keyId", w));
    if (key_id && !is_guid(*key_id)) {
      return (w / "keyId").fail(squote(*key_id) + " is not a GUID");
    }
    for (std::string_view name : {"startDateTime", "endDateTime"}) {
      ASSAY_ASSIGN_OR_RETURN(auto when, opt_string(kc, name, w));
      if (when && !parse_time(*when)) {
        return (w / name).fail(squote(*when) + " is not an RFC 3339 time");
      }
    }
    out.push_back(*cert);
  }
  return out;
}

R<std::vector<Certificate>> load_certificate_entry(const std::string& entry,
                                                   const std::string& base_dir, const Where& at) {
  const std::string text = trim_space(entry);
  if (text.starts_with("-----BEGIN")) {
    auto creds = load_credentials(text);
    if (!creds) {
      return at.fail("inline PEM: " + creds.error().message);
    }
    if (creds->certificates.empty()) {
      return at.fail("inline PEM holds no certificate");
    }
    return creds->certificates;
  }
  std::filesystem::path p(entry);
  if (p.is_relative() && !base_dir.empty()) {
    p = std::filesystem::path(base_dir) / p;
  }
  auto bytes = read_file(p.string());
  if (!bytes) {
    return at.fail(bytes.error().message);
  }
  const std::string head = trim_space(std::string_view(*bytes).substr(0, 64));
  if (!head.empty() && (head.front() == '[' || head.front() == '{')) {
    auto certs = parse_key_credentials(*bytes, Where{p.string(), ""});
    if (!certs) {
      Error e = certs.error();
      e.message += " (certificate " + at.pointer + " of " + at.source + ")";
      return tl::unexpected(std::move(e));
    }
    return *certs;
  }
  auto creds = load_credentials(*bytes);
  if (!creds) {
    return at.fail(p.string() + ": " + creds.error().message);
  }
  if (creds->certificates.empty()) {
    return at.fail(p.string() + " holds no certificate (" + creds->summary + ")");
  }
  return creds->certificates;
}

// ------------------------------------------------------------------ sections

// Graph's permission names are case-sensitive in the roles claim, so "mail.read" is refused
// too (with its spelling suggested).
Void check_role(const std::string& role, const Where& at) {
  if (std::find(kGraphMailRoles.begin(), kGraphMailRoles.end(), role) != kGraphMailRoles.end()) {
    return {};
  }
  std::string known;
  for (std::string_view r : kGraphMailRoles) {
    known += (known.empty() ? "" : ", ") + std::string(r);
  }
  const auto near = nearest_name(role, kGraphMailRoles);
  return at.fail(squote(role) + " is not a Graph application permission the mock knows" +
                 (near ? "; did you mean " + squote(*near) + "?" : "") + " (known: " + known + ")");
}

Void parse_tenants(const Json& root, const Where& at, MockConfig& out) {
  const Json::array_t* arr = array_member(root, "tenants");
  if (arr == nullptr || arr->empty()) {
    return (member(root, "tenants") == nullptr ? at : at / "tenants")
        .fail("expected a non-empty array 'tenants'");
  }
  for (size_t i = 0; i < arr->size(); ++i) {
    const Json& t = (*arr)[i];
    const Where w = at / "tenants" / i;
    ASSAY_TRY(allow_only(t, w, {"id", "domains", "display_name"}));
    TenantConfig tc;
    ASSAY_ASSIGN_OR_RETURN(std::string id, req_string(t, "id", w));
    if (!is_guid(id)) {
      return (w / "id").fail(squote(id) + " is not a GUID");
    }
    tc.id = ascii_lower(id);
    const Json::array_t* domains = array_member(t, "domains");
    if (domains == nullptr || domains->empty()) {
      return (member(t, "domains") == nullptr ? w : w / "domains")
          .fail("expected a non-empty array 'domains'");
    }
    for (size_t d = 0; d < domains->size(); ++d) {
      const auto* s = (*domains)[d].get_ptr<const std::string*>();
      if (s == nullptr || !is_dns_name(*s)) {
        return (w / "domains" / d).fail("expected a DNS name such as contoso.onmicrosoft.com");
      }
      if (find_tenant(out.tenants, *s) != nullptr ||
          std::find(tc.domains.begin(), tc.domains.end(), ascii_lower(*s)) != tc.domains.end()) {
        return (w / "domains" / d).fail("domain " + squote(*s) + " is declared twice");
      }
      tc.domains.push_back(ascii_lower(*s));
    }
    if (find_tenant(out.tenants, tc.id) != nullptr) {
      return (w / "id").fail("tenant " + squote(id) + " is declared twice");
    }
    ASSAY_ASSIGN_OR_RETURN(auto name, opt_string(t, "display_name", w));
    tc.display_name = name.value_or(tc.domains.front());
    out.tenants.push_back(std::move(tc));
  }
  return {};
}

Void parse_apps(const Json& root, const Where& at, const std::string& base_dir, MockConfig& out) {
  const Json::array_t* arr = array_member(root, "apps");
  if (arr == nullptr || arr->empty()) {
    return (member(root, "apps") == nullptr ? at : at / "apps")
        .fail("expected a non-empty array 'apps'");
  }
  for (size_t i = 0; i < arr->size(); ++i) {
    const Json& a = (*arr)[i];
    const Where w = at / "apps" / i;
    ASSAY_TRY(allow_only(a, w,
                         {"client_id", "tenant", "display_name", "certificates", "roles",
                          "consented", "object_id"}));
    AppConfig app;
    ASSAY_ASSIGN_OR_RETURN(std::string client_id, req_string(a, "client_id", w));
    if (!is_guid(client_id)) {
      return (w / "client_id").fail(squote(client_id) + " is not a GUID (Entra client IDs are)");
    }
    app.client_id = ascii_lower(client_id);
    ASSAY_ASSIGN_OR_RETURN(std::string tenant, req_string(a, "tenant", w));
    const TenantConfig* t = find_tenant(out.tenants, tenant);
    if (t == nullptr) {
      return (w / "tenant").fail("tenant " + squote(tenant) + " is not declared in /tenants");
    }
    app.tenant_id = t->id;
    for (const AppConfig& other : out.apps) {
      if (other.client_id == app.client_id && other.tenant_id == app.tenant_id) {
        return (w / "client_id").fail("app " + squote(client_id) + " is declared twice");
      }
    }
    ASSAY_ASSIGN_OR_RETURN(auto name, opt_string(a, "display_name", w));
    app.display_name = name.value_or("app " + app.client_id);
    ASSAY_ASSIGN_OR_RETURN(auto oid, opt_string(a, "object_id", w));
    if (oid && !is_guid(*oid)) {
      return (w / "object_id").fail(squote(*oid) + " is not a GUID");
    }
    app.object_id =
        oid ? ascii_lower(*oid) : derived_guid("sp:" + app.tenant_id + ":" + app.client_id);
    if (const Json* certs = member(a, "certificates"); certs != nullptr) {
      const Json::array_t* list = elements(*certs);
      if (list == nullptr) {
        return (w / "certificates").fail("expected an array of PEM text or file paths");
      }
      for (size_t c = 0; c < list->size(); ++c) {
        const auto* s = (*list)[c].get_ptr<const std::string*>();
        if (s == nullptr || s->empty()) {
          return (w / "certificates" / c)
              .fail("expected a PEM certificate, a certificate file or a keyCredentials.json path");
        }
        ASSAY_ASSIGN_OR_RETURN(auto loaded,
                               load_certificate_entry(*s, base_dir, w / "certificates" / c));
        app.certificates.insert(app.certificates.end(), loaded.begin(), loaded.end());
      }
    } else {
      app.generate_credentials = true;
    }
    if (const Json* roles = member(a, "roles"); roles != nullptr) {
      const Json::array_t* list = elements(*roles);
      if (list == nullptr) {
        return (w / "roles").fail("expected an array of role names such as \"Mail.Read\"");
      }
      for (size_t r = 0; r < list->size(); ++r) {
        const auto* s = (*list)[r].get_ptr<const std::string*>();
        if (s == nullptr || s->empty()) {
          return (w / "roles" / r).fail("expected a role name such as \"Mail.Read\"");
        }
        ASSAY_TRY(check_role(*s, w / "roles" / r));
        app.roles.push_back(*s);
      }
    }
    ASSAY_ASSIGN_OR_RETURN(auto consented, opt_bool(a, "consented", w));
    app.consented = consented.value_or(true);
    out.apps.push_back(std::move(app));
  }
  return {};
}

R<EmailAddress> parse_address(const Json& v, const Where& at) {
  if (const auto* s = v.get_ptr<const std::string*>(); s != nullptr) {
    if (s->find('@') == std::string::npos) {
      return at.fail(squote(*s) + " is not an email address");
    }
    return EmailAddress{s->substr(0, s->find('@')), *s};
  }
  ASSAY_TRY(allow_only(v, at, {"name", "address"}));
  EmailAddress e;
  ASSAY_ASSIGN_OR_RETURN(e.address, req_string(v, "address", at));
  if (e.address.find('@') == std::string::npos) {
    return (at / "address").fail(squote(e.address) + " is not an email address");
  }
  ASSAY_ASSIGN_OR_RETURN(auto name, opt_string(v, "name", at));
  e.name = name.value_or(e.address.substr(0, e.address.find('@')));
  return e;
}

R<std::vector<EmailAddress>> parse_addresses(const Json& obj, std::string_view name,
                                             const Where& at) {
  std::vector<EmailAddress> out;
  const Json* v = member(obj, name);
  if (v == nullptr) {
    return out;
  }
  const Json::array_t* arr = elements(*v);
  if (arr == nullptr) {
    return (at / name).fail("expected an array of addresses");
  }
  for (size_t i = 0; i < arr->size(); ++i) {
    ASSAY_ASSIGN_OR_RETURN(EmailAddress e, parse_address((*arr)[i], at / name / i));
    out.push_back(std::move(e));
  }
  return out;
}

std::string preview_of(const std::string& text) {
  std::string p;
  for (char c : text) {
    if (p.size() >= 255) {
      break;
    }
    p.push_back(c);
  }
  // Do not cut a UTF-8 sequence in half.
  while (!p.empty() && (static_cast<unsigned char>(p.back()) & 0xC0) == 0x80) {
    p.pop_back();
  }
  if (!p.empty() && (static_cast<unsigned char>(p.back()) & 0xC0) == 0xC0) {
    p.pop_back();
  }
  return p;
}

void fill_message_ids(Message& m, const std::string& upn, size_t index) {
  const std::string d = sha256("msg:" + upn + ":" + std::to_string(index) + ":" + m.subject);
  if (m.id.empty()) {
    m.id = "AAMkAG" + base64url_encode(d.substr(0, 24)) + "AAA=";
  }
  m.change_key = "CQAAABYAAAD" + base64url_encode(d.substr(24, 8));
  m.conversation_id = "AAQkAG" + base64url_encode(sha256("conv:" + m.subject).substr(0, 18)) + "=";
  const std::string domain = m.from.address.substr(m.from.address.find('@') + 1);
  m.internet_message_id = "<" + hex_lower(d.substr(0, 12)) + "@" + domain + ">";
}

R<Message> parse_message(const Json& v, const MailboxConfig& box, size_t index, const Where& w) {
  ASSAY_TRY(
      allow_only(v, w,
                 {"id", "subject", "from", "to", "cc", "receivedDateTime", "sentDateTime", "body",
                  "bodyPreview", "isRead", "importance", "hasAttachments", "categories", "flag"}));
  Message m;
  ASSAY_ASSIGN_OR_RETURN(auto id, opt_string(v, "id", w));
  m.id = id.value_or("");
  ASSAY_ASSIGN_OR_RETURN(m.subject, req_string(v, "subject", w));
  const Json* from = member(v, "from");
  if (from == nullptr) {
    return w.fail("missing required member 'from'");
  }
  ASSAY_ASSIGN_OR_RETURN(m.from, parse_address(*from, w / "from"));
  ASSAY_ASSIGN_OR_RETURN(m.to, parse_addresses(v, "to", w));
  if (m.to.empty()) {
    m.to.push_back(EmailAddress{box.display_name, box.upn});
  }
  ASSAY_ASSIGN_OR_RETURN(m.cc, parse_addresses(v, "cc", w));
  ASSAY_ASSIGN_OR_RETURN(std::string received, req_string(v, "receivedDateTime", w));
  auto rt = parse_time(received);
  if (!rt) {
    return (w / "receivedDateTime").fail(squote(received) + " is not an RFC 3339 time");
  }
  m.received = *rt;
  ASSAY_ASSIGN_OR_RETURN(auto sent, opt_string(v, "sentDateTime", w));
  if (sent) {
    auto st = parse_time(*sent);
    if (!st) {
      return (w / "sentDateTime").fail(squote(*sent) + " is not an RFC 3339 time");
    }
    m.sent = *st;
  } else {
    m.sent = m.received - std::chrono::seconds{2};
  }
  ASSAY_ASSIGN_OR_RETURN(auto body, opt_string(v, "body", w));
  m.body_text = body.value_or("");
  ASSAY_ASSIGN_OR_RETURN(auto preview, opt_string(v, "bodyPreview", w));
  m.body_preview = preview ? *preview : preview_of(m.body_text);
  ASSAY_ASSIGN_OR_RETURN(auto is_read, opt_bool(v, "isRead", w));
  m.is_read = is_read.value_or(false);
  ASSAY_ASSIGN_OR_RETURN(auto attachments, opt_bool(v, "hasAttachments", w));
  m.has_attachments = attachments.value_or(false);
  ASSAY_ASSIGN_OR_RETURN(auto importance, opt_string(v, "importance", w));
  if (importance) {
    if (*importance != "low" && *importance != "normal" && *importance != "high") {
      return (w / "importance").fail(squote(*importance) + " is not low, normal or high");
    }
    m.importance = *importance;
  }
  ASSAY_ASSIGN_OR_RETURN(auto flag, opt_string(v, "flag", w));
  if (flag) {
    if (*flag != "notFlagged" && *flag != "flagged" && *flag != "complete") {
      return (w / "flag").fail(squote(*flag) + " is not notFlagged, flagged or complete");
    }
    m.flag_status = *flag;
  }
  if (const Json* cats = member(v, "categories"); cats != nullptr) {
    const Json::array_t* arr = elements(*cats);
    if (arr == nullptr) {
      return (w / "categories").fail("expected an array of strings");
    }
    for (size_t i = 0; i < arr->size(); ++i) {
      const auto* s = (*arr)[i].get_ptr<const std::string*>();
      if (s == nullptr) {
        return (w / "categories" / i).fail("expected a string");
      }
      m.categories.push_back(*s);
    }
  }
  fill_message_ids(m, box.upn, index);
  return m;
}

void sort_newest_first(std::vector<Message>& messages) {
  std::stable_sort(messages.begin(), messages.end(),
                   [](const Message& a, const Message& b) { return a.received > b.received; });
}

Void parse_mailboxes(const Json& root, const Where& at, MockConfig& out) {
  const Json* v = member(root, "mailboxes");
  if (v == nullptr) {
    return {};
  }
  const Json::array_t* arr = elements(*v);
  if (arr == nullptr) {
    return (at / "mailboxes").fail("expected an array");
  }
  for (size_t i = 0; i < arr->size(); ++i) {
    const Json& b = (*arr)[i];
    const Where w = at / "mailboxes" / i;
    ASSAY_TRY(allow_only(b, w, {"upn", "display_name", "id", "tenant", "messages", "generate"}));
    MailboxConfig box;
    ASSAY_ASSIGN_OR_RETURN(std::string upn, req_string(b, "upn", w));
    const size_t at_sign = upn.find('@');
    if (at_sign == std::string::npos || at_sign == 0 || !is_dns_name(upn.substr(at_sign + 1))) {
      return (w / "upn").fail(squote(upn) + " is not a user principal name (user@domain)");
    }
    box.upn = ascii_lower(upn);
    for (const MailboxConfig& other : out.mailboxes) {
      if (other.upn == box.upn) {
        return (w / "upn").fail("mailbox " + squote(upn) + " is declared twice");
      }
    }
    ASSAY_ASSIGN_OR_RETURN(auto tenant, opt_string(b, "tenant", w));
    const TenantConfig* t = find_tenant(out.tenants, tenant.value_or(box.upn.substr(at_sign + 1)));
    if (t == nullptr) {
      return tenant
                 ? (w / "tenant").fail("tenant " + squote(*tenant) + " is not declared in /tenants")
                 : (w / "upn").fail("the domain of " + squote(upn) +
                                    " belongs to no tenant in /tenants; add \"tenant\"");
    }
    box.tenant_id = t->id;
    ASSAY_ASSIGN_OR_RETURN(auto name, opt_string(b, "display_name", w));
    box.display_name = name.value_or(box.upn.substr(0, at_sign));
    ASSAY_ASSIGN_OR_RETURN(auto id, opt_string(b, "id", w));
    if (id && !is_guid(*id)) {
      return (w / "id").fail(squote(*id) + " is not a GUID");
    }
    box.id = id ? ascii_lower(*id) : derived_guid("user:" + box.tenant_id + ":" + box.upn);
    const Json* messages = member(b, "messages");
    ASSAY_ASSIGN_OR_RETURN(auto generate, opt_int(b, "generate", 0, 10000, w));
    if (messages != nullptr && generate) {
      return (w / "generate").fail("give either 'messages' or 'generate', not both");
    }
    if (messages != nullptr) {
      const Json::array_t* list = elements(*messages);
      if (list == nullptr) {
        return (w / "messages").fail("expected an array of messages");
      }
      for (size_t m = 0; m < list->size(); ++m) {
        ASSAY_ASSIGN_OR_RETURN(Message msg, parse_message((*list)[m], box, m, w / "messages" / m));
        for (const Message& other : box.messages) {
          if (other.id == msg.id) {
            return (w / "messages" / m / "id")
                .fail("message id " + squote(msg.id) + " is used twice");
          }
        }
        box.messages.push_back(std::move(msg));
      }
      sort_newest_first(box.messages);
    } else if (generate) {
      box.messages = generate_messages(box.upn, box.display_name, static_cast<int>(*generate));
    }
    out.mailboxes.push_back(std::move(box));
  }
  return {};
}

Void parse_policy(const Json& root, const Where& at, MockConfig& out) {
  const Json* p = member(root, "policy");
  if (p == nullptr) {
    return {};
  }
  const Where w = at / "policy";
  ASSAY_TRY(allow_only(*p, w, {"replay", "skew_seconds", "token_lifetime_seconds"}));
  ASSAY_ASSIGN_OR_RETURN(auto replay, opt_string(*p, "replay", w));
  if (replay) {
    if (*replay == "allow") {
      out.policy.replay = ReplayPolicy::kAllow;
    } else if (*replay == "reject") {
      out.policy.replay = ReplayPolicy::kReject;
    } else {
      return (w / "replay").fail(squote(*replay) + " is not \"allow\" or \"reject\"");
    }
  }
  ASSAY_ASSIGN_OR_RETURN(auto skew, opt_int(*p, "skew_seconds", 0, 600, w));
  if (skew) {
    out.policy.skew = std::chrono::seconds{*skew};
  }
  ASSAY_ASSIGN_OR_RETURN(auto lifetime, opt_int(*p, "token_lifetime_seconds", 60, 86400, w));
  if (lifetime) {
    out.policy.token_lifetime = std::chrono::seconds{*lifetime};
  }
  return {};
}

// ------------------------------------------------------------------ generated mail

struct Sender {
  const char* name;
  const char* address;
};

constexpr std::array kSenders = {
    Sender{"Microsoft Planner", "noreply@planner.office365.com"},
    Sender{"Adele Vance", "adele.vance@fabrikam.com"},
    Sender{"Diego Siciliani", "diego@northwindtraders.com"},
    Sender{"Isaiah Langer", "isaiah.langer@fabrikam.com"},
    Sender{"Johanna Lorenz", "johanna@woodgrovebank.com"},
    Sender{"Lynne Robbins", "lynne.robbins@tailspintoys.com"},
    Sender{"Nestor Wilke", "nestor@adatum.com"},
    Sender{"Patti Fernandez", "patti@litware.com"},
    Sender{"IT Service Desk", "servicedesk@contoso.com"},
    Sender{"Grady Archie", "grady.archie@proseware.com"},
};

constexpr std::array kTopics = {
    "Quarterly budget review",
    "Invoice {n} is ready",
    "Your weekly digest",
    "Re: Project Falcon timeline",
    "Action required: password expiry",
    "Team offsite agenda",
    "Fw: Contract draft v{n}",
    "Lunch on Thursday?",
    "Build {n} failed on main",
    "Customer escalation #{n}",
    "Updated travel policy",
    "Design review notes",
    "Welcome to the new intranet",
    "Re: Shipping delay for order {n}",
    "Security training reminder",
    "Monthly sales report",
    "Re: Certificate renewal",
    "Your meeting was rescheduled",
    "Expense report {n} approved",
    "Release notes for sprint {n}",
};

constexpr std::array kSentences = {
    "Please find the details below and let me know if anything is missing.",
    "The numbers are attached; the summary is in the first tab.",
    "Can we move this to next week? Tuesday afternoon works for me.",
    "Thanks for the quick turnaround on this.",
    "I have updated the document with your comments.",
    "This is an automated message; please do not reply.",
    "The change goes live on Friday after the maintenance window.",
    "We still need sign-off from legal before we proceed.",
    "Reminder: the deadline is the end of the month.",
    "Let's discuss this in the stand-up tomorrow.",
};

uint32_t fnv1a(std::string_view s) {
  uint32_t h = 2166136261U;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619U;
  }
  return h;
}

// A small deterministic generator (xorshift32); the same seed gives the same sequence on every
// platform, which the standard distributions do not promise.
struct Rng {
  uint32_t state;
  uint32_t next() {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  }
  uint32_t below(uint32_t n) { return next() % n; }
};

std::string replace_n(std::string s, uint32_t n) {
  const size_t p = s.find("{n}");
  if (p != std::string::npos) {
    s.replace(p, 3, std::to_string(n));
  }
  return s;
}

constexpr int64_t kGeneratedNewest = 1767196800;  // 2025-12-31T16:00:00Z

}  // namespace

bool is_guid(std::string_view s) {
  if (s.size() != 36) {
    return false;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : std::isxdigit(static_cast<unsigned char>(s[i])) == 0) {
      return false;
    }
  }
  return true;
}

bool is_dns_name(std::string_view s) {
  if (s.empty() || s.size() > 253 || s.find('.') == std::string_view::npos) {
    return false;
  }
  size_t label = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '.') {
      if (label == 0 || s[i - 1] == '-') {
        return false;
      }
      label = 0;
    } else if (std::isalnum(c) != 0 || c == '-') {
      if ((label == 0 && c == '-') || ++label > 63) {
        return false;
      }
    } else {
      return false;
    }
  }
  return label > 0 && s.back() != '-';
}

std::string trim_space(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) {
    s.remove_prefix(1);
  }
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) {
    s.remove_suffix(1);
  }
  return std::string(s);
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string derived_guid(std::string_view seed) {
  std::string d = sha256(seed).substr(0, 16);
  d[6] = static_cast<char>((static_cast<unsigned char>(d[6]) & 0x0F) | 0x50);
  d[8] = static_cast<char>((static_cast<unsigned char>(d[8]) & 0x3F) | 0x80);
  const std::string h = hex_lower(d);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20, 12);
}

std::vector<Message> generate_messages(const std::string& upn, const std::string& display_name,
                                       int n) {
  std::vector<Message> out;
  Rng rng{fnv1a(upn) | 1U};
  int64_t t = kGeneratedNewest - static_cast<int64_t>(rng.below(3600));
  for (int i = 0; i < n; ++i) {
    Message m;
    const Sender& s = kSenders[rng.below(kSenders.size())];
    m.from = EmailAddress{s.name, s.address};
    m.to.push_back(EmailAddress{display_name, upn});
    if (rng.below(4) == 0) {
      const Sender& c = kSenders[rng.below(kSenders.size())];
      m.cc.push_back(EmailAddress{c.name, c.address});
    }
    m.subject = replace_n(kTopics[rng.below(kTopics.size())], 1000 + rng.below(9000));
    const std::string first = display_name.substr(0, display_name.find(' '));
    m.body_text = "Hi " + first + ",\r\n\r\n";
    const uint32_t sentences = 2 + rng.below(4);
    for (uint32_t k = 0; k < sentences; ++k) {
      m.body_text += std::string(kSentences[rng.below(kSentences.size())]) + " ";
    }
    m.body_text += "\r\n\r\nBest regards,\r\n" + std::string(s.name);
    m.body_preview = preview_of(m.body_text);
    m.received = Seconds{std::chrono::seconds{t}};
    m.sent = m.received - std::chrono::seconds{1 + rng.below(30)};
    const uint32_t r = rng.below(10);
    m.importance = r == 0 ? "high" : r == 1 ? "low" : "normal";
    m.is_read = rng.below(10) < 6;
    m.has_attachments = rng.below(5) == 0;
    m.inference_classification = rng.below(6) == 0 ? "other" : "focused";
    if (rng.below(8) == 0) {
      m.flag_status = "flagged";
    }
    fill_message_ids(m, upn, static_cast<size_t>(i));
    out.push_back(std::move(m));
    t -= 1800 + static_cast<int64_t>(rng.below(20 * 3600));
  }
  return out;
}

Result<MockConfig> parse_config(std::string_view text, const std::string& source,
                                const std::string& base_dir) {
  const Where root_at{source, ""};
  ASSAY_ASSIGN_OR_RETURN(Json root, parse_strict(text, root_at));
  if (!root.is_object()) {
    return root_at.fail("expected a JSON object with tenants, apps, mailboxes and policy");
  }
  ASSAY_TRY(allow_only(root, root_at, {"description", "tenants", "apps", "mailboxes", "policy"}));
  ASSAY_ASSIGN_OR_RETURN(auto description, opt_string(root, "description", root_at));
  (void)description;
  MockConfig cfg;
  cfg.source = source;
  ASSAY_TRY(parse_tenants(root, root_at, cfg));
  ASSAY_TRY(parse_apps(root, root_at, base_dir, cfg));
  ASSAY_TRY(parse_mailboxes(root, root_at, cfg));
  ASSAY_TRY(parse_policy(root, root_at, cfg));
  return cfg;
}

Result<MockConfig> load_config_file(const std::string& path) {
  auto bytes = read_file(path);
  if (!bytes) {
    return make_error(ErrorCode::kIo, bytes.error().message);
  }
  const std::filesystem::path p(path);
  return parse_config(*bytes, path, p.has_parent_path() ? p.parent_path().string() : ".");
}

std::string_view default_config_json() {
  return R"({
  "description": "assay-mock's built-in world",
  "tenants": [
    {"id": "8f0d3c2a-6b1e-4c7d-9e5f-2a4b6c8d0e1f", "domains": ["contoso.onmicrosoft.com"],
     "display_name": "Contoso"}
  ],
  "apps": [
    {"client_id": "6b3c0f0e-5f3e-4a5c-9d61-3f1d2a7b9c10", "tenant": "contoso.onmicrosoft.com",
     "display_name": "assay-daemon", "roles": ["Mail.Read"], "consented": true}
  ],
  "mailboxes": [
    {"upn": "alex@contoso.onmicrosoft.com", "display_name": "Alex Wilber", "generate": 40},
    {"upn": "megan@contoso.onmicrosoft.com", "display_name": "Megan Bowen", "generate": 30},
    {"upn": "lee@contoso.onmicrosoft.com", "display_name": "Lee Gu", "generate": 25}
  ],
  "policy": {"replay": "allow", "skew_seconds": 300, "token_lifetime_seconds": 3599}
})";
}

MockConfig default_config() {
  auto cfg = parse_config(default_config_json(), "<built-in>", "");
  // The built-in text is covered by a test; it cannot fail.
  return cfg ? std::move(*cfg) : MockConfig{};
}

}  // namespace assay::mock
