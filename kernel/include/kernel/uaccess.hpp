// Copying between the kernel and the current process's user space.
//
// The kernel touches user memory through the user's own virtual addresses
// (its page tables are loaded). A bad address faults inside the copy
// instruction; the page-fault handler finds that instruction in the
// exception table (__ex_table) and resumes at its fixup, so the copy returns
// what it could not copy instead of oopsing.
#pragma once
#include <kernel/errno.hpp>
#include <kernel/mm_struct.hpp>


inline bool access_ok(const void* addr, unsigned long size) {
    auto a = reinterpret_cast<unsigned long>(addr);
    return size <= TASK_SIZE && a <= TASK_SIZE - size;
}

// Return the number of bytes NOT copied (0 on success).
unsigned long copy_from_user(void* to, const void* from, unsigned long n);
unsigned long copy_to_user(void* to, const void* from, unsigned long n);

// Exception-table lookup for the page-fault handler.
struct exception_table_entry {
    u32 insn, fixup;
};
const exception_table_entry* search_exception_tables(u32 addr);
