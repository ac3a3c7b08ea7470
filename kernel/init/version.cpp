#include <kernel/version.hpp>

constinit const char linux_banner[] =
    "highmem386 kernel 0.1 (i386, 3G/1G split; built with clang " __clang_version__ ")";
