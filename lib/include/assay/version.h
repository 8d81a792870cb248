// File: assay/version.h
//
// The version of libassay, and of the JSON schemas its tools emit.
#ifndef ASSAY_VERSION_H_
#define ASSAY_VERSION_H_

#include <string_view>

namespace assay {

// The library version, "MAJOR.MINOR.PATCH".
std::string_view version();

// The version of the JSON documents `assay verify --format json` and friends print.
inline constexpr int kReportSchemaVersion = 1;

}  // namespace assay

#endif  // ASSAY_VERSION_H_
