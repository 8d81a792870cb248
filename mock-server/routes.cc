#include "routes.h"

#include <utility>

namespace assay::mock {

void Routes::get(const std::string& pattern, Handler handler) {
  routes_.push_back({"GET", pattern, std::regex(pattern), std::move(handler)});
}

void Routes::post(const std::string& pattern, Handler handler) {
  routes_.push_back({"POST", pattern, std::regex(pattern), std::move(handler)});
}

void Routes::del(const std::string& pattern, Handler handler) {
  routes_.push_back({"DELETE", pattern, std::regex(pattern), std::move(handler)});
}

void Routes::install(httplib::Server& server, const std::function<void()>& on_match) const {
  for (const Route& r : routes_) {
    Handler h = [on_match, handler = r.handler](const httplib::Request& req,
                                                httplib::Response& res) {
      on_match();
      handler(req, res);
    };
    if (r.method == "GET") {
      server.Get(r.pattern, std::move(h));
    } else if (r.method == "POST") {
      server.Post(r.pattern, std::move(h));
    } else {
      server.Delete(r.pattern, std::move(h));
    }
  }
}

bool Routes::dispatch(httplib::Request& req, httplib::Response& res) const {
  const std::string method = req.method == "HEAD" ? "GET" : req.method;
  for (const Route& r : routes_) {
    if (r.method == method && std::regex_match(req.path, req.matches, r.re)) {
      r.handler(req, res);
      return true;
    }
  }
  return false;
}

}  // namespace assay::mock
