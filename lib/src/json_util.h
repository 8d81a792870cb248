// Internal: member and element access on Json without nlohmann iterators (whose inlined
// dereference trips g++ 12's -Wnull-dereference), returning pointers instead of throwing.
#ifndef ASSAY_SRC_JSON_UTIL_H_
#define ASSAY_SRC_JSON_UTIL_H_

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "assay/json.h"

namespace assay::internal {

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

// The members `names` of object `j` in one pass: out[i] is the first member named names[i]
// (as member() finds it), or null. All null when `j` is not an object.
template <size_t N>
void members(const Json& j, const std::array<std::string_view, N>& names,
             std::array<const Json*, N>& out) {
  out.fill(nullptr);
  const auto* obj = j.get_ptr<const Json::object_t*>();
  if (obj == nullptr) {
    return;
  }
  for (const auto& kv : *obj) {
    for (size_t i = 0; i < N; ++i) {
      if (out[i] == nullptr && kv.first == names[i]) {
        out[i] = &kv.second;
        break;
      }
    }
  }
}

// The elements of array `j`; null when `j` is not an array.
inline const Json::array_t* elements(const Json& j) { return j.get_ptr<const Json::array_t*>(); }

// The string member `name`, or "" when absent or not a string.
inline std::string string_member(const Json& j, std::string_view name) {
  const Json* m = member(j, name);
  const auto* s = m != nullptr ? m->get_ptr<const std::string*>() : nullptr;
  return s != nullptr ? *s : std::string();
}

}  // namespace assay::internal

#endif  // ASSAY_SRC_JSON_UTIL_H_
