// System instructions: HLT, MOV to/from CR0/CR2/CR3/CR4 and DR0-DR7, CLTS,
// LMSW/SMSW, INVLPG, INVD/WBINVD, CPUID, RDTSC, RDMSR/WRMSR and UD2 (the x87
// escapes and WAIT are the x87 family: x87_table.cpp).
//
// CPUID's leaves are emu/cpu/cpuid.cpp, the MSR table emu/cpu/msr.cpp.
// Costs (Intel486): HLT 4, MOV CR0 17, other MOV CRn 4, MOV DRn 10, CLTS 7,
// LMSW 13, SMSW 2, INVLPG 12, INVD 4, WBINVD 5, CPUID 14; RDTSC/RDMSR/WRMSR
// take the Pentium's 20/20/30 for want of a 486 figure.
#include "cpu/cpuid.hpp"
#include "cpu/msr.hpp"
#include "cpu/ops/families.hpp"
#include "cpu/ops/forms.hpp"

namespace hm::cpu {

namespace {

// CR0 bits a 486-class CPU implements (ET is hardwired to 1).
constexpr u32 kCr0Implemented = cr0::kPE | cr0::kMP | cr0::kEM | cr0::kTS | cr0::kET | cr0::kNE | cr0::kWP |
                                cr0::kAM | cr0::kNW | cr0::kCD | cr0::kPG;

void require_cpl0(Core& c) {
    if (c.pe() && (c.v86() || c.s.cpl != 0)) raise(Vector::GP, 0);
}

const Insn* op_hlt(Core& c, const Insn* i) {
    require_cpl0(c);
    c.s.eip += i->len;
    c.s.halted = true;
    c.refresh_pending();
    return nullptr;
}

void write_cr0(Core& c, u32 v) {
    v = (v & kCr0Implemented) | cr0::kET;
    if ((v & cr0::kPG) && !(v & cr0::kPE)) raise(Vector::GP, 0);
    if ((v & cr0::kNW) && !(v & cr0::kCD)) raise(Vector::GP, 0);
    const u32 old = c.s.cr.cr0;
    c.mmu.write_cr0(v);
    if ((old ^ v) & cr0::kPE) c.refresh_all_bounds();
    if ((old ^ v) & cr0::kAM) c.update_alignment_check();
    c.s.cycles += 13;
}

const Insn* op_mov_r_cr(Core& c, const Insn* i) {
    require_cpl0(c);
    u32 v;
    switch (i->reg) {
        case 0: v = c.s.cr.cr0; break;
        case 2: v = c.s.cr.cr2; break;
        case 3: v = c.s.cr.cr3; break;
        case 4:
            if (!c.profile->has_cr4) raise(Vector::UD);
            v = c.s.cr.cr4;
            break;
        default: raise(Vector::UD);
    }
    c.s.r[i->rm] = v;
    return next(c, i);
}

const Insn* op_mov_cr_r(Core& c, const Insn* i) {
    require_cpl0(c);
    const u32 v = c.s.r[i->rm];
    switch (i->reg) {
        case 0: write_cr0(c, v); break;
        case 2: c.s.cr.cr2 = v; break;
        case 3: c.mmu.write_cr3(v); break;
        case 4:
            if (!c.profile->has_cr4) raise(Vector::UD);
            if (v & ~c.profile->cr4_bits) raise(Vector::GP, 0);  // only the bits CPUID reports
            c.mmu.write_cr4(v);
            break;
        default: raise(Vector::UD);
    }
    return next(c, i);
}

// MOV DRn with DR7.GD set faults with #DB before the access (DR6.BD).
void check_general_detect(Core& c) {
    if (c.s.dr[7] & (1u << 13)) {
        c.s.dr[6] |= 1u << 13;
        c.s.dr[7] &= ~(1u << 13);
        raise(Vector::DB);
    }
}

const Insn* op_mov_r_dr(Core& c, const Insn* i) {
    require_cpl0(c);
    check_general_detect(c);
    const u8 n = (i->reg == 4 || i->reg == 5) ? i->reg + 2 : i->reg;  // DR4/5 alias DR6/7 (CR4.DE = 0)
    c.s.r[i->rm] = c.s.dr[n];
    return next(c, i);
}

const Insn* op_mov_dr_r(Core& c, const Insn* i) {
    require_cpl0(c);
    check_general_detect(c);
    const u8 n = (i->reg == 4 || i->reg == 5) ? i->reg + 2 : i->reg;
    u32 v = c.s.r[i->rm];
    if (n == 6) v = (v & 0xE00F) | 0xFFFF0FF0;
    if (n == 7) v = (v & 0xFFFF2BFF) | 0x400;
    c.s.dr[n] = v;
    if (n == 7) {
        bool armed = false;
        for (unsigned k = 0; k < 4; ++k) {
            const u32 rw = (v >> (16 + 4 * k)) & 3;
            if (((v >> (2 * k)) & 3) && (rw == 1 || rw == 3)) armed = true;
        }
        c.data_breakpoints_armed = armed;
        c.refresh_all_bounds();
        c.refresh_pending();
    }
    return next(c, i);
}

const Insn* op_clts(Core& c, const Insn* i) {
    require_cpl0(c);
    c.s.cr.cr0 &= ~cr0::kTS;
    return next(c, i);
}

struct Lmsw {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        require_cpl0(c);
        const u16 v = load_e<u16, F>(c, i);
        // LMSW sets PE but never clears it.
        const u32 low = (v & 0xF) | (c.s.cr.cr0 & cr0::kPE);
        write_cr0(c, (c.s.cr.cr0 & ~0xFu) | low);
        return next(c, i);
    }
};

struct Smsw {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        if constexpr (F == Form::Reg) set_reg<T>(c.s, i->rm, static_cast<T>(c.s.cr.cr0));
        else c.write<u16>(i->seg, ea(c, i), static_cast<u16>(c.s.cr.cr0));
        return next(c, i);
    }
};

