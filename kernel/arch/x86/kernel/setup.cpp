// setup_arch(): from the Multiboot information to a kernel running on its final
// page tables with memblock describing all RAM.
//
//   e820 map ─▶ clip (mode, mem=) ─▶ memblock ─▶ lowmem/highmem split
//            ─▶ paging_init() (2-level or PAE) ─▶ direct map of lowmem live
#include <asm/cpufeature.hpp>
#include <asm/e820.hpp>
#include <asm/layout.hpp>
#include <asm/smp.hpp>
#include <asm/multiboot.hpp>
#include <asm/pgtable.hpp>
#include <asm/setup.hpp>
#include <kernel/bootmodule.hpp>
#include <kernel/bug.hpp>
#include <kernel/cmdline.hpp>
#include <kernel/memblock.hpp>
#include <kernel/printk.hpp>
#include <kernel/sizes.hpp>
#include <kernel/string.hpp>

constinit unsigned long max_low_pfn = 0, max_pfn = 0, highstart_pfn = 0, highend_pfn = 0;
constinit void* high_memory = nullptr;
constinit boot_options boot_opts{};
constinit char boot_loader_name[64] = "";

namespace {

constinit multiboot_info saved_mbi{};
// Lowmem must at least hold the kernel, its page tables and mem_map.
constexpr u64 MIN_LOWMEM = 8 * SZ_1M;
constexpr u64 MIN_VMALLOC = 16 * SZ_1M;

bool parse_paging(const char* v) {
    if (strcmp(v, "2level") == 0) boot_opts.want_pae = false;
    else if (strcmp(v, "pae") == 0) boot_opts.want_pae = true;
    else return false;
    return true;
}
early_param("paging", parse_paging, "expected paging=2level or paging=pae");

bool parse_noexec(const char* v) {
    if (strcmp(v, "on") == 0) boot_opts.noexec_off = false;
    else if (strcmp(v, "off") == 0) boot_opts.noexec_off = true;
    else return false;
    return true;
}
early_param("noexec", parse_noexec, "expected noexec=on or noexec=off");

bool parse_mem(const char* v) { return memparse(v, &boot_opts.mem_limit) && boot_opts.mem_limit >= 16 * SZ_1M; }
early_param("mem", parse_mem, "expected a size of at least 16M, e.g. mem=512M");

bool parse_highmem(const char* v) { return memparse(v, &boot_opts.highmem_size) && boot_opts.highmem_size; }
early_param("highmem", parse_highmem, "expected a size, e.g. highmem=128M");
// Not Linux's: the small-machine split the demo and the 64 MiB test machines
// use (highmem=32M at 64 MiB would leave less than Linux's 64 MiB of lowmem).
bool parse_force_highmem(const char* v) {
    return memparse(v, &boot_opts.force_highmem_size) && boot_opts.force_highmem_size;
}
early_param("force_highmem", parse_force_highmem, "expected a size, e.g. force_highmem=32M");

bool parse_vmalloc(const char* v) {
    return memparse(v, &boot_opts.vmalloc_reserve) && boot_opts.vmalloc_reserve >= MIN_VMALLOC &&
           boot_opts.vmalloc_reserve <= 768 * SZ_1M && !(boot_opts.vmalloc_reserve & (PAGE_SIZE - 1));
}
early_param("vmalloc", parse_vmalloc, "expected a size between 16M and 768M, a multiple of 4K, e.g. vmalloc=256M");

void copy_c_string(char* dst, size_t size, u32 phys) {
    if (!phys_is_direct_mapped(phys + 1)) panic("Multiboot string at %#x is not mapped yet", phys);
    const char* src = static_cast<const char*>(__va(phys));
    size_t n = 0;
    while (n + 1 < size && phys_is_direct_mapped(phys + n + 1) && src[n]) {
        dst[n] = src[n];
        ++n;
    }
    dst[n] = 0;
}

// MAXMEM, the most lowmem there can be: 896 MiB by default; with
// vmalloc=SIZE Linux's VMALLOC_END - PAGE_OFFSET - (SIZE + VMALLOC_OFFSET), so
// that [VMALLOC_START, VMALLOC_END) is exactly SIZE when the RAM reaches it.
unsigned long maxmem_pfn() {
    u64 vmalloc_room = VMALLOC_END() - PAGE_OFFSET;
    u64 maxmem = boot_opts.vmalloc_reserve ? vmalloc_room - boot_opts.vmalloc_reserve - VMALLOC_OFFSET
                                           : SZ_1G - VMALLOC_RESERVE_DEFAULT;
    // vmalloc must keep some room below the pkmap window whatever the choice.
    if (maxmem + VMALLOC_OFFSET + MIN_VMALLOC > vmalloc_room) maxmem = vmalloc_room - VMALLOC_OFFSET - MIN_VMALLOC;
    return PFN_DOWN(maxmem);
}

u64 e820_ram_end() {
    u64 end = 0;
    for (unsigned i = 0; i < e820_kernel.nr_entries; ++i) {
        const e820_entry& e = e820_kernel.entries[i];
        if (e.type == e820_type::ram && e.addr + e.size > end) end = e.addr + e.size;
    }
    return end;
}

// Linux's highmem_pfn_init (arch/x86/mm/init_32.c), before memblock: on a
// machine with more RAM than lowmem can hold, highmem=SIZE is the most
// highmem to use; the RAM beyond is left out, as mem= would.
void highmem_pfn_init() {
    if (!boot_opts.highmem_size) return;
    unsigned long maxmem = maxmem_pfn(), end = PFN_DOWN(e820_ram_end());
    unsigned long want = PFN_DOWN(boot_opts.highmem_size);
    if (end <= maxmem) return;  // lowmem_pfn_init's case, in find_low_pfn_range
    if (maxmem + want < end) {
        e820_sanitize(PFN_PHYS(maxmem + want));
        printk("highmem=%lluM: RAM at and above %#llx not used\n", boot_opts.highmem_size >> 20,
               PFN_PHYS(maxmem + want));
    } else if (maxmem + want > end) {
        printk("only %luMB highmem pages available, ignoring highmem size of %luMB!\n",
               (end - maxmem) >> (20 - PAGE_SHIFT), want >> (20 - PAGE_SHIFT));
        boot_opts.highmem_size = 0;
    }
}

// Lowmem ends at the smallest of: end of RAM, MAXMEM, and what highmem= or
// force_highmem= leave.
void find_low_pfn_range() {
    unsigned long maxmem = maxmem_pfn();
    max_pfn = PFN_DOWN(memblock_end_of_DRAM());
    max_low_pfn = max_pfn < maxmem ? max_pfn : maxmem;
    // Linux's lowmem_pfn_init: the RAM fits in lowmem, and highmem=SIZE takes
    // SIZE off its top, unless that leaves less than 64 MiB of lowmem.
    if (boot_opts.highmem_size && max_pfn <= maxmem) {
        unsigned long want = PFN_DOWN(boot_opts.highmem_size);
        if (want >= max_pfn) {
            printk("highmem size specified (%luMB) is bigger than pages available (%luMB)!\n",
                   want >> (20 - PAGE_SHIFT), max_pfn >> (20 - PAGE_SHIFT));
        } else if (max_low_pfn - want < PFN_DOWN(64 * SZ_1M)) {
            printk("highmem size %luMB results in less than 64MB lowmem, ignoring it.\n", want >> (20 - PAGE_SHIFT));
        } else {
            max_low_pfn -= want;
        }
    }
    // force_highmem=SIZE (not Linux's): lowmem ends SIZE below the end of RAM
    // whatever the machine, as long as 8 MiB of lowmem remain.
    if (boot_opts.force_highmem_size) {
        unsigned long want = PFN_DOWN(boot_opts.force_highmem_size);
        if (want >= max_pfn || PFN_PHYS(max_pfn - want) < MIN_LOWMEM) {
            printk("force_highmem=%lluM leaves less than %lluM of lowmem: ignored\n",
                   boot_opts.force_highmem_size >> 20, MIN_LOWMEM >> 20);
        } else if (max_pfn - want < max_low_pfn) {
            max_low_pfn = max_pfn - want;
        }
    }
    highstart_pfn = highend_pfn = max_low_pfn;
    if (max_pfn > max_low_pfn) highend_pfn = max_pfn;
    printk("%luMB HIGHMEM available.\n", (highend_pfn - highstart_pfn) >> (20 - PAGE_SHIFT));
    printk("%luMB LOWMEM available.\n", max_low_pfn >> (20 - PAGE_SHIFT));
    high_memory = __va(PFN_PHYS(max_low_pfn));
}

void choose_paging_mode() {
    const cpuinfo_x86& c = boot_cpu_data;
    if (boot_opts.want_pae) {
        if (!c.has_pae) panic("PAE requested (paging=pae) but this CPU has no PAE (CPUID.1:EDX bit 6)");
        kernel_paging_mode = paging_mode::pae;
        paging = &GEOMETRY_PAE;
    }
    u64 mask = ~(_PAGE_NX | _PAGE_GLOBAL);
    if (c.has_pge) mask |= _PAGE_GLOBAL;
    bool nx = pae_enabled() && c.has_nx && !boot_opts.noexec_off;
    if (nx) mask |= _PAGE_NX;
    __supported_pte_mask = mask;
    printk("Paging: %s, %u-byte entries, %u entries per page table\n", paging->name, paging->pte_size,
           paging->ptrs_per_pte);
    if (nx) printk("NX (Execute Disable) protection: active\n");
    else if (!pae_enabled()) printk("NX (Execute Disable) protection: unavailable without PAE\n");
    else if (!c.has_nx) printk("NX (Execute Disable) protection: missing in CPU\n");
    else printk("NX (Execute Disable) protection: disabled by noexec=off\n");
    printk("Global pages (PGE): %s\n", c.has_pge ? "on" : "missing in CPU");
}

void setup_memblock() {
    for (unsigned i = 0; i < e820_kernel.nr_entries; ++i) {
        const e820_entry& e = e820_kernel.entries[i];
        if (e.type != e820_type::ram) continue;
        phys_addr_t start = PFN_PHYS(PFN_UP(e.addr));
        phys_addr_t end = PFN_PHYS(PFN_DOWN(e.addr + e.size));
        if (end > start) memblock_add(start, end - start);
    }
    // Page 0 holds the real-mode IVT and BIOS data, and a zero physical address
    // must never name a real allocation.
    memblock_reserve(0, PAGE_SIZE);
    // The AP trampoline's page (below 1 MiB: a SIPI names it), as Linux's
    // reserve_real_mode; only when APs may be started.
    if (smp_may_start_aps()) memblock_reserve(SMP_TRAMPOLINE_PHYS, PAGE_SIZE);
    memblock_reserve(__pa(_text), __pa(_end) - __pa(_text));
    reserve_boot_modules();  // before anything is allocated over them
}

}  // namespace

