// Multiboot modules: files the boot loader placed in memory next to the kernel
// (QEMU's and hm386's -initrd / --module), each with a string, e.g.
// "build/guest/user/utest.elf hello". The kernel keeps them (memblock
// reserves their pages) and runs the ELF ones as user programs.
#pragma once
#include <kernel/types.hpp>

struct boot_module {
    phys_addr_t start, end;  // [start, end)
    char cmdline[128];       // the module's string, as the loader gave it
    const char* name;        // the file name: the first word's last path component
    const void* data;        // its bytes through the direct map (null: outside lowmem)
};

constexpr unsigned MAX_BOOT_MODULES = 8;

// Boot (arch/x86/kernel/setup.cpp): records the list from the Multiboot
// information, reserves the modules' memory, and later maps them.
struct multiboot_info;
void save_boot_modules(const multiboot_info* mbi);
void reserve_boot_modules();
void map_boot_modules();

unsigned nr_boot_modules();
const boot_module* boot_module_at(unsigned i);
// The module whose file name is 'name', or null.
const boot_module* find_boot_module(const char* name);

// kernel.elf's end of boot: each ELF module runs as a process with its string
// as argv (argv[0] the file name); reports each exit status. Returns the number
// of modules that could not be started.
unsigned run_boot_modules();
