// The x87 as threads see it: lazy switching (CR0.TS, #NM) keeps each thread's
// registers and control word across preemptions, a new thread starts from
// FNINIT's state, unmasked exceptions reach the thread through #MF or (CR0.NE
// clear) IRQ 13, and the save/restore instructions round-trip in their 16-
// and 32-bit forms. The kernel is built without x87 code (-mno-80387), so the
// x87 registers hold only what these cases put there, across C++ statements.
//
// No expected value is a guess: computed results are compared with the same
// computation redone without context switches, states with what FNINIT or the
// other form of an instruction produced.
//
// The suite also runs under QEMU (ktest.x87), whose TCG x87 (7.2, Debian 12)
// departs from the SDM in four ways seen here: FOP is never recorded; an
// unmasked exception still writes its result; FRSTOR/FLDENV do not load the
// instruction and operand pointers and the 16-bit images hold them as zero;
// and FERR# (CR0.NE clear) aborts QEMU itself ("tcg_handle_interrupt:
// assertion failed: (qemu_mutex_iothread_locked())"). Those checks run where
// the x87 is exact (hm386, told by its diagnostic device); the rest everywhere.
#include <asm/fpu.hpp>
#include <asm/irq.hpp>
#include <asm/irqflags.hpp>
#include <asm/processor.hpp>
#include <kernel/jiffies.hpp>
#include <kernel/preempt.hpp>
#include <kernel/sched.hpp>
#include <kernel/string.hpp>

#include <asm/smp.hpp>

#include "ktest.hpp"

namespace {

// Status word bits (SDM vol. 1, 8.1.3).
constexpr u16 SW_ZE = 1u << 2, SW_PE = 1u << 5, SW_ES = 1u << 7, SW_B = 1u << 15;
constexpr u16 SW_C0_C2_C3 = (1u << 8) | (1u << 10) | (1u << 14);  // undefined after FDIV
constexpr u16 sw_top(unsigned top) { return static_cast<u16>(top << 11); }
// Control words: all exceptions masked (3Fh; bit 6 reads as 1) with a
// precision and rounding.
constexpr u16 CW_DEFAULT = 0x037F;                // FNINIT: 64 bits, nearest
constexpr u16 CW_SINGLE_UP = 0x007F | 0x0800;     // 24 bits, round up
constexpr u16 CW_EXTENDED_CHOP = 0x037F | 0x0C00; // 64 bits, toward zero
constexpr u16 CW_DOUBLE_UP = 0x027F | 0x0800;     // 53 bits, round up
constexpr u16 CW_ZE_UNMASKED = CW_DEFAULT & ~SW_ZE;  // divide-by-zero unmasked (bit 2 in both words)

const u32 k_three = 3;
const u32 k_zero_f32 = 0;  // +0.0f

bool exact_x87() { return ktest::diag_present(); }

// Save images equal; under QEMU without the pointer bytes [lo, hi).
bool same_image(const u8* a, const u8* b, size_t n, size_t lo, size_t hi) {
    if (exact_x87()) return memcmp(a, b, n) == 0;
    return memcmp(a, b, lo) == 0 && memcmp(a + hi, b + hi, n - hi) == 0;
}
constexpr size_t kPtr32Lo = 12, kPtr32Hi = 28, kPtr16Lo = 6, kPtr16Hi = 14;

struct Env32 {
    u32 cw, sw, tw, fip;
    u16 fcs, fop;
    u32 fdp, fds;
};
static_assert(sizeof(Env32) == 28);

Env32 fnstenv() {
    Env32 e;
    asm volatile("fnstenv %0\n\tfldcw %0" : "=m"(e));  // FNSTENV masks everything: put the CW back
    return e;
}

// --- the chain two threads compute -----------------------------------------
// ST0 = s, ST1 = acc, ST2 = d = 1/3 (rounded under the thread's control word);
// each step: s += d; acc += sqrt(s). Nothing converges, so a state lost or
// mixed up at any switch changes the end result for good.
constexpr unsigned kStepsPerRound = 200;

struct Chain {
    u16 cw;
    volatile bool stop;
    unsigned rounds;
    u8 s[10], acc[10];
    u16 final_cw, final_sw;
    unsigned long switches;  // involuntary switches while computing
};

void chain_begin(u16 cw) {
    asm volatile("fninit\n\tfldcw %0\n\tfld1\n\tfidivl %1\n\tfldz\n\tfldz" ::"m"(cw), "m"(k_three));
}

void chain_round() {
    asm volatile(
        "mov %0, %%ecx\n"
        "1:\tfadd %%st(2), %%st\n\t"
        "fld %%st(0)\n\t"
        "fsqrt\n\t"
        "faddp %%st, %%st(2)\n\t"
        "dec %%ecx\n\t"
        "jnz 1b" ::"i"(kStepsPerRound)
        : "ecx", "cc");
}

void chain_end(Chain& c) {
    asm volatile("fnstcw %0\n\tfnstsw %1\n\tfstpt %2\n\tfstpt %3\n\tfstp %%st(0)"
                 : "=m"(c.final_cw), "=m"(c.final_sw), "=m"(c.s), "=m"(c.acc));
}

int chain_thread(void* arg) {
    auto* c = static_cast<Chain*>(arg);
    unsigned long start = current->nivcsw;
    chain_begin(c->cw);
    while (!c->stop) {
        chain_round();
        ++c->rounds;
    }
    chain_end(*c);
    c->switches = current->nivcsw - start;
    return 0;
}

// The same computation in one go, preemption off: no switch in the middle.
void chain_reference(u16 cw, unsigned rounds, Chain& out) {
    PreemptGuard no_switches;
    out.cw = cw;
    chain_begin(cw);
    for (unsigned r = 0; r < rounds; ++r) chain_round();
    chain_end(out);
}

}  // namespace

