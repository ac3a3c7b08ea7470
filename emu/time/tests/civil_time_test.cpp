#include <catch2/catch.hpp>

#include "time/civil_time.hpp"

using namespace hm;

TEST_CASE("Unix time converts to the calendar and back", "[time]") {
    CivilTime t = civil_from_unix(0);
    CHECK(t.year == 1970);
    CHECK(t.month == 1);
    CHECK(t.day == 1);
    CHECK(t.weekday == 5);  // Thursday
    t = civil_from_unix(kDefaultRtcEpoch);
    CHECK(t.year == 2024);
    CHECK(t.month == 1);
    CHECK(t.day == 1);
    CHECK(t.weekday == 2);  // Monday
    // 2000-02-29 23:59:59 (a leap day in a century year divisible by 400)
    t = civil_from_unix(951868799);
    CHECK(t.year == 2000);
    CHECK(t.month == 2);
    CHECK(t.day == 29);
    CHECK(t.hour == 23);
    CHECK(t.minute == 59);
    CHECK(t.second == 59);
    for (i64 s = -86400LL * 800; s < 86400LL * 365 * 400; s += 86400LL * 37 + 3671) {
        CHECK(unix_from_civil(civil_from_unix(s)) == s);
    }
}

TEST_CASE("Date-time strings parse strictly", "[time]") {
    CHECK(parse_datetime("2024-01-01") == kDefaultRtcEpoch);
    CHECK(parse_datetime("2024-01-01T00:00:10") == kDefaultRtcEpoch + 10);
    CHECK(parse_datetime("2024-01-01 01:00:00") == kDefaultRtcEpoch + 3600);
    CHECK(parse_datetime("1704067200") == kDefaultRtcEpoch);
    CHECK_FALSE(parse_datetime(""));
    CHECK_FALSE(parse_datetime("2024-13-01"));
    CHECK_FALSE(parse_datetime("2024-01-01X00:00:00"));
    CHECK_FALSE(parse_datetime("2024-01-01T00:00:00junk"));
    CHECK_FALSE(parse_datetime("yesterday"));
}
