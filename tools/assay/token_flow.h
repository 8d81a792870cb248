// Getting a token with a client assertion (shared by token and mail): build the request, POST
// it, and on failure explain the AADSTS answer and verify the assertion that was sent.
#ifndef ASSAY_TOOLS_TOKEN_FLOW_H_
#define ASSAY_TOOLS_TOKEN_FLOW_H_

#include <string>

#include "assay/json.h"
#include "assertion_options.h"
#include "http.h"

namespace assay::cli {

struct TokenOutcome {
  BuiltRequest request;
  std::string url;        // where the request went
  HttpResponse response;
  Json body;              // the parsed response (null when not JSON)
  bool ok = false;        // HTTP 200 with an access_token
  std::string access_token;
};

// Builds and POSTs the token request to `token_endpoint` or, when empty, to the assertion's aud
// (--aud, or the tenant's endpoint). Without a tenant or --aud, `token_endpoint` is the aud too.
// Fails only when nothing could be sent or received (kInvalidArgument for options, kNetwork,
// kIo); an error answer is a TokenOutcome with ok false.
// `save_assertion`, when not empty, is a file to write the assertion that was sent to (0600).
[[nodiscard]] Result<TokenOutcome> request_token(const AssertionOptions& a, const HttpOptions& h,
                                                 const std::string& token_endpoint, const Io& io,
                                                 const std::string& save_assertion = {});

// Prints why a token request failed: the AADSTS code, description and ids, the explanation,
// and the findings of the assertion that was sent.
void print_token_failure(const TokenOutcome& t, const Io& io);

// The same as JSON members of `out` ("error", "aadsts", "explanation", "assertion_findings").
void token_failure_json(const TokenOutcome& t, Json& out);

}  // namespace assay::cli

#endif  // ASSAY_TOOLS_TOKEN_FLOW_H_
