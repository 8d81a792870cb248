// Internal to assay-mock: member and element access on assay::Json that never throws and
// avoids nlohmann's iterators (whose inlined dereference trips g++ 12's -Wnull-dereference),
// and serialization that survives invalid UTF-8 in echoed input.
#ifndef ASSAY_MOCK_SERVER_JSON_ACCESS_H_
#define ASSAY_MOCK_SERVER_JSON_ACCESS_H_

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "assay/json.h"

namespace assay::mock {

// The member `name` of object `j`; null when `j` is not an object or has no such member.
inline const Json* member(const Json& j, std::string_view name) {
  const auto* obj = j.get_ptr<const Json::object_t*>();
  if (obj == nullptr) {
    return nullptr;
  }
  for (const auto& kv : *obj) {
    if (kv.first == name) {
      return &kv.second;
    }
  }
  return nullptr;
}

// The members of object `j`; null when `j` is not an object.
inline const Json::object_t* members(const Json& j) {
  return j.get_ptr<const Json::object_t*>();
}

// The elements of array `j`; null when `j` is not an array.
inline const Json::array_t* elements(const Json& j) {
  return j.get_ptr<const Json::array_t*>();
}

// The string member `name`, or "" when absent or not a string.
inline std::string string_member(const Json& j, std::string_view name) {
  const Json* m = member(j, name);
  const auto* s = m != nullptr ? m->get_ptr<const std::string*>() : nullptr;
  return s != nullptr ? *s : std::string();
}

// Compact JSON text; invalid UTF-8 (echoed from a request) becomes U+FFFD instead of throwing.
inline std::string dump_json(const Json& j) {
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace assay::mock

#endif  // ASSAY_MOCK_SERVER_JSON_ACCESS_H_
