// Hostile guests for the torture suite (guest-tests/torture/CMakeLists.txt): each
// case, chosen by `case=N` on the command line, does something a careless
// emulator would crash, hang or get wrong on, checks what it can check from the
// inside, and exits 0 when every check held (1 otherwise). Cases that end the
// machine on purpose (a triple fault) say so before they do.
//
//   1 pt-random     random page tables (tables in RAM, in the directory itself and
//                   outside RAM), 20000 probes each predicted by a software walk
//   2 pt-self       a self-referencing directory: its window shows the tables,
//                   and a PTE written through it takes effect after INVLPG
//   3 pt-outside    tables outside RAM, then CR3 itself outside RAM (triple fault)
//   4 smc           self-modifying code at every distance
//   5 rep-fault     REP MOVS/STOS faulting at a page boundary, resumed by the handler
//   6 irq-loop      PIT at its shortest count interrupting a tight loop
//   7 stack-guard   a ring-0 stack running into its guard page: #PF, #DF, triple fault
//   8 stack-guard-task  the same with #DF as a task gate onto a good stack: caught
#include "machine_guest.hpp"

extern "C" {
void tt_pf_stub();
void tt_irq0_stub();
uint32_t tt_read(uint32_t lin);
void tt_write(uint32_t lin, uint32_t value);
uint32_t tt_smc_next_insn();
uint32_t tt_smc_next_block();
uint32_t tt_smc_same_insn();
uint32_t tt_smc_cached_fn();
uint32_t tt_smc_far_fn();
uint32_t tt_irq_loop(uint32_t n);
void tt_recurse();
[[noreturn]] void tt_run_on_stack(void (*fn)(), uint32_t esp);
extern const char tt_b0[], tt_b1[], tt_b2[], tt_b3[], tt_b4[], tt_b5[], tt_loop_end[];
}

namespace {

using bm::put_dec;
using bm::put_hex;
using bm::puts;

// ---------------------------------------------------------------- paging
constexpr uint32_t kIdentityTables = 8;  // 32 MiB identity mapped
constexpr uint32_t kScratchLo = 16u << 20, kScratchHi = 24u << 20;
constexpr uint32_t kRamTop = 64u << 20;  // the CTests run with -m 64M

alignas(4096) uint32_t pd[1024];
alignas(4096) uint32_t pts[kIdentityTables][1024];

void identity_tables() {
    for (uint32_t t = 0; t < kIdentityTables; ++t) {
        for (uint32_t i = 0; i < 1024; ++i) pts[t][i] = ((t << 22) | (i << 12)) | 3;
        pd[t] = reinterpret_cast<uint32_t>(pts[t]) | 3;
    }
}
void load_cr3(uint32_t v) { asm volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }
void flush_tlb() { asm volatile("mov %%cr3, %%eax\n mov %%eax, %%cr3" ::: "eax", "memory"); }
void invlpg(uint32_t lin) { asm volatile("invlpg (%0)" ::"r"(lin) : "memory"); }
void paging_on() {
    load_cr3(reinterpret_cast<uint32_t>(pd));
    asm volatile("mov %%cr0, %%eax\n or $0x80000000, %%eax\n mov %%eax, %%cr0" ::: "eax", "memory");
}
uint32_t read_cr2() {
    uint32_t v;
    asm volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}

// ---------------------------------------------------------------- #PF handling
struct Frame {
    uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
    uint32_t error, eip, cs, eflags;
};
enum class PfMode { Skip, MapIn };
volatile PfMode pf_mode = PfMode::Skip;
volatile uint32_t pf_count, pf_last_cr2, pf_last_ecx, pf_last_error;
volatile bool faulted;
uint32_t* mapin_pte[4];  // MapIn: PTEs to set present, in order
}  // namespace

