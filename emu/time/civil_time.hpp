// Calendar arithmetic for the RTC: Unix seconds <-> proleptic Gregorian date and
// time of day. Pure functions with no time zone (the RTC keeps whatever the guest
// treats as local time; hm386's default epoch is given in UTC).
#pragma once
#include <optional>
#include <string>

#include "core/types.hpp"

namespace hm {

struct CivilTime {
    i64 year;
    unsigned month;    // 1..12
    unsigned day;      // 1..31
    unsigned hour;     // 0..23
    unsigned minute;   // 0..59
    unsigned second;   // 0..59
    unsigned weekday;  // 1..7, Sunday = 1 (the RTC's convention)
};

i64 days_from_civil(i64 year, unsigned month, unsigned day);
CivilTime civil_from_unix(i64 seconds);
i64 unix_from_civil(const CivilTime& t);  // ignores weekday

// "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS" (also with a space) or a decimal Unix time.
std::optional<i64> parse_datetime(const std::string& text);

// 2024-01-01T00:00:00Z: the RTC's default epoch, so runs never depend on host time.
constexpr i64 kDefaultRtcEpoch = 1704067200;

}  // namespace hm
