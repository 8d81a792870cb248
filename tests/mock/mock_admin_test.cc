// assay-mock's operator side: health, the redacted token-request journal, fault injection, and
// robustness against malformed input and slow clients.
#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

#include <gmock/gmock.h>

#include "mock/mock_fixture.h"

namespace assay::test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

using MockAdmin = MockServerTest;

std::string alex_path() {
  return "/v1.0/users/alex@contoso.onmicrosoft.com/mailFolders/inbox/messages";
}

TEST_F(MockAdmin, Health) {
  auto res = get("/_assay/health");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  const Json b = body_of(res);
  EXPECT_EQ(b["status"], "ok");
  EXPECT_EQ(b["apps"], 5);
  EXPECT_EQ(b["url"], base());
}

TEST_F(MockAdmin, InProcessHandlingRefusesWhatCppHttplibWould) {
  // MockServer::handle (the fuzz target's entry) sees no path or body cpp-httplib would have
  // refused before routing: the routes' regex matching recurses per character of the path.
  httplib::Request req;
  req.method = "GET";
  req.path = "/" + std::string(90000, 'a') + "/discovery/keys";
  httplib::Response res;
  server_->handle(req, res);
  EXPECT_EQ(res.status, 414);
  EXPECT_EQ(res.get_header_value("Connection"), "close");

  httplib::Request post;
  post.method = "POST";
  post.path = "/" + std::string(kMockDomain) + "/oauth2/v2.0/token";
  post.set_header("Content-Type", "application/x-www-form-urlencoded");
  post.body = std::string(1024 * 1024 + 1, 'x');
  httplib::Response big;
  server_->handle(post, big);
  EXPECT_EQ(big.status, 413);

  // Right at the limit the request is routed (and the tenant judged).
  httplib::Request edge;
  edge.method = "GET";
  edge.path = "/" + std::string(8192 - 16, 'a') + "/discovery/keys";
  ASSERT_EQ(edge.path.size(), 8192u);
  httplib::Response at_limit;
  server_->handle(edge, at_limit);
  EXPECT_NE(at_limit.status, 414);
}

TEST_F(MockAdmin, JournalKeepsTokenRequestsWithoutSecrets) {
  const std::string url = token_url();
  const std::string token = assertion(spec_for(kDaemon, url));
  const std::string signature = token.substr(token.rfind('.') + 1);
  auto ok = post_form(url, form(kDaemon, token));
  ASSERT_TRUE(ok);
  auto f = form(kDaemon, token);
  f.push_back({"client_secret", "hunter2-very-secret"});
  auto bad = post_form(url, f);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 401);
  get(alex_path());  // Graph requests are not journaled

  auto res = get("/_assay/requests");
  ASSERT_TRUE(res);
  EXPECT_THAT(res->body, Not(HasSubstr(signature)));
  EXPECT_THAT(res->body, Not(HasSubstr("hunter2")));
  const Json b = body_of(res);
  ASSERT_EQ(b["requests"].size(), 2U);
  const Json& first = b["requests"][0];
  const Json& last = b["requests"][1];  // newest last
  EXPECT_EQ(first["status"], 200);
  EXPECT_EQ(first["verdict"], "issued");
  EXPECT_EQ(first["aadsts"], nullptr);
  EXPECT_EQ(last["method"], "POST");
  EXPECT_EQ(last["path"], path_of(url));
  EXPECT_EQ(last["status"], 401);
  EXPECT_EQ(last["verdict"], "rejected");
  EXPECT_EQ(last["aadsts"], 7000215);
  EXPECT_EQ(last["client_id"], kDaemon);
  EXPECT_EQ(last["endpoint"], "v2");
  EXPECT_THAT(last["rules"], ::testing::Contains("EXC012"));
  ASSERT_FALSE(last["findings"].empty());
  EXPECT_TRUE(last["findings"][0].contains("rule_id") && last["findings"][0].contains("severity"));
  EXPECT_EQ(last["form"]["client_secret"], "<redacted>");
  EXPECT_EQ(last["form"]["client_assertion"], token.substr(0, token.rfind('.') + 1) + "<redacted>");
  EXPECT_TRUE(last.contains("time"));
}

