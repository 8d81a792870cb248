// File: assay/suggest.h
//
// "Did you mean ...?" for names a user typed: the edit distance between two names and the
// nearest of a list of valid names, close enough to be a likely misspelling. Serves the CLI's
// unknown commands and assay-mock's configuration check of Graph permission names.
#ifndef ASSAY_SUGGEST_H_
#define ASSAY_SUGGEST_H_

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace assay {

// The optimal string alignment distance between `a` and `b`: the number of single-character
// insertions, deletions, substitutions and swaps of two adjacent characters that turn one into
// the other ("inpsect" -> "inspect" is 1). Bytes are compared exactly, case included.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `given` (compared ASCII case-insensitively), when it is at most
// max(size of `given`, 3) / 3 edits away, so that unrelated names get no suggestion; the first
// such candidate on a tie. nullopt when none is that close or `candidates` is empty. The view
// points into `candidates`.
std::optional<std::string_view> nearest_name(std::string_view given,
                                             std::span<const std::string_view> candidates);

}  // namespace assay

#endif  // ASSAY_SUGGEST_H_
