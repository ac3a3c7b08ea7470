// printk's formatting engine (vsnprintf): conversions, widths, padding, 64-bit.
#include <kernel/printk.hpp>
#include <kernel/string.hpp>

#include "ktest.hpp"

#define EXPECT_FORMAT(expected, fmt, ...)                        \
    do {                                                         \
        char buf[96];                                            \
        snprintf(buf, sizeof buf, fmt, ##__VA_ARGS__);           \
        EXPECT_STREQ(buf, expected);                             \
    } while (0)

KTEST(printk, integers) {
    EXPECT_FORMAT("42", "%d", 42);
    EXPECT_FORMAT("-42", "%i", -42);
    EXPECT_FORMAT("4294967295", "%u", 0xFFFFFFFFu);
    EXPECT_FORMAT("-2147483648", "%d", static_cast<int>(0x80000000u));
    EXPECT_FORMAT("deadbeef", "%x", 0xDEADBEEFu);
    EXPECT_FORMAT("DEADBEEF", "%X", 0xDEADBEEFu);
    EXPECT_FORMAT("0x1f", "%#x", 31u);
    EXPECT_FORMAT("0x00000000", "%#010x", 0u);
    EXPECT_FORMAT("17", "%o", 15u);
    EXPECT_FORMAT("+5", "%+d", 5);
}

KTEST(printk, widths_and_padding) {
    EXPECT_FORMAT("   42", "%5d", 42);
    EXPECT_FORMAT("42   |", "%-5d|", 42);
    EXPECT_FORMAT("00042", "%05d", 42);
    EXPECT_FORMAT("-0042", "%05d", -42);
    EXPECT_FORMAT("0000beef", "%08x", 0xBEEFu);
    EXPECT_FORMAT("  abc", "%5s", "abc");
    EXPECT_FORMAT("abc  |", "%-5s|", "abc");
    EXPECT_FORMAT("ab", "%.2s", "abc");
    EXPECT_FORMAT("   7", "%*d", 4, 7);
    EXPECT_FORMAT("007", "%.3d", 7);
}

KTEST(printk, sixty_four_bits) {
    EXPECT_FORMAT("18446744073709551615", "%llu", ~0ull);
    EXPECT_FORMAT("-9223372036854775808", "%lld", static_cast<long long>(1ull << 63));
    EXPECT_FORMAT("123456789abcdef0", "%llx", 0x123456789ABCDEF0ull);
    EXPECT_FORMAT("0x0000000180000000", "%#018llx", 0x180000000ull);
    EXPECT_FORMAT("6442450944", "%llu", 6ull << 30);
}

KTEST(printk, pointers_chars_strings) {
    EXPECT_FORMAT("0xc0100000", "%p", reinterpret_cast<void*>(0xC0100000u));
    EXPECT_FORMAT("0x00000010", "%p", reinterpret_cast<void*>(0x10u));
    EXPECT_FORMAT("x", "%c", 'x');
    EXPECT_FORMAT("  x", "%3c", 'x');
    EXPECT_FORMAT("(null)", "%s", static_cast<const char*>(nullptr));
    EXPECT_FORMAT("100%", "%d%%", 100);
    EXPECT_FORMAT("size 4096", "size %zu", static_cast<size_t>(4096));
    // h and hh truncate like a cast to short/char (the argument arrives as an int).
    EXPECT_FORMAT("-1 65535 255", "%ld %hu %hhu", -1l, static_cast<unsigned short>(0xFFFF),
                  static_cast<unsigned char>(0xFF));
    EXPECT_FORMAT("-1", "%hhd", static_cast<signed char>(-1));
}

KTEST(printk, truncation_reports_the_full_length) {
    char buf[8];
    int n = snprintf(buf, sizeof buf, "%s", "0123456789");
    EXPECT_EQ(n, 10);
    EXPECT_STREQ(buf, "0123456");
    EXPECT_EQ(snprintf(nullptr, 0, "%d", 12345), 5);
}
