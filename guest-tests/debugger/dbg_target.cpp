// The debugger's test guest: a small paged program that makes every event the
// debugger can stop on happen once, at a named function, so that the debugger's
// tests (emu/debug/tests) can break on each name and check what they see.
//
//   linear                      physical
//   0x00001000-0x003FFFFF  ->   identity, 4 KiB pages (page 0 unmapped)
//   0x40000000             ->   shared_page (read-write)     } three linear aliases
//   0x40001000             ->   shared_page (read-only)      } of one physical page,
//   identity address       ->   shared_page                  } counting the identity map
//   0x60000000             ->   not mapped until the #PF handler maps demand_page
//   0x80000000-0x803FFFFF  ->   one 4 MiB page at physical 0 (CR4.PSE)
//
// Order of events: alias writes and reads, a call, INVLPG and a CR3 reload,
// port I/O to 0x80, a demand page fault, a #UD that the handler skips, exit 0.
#include "machine_guest.hpp"

extern "C" void dbg_pf_stub();
extern "C" void dbg_ud_stub();

namespace {
constexpr uint32_t kP = 1, kRW = 2, kPS = 0x80;
constexpr uint32_t kAliasRw = 0x40000000, kAliasRo = 0x40001000, kDemand = 0x60000000, kLarge = 0x80000000;

alignas(4096) uint32_t pgdir[1024];
alignas(4096) uint32_t pt_low[1024];
alignas(4096) uint32_t pt_alias[1024];
alignas(4096) uint32_t pt_demand[1024];
alignas(4096) volatile uint8_t shared_page[4096];
alignas(4096) uint8_t demand_page[4096];

volatile uint32_t sink;
uint32_t alias_seen, leaf_result, demand_seen, large_seen;

uint32_t phys(const volatile void* p) { return reinterpret_cast<uint32_t>(p); }  // identity mapped

void build_page_tables() {
    for (uint32_t i = 1; i < 1024; ++i) pt_low[i] = (i << 12) | kP | kRW;
    pgdir[0] = phys(pt_low) | kP | kRW;
    pt_alias[0] = phys(shared_page) | kP | kRW;
    pt_alias[1] = phys(shared_page) | kP;
    pgdir[kAliasRw >> 22] = phys(pt_alias) | kP | kRW;
    pgdir[kDemand >> 22] = phys(pt_demand) | kP | kRW;
    pgdir[kLarge >> 22] = 0 | kP | kRW | kPS;
}

void enable_paging() {
    asm volatile(
        "mov %%cr4, %%eax\n"
        "or $0x10, %%eax\n"  // PSE
        "mov %%eax, %%cr4\n"
        "mov %0, %%cr3\n"
        "mov %%cr0, %%eax\n"
        "or $0x80000000, %%eax\n"
        "mov %%eax, %%cr0\n" ::"r"(phys(pgdir))
        : "eax", "memory");
}
}  // namespace

// Called from dbg_pf_stub with the faulting address: maps the demand page.
extern "C" void dbg_pf_handler() {
    uint32_t cr2;
    asm volatile("mov %%cr2, %0" : "=r"(cr2));
    if ((cr2 & ~0xFFFu) != kDemand) {
        bm::puts("dbg_target: unexpected #PF at ");
        bm::put_hex(cr2);
        bm::putc('\n');
        guest_exit(91);
    }
    demand_page[0] = 0x5A;
    pt_demand[0] = phys(demand_page) | kP | kRW;  // not present before: no flush needed
}

extern "C" {
__attribute__((noinline)) uint32_t dbg_leaf(uint32_t x) {
    sink = x;
    return x * 2 + 1;
}

__attribute__((noinline)) void dbg_alias_writes() {
    *reinterpret_cast<volatile uint32_t*>(kAliasRw + 0x10) = 0x11111111;
    *reinterpret_cast<volatile uint32_t*>(&shared_page[0x10]) = 0x22222222;  // the identity alias
    alias_seen = *reinterpret_cast<volatile uint32_t*>(kAliasRo + 0x10);
}

__attribute__((noinline)) void dbg_call_leaf() { leaf_result = dbg_leaf(20); }

__attribute__((noinline)) void dbg_tlb_ops() {
    asm volatile("invlpg (%0)" ::"r"(kAliasRw) : "memory");
    asm volatile("mov %%cr3, %%eax\n mov %%eax, %%cr3" ::: "eax", "memory");
}

__attribute__((noinline)) void dbg_port_io() { bm::outb(0x80, 0x42); }

__attribute__((noinline)) void dbg_demand_fault() { demand_seen = *reinterpret_cast<volatile uint8_t*>(kDemand); }

__attribute__((noinline)) void dbg_ud() { asm volatile("ud2"); }

// Physical 0x100000 holds the image's Multiboot header: its magic, through the 4 MiB page.
__attribute__((noinline)) void dbg_large_read() { large_seen = *reinterpret_cast<volatile uint32_t*>(kLarge + 0x100000); }
}

extern "C" uint32_t guest_main(uint32_t, const bm::MultibootInfo*) {
    bm::serial_init();
    mg::setup_gdt();
    mg::setup_idt();
    mg::set_gate(14, dbg_pf_stub);
    mg::set_gate(6, dbg_ud_stub);
    build_page_tables();
    enable_paging();
    dbg_alias_writes();
    dbg_call_leaf();
    dbg_tlb_ops();
    dbg_port_io();
    dbg_demand_fault();
    dbg_ud();
    dbg_large_read();
    unsigned failed = mg::check("read through the read-only alias", alias_seen, 0x22222222);
    failed += mg::check("dbg_leaf(20)", leaf_result, 41);
    failed += mg::check("demand page", demand_seen, 0x5A);
    failed += mg::check("4 MiB page", large_seen, 0x1BADB002);
    bm::puts(failed ? "dbg_target: FAILED\n" : "dbg_target: done\n");
    return failed;
}
