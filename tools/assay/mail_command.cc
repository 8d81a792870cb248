// assay mail: the original sample as one command: an app-only token for Microsoft Graph, then
// the N most recent messages of a user's Inbox.
#include <ctime>
#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "assay/policy.h"
#include "assay/request.h"
#include "assay/terminal.h"
#include "assay/timefmt.h"
#include "http.h"
#include "network_commands.h"
#include "render.h"
#include "token_flow.h"

namespace assay::cli {
namespace {

constexpr const char* kMicrosoftGraph = "https://graph.microsoft.com";

struct MailOptions {
  AssertionOptions a;
  HttpOptions http;
  std::string user;
  int top = 10;
  std::string graph_url;  // empty: kMicrosoftGraph, only for tokens from Microsoft Entra ID
  std::string token_endpoint;
  std::string save_assertion;
  std::string format = "text";
};

std::string str(const Json& j, const char* name) {
  return j.is_object() && j.contains(name) && j[name].is_string() ? j[name].get<std::string>() : "";
}

std::string local_time(const std::string& iso) {
  auto t = parse_time(iso);
  if (!t) {
    return iso;
  }
  const time_t tt = static_cast<time_t>(t->time_since_epoch().count());
  struct tm tm {};
  localtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M %z", &tm);
  return buf;
}

// A table cell of `width` columns: `text` (a sender's or the server's bytes) with
// line breaks and tabs as spaces and every other control escaped, cut at a character boundary
// so that two columns always separate it from the next cell, then padded.
std::string cell(std::string text, size_t width) {
  for (char& c : text) {
    if (c == '\r' || c == '\n' || c == '\t') {
      c = ' ';
    }
  }
  std::string s = terminal_safe(text);
  const size_t room = width > 2 ? width - 2 : 0;
  if (terminal_width(s) > room) {
    s = std::string(terminal_prefix(s, room > 3 ? room - 3 : 0)) + "...";
  }
  const size_t used = terminal_width(s);
  return s + std::string(width > used ? width - used : 0, ' ');
}

// The last cell of a line: escaped like `cell`, cut to `width` columns, not padded.
std::string last_cell(const std::string& text, size_t width) {
  std::string s = cell(text, width + 2);
  s.erase(s.find_last_not_of(' ') + 1);
  return s;
}

void explain_graph_error(int status, const Json& body, const Io& io) {
  const Paint p{io.color};
  const Json err = body.is_object() && body.contains("error") ? body["error"] : Json();
  io.out << p.red("FAILED") << "  Graph answered HTTP " << status;
  if (!str(err, "code").empty()) {
    io.out << " " << terminal_safe(str(err, "code")) << ": " << terminal_safe(str(err, "message"));
  }
  io.out << "\n";
  switch (status) {
    case 401:
      io.out
          << "The access token was rejected. Check that it was requested for Microsoft Graph "
             "(scope https://graph.microsoft.com/.default), that it has not expired, and that it "
             "came from the tenant that owns the mailbox.\n";
      break;
    case 403:
      io.out
          << "Access denied: the app lacks the Mail.Read application permission (role), or "
             "no administrator granted consent for it. In the app registration: API permissions "
             "> Add a permission > Microsoft Graph > Application permissions > Mail.Read, then "
             "'Grant admin consent'. An Application Access Policy can also restrict mailboxes.\n";
      break;
    case 404:
      io.out << "Unknown user or mailbox: check the UPN or object ID, and that the user has an "
                "Exchange Online mailbox.\n";
      break;
    case 429:
    case 503:
      io.out << "Graph is throttling; assay retried as Retry-After asked and gave up.\n";
      break;
    default:
      break;
  }
}

// A token from another authority (assay-mock, a private cloud) is for that authority's Graph:
// sending it to Microsoft's would leak it, so --graph-url must say where it goes.
Result<void> check_graph_target(const MailOptions& o) {
  if (!o.graph_url.empty()) {
    return {};
  }
  std::string token_url = o.token_endpoint;
  if (token_url.empty()) {
    ASSAY_ASSIGN_OR_RETURN(token_url, o.a.token_endpoint());
  }
  if (is_entra_host(url_host(token_url))) {
    return {};
  }
  return make_error(ErrorCode::kInvalidArgument,
                    "the token would come from " + token_url +
                        ", which is not Microsoft Entra ID: pass --graph-url with the Graph that "
                        "accepts its tokens (assay-mock's graph_url); assay will not send it to " +
                        kMicrosoftGraph);
}

int run_mail(const MailOptions& o, const Io& io) {
  if (o.top < 1 || o.top > 1000) {
    return report_error(io, Error{ErrorCode::kInvalidArgument, "", "--top must be 1..1000", ""});
  }
  if (auto checked = check_graph_target(o); !checked) {
    return report_error(io, checked.error());
  }
  AssertionOptions a = o.a;
  if (a.scope.empty() && a.resource.empty()) {
    if (a.entra_endpoint() == EntraEndpoint::kV1) {
      a.resource = "https://graph.microsoft.com";
    } else {
      a.scope = "https://graph.microsoft.com/.default";
    }
  }
  auto t = request_token(a, o.http, o.token_endpoint, io, o.save_assertion);
  if (!t) {
    return report_error(io, t.error());
  }
  if (!t->ok) {
    if (o.format == "json") {
      Json out = Json::object(
          {{"schema", 1}, {"ok", false}, {"stage", "token"}, {"status", t->response.status}});
      token_failure_json(*t, out);
      io.out << out.dump(2) << "\n";
    } else {
      print_token_failure(*t, io);
    }
    return kExitFindings;
  }
  std::string base = o.graph_url.empty() ? std::string(kMicrosoftGraph) : o.graph_url;
  while (!base.empty() && base.back() == '/') {
    base.pop_back();
  }
  const std::string url =
      base + "/v1.0/users/" + form_encode(o.user) +
      "/mailFolders/inbox/messages?%24top=" + std::to_string(o.top) +
      "&%24orderby=receivedDateTime%20desc&%24select=id,subject,from,receivedDateTime,"
      "isRead,bodyPreview,hasAttachments,importance";
  auto res = http_get(
      url, {{"Authorization", "Bearer " + t->access_token}, {"Accept", "application/json"}}, o.http,
      io.err);
  if (!res) {
    return report_error(io, res.error());
  }
  Json body;
  parse_json_strict(res->body, body, {}, false);
  if (res->status != 200 || !body.is_object() || !body.contains("value") ||
      !body["value"].is_array()) {
    if (o.format == "json") {
      Json out =
          Json::object({{"schema", 1}, {"ok", false}, {"stage", "graph"}, {"status", res->status}});
      out["error"] = body.is_object() && body.contains("error") ? body["error"]
                                                                : Json(res->body.substr(0, 500));
      io.out << out.dump(2) << "\n";
    } else {
      explain_graph_error(res->status, body, io);
    }
    return kExitFindings;
  }
  const Json& msgs = body["value"];
  if (o.format == "json") {
    Json out =
        Json::object({{"schema", 1}, {"ok", true}, {"user", o.user}, {"count", msgs.size()}});
    out["messages"] = msgs;
    if (body.contains("@odata.nextLink")) {
      out["next_link"] = body["@odata.nextLink"];
    }
    io.out << out.dump(2) << "\n";
    return kExitOk;
  }
  const Paint p{io.color};
  io.out << p.bold(terminal_safe(o.user)) << ": ";
  if (msgs.empty()) {
    io.out << "the Inbox is empty\n";
    return kExitOk;
  }
  io.out << msgs.size() << (msgs.size() == 1 ? " most recent message" : " most recent messages")
         << " in the Inbox\n";
  const size_t number_width = std::to_string(msgs.size()).size() + 2;
  io.out << p.dim(cell("#", number_width) + cell("received (local)", 24) +
                  cell("received (UTC)", 22) + cell("read", 6) + cell("from", 34) + "subject")
         << "\n";
  size_t n = 1;
  for (const Json& m : msgs) {
    const Json from = m.contains("from") ? m["from"] : Json();
    const Json addr =
        from.is_object() && from.contains("emailAddress") ? from["emailAddress"] : Json();
    std::string sender = str(addr, "name");
    if (!str(addr, "address").empty()) {
      sender += (sender.empty() ? "" : " ") + ("<" + str(addr, "address") + ">");
    }
    const std::string received = str(m, "receivedDateTime");
    const bool read = m.contains("isRead") && m["isRead"].is_boolean() && m["isRead"].get<bool>();
    io.out << cell(std::to_string(n++), number_width) << cell(local_time(received), 24)
           << cell(received, 22) << cell(read ? "yes" : "no", 6) << cell(sender, 34)
           << last_cell(str(m, "subject"), 100) << "\n";
    const std::string preview = str(m, "bodyPreview");
    if (!preview.empty()) {
      io.out << std::string(number_width, ' ') << p.dim(last_cell(preview, 100)) << "\n";
    }
  }
  return kExitOk;
}

}  // namespace

Command add_mail_command(CLI::App& parent, bool with_options) {
  auto opts = std::make_shared<MailOptions>();
  CLI::App* app = parent.add_subcommand(kMailCommand.name, kMailCommand.description);
  if (!with_options) {
    return {app, nullptr};
  }
  app->add_option("--user", opts->user, "The mailbox: UPN or user object ID")->required();
  app->add_option("--top", opts->top, "How many messages (default 10)");
  app->add_option("--graph-url", opts->graph_url,
                  "Microsoft Graph base URL (default https://graph.microsoft.com); required when "
                  "the token comes from another authority, e.g. assay-mock's graph_url "
                  "($ASSAY_GRAPH_URL)")
      ->envname("ASSAY_GRAPH_URL");
  opts->a.add_to(*app, /*with_scope=*/true);
  opts->http.add_to(*app);
  app->add_option("--token-endpoint", opts->token_endpoint, "POST the token request here instead");
  app->add_option(
      "--save-assertion", opts->save_assertion,
      "Also write the assertion that was sent to FILE (mode 0600), e.g. for assay inspect");
  add_format_option(*app, opts->format);
  app->footer(
      "Exit codes: 0 messages listed; 1 the token endpoint or Graph refused; 2 usage; 3 network or "
      "file error.");
  return {app, [opts](const Io& io) { return run_mail(*opts, io); }};
}

}  // namespace assay::cli
