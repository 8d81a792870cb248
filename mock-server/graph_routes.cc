// The Microsoft Graph side: list messages of a mailbox (the Inbox or all messages) with $top,
// $skip, $select, $orderby and @odata.nextLink paging, behind the bearer token the mock's token
// endpoint issued.
#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "assay/assertion.h"
#include "assay/base64url.h"
#include "assay/build.h"
#include "assay/request.h"
#include "assay/signature.h"
#include "json_access.h"
#include "routes.h"
#include "state.h"

namespace assay::mock {
namespace {

constexpr std::array<std::string_view, 30> kMessageProperties = {
    "id",
    "createdDateTime",
    "lastModifiedDateTime",
    "changeKey",
    "categories",
    "receivedDateTime",
    "sentDateTime",
    "hasAttachments",
    "internetMessageId",
    "subject",
    "bodyPreview",
    "importance",
    "parentFolderId",
    "conversationId",
    "conversationIndex",
    "isDeliveryReceiptRequested",
    "isReadReceiptRequested",
    "isRead",
    "isDraft",
    "webLink",
    "inferenceClassification",
    "body",
    "sender",
    "from",
    "toRecipients",
    "ccRecipients",
    "bccRecipients",
    "replyTo",
    "flag",
    "uniqueBody",
};

constexpr std::string_view kContentType =
    "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; "
    "charset=utf-8";

constexpr std::string_view kGraphResourceSlash = "https://graph.microsoft.com/";

struct Caller {
  std::string tenant_id;
  bool basic_only = false;  // Mail.ReadBasic.All without Mail.Read/ReadWrite
};

void unauthorized(const State& st, const httplib::Request& req, httplib::Response& res,
                  std::string_view message) {
  res.set_header("WWW-Authenticate", "Bearer realm=\"\", authorization_uri=\"" + st.base_url +
                                         "/common/oauth2/authorize\", client_id=\"" +
                                         std::string(kGraphAppId) + "\"");
  send_graph_error(req, res, 401, "InvalidAuthenticationToken", message);
}

int64_t number_claim(const Json& payload, std::string_view name, int64_t fallback) {
  const Json* v = member(payload, name);
  if (v == nullptr || !v->is_number()) {
    return fallback;
  }
  return v->is_number_integer() ? v->get<int64_t>() : static_cast<int64_t>(v->get<double>());
}

std::optional<Caller> authenticate(const State& st, const httplib::Request& req,
                                   httplib::Response& res) {
  const std::string auth = req.get_header_value("Authorization");
  std::string token;
  if (ascii_lower(auth.substr(0, 7)) == "bearer ") {
    token = auth.substr(7);
  }
  while (!token.empty() && token.front() == ' ') {
    token.erase(0, 1);
  }
  if (token.empty()) {
    unauthorized(st, req, res, "Access token is empty.");
    return std::nullopt;
  }
  auto a = decode(token);
  if (!a || !a->header_is_object() || !a->payload_is_object()) {
    unauthorized(st, req, res, "CompactToken parsing failed with error code: 80049217");
    return std::nullopt;
  }
  const bool signed_by_us = string_member(a->header(), "alg") == "RS256" &&
                            verify_signature(Alg::kRS256, st.signing_public, a->signing_input(),
                                             a->signature_bytes(), false)
                                .valid();
  if (!signed_by_us) {
    unauthorized(st, req, res, "Access token validation failure.");
    return std::nullopt;
  }
  const Json& p = a->payload();
  const std::string aud = ascii_lower(string_member(p, "aud"));
  if (aud != kGraphResource && aud != kGraphResourceSlash && aud != kGraphAppId) {
    unauthorized(st, req, res, "Access token validation failure. Invalid audience.");
    return std::nullopt;
  }
  const int64_t now = now_seconds().time_since_epoch().count();
  const int64_t skew = st.config.policy.skew.count();
  if (now > number_claim(p, "exp", 0) + skew) {
    unauthorized(st, req, res, "Lifetime validation failed, the token is expired.");
    return std::nullopt;
  }
  if (number_claim(p, "nbf", 0) > now + skew) {
    unauthorized(st, req, res, "Lifetime validation failed, the token is not yet valid.");
    return std::nullopt;
  }
  bool full = false;
  bool basic = false;
  if (const Json* roles = member(p, "roles"); roles != nullptr) {
    if (const Json::array_t* arr = elements(*roles); arr != nullptr) {
      for (const Json& r : *arr) {
        const auto* s = r.get_ptr<const std::string*>();
        if (s != nullptr && (*s == "Mail.Read" || *s == "Mail.ReadWrite")) {
          full = true;
        } else if (s != nullptr && *s == "Mail.ReadBasic.All") {
          basic = true;
        }
      }
    }
  }
  if (!full && !basic) {
    send_graph_error(req, res, 403, "ErrorAccessDenied",
                     "Access is denied. Check credentials and try again.");
    return std::nullopt;
  }
  return Caller{ascii_lower(string_member(p, "tid")), !full};
}

std::string url_encode_keep(std::string_view s, std::string_view keep) {
  std::string out = form_encode(s);
  for (char c : keep) {
    const char hex[] = "0123456789ABCDEF";
    const std::string esc = {'%', hex[static_cast<unsigned char>(c) >> 4],
                             hex[static_cast<unsigned char>(c) & 0xF]};
    size_t pos = 0;
    while ((pos = out.find(esc, pos)) != std::string::npos) {
      out.replace(pos, 3, 1, c);
      pos += 1;
    }
  }
  return out;
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string html_body(const std::string& text) {
  std::string paragraphs;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find("\r\n", pos);
    if (end == std::string::npos) {
      end = text.size();
    }
    const std::string line = text.substr(pos, end - pos);
    paragraphs += line.empty() ? "<br>" : "<div>" + html_escape(line) + "</div>";
    pos = end + 2;
  }
  return "<html><head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
         "</head><body>" +
         paragraphs + "</body></html>";
}

Json address_json(const EmailAddress& a) {
  Json e = Json::object();
  e["name"] = a.name;
  e["address"] = a.address;
  Json out = Json::object();
  out["emailAddress"] = std::move(e);
  return out;
}

Json addresses_json(const std::vector<EmailAddress>& list) {
  Json out = Json::array();
  for (const EmailAddress& a : list) {
    out.push_back(address_json(a));
  }
  return out;
}

struct Shape {
  std::vector<std::string> select;  // empty: every property
  bool basic_only = false;
  bool text_body = false;
  std::string folder_id;
};

bool wanted(const Shape& s, std::string_view name) {
  if (s.basic_only && (name == "body" || name == "bodyPreview" || name == "uniqueBody")) {
    return false;
  }
  if (name == "uniqueBody" && s.select.empty()) {
    return false;  // Graph returns uniqueBody only when selected
  }
  return s.select.empty() || name == "id" ||
         std::find(s.select.begin(), s.select.end(), name) != s.select.end();
}

Json message_json(const Message& m, const Shape& s) {
  Json j = Json::object();
  j["@odata.etag"] = "W/\"" + m.change_key + "\"";
  const std::string received = format_rfc3339(m.received);
  auto put = [&](std::string_view name, Json value) {
    if (wanted(s, name)) {
      j[std::string(name)] = std::move(value);
    }
  };
  put("id", m.id);
  put("createdDateTime", received);
  put("lastModifiedDateTime", received);
  put("changeKey", m.change_key);
  put("categories", m.categories);
  put("receivedDateTime", received);
  put("sentDateTime", format_rfc3339(m.sent));
  put("hasAttachments", m.has_attachments);
  put("internetMessageId", m.internet_message_id);
  put("subject", m.subject);
  put("bodyPreview", m.body_preview);
  put("importance", m.importance);
  put("parentFolderId", s.folder_id);
  put("conversationId", m.conversation_id);
  put("conversationIndex", "AQHa" + m.change_key.substr(std::min<size_t>(m.change_key.size(), 11)));
  put("isDeliveryReceiptRequested", false);
  put("isReadReceiptRequested", false);
  put("isRead", m.is_read);
  put("isDraft", false);
  put("webLink", "https://outlook.office365.com/owa/?ItemID=" + form_encode(m.id) +
                     "&exvsurl=1&viewmodel=ReadMessageItem");
  put("inferenceClassification", m.inference_classification);
  Json body = Json::object();
  body["contentType"] = s.text_body ? "text" : "html";
  body["content"] = s.text_body ? m.body_text : html_body(m.body_text);
  put("body", body);
  put("uniqueBody", body);
  put("sender", address_json(m.from));
  put("from", address_json(m.from));
  put("toRecipients", addresses_json(m.to));
  put("ccRecipients", addresses_json(m.cc));
  put("bccRecipients", Json::array());
  put("replyTo", Json::array());
  Json flag = Json::object();
  flag["flagStatus"] = m.flag_status;
  put("flag", flag);
  return j;
}

std::optional<int64_t> parse_count(const std::string& v) {
  if (v.empty() || v.size() > 9 || !std::all_of(v.begin(), v.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
      })) {
    return std::nullopt;
  }
  return std::stoll(v);
}

void bad_request(const httplib::Request& req, httplib::Response& res, std::string_view code,
                 const std::string& message) {
  send_graph_error(req, res, 400, code, message);
}

void handle_messages(const State& st, const httplib::Request& req, httplib::Response& res,
                     bool folder_route) {
  const std::string user = req.matches[1];
  const std::string folder = folder_route ? std::string(req.matches[2]) : std::string();
  const auto caller = authenticate(st, req, res);
  if (!caller) {
    return;
  }
  const MailboxConfig* box = st.find_mailbox(user, caller->tenant_id);
  if (box == nullptr) {
    send_graph_error(req, res, 404, "ErrorInvalidUser",
                     "The requested user '" + user + "' is invalid.");
    return;
  }
  if (folder_route && ascii_lower(folder) != "inbox") {
    send_graph_error(req, res, 404, "ErrorItemNotFound",
                     "The specified object was not found in the store.");
    return;
  }
  for (const char* unsupported : {"$filter", "$search", "$expand"}) {
    if (req.has_param(unsupported)) {
      bad_request(req, res, "BadRequest",
                  std::string("assay-mock does not implement ") + unsupported + " on messages");
      return;
    }
  }
  int64_t top = 10;
  if (req.has_param("$top")) {
    const std::string v = req.get_param_value("$top");
    const auto n = parse_count(v);
    if (!n || *n < 1) {
      bad_request(
          req, res, "ErrorInvalidUrlQuery",
          "Invalid page size specified: '" + v + "'. Must be between 1 and 1000 inclusive.");
      return;
    }
    if (*n > 1000) {
      bad_request(req, res, "ErrorInvalidUrlQuery",
                  "The limit of '1000' for Top query has been exceeded. The value from the "
                  "incoming request is '" +
                      v + "'.");
      return;
    }
    top = *n;
  }
  int64_t skip = 0;
  if (req.has_param("$skip")) {
    const std::string v = req.get_param_value("$skip");
    const auto n = parse_count(v);
    if (!n) {
      bad_request(req, res, "ErrorInvalidUrlQuery",
                  "Invalid value '" + v + "' for query option '$skip'.");
      return;
    }
    skip = *n;
  }
  bool ascending = false;
  std::string orderby;
  if (req.has_param("$orderby")) {
    orderby = trim_space(req.get_param_value("$orderby"));
    const std::string l = ascii_lower(orderby);
    std::string collapsed;
    for (char c : l) {
      if (c != ' ' || (!collapsed.empty() && collapsed.back() != ' ')) {
        collapsed.push_back(c);
      }
    }
    if (collapsed == "receiveddatetime asc" || collapsed == "receiveddatetime") {
      ascending = true;
    } else if (collapsed != "receiveddatetime desc") {
      bad_request(req, res, "BadRequest",
                  "assay-mock orders messages by receivedDateTime only ('" + orderby +
                      "' is not supported)");
      return;
    }
  }
  Shape shape;
  shape.basic_only = caller->basic_only;
  shape.folder_id = "AAMkAG" + base64url_encode(box->id.substr(0, 18)) + "AAAAAAEMAAA=";
  const std::string prefer = ascii_lower(req.get_header_value("Prefer"));
  shape.text_body = prefer.find("outlook.body-content-type=\"text\"") != std::string::npos ||
                    prefer.find("outlook.body-content-type=text") != std::string::npos;
  std::string select_text;
  if (req.has_param("$select")) {
    select_text = req.get_param_value("$select");
    size_t pos = 0;
    while (pos <= select_text.size()) {
      size_t end = select_text.find(',', pos);
      if (end == std::string::npos) {
        end = select_text.size();
      }
      const std::string name = trim_space(select_text.substr(pos, end - pos));
      pos = end + 1;
      if (name.empty()) {
        continue;
      }
      if (std::find(kMessageProperties.begin(), kMessageProperties.end(), name) ==
          kMessageProperties.end()) {
        bad_request(
            req, res, "RequestBroker--ParseUri",
            "Could not find a property named '" + name + "' on type 'microsoft.graph.message'.");
        return;
      }
      shape.select.push_back(name);
    }
  }

  std::vector<const Message*> order;
  order.reserve(box->messages.size());
  for (const Message& m : box->messages) {
    order.push_back(&m);
  }
  if (ascending) {
    std::reverse(order.begin(), order.end());
  }
  const auto total = static_cast<int64_t>(order.size());
  Json value = Json::array();
  for (int64_t i = skip; i < std::min(total, skip + top); ++i) {
    value.push_back(message_json(*order[static_cast<size_t>(i)], shape));
  }

  const std::string graph = request_base(st, req);
  std::string selection;
  for (const std::string& s : shape.select) {
    selection += (selection.empty() ? "" : ",") + s;
  }
  std::string context = graph + "/v1.0/$metadata#users('" + url_encode_keep(user, "") + "')/" +
                        (folder_route ? "mailFolders('" + folder + "')/" : std::string()) +
                        "messages" + (selection.empty() ? "" : "(" + selection + ")");
  Json body = Json::object();
  body["@odata.context"] = context;
  if (req.get_param_value("$count") == "true") {
    body["@odata.count"] = total;
  }
  body["value"] = std::move(value);
  if (skip + top < total) {
    std::string next = graph + "/v1.0/users/" + url_encode_keep(user, "@") +
                       (folder_route ? "/mailFolders/" + form_encode(folder) : std::string()) +
                       "/messages?%24top=" + std::to_string(top);
    if (!orderby.empty()) {
      next += "&%24orderby=" + form_encode(orderby);
    }
    if (!select_text.empty()) {
      next += "&%24select=" + form_encode(select_text);
    }
    next += "&%24skip=" + std::to_string(skip + top);
    body["@odata.nextLink"] = next;
  }
  res.set_header("request-id", random_uuid());
  res.set_header("client-request-id", correlation_id_for(req));
  res.set_header("Cache-Control", "private");
  res.set_header("OData-Version", "4.0");
  if (shape.text_body) {
    res.set_header("Preference-Applied", "outlook.body-content-type=\"text\"");
  }
  send_json(res, 200, body, kContentType);
}

}  // namespace

void add_graph_routes(Routes& routes, State& st) {
  using httplib::Request;
  using httplib::Response;
  const State* s = &st;
  routes.get(R"(/v1\.0/users/([^/]+)/[mM]ail[fF]olders/([^/]+)/messages)",
             [s](const Request& req, Response& res) { handle_messages(*s, req, res, true); });
  routes.get(R"(/v1\.0/users/([^/]+)/messages)",
             [s](const Request& req, Response& res) { handle_messages(*s, req, res, false); });
  routes.get(R"(/v1\.0/me(/.*)?)", [](const Request& req, Response& res) {
    send_graph_error(req, res, 400, "BadRequest",
                     "/me request is only valid with delegated authentication flow.");
  });
}

}  // namespace assay::mock
