// Printing the explanation of an Entra error (shared by explain and token).
#ifndef ASSAY_TOOLS_EXPLAIN_H_
#define ASSAY_TOOLS_EXPLAIN_H_

#include <ostream>

#include "assay/aadsts.h"
#include "assay/json.h"
#include "render.h"

namespace assay::cli {

// Text: code, Entra's words, meaning, ranked causes with the rules that detect each, next step.
void print_explanation(const ExplainTarget& t, const AadstsInfo& info, std::ostream& os, const Paint& p);

// JSON: the object `assay explain --format json` prints.
void explanation_to_json(const ExplainTarget& t, const AadstsInfo& info, Json& out);

}  // namespace assay::cli

#endif  // ASSAY_TOOLS_EXPLAIN_H_