// A stop for the gdb batch test (emu/debug/tests/gdb_batch_test.sh), which
// reads and writes the x87 registers here: the control word is CW_SINGLE_UP
// (0x087f), ST(1) = pi, ST(0) = 1/3 (from FIDIV m32int: FOP DA /6, FDP k_three).
extern "C" [[gnu::noinline]] void x87_state_loaded() { asm volatile("" ::: "memory"); }

KTEST(x87, new_thread_starts_from_the_fninit_state) {
    // Leave a state behind that a careless switch would hand on.
    asm volatile("fninit\n\tfldcw %0\n\tfldpi\n\tfld1\n\tfidivl %1" ::"m"(CW_SINGLE_UP), "m"(k_three));
    x87_state_loaded();
    Env32 mine_before = fnstenv();
    struct Seen {
        Env32 first, after_fninit;
    } seen{};
    task_struct* t = kthread_run(
        [](void* arg) {
            auto* s = static_cast<Seen*>(arg);
            s->first = fnstenv();  // the thread's very first x87 instruction: #NM, then its fresh state
            asm volatile("fninit");
            s->after_fninit = fnstenv();
            return 0;
        },
        &seen, "ktest-x87-new");
    ASSERT_NOT_NULL(t);
    EXPECT_EQ(kthread_join(t), 0);
    put_task_struct(t);
    EXPECT_EQ(seen.first.cw & 0xFFFF, seen.after_fninit.cw & 0xFFFF);
    EXPECT_EQ(seen.first.sw & 0xFFFF, seen.after_fninit.sw & 0xFFFF);
    EXPECT_EQ(seen.first.tw & 0xFFFF, seen.after_fninit.tw & 0xFFFF);
    EXPECT_EQ(seen.after_fninit.cw & 0xFFFF, CW_DEFAULT);  // SDM vol. 1, 8.1.5
    // This thread got its own state back: two registers, 24-bit precision, PE.
    Env32 mine_after = fnstenv();
    EXPECT_EQ(mine_after.cw & 0xFFFF, CW_SINGLE_UP);
    EXPECT_EQ(mine_after.sw & 0xFFFF, mine_before.sw & 0xFFFF);
    EXPECT_EQ(mine_after.tw & 0xFFFF, mine_before.tw & 0xFFFF);
    EXPECT_NE(mine_after.sw & SW_PE, 0u);
    asm volatile("fninit");
}

