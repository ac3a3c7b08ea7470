// The architectural state of the x86-32 CPU as plain data: no behaviour lives
// here, so the machine, the debugger, snapshots and tests can read and edit it
// freely between calls to Cpu::run. The MMU holds references to `cr` and `cycles`.
//
// Layout choices that the interpreter depends on:
//   * r[0..7] are EAX..EDI; r[8] is always zero, so an addressing form without a
//     base or index register still reads "a register" (no branch).
//   * Byte registers (AL..BH) are addressed as bytes of r[]: the host is
//     little-endian, so AL is byte 0 of r[0] and AH is byte 1 (see byte_reg_index).
//   * The arithmetic flags are lazy: `lazy` says how to compute CF/PF/AF/ZF/SF/OF
//     from the last flag-setting operation; `eflags` holds every other bit, and
//     the arithmetic bits too when lazy.kind == FlagKind::None (see flags.hpp).
//   * A segment register keeps its descriptor cache with two precomputed bounds
//     (read_end/write_end) so the hot path checks a limit, the segment type and
//     usability with one compare (see segment.hpp).
#pragma once
#include <bit>

#include "core/types.hpp"
#include "cpu/cpu_model.hpp"
#include "cpu/fpu/float80.hpp"
#include "mmu/mmu.hpp"

namespace hm {

static_assert(std::endian::native == std::endian::little, "byte registers assume a little-endian host");

namespace reg {
constexpr u8 EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;
constexpr u8 kNone = 8;  // the always-zero slot
}  // namespace reg

// Segment register numbers, in the ModRM sreg encoding order.
namespace sreg {
constexpr u8 ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;
}  // namespace sreg

namespace flag {
constexpr u32 CF = 1u << 0, PF = 1u << 2, AF = 1u << 4, ZF = 1u << 6, SF = 1u << 7;
constexpr u32 TF = 1u << 8, IF = 1u << 9, DF = 1u << 10, OF = 1u << 11;
constexpr u32 IOPL = 3u << 12, NT = 1u << 14, RF = 1u << 16, VM = 1u << 17, AC = 1u << 18;
constexpr u32 VIF = 1u << 19, VIP = 1u << 20, ID = 1u << 21;
constexpr u32 kArith = CF | PF | AF | ZF | SF | OF;
constexpr u32 kFixed1 = 1u << 1;  // always reads as 1
// Bits a guest can ever see set (a P6-class CPU without VME: VIF/VIP stay 0).
constexpr u32 kImplemented = kArith | TF | IF | DF | OF | IOPL | NT | RF | VM | AC | ID | kFixed1;
}  // namespace flag

// How the arithmetic flags follow from the last flag-setting operation. Operands
// and results of 8- and 16-bit operations are stored sign-extended to 32 bits, so
// every formula below works at bit 31 whatever the operand size (sign extension
// copies bit n-1 upwards, and the carry/overflow vectors are bitwise).
enum class FlagKind : u8 {
    None,      // all six flags are in CpuState::eflags
    Logic,     // AND/OR/XOR/TEST: CF = OF = 0, AF = 0 (undefined on hardware)
    Add,       // res = a + b
    Adc,       // res = a + b + carry-in
    Sub,       // res = a - b (also CMP, NEG as 0 - b)
    Sbb,       // res = a - b - borrow-in
    Inc,       // res = a + 1; CF is kept in b
    Dec,       // res = a - 1; CF is kept in b
    Explicit,  // ZF/SF/PF from res; CF, AF and OF are given as eflags bits in a
};

struct LazyFlags {
    u32 res = 0;
    u32 a = 0;
    u32 b = 0;
    FlagKind kind = FlagKind::None;
};

// A segment register with its hidden descriptor cache.
struct Segment {
    u16 selector = 0;
    // Descriptor attributes in the VMX "access rights" layout: bits 0-3 type,
    // 4 S, 5-6 DPL, 7 P (descriptor bits 40-47), 12 AVL, 14 D/B, 15 G
    // (descriptor bits 52-55), and bit 16 = unusable (a null selector was loaded).
    u32 attr = 0;
    u32 base = 0;
    u32 limit = 0;  // in bytes (granularity applied)
    // Fast-path bounds: an access of `size` bytes at offset ea passes without the
    // slow check iff ea + size <= read_end (or write_end). They are 0 whenever the
    // slow path must decide: unusable, not readable/writable, expand-down, or
    // data breakpoints armed. Kept in sync by segment.cpp.
    u64 read_end = 0;
    u64 write_end = 0;
};

namespace seg_attr {
constexpr u32 kTypeMask = 0xF, kS = 1u << 4, kDplShift = 5, kDplMask = 3u << 5, kP = 1u << 7;
constexpr u32 kAvl = 1u << 12, kDB = 1u << 14, kG = 1u << 15, kUnusable = 1u << 16;
// Type bits for code/data (S = 1) descriptors.
constexpr u32 kAccessed = 1, kWritable = 2, kReadable = 2, kExpandDown = 4, kConforming = 4, kCode = 8;
}  // namespace seg_attr

struct DescriptorTableReg {
    u32 base = 0;
    u16 limit = 0xFFFF;
};

// The x87 FPU as plain data (SDM vol. 1 ch. 8). Values are those after RESET
// (SDM vol. 3 table 9-1). The registers are the physical R0..R7; ST(i) is
// st[(top + i) & 7], and TOP lives in bits 13..11 of `sw` as the status word
// shows it. `tag` holds the architectural tag word (2 bits per physical
// register, 11 = empty).
struct FpuState {
    fpu::Float80 st[8];
    u16 cw = 0x0040;
    u16 sw = 0;
    u16 tag = 0x5555;
    u16 fop = 0;  // last non-control opcode: bits 10..0 (low 3 bits of the first byte, then ModRM)
    u16 fcs = 0;  // last instruction pointer (selector:offset)
    u32 fip = 0;
    u16 fds = 0;  // last data pointer (selector:offset)
    u32 fdp = 0;
    // MS-DOS compatibility mode (CR0.NE = 0) pins: FERR# is asserted while an
    // unmasked exception is pending; IGNNE# (driven by the chipset after a write
    // to port F0h) lets waiting instructions proceed despite it.
    bool ferr = false;
    bool ignne = false;
};

namespace msr_bit {
constexpr u64 kApicBsp = 1u << 8, kApicGlobalEnable = 1u << 11;
constexpr u64 kApicBaseMask = 0x0000000FFFFFF000ull;  // bits 12-35: MAXPHYADDR is 36 (PAE, PSE-36)
constexpr u64 kApicBaseDefault = 0xFEE00000ull;
}  // namespace msr_bit

// Model-specific registers that are not control registers elsewhere (EFER is in
// `cr`, the TSC is `cycles + tsc_adjust`). The table itself is emu/cpu/msr.cpp.
struct MsrState {
    // Configuration the machine sets before reset: whether this CPU has a local
    // APIC (IA32_APIC_BASE exists, CPUID.APIC), its initial APIC ID, BSP or AP.
    bool local_apic = false;
    bool bsp = true;
    u8 initial_apic_id = 0;
    // The core crystal clock in Hz, which drives the TSC and the local APIC timer
    // (both count CPU cycles here): CPUID leaves 0x15 and 0x16 report it so that a
    // kernel reads the TSC frequency instead of calibrating it (Linux's
    // native_calibrate_tsc). 0: not configured, the highest basic leaf stays 1.
    u64 core_clock_hz = 0;
    u64 apic_base = 0;    // IA32_APIC_BASE (0x1B)
    u64 mcg_status = 0;   // IA32_MCG_STATUS (0x17A)
    u64 misc_enable = 0;  // IA32_MISC_ENABLE (0x1A0)
};

struct CpuState {
    // The processor presented (CPUID, the instructions that exist, TLB geometry,
    // costs): set by Cpu::set_model before the guest runs.
    CpuModel model = CpuModel::Default;
    u32 r[9] = {};  // EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI, always-zero
    u32 eip = 0;
    u32 eflags = flag::kFixed1;
    LazyFlags lazy;

