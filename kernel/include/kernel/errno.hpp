// Error numbers (Linux's i386 values, which user programs see as -errno).
#pragma once

constexpr int ESRCH = 3;
constexpr int EINTR = 4;
constexpr int E2BIG = 7;
constexpr int ENOEXEC = 8;
constexpr int EBADF = 9;
constexpr int ENOMEM = 12;
constexpr int EFAULT = 14;
constexpr int ENODEV = 19;
constexpr int EINVAL = 22;
constexpr int ENOSYS = 38;
