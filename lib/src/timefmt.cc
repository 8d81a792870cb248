#include "assay/timefmt.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

namespace assay {

std::string format_rfc3339(int64_t epoch) {
  // Years 0..9999 only; gmtime_r works for them on glibc.
  constexpr int64_t kMin = -62167219200;  // 0000-01-01T00:00:00Z
  constexpr int64_t kMax = 253402300799;  // 9999-12-31T23:59:59Z
  if (epoch < kMin || epoch > kMax) {
    return std::to_string(epoch) + "s since 1970";
  }
  const time_t tt = static_cast<time_t>(epoch);
  struct tm tm {};
  gmtime_r(&tt, &tm);
  char buf[80];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string format_size(size_t bytes) {
  constexpr size_t kKiB = 1024;
  constexpr size_t kMiB = 1024 * kKiB;
  if (bytes >= kMiB && bytes % kMiB == 0) {
    return std::to_string(bytes / kMiB) + " MiB";
  }
  if (bytes >= kKiB && bytes % kKiB == 0) {
    return std::to_string(bytes / kKiB) + " KiB";
  }
  return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
}

std::string format_rfc3339(Seconds t) { return format_rfc3339(t.time_since_epoch().count()); }

std::string format_duration(std::chrono::seconds d) {
  int64_t s = d.count();
  if (s < 0) {
    s = -s;
  }
  constexpr int64_t kMinute = 60;
  constexpr int64_t kHour = 3600;
  constexpr int64_t kDay = 86400;
  constexpr int64_t kYear = 365 * kDay;
  auto two = [](int64_t a, const char* ua, int64_t b, const char* ub, const char* sep) {
    std::string out = std::to_string(a) + ua;
    if (b != 0) {
      out += sep + std::to_string(b) + ub;
    }
    return out;
  };
  if (s < kMinute) {
    return std::to_string(s) + "s";
  }
  if (s < kHour) {
    return two(s / kMinute, "m", s % kMinute, "s", "");
  }
  if (s < kDay) {
    return two(s / kHour, "h", (s % kHour) / kMinute, "m", "");
  }
  if (s < kYear) {
    return two(s / kDay, "d", (s % kDay) / kHour, "h", "");
  }
  return two(s / kYear, "y", (s % kYear) / kDay, "d", " ");
}

std::string format_relative(Seconds t, Seconds now) {
  if (t == now) {
    return "now";
  }
  const auto d = t - now;
  return t > now ? "in " + format_duration(d) : format_duration(d) + " ago";
}

namespace {

bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) {
    return false;
  }
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') {
      return false;
    }
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

}  // namespace

Result<Seconds> parse_time(std::string_view text) {
  const auto bad = [&] {
    return make_error(ErrorCode::kInvalidArgument,
                      "time '" + std::string(text) +
                          "' is neither epoch seconds nor RFC 3339 (2026-01-01T00:00:00Z)");
  };
  if (text.empty()) {
    return bad();
  }
  bool all_digits = true;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!(text[i] >= '0' && text[i] <= '9') && !(i == 0 && text[i] == '-')) {
      all_digits = false;
      break;
    }
  }
  if (all_digits) {
    if (text.size() > 15) {
      return bad();
    }
    return Seconds{std::chrono::seconds{std::strtoll(std::string(text).c_str(), nullptr, 10)}};
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!digits(text, 0, 4, y) || text.size() < 19 || text[4] != '-' || !digits(text, 5, 2, mo) ||
      text[7] != '-' || !digits(text, 8, 2, d) || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') ||
      !digits(text, 11, 2, h) || text[13] != ':' || !digits(text, 14, 2, mi) || text[16] != ':' ||
      !digits(text, 17, 2, s)) {
    return bad();
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) {
    return bad();
  }
  size_t pos = 19;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      ++pos;
    }
  }
  int offset = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh = 0, om = 0;
    if (!digits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !digits(text, pos + 4, 2, om)) {
      return bad();
    }
    offset = (oh * 3600 + om * 60) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != text.size()) {
    return bad();
  }
  struct tm tm {};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  const time_t t = timegm(&tm);
  return Seconds{std::chrono::seconds{static_cast<int64_t>(t) - offset}};
}

Seconds now_seconds() { return std::chrono::time_point_cast<std::chrono::seconds>(Clock::now()); }

}  // namespace assay
