// Kernel symbol table for stack traces. The build links the kernel twice: the
// symbols of the first link become a table (section .kallsyms, after all code)
// in the second, and the build checks that no code address moved.
#pragma once
#include <kernel/types.hpp>

struct kallsym {
    const char* name;
    u32 start;
    u32 size;
};

// The function containing addr, or false (not kernel text, or no table).
bool kallsyms_lookup(u32 addr, kallsym* sym);
// Address of a symbol by exact name, or 0.
u32 kallsyms_lookup_name(const char* name);
unsigned kallsyms_count();
