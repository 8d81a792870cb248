// File: assay/result.h
//
// `Result<T>`: either a value or an `Error`. Every library function that can fail returns one
// and is declared `[[nodiscard]]`. `ASSAY_TRY` and `ASSAY_ASSIGN_OR_RETURN` propagate errors.
#ifndef ASSAY_RESULT_H_
#define ASSAY_RESULT_H_

#include <string>
#include <utility>

#include <tl/expected.hpp>

#include "assay/error.h"

namespace assay {

template <class T>
using Result = tl::expected<T, Error>;

// Shorthand for building the unexpected side of a `Result`.
inline tl::unexpected<Error> make_error(ErrorCode code, std::string message,
                                        std::string detail = {}, std::string rule_id = {}) {
  return tl::unexpected<Error>(
      Error{code, std::move(rule_id), std::move(message), std::move(detail)});
}

}  // namespace assay

#define ASSAY_CONCAT_INNER_(a, b) a##b
#define ASSAY_CONCAT_(a, b) ASSAY_CONCAT_INNER_(a, b)

// Evaluates `expr` (a Result<void> or Result<T>) and returns its error from the enclosing
// function if it failed.
#define ASSAY_TRY(expr)                                       \
  do {                                                        \
    auto&& assay_try_result_ = (expr);                        \
    if (!assay_try_result_) {                                 \
      return tl::unexpected(std::move(assay_try_result_).error()); \
    }                                                         \
  } while (false)

// Evaluates `expr`, returns its error if it failed, else moves the value into `lhs`
// (which may be a declaration such as `auto key`).
#define ASSAY_ASSIGN_OR_RETURN(lhs, expr) \
  ASSAY_ASSIGN_OR_RETURN_IMPL_(ASSAY_CONCAT_(assay_result_, __LINE__), lhs, expr)
#define ASSAY_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)  \
  auto tmp = (expr);                                  \
  if (!tmp) {                                         \
    return tl::unexpected(std::move(tmp).error());    \
  }                                                   \
  lhs = std::move(tmp).value()

#endif  // ASSAY_RESULT_H_