extern "C" void tt_pf_c(Frame* f) {
    pf_count = pf_count + 1;
    pf_last_cr2 = read_cr2();
    pf_last_ecx = f->ecx;
    pf_last_error = f->error;
    if (pf_mode == PfMode::Skip) {
        faulted = true;
        f->eax = 0xFA17FA17;
        f->eip += 2;  // the probes' access instruction is 2 bytes long
        return;
    }
    for (auto& p : mapin_pte) {
        if (p && !(*p & 1)) {
            *p |= 1;
            invlpg(pf_last_cr2);
            return;
        }
    }
    puts("unexpected #PF at ");
    put_hex(pf_last_cr2);
    puts("\n");
    guest_exit(91);
}

namespace {

unsigned failures;
unsigned expect(const char* what, uint32_t got, uint32_t want) {
    if (got == want) return 0;
    puts("FAILED: ");
    puts(what);
    puts(": got ");
    put_hex(got);
    puts(", want ");
    put_hex(want);
    puts("\n");
    ++failures;
    return 1;
}

uint32_t rng_state = 0x12345678;
uint32_t rnd() {  // xorshift32: the same sequence on every run
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

void common_setup() {
    bm::serial_init();
    mg::setup_gdt();
    mg::setup_idt();
    mg::set_gate(14, tt_pf_stub);
}

// ---------------------------------------------------------------- 1 pt-random
// A page frame for a random entry: mostly scratch RAM (whose every dword is
// itself such an entry, so any walk through it stays in scratch or outside RAM),
// sometimes outside RAM.
uint32_t random_target() {
    static const uint32_t outside[] = {0x80000000, 0xE0000000, 0xC0000000, 0x7FFFF000, 0x04000000, 0x40000000};
    const uint32_t r = rnd();
    if (r % 8 < 6) return kScratchLo + ((r >> 8) % ((kScratchHi - kScratchLo) >> 12) << 12);
    return outside[(r >> 8) % (sizeof outside / sizeof outside[0])] + (((r >> 16) & 0xF) << 12);
}
uint32_t random_entry() { return random_target() | (rnd() & 0xFFF); }  // any flag bits, P included

bool in_identity(uint32_t phys) { return phys < (kIdentityTables << 22); }

int case_pt_random() {
    identity_tables();
    for (uint32_t a = kScratchLo; a < kScratchHi; a += 4) *reinterpret_cast<uint32_t*>(a) = random_entry();
    const uint32_t pd_phys = reinterpret_cast<uint32_t>(pd);
    for (uint32_t i = 16; i < 1024; ++i) {
        const uint32_t r = rnd() % 8;
        if (r == 0) pd[i] = pd_phys | 1 | (rnd() & 0xFFE);                             // self-reference
        else if (r == 1) pd[i] = reinterpret_cast<uint32_t>(pts[rnd() % 8]) | (rnd() & 0xFFF);  // shares an identity table
        else pd[i] = random_entry();
    }
    paging_on();
    uint32_t probes = 0, faults = 0, predicted = 0, outside = 0;
    for (; probes < 20000; ++probes) {
        const uint32_t lin = (16u << 22) + (rnd() % ((1024u - 16) << 10) << 12) + (rnd() & 0xFFC);
        const uint32_t pde = pd[lin >> 22];
        // The software walk: CR4.PSE is 0, so bit 7 of a PDE means nothing.
        bool known = true, present = (pde & 1) != 0;
        uint32_t leaf = 0;
        if (present) {
            const uint32_t table = pde & ~0xFFFu;
            if (!in_identity(table)) {
                known = false;
            } else {
                const uint32_t pte = reinterpret_cast<volatile uint32_t*>(table)[(lin >> 12) & 1023];
                present = (pte & 1) != 0;
                leaf = (pte & ~0xFFFu) | (lin & 0xFFF);
                if (present && !in_identity(leaf)) {
                    if (leaf < kRamTop) known = false;  // RAM we do not map: value unknown
                    else ++outside;
                }
            }
        }
        // Write only where the store cannot hit the guest itself or its tables.
        const bool write = known && present && leaf >= kScratchLo && leaf < kScratchHi && (rnd() & 1);
        const uint32_t value = random_entry();
        flush_tlb();
        faulted = false;
        uint32_t got = 0;
        if (write) tt_write(lin, value);
        else got = tt_read(lin);
        faults += faulted;
        if (!known) continue;
        ++predicted;
        if (faulted != !present) {
            expect(present ? "present page faulted" : "absent page read", faulted, !present);
            puts("  at linear ");
            put_hex(lin);
            puts("\n");
            if (failures > 5) return 1;
            continue;
        }
        if (!present || !in_identity(leaf)) continue;
        const uint32_t now = *reinterpret_cast<volatile uint32_t*>(leaf);  // after the walk's A/D updates
        if (write) expect("value written through the random mapping", now, value);
        else expect("value read through the random mapping", got, now);
        if (failures > 5) return 1;
    }
    puts("pt-random: ");
    put_dec(probes);
    puts(" probes, ");
    put_dec(faults);
    puts(" faults, ");
    put_dec(predicted);
    puts(" predicted by the software walk, ");
    put_dec(outside);
    puts(" through pages outside RAM\n");
    return failures ? 1 : 0;
}

// ---------------------------------------------------------------- 2 pt-self
int case_pt_self() {
    identity_tables();
    const uint32_t pd_phys = reinterpret_cast<uint32_t>(pd);
    pd[1023] = pd_phys | 3;
    paging_on();
    // The last 4 MiB show every page table; its last page is the directory.
    static const uint32_t dir_slots[] = {0, 1, 7, 1023}, table_slots[] = {0, 256, 1023};
    for (uint32_t i : dir_slots) expect("directory through its own window", tt_read(0xFFFFF000 + 4 * i), pd[i]);
    for (uint32_t j : table_slots) expect("table 0 through the window", tt_read(0xFFC00000 + 4 * j), pts[0][j]);
    expect("table 5 through the window", tt_read(0xFFC00000 + 5 * 4096 + 4 * 3), pts[5][3]);
    // Remap linear 0x007FF000 to scratch by writing its PTE through the window.
    const uint32_t lin = 0x007FF000;
    *reinterpret_cast<volatile uint32_t*>(kScratchLo) = 0x5E1F5E1F;
    const uint32_t before = tt_read(lin);
    tt_write(0xFFC00000 + (lin >> 12) * 4, kScratchLo | 3);
    invlpg(lin);
    expect("PTE written through the window", pts[1][1023], kScratchLo | 3);
    expect("the new mapping after INVLPG", tt_read(lin), 0x5E1F5E1F);
    expect("no fault", pf_count, 0);
    (void)before;
    puts(failures ? "pt-self: FAILED\n" : "pt-self: the directory maps itself\n");
    return failures ? 1 : 0;
}

// ---------------------------------------------------------------- 3 pt-outside
int case_pt_outside() {
    identity_tables();
    pd[40] = 0xE0000000 | 3;   // a table in unbacked physical space
    pd[41] = 0xFFFFF000 | 3;   // at the very top of 4 GiB
    pd[42] = 0x7FFFF000 | 7;   // just below 2 GiB
    paging_on();
    uint32_t faults = 0;
    for (uint32_t i = 40; i < 43; ++i) {
        for (uint32_t k = 0; k < 64; ++k) {
            faulted = false;
            const uint32_t lin = (i << 22) | ((rnd() & 1023) << 12) | (rnd() & 0xFFC);
            if (k & 1) tt_write(lin, 0x12345678);
            else (void)tt_read(lin);
            faults += faulted;
        }
    }
    puts("pt-outside: 192 probes through tables outside RAM survived (");
    put_dec(faults);
    puts(" faults)\n");
    puts("pt-outside: now CR3 outside RAM: the next fetch cannot be translated\n");
    load_cr3(0xF0000000);
    asm volatile("nop");
    puts("pt-outside: still running?!\n");
    return 1;
}

// ---------------------------------------------------------------- 4 smc
int case_smc() {
    expect("store into the next instruction", tt_smc_next_insn(), 42);
    expect("store into the next block", tt_smc_next_block(), 43);
    expect("an instruction rewriting its own immediate", tt_smc_same_insn(), 8);
    // A block decoded and run before, then rewritten.
    expect("cached function before", tt_smc_cached_fn(), 1);
    *reinterpret_cast<volatile uint32_t*>(reinterpret_cast<uint32_t>(&tt_smc_cached_fn) + 1) = 77;
    expect("cached function after its immediate changed", tt_smc_cached_fn(), 77);
    // Code on another page, rewritten through a second linear mapping of its frame.
    identity_tables();
    const uint32_t far = reinterpret_cast<uint32_t>(&tt_smc_far_fn);
    pd[256] = reinterpret_cast<uint32_t>(pts[7]) | 3;  // 0x40000000: PT 7, entry 0 -> far's frame
    pts[7][0] = (far & ~0xFFFu) | 3;
    paging_on();
    expect("far function before", tt_smc_far_fn(), 1);
    *reinterpret_cast<volatile uint32_t*>(0x40000000 + (far & 0xFFF) + 1) = 0xABCD;
    expect("far function after a store through an alias", tt_smc_far_fn(), 0xABCD);
    // The same page rewritten by a string instruction (REP MOVSB), run again.
    static const uint8_t mov_eax_99[] = {0xB8, 0x99, 0x00, 0x00, 0x00};
    uint32_t dst = far, src = reinterpret_cast<uint32_t>(mov_eax_99), n = sizeof mov_eax_99;
    asm volatile("cld\n rep movsb" : "+D"(dst), "+S"(src), "+c"(n)::"memory");
    expect("far function after REP MOVSB over it", tt_smc_far_fn(), 0x99);
    puts(failures ? "smc: FAILED\n" : "smc: every rewrite was seen\n");
    return failures ? 1 : 0;
}

// ---------------------------------------------------------------- 5 rep-fault
alignas(4096) uint8_t rep_area[4][4096];  // pages 1 and 3 start absent

int case_rep_fault() {
    identity_tables();
    const uint32_t base = reinterpret_cast<uint32_t>(rep_area);
    uint32_t* pte1 = &pts[(base + 4096) >> 22][((base + 4096) >> 12) & 1023];
    uint32_t* pte3 = &pts[(base + 3 * 4096) >> 22][((base + 3 * 4096) >> 12) & 1023];
    for (uint32_t i = 0; i < 4096; ++i) rep_area[0][i] = static_cast<uint8_t>(i * 7);
    *pte1 &= ~1u;
    paging_on();
    pf_mode = PfMode::MapIn;
    // STOSD from 64 bytes below the absent page: 16 stores, then the fault.
    mapin_pte[0] = pte1;
    uint32_t dst = base + 4096 - 64, n = 48;
    asm volatile("cld\n rep stosl" : "+D"(dst), "+c"(n) : "a"(0xC0FFEE00) : "memory");
    expect("REP STOSD: one #PF", pf_count, 1);
    expect("REP STOSD: CR2 = the first byte of the absent page", pf_last_cr2, base + 4096);
    expect("REP STOSD: ECX at the fault = stores left", pf_last_ecx, 48 - 16);
    expect("REP STOSD: write error code", pf_last_error, 2);
    expect("REP STOSD: ECX at the end", n, 0);
    expect("REP STOSD: EDI at the end", dst, base + 4096 - 64 + 48 * 4);
    expect("REP STOSD: last dword", *reinterpret_cast<uint32_t*>(base + 4096 + 124), 0xC0FFEE00);
    // MOVSB whose source crosses into page 1 (present now) and destination into absent page 3.
    *pte3 &= ~1u;
    invlpg(base + 3 * 4096);
    mapin_pte[0] = pte3;
    pf_count = 0;
    uint32_t src = base + 4096 - 100, d2 = base + 3 * 4096 - 5, m = 300;
    asm volatile("cld\n rep movsb" : "+D"(d2), "+S"(src), "+c"(m)::"memory");
    expect("REP MOVSB: one #PF", pf_count, 1);
    expect("REP MOVSB: CR2", pf_last_cr2, base + 3 * 4096);
    expect("REP MOVSB: ECX at the fault", pf_last_ecx, 300 - 5);
    expect("REP MOVSB: ECX at the end", m, 0);
    unsigned bad = 0;
    const uint8_t* from = reinterpret_cast<const uint8_t*>(base + 4096 - 100);
    const uint8_t* to = reinterpret_cast<const uint8_t*>(base + 3 * 4096 - 5);
    for (uint32_t i = 0; i < 300; ++i) bad += to[i] != from[i];
    expect("REP MOVSB: bytes copied wrongly", bad, 0);
    // Backwards (DF=1) into an absent page below.
    *pte1 &= ~1u;
    invlpg(base + 4096);
    mapin_pte[0] = pte1;
    pf_count = 0;
    uint32_t d3 = base + 2 * 4096 + 3, k = 16;
    asm volatile("std\n rep stosb\n cld" : "+D"(d3), "+c"(k) : "a"(0x5A) : "memory");
    expect("REP STOSB backwards: one #PF", pf_count, 1);
    expect("REP STOSB backwards: CR2 = the last byte of the absent page", pf_last_cr2, base + 2 * 4096 - 1);
    expect("REP STOSB backwards: ECX at the fault", pf_last_ecx, 16 - 4);
    expect("REP STOSB backwards: EDI at the end", d3, base + 2 * 4096 + 3 - 16);
    puts(failures ? "rep-fault: FAILED\n" : "rep-fault: every string instruction resumed exactly\n");
    return failures ? 1 : 0;
}

// ---------------------------------------------------------------- 6 irq-loop
volatile uint32_t irq_count, irq_hits[6], irq_inside_bad, irq_elsewhere;
}  // namespace

extern "C" void tt_irq0_c(Frame* f) {
    irq_count = irq_count + 1;
    const char* const starts[6] = {tt_b0, tt_b1, tt_b2, tt_b3, tt_b4, tt_b5};
    const uint32_t eip = f->eip;
    bool matched = false;
    for (unsigned i = 0; i < 6; ++i) {
        if (eip == reinterpret_cast<uint32_t>(starts[i])) {
            irq_hits[i] = irq_hits[i] + 1;
            matched = true;
        }
    }
    if (!matched) {
        if (eip > reinterpret_cast<uint32_t>(tt_b0) && eip < reinterpret_cast<uint32_t>(tt_loop_end)) irq_inside_bad = irq_inside_bad + 1;
        else irq_elsewhere = irq_elsewhere + 1;
    }
    bm::outb(0x20, 0x20);
}

namespace {

uint32_t loop_reference(uint32_t n) {
    uint32_t a = 0, d = 1;
    do {
        a += d;
        d = (d << 3) | (d >> 29);
        a ^= 0x55aa;
        ++d;
    } while (--n);
    return a;
}

int case_irq_loop() {
    mg::set_gate(0x20, tt_irq0_stub);
    mg::remap_pics(0x0001);
    // Mode 2 with count 2, the shortest the 8254 allows: an IRQ every 2 PIT ticks.
    bm::outb(0x43, 0x34);
    bm::outb(0x40, 2);
    bm::outb(0x40, 0);
    constexpr uint32_t kIterations = 300000;
    asm volatile("sti");
    const uint32_t sum = tt_irq_loop(kIterations);
    asm volatile("cli");
    expect("loop result under interrupts", sum, loop_reference(kIterations));
    expect("interrupts that returned into the middle of an instruction", irq_inside_bad, 0);
    uint32_t boundaries = 0;
    for (unsigned i = 0; i < 6; ++i) boundaries += irq_hits[i] != 0;
    puts("irq-loop: ");
    put_dec(irq_count);
    puts(" interrupts, at loop boundaries:");
    for (unsigned i = 0; i < 6; ++i) {
        puts(" ");
        put_dec(irq_hits[i]);
    }
    puts(" (");
    put_dec(boundaries);
    puts(" of 6 boundaries hit)\n");
    if (irq_count < 100) expect("interrupts at the shortest PIT count", irq_count >= 100, 1);
    return failures ? 1 : 0;
}

// ---------------------------------------------------------------- 7, 8 stack-guard
alignas(4096) uint8_t guarded_stack[4][4096];  // page 0 is the guard

struct __attribute__((packed)) Tss {
    uint32_t link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
    uint32_t eax, ecx, edx, ebx, esp, ebp, esi, edi;
    uint32_t es, cs, ss, ds, fs, gs, ldt;
    uint16_t trap, iomap;
};
Tss main_tss, df_tss;
alignas(16) uint8_t df_stack[8192];
alignas(8) uint64_t gdt[5];
uint32_t guard_lo, guard_hi;

uint64_t tss_desc(const Tss* t) {
    const uint32_t b = reinterpret_cast<uint32_t>(t), limit = sizeof(Tss) - 1;
    return (limit & 0xFFFF) | (uint64_t{b & 0xFFFFFF} << 16) | (uint64_t{0x89} << 40) | (uint64_t{b >> 24} << 56);
}

[[noreturn]] void df_task() {
    // Running as its own task: main_tss holds the faulting context.
    const uint32_t cr2 = read_cr2();
    puts("stack-guard-task: double fault caught in its own task; CR2 ");
    puts(cr2 >= guard_lo && cr2 < guard_hi ? "in the guard page" : "OUTSIDE the guard page");
    puts(", the old ESP ");
    puts(main_tss.esp >= guard_lo && main_tss.esp <= guard_hi + 16 ? "at the guard page" : "elsewhere");
    puts("\n");
    guest_exit(cr2 >= guard_lo && cr2 < guard_hi ? 0 : 1);
}

[[noreturn]] void recurse_forever() {
    tt_recurse();
    puts("stack-guard: the recursion returned?!\n");
    guest_exit(1);
}

int case_stack_guard(bool df_task_gate) {
    identity_tables();
    guard_lo = reinterpret_cast<uint32_t>(guarded_stack[0]);
    guard_hi = guard_lo + 4096;
    pts[guard_lo >> 22][(guard_lo >> 12) & 1023] &= ~1u;
    if (df_task_gate) {
        gdt[1] = 0x00CF9A000000FFFFull;
        gdt[2] = 0x00CF92000000FFFFull;
        gdt[3] = tss_desc(&main_tss);
        gdt[4] = tss_desc(&df_tss);
        struct __attribute__((packed)) {
            uint16_t limit;
            uint32_t base;
        } gp{sizeof gdt - 1, reinterpret_cast<uint32_t>(gdt)};
        asm volatile("lgdt %0\n ljmp $0x08, $1f\n 1: mov $0x18, %%ax\n ltr %%ax" ::"m"(gp) : "eax", "memory");
        df_tss.cr3 = reinterpret_cast<uint32_t>(pd);
        df_tss.eip = reinterpret_cast<uint32_t>(&df_task);
        df_tss.eflags = 0x2;
        df_tss.esp = reinterpret_cast<uint32_t>(df_stack + sizeof df_stack);
        df_tss.cs = 0x08;
        df_tss.es = df_tss.ss = df_tss.ds = df_tss.fs = df_tss.gs = 0x10;
        df_tss.iomap = sizeof(Tss);
        main_tss.iomap = sizeof(Tss);
        // IDT vector 8: a task gate to TSS 0x20.
        struct __attribute__((packed)) {
            uint16_t limit;
            uint32_t base;
        } ip;
        asm volatile("sidt %0" : "=m"(ip));
        uint32_t* gate = reinterpret_cast<uint32_t*>(ip.base + 8 * 8);
        gate[0] = 0x0020u << 16;
        gate[1] = 0x8500;
    }
    paging_on();
    puts(df_task_gate ? "stack-guard-task" : "stack-guard");
    puts(": recursing into the guard page at ");
    put_hex(guard_lo);
    puts("\n");
    tt_run_on_stack(recurse_forever, reinterpret_cast<uint32_t>(guarded_stack[3]) + 4096);
}

}  // namespace

extern "C" uint32_t guest_main(uint32_t, const bm::MultibootInfo* mbi) {
    common_setup();
    switch (bm::cmdline_uint(mbi, "case", 0)) {
        case 1: return case_pt_random();
        case 2: return case_pt_self();
        case 3: return case_pt_outside();
        case 4: return case_smc();
        case 5: return case_rep_fault();
        case 6: return case_irq_loop();
        case 7: return case_stack_guard(false);
        case 8: return case_stack_guard(true);
        default:
            puts("torture: no such case (case=1..8)\n");
            return 2;
    }
}
