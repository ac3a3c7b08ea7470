// Command-line parsing: words separated by spaces, each "name" or "name=value".
#include <kernel/bug.hpp>
#include <kernel/cmdline.hpp>
#include <kernel/printk.hpp>
#include <kernel/string.hpp>

constinit char boot_command_line[COMMAND_LINE_SIZE] = "";

extern "C" const kernel_param __setup_start[], __setup_end[];

bool parse_uint(const char* s, u64* out) {
    u64 v = 0;
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) base = 16, s += 2;
    if (!*s) return false;
    for (; *s; ++s) {
        unsigned d;
        if (*s >= '0' && *s <= '9') d = static_cast<unsigned>(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f') d = static_cast<unsigned>(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F') d = static_cast<unsigned>(*s - 'A' + 10);
        else return false;
        if (v > (~0ull - d) / base) return false;  // overflow
        v = v * base + d;
    }
    *out = v;
    return true;
}

bool memparse(const char* s, u64* out) {
    char digits[24];
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof digits) return false;
    memcpy(digits, s, n + 1);
    unsigned shift = 0;
    switch (digits[n - 1]) {
    case 'G': case 'g': shift = 30; break;
    case 'M': case 'm': shift = 20; break;
    case 'K': case 'k': shift = 10; break;
    default: break;
    }
    if (shift) digits[n - 1] = 0;
    u64 v;
    if (!parse_uint(digits, &v) || (shift && v > (~0ull >> shift))) return false;
    *out = v << shift;
    return true;
}

namespace {
const kernel_param* find_param(const char* name) {
    const kernel_param* found = nullptr;
    for (const kernel_param* k = __setup_start; k < __setup_end; ++k)
        if (strcmp(k->name, name) == 0) found = k;
    return found;
}
}  // namespace

const char* kernel_image_name() {
    // Multiboot loaders (QEMU, GRUB) start the command line with the image's
    // name; a first word that is a known parameter means this one did not.
    static char name[128];
    const char* p = boot_command_line;
    while (*p == ' ') ++p;
    size_t len = 0;
    while (p[len] && p[len] != ' ' && p[len] != '=') ++len;
    if (len == 0 || len >= sizeof name || p[len] == '=') return nullptr;
    memcpy(name, p, len);
    name[len] = 0;
    return find_param(name) ? nullptr : name;
}

void parse_early_params() {
    char word[128];
    const char* p = boot_command_line;
    if (const char* image = kernel_image_name()) {
        while (*p == ' ') ++p;
        p += strlen(image);
    }
    while (*p) {
        while (*p == ' ') ++p;
        if (!*p) break;
        size_t len = 0;
        while (p[len] && p[len] != ' ') ++len;
        if (len >= sizeof word) {
            panic("command line: parameter too long: %.40s...", p);
        }
        memcpy(word, p, len);
        word[len] = 0;
        p += len;
        char* eq = strchr(word, '=');
        const char* value = "";
        if (eq) {
            *eq = 0;
            value = eq + 1;
        }
        const kernel_param* param = find_param(word);
        if (!param) {
            printk("Unknown kernel command line parameter \"%s%s%s\", ignored\n", word, eq ? "=" : "", value);
            continue;
        }
        if (!param->setup(value))
            panic("bad command line parameter %s=%s (%s)", word, value, param->help);
    }
}