KTEST_TIMEOUT(x87, control_words_survive_context_switches, 60000) {
    constexpr unsigned kMinSwitches = 10;
    Chain a{}, b{};
    a.cw = CW_SINGLE_UP;
    b.cw = CW_EXTENDED_CHOP;
    fpu_counters before = fpu_stats;
    // Both on one CPU, so that they preempt each other (threads alone on
    // their CPUs would never be switched out).
    const unsigned cpu = smp_processor_id();
    task_struct* ta = ktest::kthread_run_on(chain_thread, &a, "ktest-x87-a", cpu);
    task_struct* tb = ktest::kthread_run_on(chain_thread, &b, "ktest-x87-b", cpu);
    ASSERT_NOT_NULL(ta);
    ASSERT_NOT_NULL(tb);
    // Let both be preempted (by each other) often enough; give up after 20 s.
    u64 deadline = get_jiffies_64() + 20 * HZ;
    while ((ta->nivcsw < kMinSwitches || tb->nivcsw < kMinSwitches) && get_jiffies_64() < deadline) msleep(20);
    a.stop = true;
    b.stop = true;
    EXPECT_EQ(kthread_join(ta), 0);
    EXPECT_EQ(kthread_join(tb), 0);
    put_task_struct(ta);
    put_task_struct(tb);
    EXPECT_GE(a.switches, kMinSwitches);
    EXPECT_GE(b.switches, kMinSwitches);
    // Each switch from one to the other moved the x87 state lazily.
    EXPECT_GE(fpu_stats.saves - before.saves, kMinSwitches);
    EXPECT_GE(fpu_stats.restores - before.restores, kMinSwitches);
    EXPECT_GE(fpu_stats.nm_traps - before.nm_traps, 2 * kMinSwitches);

    Chain ra{}, rb{};
    chain_reference(a.cw, a.rounds, ra);
    chain_reference(b.cw, b.rounds, rb);
    EXPECT_EQ(memcmp(a.s, ra.s, 10), 0);
    EXPECT_EQ(memcmp(a.acc, ra.acc, 10), 0);
    EXPECT_EQ(memcmp(b.s, rb.s, 10), 0);
    EXPECT_EQ(memcmp(b.acc, rb.acc, 10), 0);
    EXPECT_EQ(a.final_cw, CW_SINGLE_UP);
    EXPECT_EQ(b.final_cw, CW_EXTENDED_CHOP);
    EXPECT_EQ(a.final_sw, ra.final_sw);
    EXPECT_EQ(b.final_sw, rb.final_sw);
    // The control words matter to this computation: a mix-up would show.
    Chain one_a{}, one_b{};
    chain_reference(CW_SINGLE_UP, 1, one_a);
    chain_reference(CW_EXTENDED_CHOP, 1, one_b);
    EXPECT_NE(memcmp(one_a.acc, one_b.acc, 10), 0);
    Chain one_d{};
    chain_reference(CW_DOUBLE_UP, 1, one_d);
    EXPECT_NE(memcmp(one_a.acc, one_d.acc, 10), 0);
    EXPECT_NE(memcmp(one_b.acc, one_d.acc, 10), 0);
}

