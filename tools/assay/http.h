// The CLI's HTTP client (token, mail, probe): TLS verification on by default, a private CA via
// --ca-file, bounded timeouts, HTTPS_PROXY/NO_PROXY, and bounded retries that honour
// Retry-After on 429 and 503. Only http.cc includes <httplib.h>.
#ifndef ASSAY_TOOLS_HTTP_H_
#define ASSAY_TOOLS_HTTP_H_

#include <map>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "assay/result.h"

namespace CLI {
class App;
}

namespace assay::cli {

struct HttpOptions {
  std::string ca_file;
  bool insecure = false;
  int timeout_seconds = 30;   // connect, read and write, each
  int retries = 3;            // extra attempts after a 429/503
  int max_retry_wait = 60;    // seconds; a longer Retry-After gives up
  bool verbose = false;

  // --ca-file, --insecure, --timeout, --retries (and $ASSAY_CA_FILE).
  void add_to(CLI::App& app);
};

struct HttpResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names in lower case
  int attempts = 0;
  std::string header(const std::string& lower_name) const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// POSTs an application/x-www-form-urlencoded body. Fails with kNetwork (connection, TLS, timeout;
// the message names the URL and the cause), kInvalidArgument (a URL that is not http(s)) or kIo
// (a --ca-file that is not usable, see `check_ca_file`; checked before anything is sent).
// Every retry is announced on `log`.
[[nodiscard]] Result<HttpResponse> http_post_form(const std::string& url, const std::string& body,
                                                  const Headers& headers, const HttpOptions& o,
                                                  std::ostream& log);

// GETs `url` (path and query included).
[[nodiscard]] Result<HttpResponse> http_get(const std::string& url, const Headers& headers,
                                            const HttpOptions& o, std::ostream& log);

// Fails with kInvalidArgument ("OPTION 'URL' is not an http(s) URL", or names what is wrong
// with its host and port) unless `url` is an absolute http(s) URL; `option` names where it came
// from, e.g. "--token-endpoint".
[[nodiscard]] Result<void> check_http_url(const std::string& url, const std::string& option);

// Fails with kIo, naming the file and the reason, unless `path` is a readable file of PEM
// certificates, as --ca-file needs (OpenSSL loads CA files as PEM only).
[[nodiscard]] Result<void> check_ca_file(const std::string& path);

// Prints the loud --insecure warning.
void warn_insecure(std::ostream& err);

// True for 127.0.0.0/8, ::1 and localhost URLs.
bool is_loopback_url(const std::string& url);

// The host of an http(s) URL in lower case, without brackets or port; "" when `url` is not one.
std::string url_host(const std::string& url);

}  // namespace assay::cli

#endif  // ASSAY_TOOLS_HTTP_H_
