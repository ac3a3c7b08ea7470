// vsnprintf: the formatting engine behind printk and snprintf. Bounded output,
// no allocation, 64-bit numbers through compiler-rt's 64-bit division.
#include <kernel/printk.hpp>
#include <kernel/string.hpp>

namespace {

struct Sink {
    char* buf;
    size_t size;
    size_t len = 0;  // characters the full output has, written or not
    void put(char c) {
        if (len + 1 < size) buf[len] = c;
        ++len;
    }
};

struct Spec {
    bool left = false, zero = false, plus = false, space = false, alt = false;
    int width = -1;
    int precision = -1;
};

void pad(Sink& out, int n, char c) {
    while (n-- > 0) out.put(c);
}

void put_string(Sink& out, const char* s, const Spec& spec) {
    if (!s) s = "(null)";
    int len = static_cast<int>(spec.precision >= 0 ? strnlen(s, spec.precision) : strlen(s));
    if (!spec.left) pad(out, spec.width - len, ' ');
    for (int i = 0; i < len; ++i) out.put(s[i]);
    if (spec.left) pad(out, spec.width - len, ' ');
}

void put_number(Sink& out, u64 value, bool negative, unsigned base, bool upper, const char* prefix,
                Spec spec) {
    char digits[24];
    int n = 0;
    const char* set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        digits[n++] = set[value % base];
        value /= base;
    } while (value);
    int precision_zeros = spec.precision > n ? spec.precision - n : 0;
    char sign = negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : 0;
    int prefix_len = prefix ? static_cast<int>(strlen(prefix)) : 0;
    int total = n + precision_zeros + (sign ? 1 : 0) + prefix_len;
    bool zero_pad = spec.zero && !spec.left && spec.precision < 0;
    if (!spec.left && !zero_pad) pad(out, spec.width - total, ' ');
    if (sign) out.put(sign);
    for (int i = 0; i < prefix_len; ++i) out.put(prefix[i]);
    if (zero_pad) pad(out, spec.width - total, '0');
    pad(out, precision_zeros, '0');
    while (n) out.put(digits[--n]);
    if (spec.left) pad(out, spec.width - total, ' ');
}

}  // namespace

int vsnprintf(char* buf, size_t size, const char* fmt, va_list ap) {
    Sink out{buf, size};
    for (const char* p = fmt; *p; ++p) {
        if (*p != '%') {
            out.put(*p);
            continue;
        }
        Spec spec;
        for (;; ++p) {
            char f = p[1];
            if (f == '-') spec.left = true;
            else if (f == '0') spec.zero = true;
            else if (f == '+') spec.plus = true;
            else if (f == ' ') spec.space = true;
            else if (f == '#') spec.alt = true;
            else break;
        }
        ++p;
        if (*p == '*') {
            spec.width = va_arg(ap, int);
            if (spec.width < 0) spec.left = true, spec.width = -spec.width;
            ++p;
        } else {
            for (; *p >= '0' && *p <= '9'; ++p) spec.width = (spec.width < 0 ? 0 : spec.width * 10) + (*p - '0');
        }
        if (*p == '.') {
            ++p;
            spec.precision = 0;
            if (*p == '*') {
                spec.precision = va_arg(ap, int);
                ++p;
            } else {
                for (; *p >= '0' && *p <= '9'; ++p) spec.precision = spec.precision * 10 + (*p - '0');
            }
        }
        int longs = 0;  // -2 hh, -1 h, 0 int, 1 long, 2 long long
        for (;; ++p) {
            if (*p == 'l') ++longs;
            else if (*p == 'h') --longs;
            else if (*p == 'z') longs = 1;  // size_t is unsigned long here
            else break;
        }
        auto fetch_unsigned = [&]() -> u64 {
            if (longs >= 2) return va_arg(ap, unsigned long long);
            if (longs == 1) return va_arg(ap, unsigned long);
            unsigned v = va_arg(ap, unsigned);
            if (longs == -1) v &= 0xFFFF;
            if (longs <= -2) v &= 0xFF;
            return v;
        };
        switch (*p) {
        case 'd':
        case 'i': {
            s64 v;
            if (longs >= 2) v = va_arg(ap, long long);
            else if (longs == 1) v = va_arg(ap, long);
            else {
                int i = va_arg(ap, int);
                if (longs == -1) i = static_cast<short>(i);
                if (longs <= -2) i = static_cast<signed char>(i);
                v = i;
            }
            bool neg = v < 0;
            put_number(out, neg ? 0 - static_cast<u64>(v) : static_cast<u64>(v), neg, 10, false, nullptr, spec);
            break;
        }
        case 'u':
            put_number(out, fetch_unsigned(), false, 10, false, nullptr, spec);
            break;
        case 'x':
        case 'X': {
            u64 v = fetch_unsigned();
            bool upper = *p == 'X';
            // Linux prints the prefix for zero too ("%#010x" of 0 is 0x00000000).
            put_number(out, v, false, 16, upper, spec.alt ? (upper ? "0X" : "0x") : nullptr, spec);
            break;
        }
        case 'o':
            put_number(out, fetch_unsigned(), false, 8, false, spec.alt ? "0" : nullptr, spec);
            break;
        case 'p': {
            // Pointers print as 0x followed by 8 hex digits, like Linux's %px.
            auto v = reinterpret_cast<uintptr_t>(va_arg(ap, void*));
            Spec ps = spec;
            ps.zero = true;
            if (ps.width < 10) ps.width = 10;
            put_number(out, v, false, 16, false, "0x", ps);
            break;
        }
        case 's':
            put_string(out, va_arg(ap, const char*), spec);
            break;
        case 'c': {
            char c = static_cast<char>(va_arg(ap, int));
            if (!spec.left) pad(out, spec.width - 1, ' ');
            out.put(c);
            if (spec.left) pad(out, spec.width - 1, ' ');
            break;
        }
        case '%':
            out.put('%');
            break;
        case 0:
            --p;  // a lone '%' at the end: print it and stop
            out.put('%');
            break;
        default:
            // An unknown conversion is printed as written, so the mistake shows.
            out.put('%');
            out.put(*p);
            break;
        }
    }
    if (size) buf[out.len < size ? out.len : size - 1] = 0;
    return static_cast<int>(out.len);
}

int snprintf(char* buf, size_t size, const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
