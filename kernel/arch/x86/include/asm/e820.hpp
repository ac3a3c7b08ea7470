// The firmware memory map (named after the BIOS call that produces it), copied
// from the Multiboot information block at boot and sanitised: sorted, clipped to
// what the paging mode can address and to mem=, with overlaps resolved in favour
// of the reserved type.
#pragma once
#include <kernel/types.hpp>

enum class e820_type : u32 { ram = 1, reserved = 2, acpi = 3, nvs = 4, unusable = 5 };

struct e820_entry {
    u64 addr;
    u64 size;
    e820_type type;
};

constexpr unsigned E820_MAX_ENTRIES = 128;

struct e820_table {
    unsigned nr_entries;
    e820_entry entries[E820_MAX_ENTRIES];
};

// The map as the loader gave it (for the boot message and for tests) and the map
// the kernel uses (clipped; see above).
extern e820_table e820_firmware;
extern e820_table e820_kernel;

// RAM ignored because the paging mode cannot reach it (above 4 GiB without
// PAE) or because of mem=: reported at boot.
extern u64 e820_ignored_ram;

struct multiboot_info;
// Copies the loader's map (or builds one from mem_lower/mem_upper).
void e820_from_multiboot(const multiboot_info* mbi);
// Builds e820_kernel from e820_firmware: limit is the first address not used.
void e820_sanitize(u64 limit);
void e820_print(const e820_table& table, const char* who);
// Total RAM in the kernel's map that lies in [start, end).
u64 e820_ram_between(const e820_table& table, u64 start, u64 end);
const char* e820_type_name(e820_type t);
