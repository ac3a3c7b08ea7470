#include "time/civil_time.hpp"

#include <cctype>
#include <cstdio>

namespace hm {

namespace {
i64 floor_div(i64 a, i64 b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
}  // namespace

// Days since 1970-01-01, counting 400-year eras of 146097 days from 0000-03-01 so
// that the leap day falls at the end of each computational year.
i64 days_from_civil(i64 year, unsigned month, unsigned day) {
    i64 y = static_cast<i64>(year) - (month <= 2 ? 1 : 0);
    i64 era = floor_div(y, 400);
    i64 yoe = y - era * 400;                                          // [0, 399]
    i64 mp = (static_cast<i64>(month) + 9) % 12;                      // March = 0
    i64 doy = (153 * mp + 2) / 5 + static_cast<i64>(day) - 1;         // [0, 365]
    i64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                  // [0, 146096]
    return era * 146097 + doe - 719468;
}

CivilTime civil_from_unix(i64 seconds) {
    i64 days = floor_div(seconds, 86400);
    i64 sod = seconds - days * 86400;
    i64 z = days + 719468;
    i64 era = floor_div(z, 146097);
    i64 doe = z - era * 146097;
    i64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    i64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    i64 mp = (5 * doy + 2) / 153;
    CivilTime t{};
    t.day = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
    t.month = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
    t.year = yoe + era * 400 + (t.month <= 2 ? 1 : 0);
    t.hour = static_cast<unsigned>(sod / 3600);
    t.minute = static_cast<unsigned>(sod / 60 % 60);
    t.second = static_cast<unsigned>(sod % 60);
    // 1970-01-01 was a Thursday (weekday 5 with Sunday = 1).
    t.weekday = static_cast<unsigned>(((days % 7) + 7 + 4) % 7 + 1);
    return t;
}

i64 unix_from_civil(const CivilTime& t) {
    return days_from_civil(t.year, t.month, t.day) * 86400 + static_cast<i64>(t.hour) * 3600 +
           static_cast<i64>(t.minute) * 60 + static_cast<i64>(t.second);
}

std::optional<i64> parse_datetime(const std::string& text) {
    if (text.empty()) return std::nullopt;
    bool all_digits = true;
    for (char c : text) all_digits = all_digits && std::isdigit(static_cast<unsigned char>(c));
    if (all_digits) {
        if (text.size() > 12) return std::nullopt;
        return static_cast<i64>(std::stoll(text));
    }
    int y, mo, d, h = 0, mi = 0, s = 0;
    char sep = 0;
    int n = 0;
    if (std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3) return std::nullopt;
    size_t pos = static_cast<size_t>(n);
    if (pos != text.size()) {
        int m = 0;
        if (std::sscanf(text.c_str() + pos, "%c%2d:%2d:%2d%n", &sep, &h, &mi, &s, &m) != 4) return std::nullopt;
        if ((sep != 'T' && sep != ' ') || pos + static_cast<size_t>(m) != text.size()) return std::nullopt;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59 || h < 0 || mi < 0 || s < 0) {
        return std::nullopt;
    }
    CivilTime t{y, static_cast<unsigned>(mo), static_cast<unsigned>(d), static_cast<unsigned>(h),
                static_cast<unsigned>(mi), static_cast<unsigned>(s), 0};
    return unix_from_civil(t);
}

}  // namespace hm
