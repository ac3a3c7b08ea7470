// The kernel command line. Parameters register a handler with early_param();
// parse_early_params() calls each handler with the value of "name=value" (or
// "" for a bare "name") and reports words nobody claimed. A handler returns
// false for a bad value; the kernel then stops with a clear message rather than
// run with a configuration the user did not ask for.
#pragma once
#include <kernel/compiler.hpp>
#include <kernel/types.hpp>

constexpr size_t COMMAND_LINE_SIZE = 1024;
extern char boot_command_line[COMMAND_LINE_SIZE];

struct kernel_param {
    const char* name;
    bool (*setup)(const char* value);
    const char* help;  // shown when the value is rejected
};

#define __PARAM_CONCAT2(a, b) a##b
#define __PARAM_CONCAT(a, b) __PARAM_CONCAT2(a, b)
#define early_param(name, fn, help)                                                           \
    [[gnu::used, gnu::section(".init.setup")]] static constexpr kernel_param __PARAM_CONCAT( \
        __setup_, __COUNTER__){name, fn, help}

void parse_early_params();
// The first word when it names the kernel image rather than a parameter, or null.
const char* kernel_image_name();

// memparse: a number with an optional K, M or G suffix (powers of 1024), as in
// Linux's mem=/highmem=/vmalloc=. False for anything else.
bool memparse(const char* s, u64* out);
// A decimal or 0x-prefixed number.
bool parse_uint(const char* s, u64* out);
