// File: assay/profile.h
//
// Profiles: the rule sets a client assertion is judged by. The same token can be right for
// Microsoft Entra ID and wrong for draft-ietf-oauth-rfc7523bis (which forbids the token endpoint
// as audience), so every rule has a severity per profile.
#ifndef ASSAY_PROFILE_H_
#define ASSAY_PROFILE_H_

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace assay {

enum class Profile : unsigned char {
  kEntra,       // Microsoft Entra ID certificate credentials (v1 and v2 token endpoints)
  kRfc7523,     // RFC 7523 private_key_jwt as published (aud identifies the AS)
  kRfc7523bis,  // draft-ietf-oauth-rfc7523bis: aud = issuer identifier, explicit typ
  kOidc,        // OpenID Connect Core §9 private_key_jwt (jti required)
};

inline constexpr size_t kProfileCount = 4;
inline constexpr std::array<Profile, kProfileCount> kAllProfiles = {
    Profile::kEntra, Profile::kRfc7523, Profile::kRfc7523bis, Profile::kOidc};

// The command-line name of `p`: "entra", "rfc7523", "rfc7523bis", "oidc".
std::string_view profile_name(Profile p);

// Parses a profile name (exact, lower case); nullopt when unknown.
std::optional<Profile> parse_profile(std::string_view name);

}  // namespace assay

#endif  // ASSAY_PROFILE_H_
