// Multiboot v1 information block, as the loader leaves it (physical addresses).
#pragma once
#include <kernel/compiler.hpp>
#include <kernel/types.hpp>

constexpr u32 MULTIBOOT_BOOTLOADER_MAGIC = 0x2BADB002;

constexpr u32 MULTIBOOT_INFO_MEMORY = 1u << 0;
constexpr u32 MULTIBOOT_INFO_CMDLINE = 1u << 2;
constexpr u32 MULTIBOOT_INFO_MODS = 1u << 3;
constexpr u32 MULTIBOOT_INFO_MEM_MAP = 1u << 6;
constexpr u32 MULTIBOOT_INFO_BOOT_LOADER_NAME = 1u << 9;

struct multiboot_info {
    u32 flags;
    u32 mem_lower, mem_upper;  // KiB below 1 MiB / KiB from 1 MiB to the first hole
    u32 boot_device;
    u32 cmdline;
    u32 mods_count, mods_addr;
    u32 syms[4];
    u32 mmap_length, mmap_addr;
    u32 drives_length, drives_addr;
    u32 config_table;
    u32 boot_loader_name;
};

// A memory-map entry; 'size' counts the bytes after itself (entries may grow).
struct __packed multiboot_mmap_entry {
    u32 size;
    u64 addr;
    u64 len;
    u32 type;
};
constexpr u32 MULTIBOOT_MEMORY_AVAILABLE = 1;