namespace {
// FDIV of 1 by a +0.0f memory operand with ZE unmasked, then FWAIT (the
// waiting instruction that reports it). Returns the FDIVS address; *one_bits
// gets 1.0 as FLD1 stored it and *st0_bits what ST0 holds afterwards (an
// unmasked exception leaves the destination alone).
u32 divide_by_zero_unmasked(u64* one_bits, u64* st0_bits) {
    u32 fip;
    asm volatile(
        "fninit\n\t"
        "fldcw %[cw]\n\t"
        "fld1\n\t"
        "fstl %[one]\n\t"
        "movl $1f, %[fip]\n"
        "1:\tfdivs %[zero]\n\t"
        "fwait\n\t"
        "fstpl %[st0]"
        : [fip] "=&r"(fip), [one] "=m"(*one_bits), [st0] "=m"(*st0_bits)
        : [cw] "m"(CW_ZE_UNMASKED), [zero] "m"(k_zero_f32)
        : "memory");
    return fip;
}

void check_divide_by_zero_report(const fpu_fault& f, u32 fip, unsigned via) {
    EXPECT_EQ(f.via, via);
    // ZE with the summary bits, TOP 7 (one push); C1 clear, C0/C2/C3 undefined.
    EXPECT_EQ(f.sw & ~SW_C0_C2_C3, SW_ZE | SW_ES | SW_B | sw_top(7));
    EXPECT_EQ(f.cw, CW_ZE_UNMASKED);
    EXPECT_EQ(f.fip, fip);
    EXPECT_EQ(f.fdp, reinterpret_cast<u32>(&k_zero_f32));
    if (!exact_x87()) return;
    EXPECT_EQ(f.fop >> 8, 0u);        // D8 (the low three bits of the escape)
    EXPECT_EQ((f.fop >> 3) & 7, 6u);  // /6: FDIV m32fp
}
}  // namespace

KTEST(x87, unmasked_exception_reaches_the_thread_through_mf) {
    ASSERT_NE(read_cr0() & X86_CR0_NE, 0u);
    ktest::ConsoleCapture capture;
    fpu_fault& f = current->fpu.fault;
    unsigned count = f.count;
    u64 mf = fpu_stats.mf_reports;
    u64 one = 0, st0 = 1;
    u32 fip = divide_by_zero_unmasked(&one, &st0);
    EXPECT_EQ(f.count, count + 1);
    EXPECT_EQ(fpu_stats.mf_reports, mf + 1);
    check_divide_by_zero_report(f, fip, FPU_FAULT_VIA_MF);
    if (exact_x87()) EXPECT_EQ(st0, one);
    EXPECT_OUTPUT(capture, " via #MF: sw ");
    asm volatile("fninit");
}

KTEST(x87, unmasked_exception_reaches_the_thread_through_irq13_without_cr0_ne) {
    KTEST_REQUIRE(exact_x87(), "hm386 only, told by its diagnostic device: QEMU 7.2 aborts when FERR# raises IRQ 13");
    // IRQ 13 is delivered to the BSP, and CR0.NE is this CPU's: stay there.
    ktest::PinCpu on_the_bsp(0);
    fpu_fault& f = current->fpu.fault;
    unsigned count = f.count;
    u64 irqs = irq_count(FPU_IRQ);
    u64 mf = fpu_stats.mf_reports;
    u64 one = 0, st0 = 1;
    {
        IrqSaveGuard guard;
        write_cr0(read_cr0() & ~X86_CR0_NE);
    }
    u32 fip = divide_by_zero_unmasked(&one, &st0);
    // FERR# reaches the PIC when the exception is raised or at the FWAIT; the
    // interrupt may arrive a few instructions later.
    u64 deadline = get_jiffies_64() + HZ / 10 + 1;
    while (f.count == count && get_jiffies_64() <= deadline) cpu_relax();
    {
        IrqSaveGuard guard;
        write_cr0(read_cr0() | X86_CR0_NE);
    }
    EXPECT_EQ(f.count, count + 1);
    EXPECT_EQ(irq_count(FPU_IRQ), irqs + 1);
    EXPECT_EQ(fpu_stats.mf_reports, mf);
    check_divide_by_zero_report(f, fip, FPU_FAULT_VIA_IRQ13);
    EXPECT_EQ(st0, one);
    asm volatile("fninit");
}

