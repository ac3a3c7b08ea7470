// Program loading (exec/binfmt_elf.cpp).
#pragma once
#include <kernel/string.hpp>
#include <kernel/types.hpp>

struct mm_struct;
// Maps the PT_LOAD segments of an ELF32 i386 executable into mm; 0 or -errno.
int load_elf_binary(mm_struct* mm, const void* image, unsigned long size, unsigned long* entry);
// Writes argc/argv on the top of mm's stack; the initial stack pointer in *sp.
int setup_arg_pages(mm_struct* mm, const char* const* argv, unsigned long* sp);
