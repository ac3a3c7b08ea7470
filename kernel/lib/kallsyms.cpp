// Lookups in the generated symbol table (scripts/gen-kallsyms.sh writes it):
//   u32 count; { u32 address; u32 name_offset; }[count] sorted by address;
//   then the NUL-terminated names, offsets counted from the first name.
#include <asm/page.hpp>
#include <kernel/kallsyms.hpp>
#include <kernel/string.hpp>

extern "C" const u32 __kallsyms_start[], __kallsyms_end[];

namespace {
struct entry {
    u32 addr;
    u32 name;
};
// Linker symbols: compared as integers, the compiler cannot reason about them.
unsigned count() {
    auto start = reinterpret_cast<uintptr_t>(__kallsyms_start);
    auto end = reinterpret_cast<uintptr_t>(__kallsyms_end);
    return end > start ? __kallsyms_start[0] : 0;
}
const entry* entries() { return reinterpret_cast<const entry*>(__kallsyms_start + 1); }
const char* names() { return reinterpret_cast<const char*>(entries() + count()); }
}  // namespace

unsigned kallsyms_count() { return count(); }

bool kallsyms_lookup(u32 addr, kallsym* sym) {
    unsigned n = count();
    auto text_end = reinterpret_cast<u32>(_etext);
    if (n == 0 || addr < entries()[0].addr || addr >= text_end) return false;
    unsigned lo = 0, hi = n;  // find the last entry with address <= addr
    while (hi - lo > 1) {
        unsigned mid = (lo + hi) / 2;
        if (entries()[mid].addr <= addr) lo = mid;
        else hi = mid;
    }
    sym->name = names() + entries()[lo].name;
    sym->start = entries()[lo].addr;
    sym->size = (lo + 1 < n ? entries()[lo + 1].addr : text_end) - sym->start;
    return true;
}

u32 kallsyms_lookup_name(const char* name) {
    for (unsigned i = 0; i < count(); ++i)
        if (strcmp(names() + entries()[i].name, name) == 0) return entries()[i].addr;
    return 0;
}