const Insn* op_invlpg(Core& c, const Insn* i) {
    require_cpl0(c);
    c.mmu.invlpg(LinearAddr{c.s.seg[i->seg].base + ea(c, i)});
    return next(c, i);
}

const Insn* op_cache_flush(Core& c, const Insn* i) {  // INVD, WBINVD: no caches are modelled
    require_cpl0(c);
    return next(c, i);
}

const Insn* op_cpuid(Core& c, const Insn* i) {
    const CpuidResult r = cpuid(c.s, c.s.r[reg::EAX]);
    c.s.r[reg::EAX] = r.eax;
    c.s.r[reg::EBX] = r.ebx;
    c.s.r[reg::ECX] = r.ecx;
    c.s.r[reg::EDX] = r.edx;
    return next(c, i);
}

const Insn* op_rdtsc(Core& c, const Insn* i) {
    if ((c.s.cr.cr4 & cr4::kTSD) && c.pe() && c.s.cpl != 0) raise(Vector::GP, 0);
    const u64 tsc = c.read_tsc(i);
    c.s.r[reg::EAX] = static_cast<u32>(tsc);
    c.s.r[reg::EDX] = static_cast<u32>(tsc >> 32);
    return next(c, i);
}

const Insn* op_rdmsr(Core& c, const Insn* i) {
    require_cpl0(c);
    const u64 v = read_msr(c, i, c.s.r[reg::ECX]);
    c.s.r[reg::EAX] = static_cast<u32>(v);
    c.s.r[reg::EDX] = static_cast<u32>(v >> 32);
    return next(c, i);
}

const Insn* op_wrmsr(Core& c, const Insn* i) {
    require_cpl0(c);
    write_msr(c, i, c.s.r[reg::ECX], (u64{c.s.r[reg::EDX]} << 32) | c.s.r[reg::EAX]);
    return next(c, i);
}

const Insn* op_ud2(Core&, const Insn*) { raise(Vector::UD); }

constexpr u16 EB = attr::kEndsBlock;
constexpr u16 NC = attr::kEndsBlock | attr::kNewContext;

constexpr OpcodeDef kRows[] = {
    {0xF4, 0xF4, -1, "HLT", one<op_hlt>(), EB, 4, 4},
    {k0F | 0x20, k0F | 0x20, -1, "MOV Rd,Cd", one<op_mov_r_cr>(), 0, 4, 4},
    {k0F | 0x22, k0F | 0x22, -1, "MOV Cd,Rd", one<op_mov_cr_r>(), NC, 4, 4},
    {k0F | 0x21, k0F | 0x21, -1, "MOV Rd,Dd", one<op_mov_r_dr>(), 0, 10, 10},
    {k0F | 0x23, k0F | 0x23, -1, "MOV Dd,Rd", one<op_mov_dr_r>(), EB, 10, 10},
    {k0F | 0x06, k0F | 0x06, -1, "CLTS", one<op_clts>(), 0, 7, 7},
    {k0F | 0x01, k0F | 0x01, 4, "SMSW Ew", sized<Smsw>(), 0, 2, 3},
    {k0F | 0x01, k0F | 0x01, 6, "LMSW Ew", sized<Lmsw>(), NC, 13, 13},
    {k0F | 0x01, k0F | 0x01, 7, "INVLPG M", one<op_invlpg>(), NC, 12, 12},
    {k0F | 0x08, k0F | 0x08, -1, "INVD", one<op_cache_flush>(), 0, 4, 4},
    {k0F | 0x09, k0F | 0x09, -1, "WBINVD", one<op_cache_flush>(), 0, 5, 5},
    {k0F | 0xA2, k0F | 0xA2, -1, "CPUID", one<op_cpuid>(), 0, 14, 14},
    {k0F | 0x31, k0F | 0x31, -1, "RDTSC", one<op_rdtsc>(), 0, 20, 20},
    {k0F | 0x32, k0F | 0x32, -1, "RDMSR", one<op_rdmsr>(), 0, 20, 20},
    {k0F | 0x30, k0F | 0x30, -1, "WRMSR", one<op_wrmsr>(), NC, 30, 30},
    {k0F | 0x0B, k0F | 0x0B, -1, "UD2", one<op_ud2>(), EB, 1, 1},
};

}  // namespace

extern const OpcodeFamily kSystemFamily{"system", kRows};

}  // namespace hm::cpu