namespace {
// A state with five registers in use, an empty one between them, a sticky
// PE, 53-bit precision rounding up, and last-instruction/operand pointers from
// a memory operand.
void load_varied_state() {
    asm volatile(
        "fninit\n\tfldcw %0\n\tfldpi\n\tfldl2e\n\tfld1\n\tfidivl %1\n\tfldlg2\n\tfldz\n\tfchs\n\t"
        "ffree %%st(2)\n\tfld1\n\tfimull %1" ::"m"(CW_DOUBLE_UP),
        "m"(k_three));
}
struct Regs80 {
    u8 r[8][10];
};
}  // namespace

KTEST(x87, fnsave_frstor_round_trip_in_both_sizes) {
    alignas(4) u8 a[108], b[108], c[94], d[94];
    load_varied_state();
    Env32 live = fnstenv();
    asm volatile("fnsave %0" : "=m"(a));
    Env32 after_save = fnstenv();  // FNSAVE reinitialises the FPU
    asm volatile("fninit");
    Env32 init = fnstenv();
    EXPECT_EQ(after_save.cw & 0xFFFF, init.cw & 0xFFFF);
    EXPECT_EQ(after_save.sw & 0xFFFF, init.sw & 0xFFFF);
    EXPECT_EQ(after_save.tw & 0xFFFF, init.tw & 0xFFFF);
    asm volatile("frstor %1\n\tfnsave %0" : "=m"(b) : "m"(a));
    EXPECT_TRUE(same_image(a, b, sizeof a, kPtr32Lo, kPtr32Hi));
    // The 32-bit image holds what FNSTENV saw.
    Env32 img;
    memcpy(&img, a, sizeof img);
    EXPECT_EQ(img.cw & 0xFFFF, live.cw & 0xFFFF);
    EXPECT_EQ(img.sw & 0xFFFF, live.sw & 0xFFFF);
    EXPECT_EQ(img.tw & 0xFFFF, live.tw & 0xFFFF);
    EXPECT_EQ(img.fip, live.fip);
    EXPECT_EQ(img.fdp, live.fdp);
    EXPECT_EQ(img.fdp, reinterpret_cast<u32>(&k_three));
    EXPECT_NE(img.sw & SW_PE, 0u);

    // 16-bit forms (operand-size prefix): 94 bytes, the same registers.
    asm volatile("frstor %1\n\t.byte 0x66\n\tfnsave %0" : "=m"(c) : "m"(a));
    asm volatile(".byte 0x66\n\tfrstor %1\n\t.byte 0x66\n\tfnsave %0" : "=m"(d) : "m"(c));
    EXPECT_TRUE(same_image(c, d, sizeof c, kPtr16Lo, kPtr16Hi));
    u16 c_words[7];
    memcpy(c_words, c, sizeof c_words);
    EXPECT_EQ(c_words[0], live.cw & 0xFFFF);
    EXPECT_EQ(c_words[1], live.sw & 0xFFFF);
    EXPECT_EQ(c_words[2], live.tw & 0xFFFF);
    if (exact_x87()) {
        EXPECT_EQ(c_words[3], live.fip & 0xFFFF);
        EXPECT_EQ(c_words[5], live.fdp & 0xFFFF);
    }
    EXPECT_EQ(memcmp(c + 14, a + 28, 80), 0);

    // Restored from the 16-bit image, the registers hold what was loaded.
    Regs80 from16{}, from32{};
    asm volatile(".byte 0x66\n\tfrstor %0" ::"m"(c));
    Env32 restored16 = fnstenv();
    asm volatile("frstor %0" ::"m"(a));
    Env32 restored32 = fnstenv();
    EXPECT_EQ(restored16.cw & 0xFFFF, restored32.cw & 0xFFFF);
    EXPECT_EQ(restored16.sw & 0xFFFF, restored32.sw & 0xFFFF);
    EXPECT_EQ(restored16.tw & 0xFFFF, restored32.tw & 0xFFFF);
    // ST(0)..ST(7) through FSTP m80 (the FFREE'd register stores the
    // indefinite with IE masked: the same on both sides).
    asm volatile(".byte 0x66\n\tfrstor %0" ::"m"(c));
    for (auto& r : from16.r) asm volatile("fstpt %0" : "=m"(r));
    asm volatile("frstor %0" ::"m"(a));
    for (auto& r : from32.r) asm volatile("fstpt %0" : "=m"(r));
    EXPECT_EQ(memcmp(&from16, &from32, sizeof from16), 0);
    asm volatile("fninit");
}