    Segment seg[6];  // ES, CS, SS, DS, FS, GS
    Segment ldtr;    // selector + cache of the current LDT
    Segment tr;      // selector + cache of the current TSS
    DescriptorTableReg gdtr;
    DescriptorTableReg idtr;

    u32 dr[8] = {0, 0, 0, 0, 0xFFFF0FF0, 0x400, 0xFFFF0FF0, 0x400};  // DR4/5 alias DR6/7
    u8 cpl = 0;
    bool halted = false;
    // One instruction after STI (IF 0 -> 1), MOV SS or POP SS must complete
    // before an interrupt (or, for SS, a #DB) is recognised.
    bool interrupt_shadow = false;
    // MOV SS and POP SS also hold off debug exceptions (SDM 6.8.3): an instruction
    // breakpoint on the next instruction is suppressed as if RF were set, and the
    // data-breakpoint traps of the MOV SS itself wait in held_dr6 (DR6 B0-B3 bits)
    // until the next instruction completes. LSS makes no shadow.
    bool debug_shadow = false;
    u32 held_dr6 = 0;
    // NMIs are blocked from NMI delivery until the next IRET.
    bool nmi_blocked = false;
    // An AP after INIT: it executes nothing until a startup IPI (SDM 8.4.2,
    // "wait-for-SIPI"). The machine's scheduler does not run such a CPU.
    bool wait_for_sipi = false;

    ControlRegs cr;
    FpuState fpu;
    MsrState msr;
    u64 tsc_adjust = 0;     // RDTSC = cycles + tsc_adjust (WRMSR to the TSC sets it)
    u64 cycles = 0;         // the cycle counter: virtual time for the whole machine
    u64 instructions = 0;   // retired instructions
};

// Byte register number (0-7: AL CL DL BL AH CH DH BH) -> byte offset in r[].
constexpr u8 byte_reg_index(u8 reg) { return static_cast<u8>((reg & 3) * 4 + (reg >> 2)); }

}  // namespace hm
