// The C string and memory functions the kernel needs (lib/string.cpp). The
// compiler may also emit calls to memcpy/memset/memmove itself.
#pragma once
#include <kernel/types.hpp>

extern "C" {
void* memcpy(void* dst, const void* src, size_t n);
void* memmove(void* dst, const void* src, size_t n);
void* memset(void* dst, int c, size_t n);
int memcmp(const void* a, const void* b, size_t n);
size_t strlen(const char* s);
size_t strnlen(const char* s, size_t max);
int strcmp(const char* a, const char* b);
int strncmp(const char* a, const char* b, size_t n);
char* strchr(const char* s, int c);
char* strstr(const char* haystack, const char* needle);
// Copies at most size-1 characters and always terminates; returns strlen(src).
size_t strlcpy(char* dst, const char* src, size_t size);
}

// Shell-style glob: '*' matches any run of characters, '?' any one character.
bool glob_match(const char* pattern, const char* text);

// The first byte in [p, p+n) that differs from value, or nullptr (poison checks).
const void* memchr_inv(const void* p, u8 value, size_t n);
