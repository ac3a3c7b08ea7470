// Compiler attributes and small helpers used everywhere in the kernel.
#pragma once

#define __used __attribute__((used))
#define __section(s) __attribute__((section(s)))
#define __aligned(n) __attribute__((aligned(n)))
#define __packed __attribute__((packed))
#define __noreturn __attribute__((noreturn))
#define __noinline __attribute__((noinline))
#define __always_inline inline __attribute__((always_inline))
#define __printf(a, b) __attribute__((format(printf, a, b)))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

// Forces a real memory access: the compiler may neither cache nor drop it.
#define READ_ONCE(x) (*(const volatile decltype(x)*)&(x))
#define WRITE_ONCE(x, v) (*(volatile decltype(x)*)&(x) = (v))

#define barrier() asm volatile("" ::: "memory")

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

template <typename T>
constexpr T min_t(T a, T b) { return a < b ? a : b; }
template <typename T>
constexpr T max_t(T a, T b) { return a > b ? a : b; }

// Round to a power-of-two boundary.
template <typename T, typename A>
constexpr T round_up(T x, A align) { return (x + static_cast<T>(align) - 1) & ~(static_cast<T>(align) - 1); }
template <typename T, typename A>
constexpr T round_down(T x, A align) { return x & ~(static_cast<T>(align) - 1); }
template <typename T>
constexpr bool is_power_of_2(T x) { return x != 0 && (x & (x - 1)) == 0; }
