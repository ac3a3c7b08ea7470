// The MSR table. Each row reads and writes one register; `present` says whether
// this CPU has it. Values live in CpuState (msr, cr.efer, tsc_adjust), so
// snapshots and the debugger see them; this file holds only behaviour.
//
// Sources (Intel SDM vol. 4, "Architectural MSRs", and vol. 3A 10.4.4 for
// IA32_APIC_BASE): see docs/cpu.md, "MSRs", for every register's bits.
#include "cpu/msr.hpp"

#include "cpu/core.hpp"
#include "cpu/cpuid.hpp"

namespace hm::cpu {

namespace {

// IA32_MISC_ENABLE: bit 0 fast strings (read/write); bits 11 and 12 (BTS and
// PEBS unavailable) read as 1 and ignore writes; every other bit is reserved.
constexpr u64 kMiscFastStrings = 1u << 0;
constexpr u64 kMiscReadOnly = (1u << 11) | (1u << 12);
// IA32_MCG_STATUS: RIPV, EIPV, MCIP. IA32_MCG_CAP is 0: no banks, no MCG_CTL.
constexpr u64 kMcgStatusBits = 0x7;
// IA32_APIC_BASE: BSP is read-only (the CPU's role), EN and the base are
// writable; bit 10 (x2APIC) and everything above MAXPHYADDR are reserved.
constexpr u64 kApicBaseWritable = msr_bit::kApicGlobalEnable | msr_bit::kApicBaseMask;

[[noreturn]] void gp() { raise(Vector::GP, 0); }

bool always(const Core&) { return true; }
bool has_local_apic(const Core& c) { return c.s.msr.local_apic; }
bool has_nx(const Core& c) { return c.profile->ext_features & cpuid_bit::kExtNx; }  // IA32_EFER came with NX

u64 rd_tsc(Core& c, const Insn* i) { return c.read_tsc(i); }
void wr_tsc(Core& c, const Insn* i, u64 v) {
    c.s.tsc_adjust = v - c.cycles_now(i);
    if (c.tsc_floor) *c.tsc_floor = 0;  // a written TSC may go back: the floor starts again
}

u64 rd_apic_base(Core& c, const Insn*) { return c.s.msr.apic_base; }
void wr_apic_base(Core& c, const Insn*, u64 v) {
    if (v & ~(kApicBaseWritable | msr_bit::kApicBsp)) gp();
    const u64 old = c.s.msr.apic_base;
    c.s.msr.apic_base = (v & kApicBaseWritable) | (old & msr_bit::kApicBsp);
    if (c.pic) c.pic->apic_base_written(old, c.s.msr.apic_base);
}

u64 rd_mcg_cap(Core&, const Insn*) { return 0; }
void wr_read_only(Core&, const Insn*, u64) { gp(); }

u64 rd_mcg_status(Core& c, const Insn*) { return c.s.msr.mcg_status; }
void wr_mcg_status(Core& c, const Insn*, u64 v) {
    if (v & ~kMcgStatusBits) gp();
    c.s.msr.mcg_status = v;
}

u64 rd_misc_enable(Core& c, const Insn*) { return c.s.msr.misc_enable; }
void wr_misc_enable(Core& c, const Insn*, u64 v) {
    if (v & ~(kMiscFastStrings | kMiscReadOnly)) gp();
    c.s.msr.misc_enable = (v & kMiscFastStrings) | kMiscReadOnly;
}

u64 rd_efer(Core& c, const Insn*) { return c.s.cr.efer; }
void wr_efer(Core& c, const Insn*, u64 v) {
    if (v & ~efer::kNXE) gp();  // NXE is the only EFER bit a 32-bit part has
    c.mmu.write_efer(v);
}

struct MsrRow {
    MsrInfo info;
    bool (*present)(const Core&);
    u64 (*read)(Core&, const Insn*);
    void (*write)(Core&, const Insn*, u64);
};

constexpr MsrRow kRows[] = {
    {{msr_index::kTsc, "IA32_TIME_STAMP_COUNTER"}, always, rd_tsc, wr_tsc},
    {{msr_index::kApicBase, "IA32_APIC_BASE"}, has_local_apic, rd_apic_base, wr_apic_base},
    {{msr_index::kMcgCap, "IA32_MCG_CAP"}, always, rd_mcg_cap, wr_read_only},
    {{msr_index::kMcgStatus, "IA32_MCG_STATUS"}, always, rd_mcg_status, wr_mcg_status},
    {{msr_index::kMiscEnable, "IA32_MISC_ENABLE"}, always, rd_misc_enable, wr_misc_enable},
    {{msr_index::kEfer, "IA32_EFER"}, has_nx, rd_efer, wr_efer},
};

constexpr MsrInfo kInfo[] = {kRows[0].info, kRows[1].info, kRows[2].info,
                             kRows[3].info, kRows[4].info, kRows[5].info};
static_assert(std::size(kInfo) == std::size(kRows));

const MsrRow& find(const Core& c, u32 index) {
    for (const MsrRow& r : kRows) {
        if (r.info.index == index) {
            if (!r.present(c)) break;
            return r;
        }
    }
    gp();
}

}  // namespace

std::span<const MsrInfo> msr_table() { return kInfo; }

u64 read_msr(Core& c, const Insn* i, u32 index) { return find(c, index).read(c, i); }

void write_msr(Core& c, const Insn* i, u32 index, u64 value) { find(c, index).write(c, i, value); }

void reset_msrs(CpuState& s) {
    s.msr.mcg_status = 0;
    s.msr.misc_enable = kMiscFastStrings | kMiscReadOnly;
    s.msr.apic_base = 0;
    if (s.msr.local_apic) {
        s.msr.apic_base = msr_bit::kApicBaseDefault | msr_bit::kApicGlobalEnable | (s.msr.bsp ? msr_bit::kApicBsp : 0);
    }
}

}  // namespace hm::cpu
