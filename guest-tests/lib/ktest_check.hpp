// Comparison and value printing behind the EXPECT_*/ASSERT_* macros. Values are
// compared the way the C++20 std::cmp_* functions do (a negative signed value is
// never equal to an unsigned one), so a test need not cast its literals.
#pragma once
#include <kernel/printk.hpp>
#include <kernel/types.hpp>

namespace ktest {

enum class Op { eq, ne, lt, le, gt, ge };

template <typename T>
constexpr bool is_int = __is_integral(T) && !__is_same(T, bool);

template <typename A, typename B>
constexpr bool int_less(A a, B b) {
    if constexpr (__is_signed(A) == __is_signed(B)) return a < b;
    else if constexpr (__is_signed(A)) return a < 0 || static_cast<u64>(a) < static_cast<u64>(b);
    else return b >= 0 && static_cast<u64>(a) < static_cast<u64>(b);
}
template <typename A, typename B>
constexpr bool int_equal(A a, B b) {
    if constexpr (__is_signed(A) == __is_signed(B)) return a == b;
    else if constexpr (__is_signed(A)) return a >= 0 && static_cast<u64>(a) == static_cast<u64>(b);
    else return b >= 0 && static_cast<u64>(a) == static_cast<u64>(b);
}

template <Op op, typename A, typename B>
constexpr bool compare(A a, B b) {
    if constexpr (is_int<A> && is_int<B>) {
        if constexpr (op == Op::eq) return int_equal(a, b);
        else if constexpr (op == Op::ne) return !int_equal(a, b);
        else if constexpr (op == Op::lt) return int_less(a, b);
        else if constexpr (op == Op::le) return !int_less(b, a);
        else if constexpr (op == Op::gt) return int_less(b, a);
        else return !int_less(a, b);
    } else if constexpr (op == Op::eq) {
        return a == b;
    } else if constexpr (op == Op::ne) {
        return !(a == b);
    } else {
        static_assert(requires { a < b; }, "EXPECT_LT/LE/GT/GE need ordered values");
        if constexpr (op == Op::lt) return a < b;
        else if constexpr (op == Op::le) return a <= b;
        else if constexpr (op == Op::gt) return a > b;
        else return a >= b;
    }
}

// Prints a value for a failure report: integers in decimal and hex, pointers
// as addresses, enums through their underlying type.
template <typename T>
void format_value(char* buf, size_t n, T v) {
    if constexpr (__is_same(T, bool)) {
        snprintf(buf, n, "%s", v ? "true" : "false");
    } else if constexpr (__is_enum(T)) {
        format_value(buf, n, static_cast<__underlying_type(T)>(v));
    } else if constexpr (__is_same(T, char)) {
        snprintf(buf, n, "'%c' (%d)", v, v);
    } else if constexpr (__is_integral(T) && __is_signed(T)) {
        snprintf(buf, n, "%lld (%#llx)", static_cast<long long>(v),
                 static_cast<unsigned long long>(static_cast<u64>(static_cast<s64>(v))));
    } else if constexpr (__is_integral(T)) {
        snprintf(buf, n, "%llu (%#llx)", static_cast<unsigned long long>(v), static_cast<unsigned long long>(v));
    } else if constexpr (__is_same(T, decltype(nullptr))) {
        snprintf(buf, n, "nullptr");
    } else if constexpr (__is_pointer(T)) {
        snprintf(buf, n, "%p", static_cast<const void*>(v));
    } else {
        snprintf(buf, n, "(a %u-byte value)", static_cast<unsigned>(sizeof(T)));
    }
}

const char* op_text(Op op);
// Records a failed expectation of the running case and prints its report. A
// one-argument macro (EXPECT_TRUE, EXPECT_NULL...) passes b_text = nullptr.
void fail_binary(const char* macro, const char* a_text, const char* b_text, const char* a_value,
                 const char* b_value, Op op, const char* file, int line);
void fail_message(const char* file, int line, const char* fmt, ...) __printf(3, 4);
void count_expectation();

template <Op op, typename A, typename B>
bool check_binary(const char* macro, A a, B b, const char* a_text, const char* b_text, const char* file, int line) {
    count_expectation();
    if (compare<op>(a, b)) return true;
    char av[64], bv[64];
    format_value(av, sizeof av, a);
    format_value(bv, sizeof bv, b);
    fail_binary(macro, a_text, b_text, av, bv, op, file, line);
    return false;
}

bool check_streq(const char* macro, const char* a, const char* b, const char* a_text, const char* b_text,
                 const char* file, int line);

}  // namespace ktest
