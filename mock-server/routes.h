// The mock's routes, kept in one table: installed on the cpp-httplib server, and dispatched in
// process (without a connection) by MockServer::handle, which the fuzz target drives.
#ifndef ASSAY_MOCK_ROUTES_H_
#define ASSAY_MOCK_ROUTES_H_

#include <functional>
#include <regex>
#include <string>
#include <vector>

#include <httplib.h>

namespace assay::mock {

class Routes {
 public:
  using Handler = httplib::Server::Handler;

  // `pattern` is an ECMAScript regular expression matched against the whole path, as
  // cpp-httplib matches it; its groups land in Request::matches.
  void get(const std::string& pattern, Handler handler);
  void post(const std::string& pattern, Handler handler);
  void del(const std::string& pattern, Handler handler);

  // Registers every route; `on_match` runs before a matched route's handler.
  void install(httplib::Server& server, const std::function<void()>& on_match) const;
  // Runs the first route whose method and pattern match, as cpp-httplib would (HEAD as GET).
  // False when none does.
  bool dispatch(httplib::Request& req, httplib::Response& res) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::regex re;
    Handler handler;
  };
  std::vector<Route> routes_;
};

}  // namespace assay::mock

#endif  // ASSAY_MOCK_ROUTES_H_
