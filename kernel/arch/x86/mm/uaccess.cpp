// copy_to_user / copy_from_user, and the exception table that makes them
// safe: the copy is one "rep movsb" whose address is listed in __ex_table with
// a fixup address right after it. When the copy faults on a bad user address,
// do_page_fault() resumes at the fixup with ecx = the bytes left, which is
// exactly what the functions return.
#include <kernel/process.hpp>
#include <kernel/uaccess.hpp>

extern "C" const exception_table_entry __start___ex_table[], __stop___ex_table[];

namespace {
unsigned long raw_copy_user(void* to, const void* from, unsigned long n) {
    asm volatile("1: rep movsb\n"
                 "2:\n"
                 ".pushsection __ex_table, \"a\"\n"
                 ".balign 4\n"
                 ".long 1b, 2b\n"
                 ".popsection"
                 : "+D"(to), "+S"(from), "+c"(n)
                 :
                 : "memory");
    return n;
}
}  // namespace

unsigned long copy_from_user(void* to, const void* from, unsigned long n) {
    if (!access_ok(from, n)) return n;
    return raw_copy_user(to, from, n);
}

unsigned long copy_to_user(void* to, const void* from, unsigned long n) {
    if (!access_ok(to, n)) return n;
    return raw_copy_user(to, from, n);
}

const exception_table_entry* search_exception_tables(u32 addr) {
    for (const exception_table_entry* e = __start___ex_table; e < __stop___ex_table; ++e)
        if (e->insn == addr) return e;
    return nullptr;
}
