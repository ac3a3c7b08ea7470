// Small library pieces: command-line number parsing, globs, string functions.
#include <kernel/cmdline.hpp>
#include <kernel/string.hpp>

#include "ktest.hpp"

KTEST(lib, memparse_sizes) {
    u64 v = 0;
    EXPECT_TRUE(memparse("32M", &v));
    EXPECT_EQ(v, 32ull << 20);
    EXPECT_TRUE(memparse("6G", &v));
    EXPECT_EQ(v, 6ull << 30);
    EXPECT_TRUE(memparse("640k", &v));
    EXPECT_EQ(v, 640ull << 10);
    EXPECT_TRUE(memparse("4096", &v));
    EXPECT_EQ(v, 4096u);
    EXPECT_TRUE(memparse("0x1000", &v));
    EXPECT_EQ(v, 4096u);
    EXPECT_FALSE(memparse("", &v));
    EXPECT_FALSE(memparse("M", &v));
    EXPECT_FALSE(memparse("12Q", &v));
    EXPECT_FALSE(memparse("99999999999999999999", &v));
}

KTEST(lib, glob_match) {
    EXPECT_TRUE(glob_match("buddy*", "buddy.drain"));
    EXPECT_TRUE(glob_match("*.drain", "buddy.drain"));
    EXPECT_TRUE(glob_match("b?ddy", "buddy"));
    EXPECT_TRUE(glob_match("*", ""));
    EXPECT_FALSE(glob_match("slab*", "buddy.drain"));
    EXPECT_FALSE(glob_match("b?ddy", "bddy"));
    EXPECT_TRUE(glob_match("a*b*c", "aXXbYYc"));
    EXPECT_FALSE(glob_match("a*b*c", "aXXbYY"));
}

KTEST(lib, string_functions) {
    char buf[16];
    EXPECT_EQ(strlcpy(buf, "highmem", sizeof buf), 7u);
    EXPECT_STREQ(buf, "highmem");
    EXPECT_EQ(strlcpy(buf, "a string that is too long", 5), 25u);
    EXPECT_STREQ(buf, "a st");
    EXPECT_EQ(strcmp("abc", "abd") < 0, true);
    EXPECT_EQ(strncmp("abcX", "abcY", 3), 0);
    const char* word = "kmap";
    EXPECT_EQ(strchr(word, 'm'), word + 1);
    EXPECT_NULL(strchr(word, 'z'));
    u8 a[32], b[32];
    for (unsigned i = 0; i < 32; ++i) a[i] = static_cast<u8>(i);
    memcpy(b, a, 32);
    EXPECT_EQ(memcmp(a, b, 32), 0);
    memmove(a + 1, a, 31);  // overlapping, forwards
    EXPECT_EQ(a[1], 0u);
    EXPECT_EQ(a[31], 30u);
    memset(b, 0x6b, 32);
    EXPECT_NULL(memchr_inv(b, 0x6b, 32));
    b[20] = 0;
    EXPECT_EQ(memchr_inv(b, 0x6b, 32), static_cast<const void*>(b + 20));
}
