// Rendering of reports and findings: text for people (colour on a terminal, human times) and
// JSON for machines (the schema in docs/json-output.md).
#ifndef ASSAY_TOOLS_RENDER_H_
#define ASSAY_TOOLS_RENDER_H_

#include <ostream>
#include <string>
#include <string_view>

#include "assay/finding.h"
#include "assay/json.h"
#include "assay/request.h"
#include "assay/verify.h"

namespace assay::cli {

// ANSI styling that is a no-op when colour is off.
struct Paint {
  bool on = false;
  std::string bold(std::string_view s) const { return wrap("1", s); }
  std::string dim(std::string_view s) const { return wrap("2", s); }
  std::string red(std::string_view s) const { return wrap("1;31", s); }
  std::string green(std::string_view s) const { return wrap("1;32", s); }
  std::string yellow(std::string_view s) const { return wrap("33", s); }
  std::string cyan(std::string_view s) const { return wrap("36", s); }
  std::string severity(Severity s, std::string_view text) const;
  std::string wrap(std::string_view code, std::string_view s) const;
};

// The JSON of one finding: rule, name, severity, message, hint, pointer, ref, aadsts (when
// Entra has a code).
void finding_to_json(const Finding& f, Json& out);

// The whole report as JSON. `inspect` marks the output of `assay inspect`.
void report_to_json(const Report& r, Json& out, Severity fail_on, InputKind input, bool inspect);

// The compact per-line object of `assay verify --batch`.
void report_to_batch_json(const Report& r, size_t line, Json& out, Severity fail_on);

// Appends the NDJSON line of `assay verify --batch` for `r` to `out` (without the newline):
// exactly report_to_batch_json(...).dump(), written without building the object.
void append_batch_line(const Report& r, size_t line, Severity fail_on, std::string& out);

// Appends the NDJSON line for an input that could not be verified at all:
// {"line":N,"valid":false,"error":MESSAGE}, as nlohmann's dump() writes it.
void append_batch_error_line(size_t line, std::string_view message, std::string& out);

// Appends the line `assay verify --batch --format text` writes for `r` (without the newline):
// "line N: VALID  no findings", or "line N: INVALID  1 error, 1 warning: CLM003 exp-passed,
// CLM041 jti-missing" (every finding's rule and name, in report order).
void append_batch_text(const Report& r, size_t line, Severity fail_on, const Paint& p,
                       std::string& out);

// Appends the text line for an input that could not be verified: "line N: INVALID  MESSAGE".
void append_batch_error_text(size_t line, std::string_view message, const Paint& p,
                             std::string& out);

// Text: the decoded header and payload with times and thumbprints explained (inspect).
void render_decoded_text(const Report& r, std::ostream& os, const Paint& p);

// Text: the findings block and the summary line.
void render_findings_text(const Report& r, std::ostream& os, const Paint& p);

// Text: one finding's block of the findings list (severity, rule, pointer; message, fix, ref).
void render_finding_text(const Finding& f, std::ostream& os, const Paint& p);

// "2 errors, 1 warning" (or "no findings").
std::string findings_summary(const Report& r);

}  // namespace assay::cli

#endif  // ASSAY_TOOLS_RENDER_H_
