// File: mock-server/config.h
//
// The world assay-mock imitates, as data: tenants, app registrations with their certificates,
// roles and consent, mailboxes with messages, and the policy (replay, clock skew, token
// lifetime). Read from a JSON file with assay's strict JSON parser, or from the built-in
// default. Every error names the file, the RFC 6901 pointer and the reason.
#ifndef ASSAY_MOCK_SERVER_CONFIG_H_
#define ASSAY_MOCK_SERVER_CONFIG_H_

#include <array>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "assay/key.h"
#include "assay/result.h"
#include "assay/timefmt.h"

namespace assay::mock {

struct TenantConfig {
  std::string id;                    // GUID, lower case
  std::vector<std::string> domains;  // verified domains, lower case; the first is the primary
  std::string display_name;
};

// The Microsoft Graph application permissions (app roles) a configuration may grant: the mail
// permissions the Graph mock acts on, least privileged first. Mail.ReadBasic.All lists
// messages without their bodies; Mail.Read and Mail.ReadWrite list them whole.
inline constexpr std::array<std::string_view, 3> kGraphMailRoles = {"Mail.ReadBasic.All",
                                                                    "Mail.Read", "Mail.ReadWrite"};

struct AppConfig {
  std::string client_id;  // GUID, lower case
  std::string tenant_id;  // the owning tenant's GUID (resolved from a GUID or a domain)
  std::string display_name;
  std::string object_id;  // the service principal's object ID (oid/sub of its tokens)
  std::vector<Certificate> certificates;
  // True when the configuration named no certificates: the server generates a key, a
  // certificate and a .pfx for the app in the state directory.
  bool generate_credentials = false;
  std::vector<std::string> roles;  // application permissions granted, e.g. "Mail.Read"
  bool consented = true;           // admin consent granted (roles appear in tokens)
};

struct EmailAddress {
  std::string name;
  std::string address;
};

struct Message {
  std::string id;
  std::string change_key;
  std::string conversation_id;
  std::string internet_message_id;
  std::string subject;
  std::string body_text;  // plain text; the HTML form is derived from it
  std::string body_preview;
  EmailAddress from;
  std::vector<EmailAddress> to;
  std::vector<EmailAddress> cc;
  Seconds received;
  Seconds sent;
  bool is_read = false;
  std::string importance = "normal";  // low | normal | high
  bool has_attachments = false;
  std::string inference_classification = "focused";
  std::vector<std::string> categories;
  std::string flag_status = "notFlagged";
};

struct MailboxConfig {
  std::string upn;  // lower case
  std::string display_name;
  std::string id;                 // the user's object ID (GUID, lower case)
  std::string tenant_id;          // resolved from "tenant" or the UPN's domain
  std::vector<Message> messages;  // newest first
};

enum class ReplayPolicy : unsigned char { kAllow, kReject };

struct PolicyConfig {
  ReplayPolicy replay = ReplayPolicy::kAllow;
  std::chrono::seconds skew{300};
  std::chrono::seconds token_lifetime{3599};
};

struct MockConfig {
  std::string source;  // the file name, or "<built-in>"
  std::vector<TenantConfig> tenants;
  std::vector<AppConfig> apps;
  std::vector<MailboxConfig> mailboxes;
  PolicyConfig policy;
};

// Parses a configuration. `source` names it in errors; certificate paths are relative to
// `base_dir`. Fails with `kInvalidArgument` ("SOURCE: POINTER: REASON").
[[nodiscard]] Result<MockConfig> parse_config(std::string_view text, const std::string& source,
                                              const std::string& base_dir);

// Reads and parses a configuration file (`kIo` when unreadable).
[[nodiscard]] Result<MockConfig> load_config_file(const std::string& path);

// The built-in world: tenant contoso.onmicrosoft.com, the app "assay-daemon" (credentials
// generated, Mail.Read, consented) and three mailboxes of generated messages.
MockConfig default_config();

// The JSON text of the built-in world (what `default_config` parses).
std::string_view default_config_json();

// `n` deterministic messages for a mailbox: the same UPN always gives the same messages.
std::vector<Message> generate_messages(const std::string& upn, const std::string& display_name,
                                       int n);

// A stable GUID derived from `seed` (SHA-256, formatted as a version-5-style UUID).
std::string derived_guid(std::string_view seed);

// True for a GUID in 8-4-4-4-12 hex form (either case).
bool is_guid(std::string_view s);

// Lower-cases ASCII letters.
std::string ascii_lower(std::string_view s);

// True for a DNS name of at least two labels (letters, digits, inner hyphens; 63 per label).
bool is_dns_name(std::string_view s);

// `s` without leading and trailing ASCII white space.
std::string trim_space(std::string_view s);

}  // namespace assay::mock

#endif  // ASSAY_MOCK_SERVER_CONFIG_H_
