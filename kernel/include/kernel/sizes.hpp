// Size constants (Linux's SZ_*), as 64-bit values so physical sizes never overflow.
#pragma once
#include <kernel/types.hpp>

constexpr u64 SZ_1K = 1024;
constexpr u64 SZ_4K = 4 * SZ_1K;
constexpr u64 SZ_1M = 1024 * SZ_1K;
constexpr u64 SZ_2M = 2 * SZ_1M;
constexpr u64 SZ_4M = 4 * SZ_1M;
constexpr u64 SZ_8M = 8 * SZ_1M;
constexpr u64 SZ_16M = 16 * SZ_1M;
constexpr u64 SZ_1G = 1024 * SZ_1M;
constexpr u64 SZ_4G = 4 * SZ_1G;
constexpr u64 SZ_64G = 64 * SZ_1G;