void copy_multiboot_info(u32 magic, u32 mbi_phys) {
    if (magic != MULTIBOOT_BOOTLOADER_MAGIC)
        panic("not started by a Multiboot loader (EAX=%#x, expected %#x)", magic, MULTIBOOT_BOOTLOADER_MAGIC);
    if (!phys_is_direct_mapped(mbi_phys + sizeof(multiboot_info)))
        panic("Multiboot information at %#x is beyond the boot mapping", mbi_phys);
    saved_mbi = *static_cast<const multiboot_info*>(__va(mbi_phys));
    if (saved_mbi.flags & MULTIBOOT_INFO_CMDLINE)
        copy_c_string(boot_command_line, sizeof boot_command_line, saved_mbi.cmdline);
    if (saved_mbi.flags & MULTIBOOT_INFO_BOOT_LOADER_NAME)
        copy_c_string(boot_loader_name, sizeof boot_loader_name, saved_mbi.boot_loader_name);
    e820_from_multiboot(&saved_mbi);
    save_boot_modules(&saved_mbi);
}

void setup_arch() {
    identify_boot_cpu();
    print_cpu_info();
    choose_paging_mode();

    printk("BIOS-provided physical RAM map:\n");
    e820_print(e820_firmware, " BIOS-e820");
    u64 limit = paging->max_phys;
    if (boot_opts.mem_limit && boot_opts.mem_limit < limit) limit = boot_opts.mem_limit;
    e820_sanitize(limit);
    if (e820_ignored_ram) {
        if (limit == paging->max_phys && !pae_enabled())
            printk("Warning: %llu MiB of RAM above 4 GiB ignored: boot with paging=pae to use it\n",
                   e820_ignored_ram >> 20);
        else
            printk("%llu MiB of RAM ignored at and above %#llx (mem=)\n", e820_ignored_ram >> 20, limit);
    }

    highmem_pfn_init();
    setup_memblock();
    find_low_pfn_range();
    paging_init();
    pgd_init_kernel();
    map_boot_modules();
}