KTEST(x87, fnstenv_fldenv_round_trip_in_both_sizes) {
    alignas(4) u8 e[28], g[28], h[14], k[14];
    load_varied_state();
    asm volatile("fnstenv %0\n\tfldcw %0" : "=m"(e));
    asm volatile("fldenv %1\n\tfnstenv %0\n\tfldcw %0" : "=m"(g) : "m"(e));
    EXPECT_TRUE(same_image(e, g, sizeof e, kPtr32Lo, kPtr32Hi));
    asm volatile(".byte 0x66\n\tfnstenv %0\n\tfldcw %0" : "=m"(h));
    asm volatile(".byte 0x66\n\tfldenv %1\n\t.byte 0x66\n\tfnstenv %0\n\tfldcw %0" : "=m"(k) : "m"(h));
    EXPECT_TRUE(same_image(h, k, sizeof h, kPtr16Lo, kPtr16Hi));
    u16 hw[7];
    Env32 ew;
    memcpy(hw, h, sizeof hw);
    memcpy(&ew, e, sizeof ew);
    EXPECT_EQ(hw[0], ew.cw & 0xFFFF);
    EXPECT_EQ(hw[1], ew.sw & 0xFFFF);
    EXPECT_EQ(hw[2], ew.tw & 0xFFFF);
    if (exact_x87()) {
        EXPECT_EQ(hw[3], ew.fip & 0xFFFF);
        EXPECT_EQ(hw[5], ew.fdp & 0xFFFF);
    }
    // FLDENV takes the tag word from memory: marked all empty, ST(0) is empty.
    Env32 empty;
    memcpy(&empty, e, sizeof empty);
    empty.tw = 0xFFFF;
    asm volatile("fldenv %0" ::"m"(empty));
    u16 sw;
    asm volatile("fxam\n\tfnstsw %0" : "=m"(sw));
    EXPECT_EQ(sw & 0x4500, 0x4100);  // C3 = 1, C2 = 0, C0 = 1: empty (SDM FXAM table)
    asm volatile("fninit");
}

KTEST(x87, pending_exception_survives_fnsave_and_fires_after_frstor) {
    alignas(4) u8 img[108], after[108];
    fpu_fault& f = current->fpu.fault;
    unsigned count = f.count;
    // Raise ZE unmasked and save without waiting: the image keeps it pending.
    asm volatile("fninit\n\tfldcw %1\n\tfld1\n\tfdivs %2\n\tfnsave %0"
                 : "=m"(img)
                 : "m"(CW_ZE_UNMASKED), "m"(k_zero_f32));
    EXPECT_EQ(f.count, count);  // FNSAVE does not report it
    u16 img_sw;
    memcpy(&img_sw, img + 4, 2);
    EXPECT_EQ(img_sw & (SW_ZE | SW_ES), SW_ZE | SW_ES);
    // FRSTOR brings it back; the next waiting instruction reports it.
    asm volatile("frstor %0\n\tfwait" ::"m"(img));
    EXPECT_EQ(f.count, count + 1);
    EXPECT_EQ(f.sw, img_sw);
    // FSAVE (the waiting form) reports a pending exception before saving.
    asm volatile("frstor %1\n\tfsave %0" : "=m"(after) : "m"(img));
    EXPECT_EQ(f.count, count + 2);
    u16 after_sw;
    memcpy(&after_sw, after + 4, 2);
    EXPECT_EQ(after_sw & (SW_ZE | SW_ES), 0u);
    asm volatile("fninit");
}