TEST_F(MockAdmin, ThrottlingOnTheTokenEndpoint) {
  auto c = client();
  auto added =
      c->Post("/_assay/faults",
              R"({"path": "/oauth2/v2.0/token", "count": 1, "status": 429, "retry_after": 7})",
              "application/json");
  ASSERT_TRUE(added);
  EXPECT_EQ(added->status, 201) << added->body;
  auto res = request_token();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 429);
  EXPECT_EQ(res->get_header_value("Retry-After"), "7");
  const Json b = body_of(res);
  EXPECT_EQ(b["error_codes"], Json::array({90055}));
  EXPECT_EQ(b["error"], "temporarily_unavailable");
  EXPECT_THAT(b["error_description"].get<std::string>(), HasSubstr("AADSTS90055: "));
  auto after = request_token();  // count 1: the next request is answered normally
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
  const Json journal = body_of(get("/_assay/requests"));
  EXPECT_EQ(journal["requests"][0]["verdict"], "fault");
}

TEST_F(MockAdmin, TransientErrorsAndGraphThrottling) {
  auto c = client();
  ASSERT_TRUE(
      c->Post("/_assay/faults", R"({"path": "token$", "status": 503})", "application/json"));
  auto entra = request_token();
  ASSERT_TRUE(entra);
  EXPECT_EQ(entra->status, 503);
  EXPECT_EQ(body_of(entra)["error_codes"], Json::array({90024}));

  const std::string token = access_token();
  ASSERT_TRUE(c->Post("/_assay/faults",
                      R"({"path": "^/v1\\.0/users/", "count": 2, "status": 429, "retry_after": 3})",
                      "application/json"));
  auto graph = get(alex_path(), token);
  ASSERT_TRUE(graph);
  EXPECT_EQ(graph->status, 429);
  EXPECT_EQ(graph->get_header_value("Retry-After"), "3");
  const Json b = body_of(graph);
  EXPECT_EQ(b["error"]["code"], "TooManyRequests");
  EXPECT_EQ(b["error"]["message"], "Please retry again later.");
  EXPECT_EQ(b["error"]["innerError"]["status"], "429");
  EXPECT_EQ(b["error"]["innerError"]["message"], "Please retry after");
  ASSERT_TRUE(
      c->Post("/_assay/faults", R"({"path": "^/v1\\.0/", "status": 503})", "application/json"));
  const Json listed = body_of(c->Get("/_assay/faults"));
  EXPECT_EQ(listed["faults"].size(), 2U);  // 1 of the 429s left, and the 503
  auto cleared = c->Delete("/_assay/faults");
  ASSERT_TRUE(cleared);
  EXPECT_EQ(body_of(cleared)["cleared"], 2);
  auto ok = get(alex_path(), token);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(MockAdmin, DelayThenAnswerNormally) {
  auto c = client();
  ASSERT_TRUE(c->Post("/_assay/faults", R"({"path": "/discovery/keys", "delay_ms": 300})",
                      "application/json"));
  const auto start = std::chrono::steady_clock::now();
  auto res = get("/common/discovery/keys");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_GE(elapsed, std::chrono::milliseconds(300));
}

TEST_F(MockAdmin, DropClosesTheConnectionWithoutAResponse) {
  auto c = client();
  ASSERT_TRUE(c->Post("/_assay/faults", R"({"path": "token", "drop": true})", "application/json"));
  auto dropped = request_token();
  EXPECT_FALSE(dropped);
  auto next = request_token();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(MockAdmin, DropWorksOverPlainHttpToo) {
  mock::ServerOptions options;
  options.plain_http = true;
  restart(options);
  EXPECT_TRUE(ready().ca.empty());
  EXPECT_TRUE(base().starts_with("http://127.0.0.1:"));
  auto c = client();
  ASSERT_TRUE(c->Post("/_assay/faults", R"({"path": "keys", "drop": true})", "application/json"));
  auto dropped = get("/common/discovery/keys");
  EXPECT_FALSE(dropped);
  auto next = get("/common/discovery/keys");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST_F(MockAdmin, BadFaultsAreRefused) {
  auto c = client();
  for (const char* body :
       {R"({"path": "(", "status": 429})", R"({"status": 200})", R"({"path": "x"})",
        R"({"status": 429, "bogus": 1})", "not json", R"({"status": 429, "count": 0})"}) {
    SCOPED_TRACE(body);
    auto res = c->Post("/_assay/faults", body, "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << res->body;
  }
}

TEST_F(MockAdmin, MalformedInputNeverCrashes) {
  auto c = client();
  const std::string url = path_of(token_url());
  const std::vector<std::pair<std::string, std::string>> posts = {
      {url, std::string("\x00\xff\xfe%%%&&==", 11)},
      {url, "client_assertion=%E0%80%80.%ff%fe.x&grant_type=client_credentials&scope=%C3%28"},
      {url, "client_assertion=" + std::string(70000, 'A')},
      {"/%ff%fe/oauth2/v2.0/token", "grant_type=client_credentials"},
      {"/" + std::string(3000, 'a') + ".com/oauth2/v2.0/token", "grant_type=x"},
      {url, "client_assertion=eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.&client_id=%00"},
  };
  for (const auto& [path, body] : posts) {
    auto res = c->Post(path.c_str(), body, "application/x-www-form-urlencoded");
    ASSERT_TRUE(res) << path.substr(0, 40);
    EXPECT_GE(res->status, 400);
    EXPECT_LT(res->status, 500) << res->body;
  }
  auto graph = get("/v1.0/users/%ff%00/messages", "a.b.c");
  ASSERT_TRUE(graph);
  EXPECT_EQ(graph->status, 401);
  auto health = get("/_assay/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST_F(MockAdmin, SlowClientsDoNotStallOthers) {
  // Eight connections that start a TLS record announcing 4 KiB and then trickle it, a byte
  // every 250 ms: each read the mock makes completes within its 5 s timeout, so each holds its
  // connection for as long as the test runs (timed out, an idle one would free its thread after
  // 5 s, and a stall would look like a slow machine).
  std::vector<int> slow;
  for (int i = 0; i < 8; ++i) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    slow.push_back(fd);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(server_->port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    const char record[] = "\x16\x03\x01\x10\x00";  // handshake, TLS 1.0, 4096 bytes to come
    ASSERT_EQ(::write(fd, record, 5), 5);
  }
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    while (!stop.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      for (int fd : slow) {
        (void)::send(fd, "\x01", 1, MSG_NOSIGNAL);
      }
    }
  });
  // Sixteen keep-alive clients in parallel still get tokens. Had they to wait for a slow
  // connection's thread, they would wait as long as the trickle goes on, past their 10 s read
  // timeout; on a loaded machine they are merely slower.
  std::vector<std::string> bodies;
  const std::string url = token_url();
  for (int i = 0; i < 48; ++i) {
    bodies.push_back(form_body(form(kDaemon, assertion(spec_for(kDaemon, url)))));
  }
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      auto c = client();
      for (int k = 0; k < 3; ++k) {
        auto res = c->Post(path_of(url).c_str(), bodies[static_cast<size_t>(i * 3 + k)],
                           "application/x-www-form-urlencoded");
        if (res && res->status == 200) {
          ok.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& t : threads) {
    t.join();
  }
  EXPECT_EQ(ok.load(), 48);
  // And the slow connections were held all along: the mock closed none to make room.
  for (int fd : slow) {
    char byte = 0;
    EXPECT_EQ(::recv(fd, &byte, 1, MSG_DONTWAIT | MSG_PEEK), -1) << "the mock closed a slow client";
    EXPECT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK) << std::strerror(errno);
  }
  stop.store(true);
  trickle.join();
  for (int fd : slow) {
    ::close(fd);
  }
}

}  // namespace
}  // namespace assay::test
