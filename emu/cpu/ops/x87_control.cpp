// x87 control instructions: FNINIT, FNCLEX, FLDCW/FNSTCW, FNSTSW (memory and
// AX), FFREE/FFREEP, FINCSTP/FDECSTP, FNOP, FLDENV/FNSTENV, FRSTOR/FNSAVE and
// WAIT. The "FN" forms do not wait for a pending exception (SDM vol. 1
// 8.3.11); none of these updates the last-instruction pointers.
//
// Environment layouts (SDM vol. 1 figures 8-9 to 8-12): 14 bytes with a 16-bit
// operand size, 28 with 32-bit; in real and virtual-8086 mode the pointers are
// 20-bit linear addresses with FOP beside the instruction pointer's top bits.
// The reserved upper halves of the 32-bit layout are written as FFFFh.
#include "cpu/ops/x87_handlers.hpp"

namespace hm::cpu {
namespace x87 {

namespace {

bool real_format(const Core& c) { return !c.pe() || c.v86(); }

u32 env_size(const Insn* i) { return o32(i) ? 28 : 14; }

// The seven fields as 16/32-bit slots.
void write_env(Core& c, const Insn* i) {
    const FpuState& f = c.s.fpu;
    const bool wide = o32(i);
    u32 slot[7];
    slot[0] = f.cw;
    slot[1] = f.sw;
    slot[2] = tag_word(f);
    if (real_format(c)) {
        const u32 ip = (u32{f.fcs} << 4) + f.fip, dp = (u32{f.fds} << 4) + f.fdp;
        slot[3] = ip & 0xFFFF;
        slot[4] = ((ip >> 16) << 12) | (f.fop & 0x7FF);
        slot[5] = dp & 0xFFFF;
        slot[6] = (dp >> 16) << 12;
        if (!wide) {
            slot[4] &= 0xF7FF;
            slot[6] &= 0xF000;
        }
    } else {
        slot[3] = wide ? f.fip : (f.fip & 0xFFFF);
        slot[4] = wide ? (u32{f.fop & 0x7FFu} << 16) | f.fcs : f.fcs;
        slot[5] = wide ? f.fdp : (f.fdp & 0xFFFF);
        slot[6] = f.fds;
    }
    // 32-bit layout: which slots hold only 16 bits (their reserved upper half is FFFFh).
    const bool real = real_format(c);
    const bool half[7] = {true, true, true, real, false, real, !real};
    for (u32 k = 0; k < 7; ++k) {
        if (wide) c.write<u32>(i->seg, ea_plus(c, i, 4 * k), half[k] ? (slot[k] | 0xFFFF0000u) : slot[k]);
        else c.write<u16>(i->seg, ea_plus(c, i, 2 * k), static_cast<u16>(slot[k]));
    }
}

struct LoadedEnv {
    u16 cw, sw, tag, fop, fcs, fds;
    u32 fip, fdp;
};

LoadedEnv read_env(Core& c, const Insn* i) {
    const bool wide = o32(i);
    u32 slot[7];
    for (u32 k = 0; k < 7; ++k)
        slot[k] = wide ? c.read<u32>(i->seg, ea_plus(c, i, 4 * k)) : c.read<u16>(i->seg, ea_plus(c, i, 2 * k));
    LoadedEnv e{};
    e.cw = static_cast<u16>(slot[0]);
    e.sw = static_cast<u16>(slot[1]);
    e.tag = static_cast<u16>(slot[2]);
    if (real_format(c)) {
        e.fip = (slot[3] & 0xFFFF) | (((slot[4] >> 12) & (wide ? 0xFFFF : 0xF)) << 16);
        e.fop = static_cast<u16>(slot[4] & 0x7FF);
        e.fdp = (slot[5] & 0xFFFF) | (((slot[6] >> 12) & (wide ? 0xFFFF : 0xF)) << 16);
        e.fcs = e.fds = 0;
    } else {
        e.fip = wide ? slot[3] : (slot[3] & 0xFFFF);
        e.fcs = static_cast<u16>(slot[4]);
        e.fop = wide ? static_cast<u16>((slot[4] >> 16) & 0x7FF) : 0;
        e.fdp = wide ? slot[5] : (slot[5] & 0xFFFF);
        e.fds = static_cast<u16>(slot[6]);
    }
    return e;
}

u16 control_word(u16 v) { return static_cast<u16>((v & 0x1F3F) | 0x0040); }

void apply_env(Core& c, const LoadedEnv& e) {
    FpuState& f = c.s.fpu;
    f.cw = control_word(e.cw);
    f.sw = e.sw;
    f.tag = 0;
    for (unsigned p = 0; p < 8; ++p) {
        const u8 t = (e.tag >> (2 * p)) & 3;
        set_tag_phys(f, p, t == kTagEmpty ? kTagEmpty : tag_for(f.st[p]));
    }
    f.fip = e.fip;
    f.fcs = e.fcs;
    f.fop = e.fop;
    f.fdp = e.fdp;
    f.fds = e.fds;
    update_summary(c);
}

void init(Core& c) {
    FpuState& f = c.s.fpu;
    f.cw = fcw::kInit;
    f.sw = 0;
    f.tag = 0xFFFF;
    f.fip = f.fdp = 0;
    f.fcs = f.fds = f.fop = 0;
    update_summary(c);
}

}  // namespace

const Insn* fninit(Core& c, const Insn* i) {
    begin(c, i, false);
    init(c);
    return next(c, i);
}

const Insn* fnclex(Core& c, const Insn* i) {
    begin(c, i, false);
    c.s.fpu.sw = static_cast<u16>(c.s.fpu.sw & ~(sw::kExceptions | sw::SF | sw::ES | sw::B));
    update_summary(c);
    return next(c, i);
}

const Insn* fnop_nowait(Core& c, const Insn* i) {
    begin(c, i, false);
    return next(c, i);
}

const Insn* fldcw(Core& c, const Insn* i) {
    if (!begin(c, i, true)) return nullptr;
    const u16 v = c.read<u16>(i->seg, ea(c, i));
    c.s.fpu.cw = control_word(v);
    update_summary(c);
    return next(c, i);
}

const Insn* fnstcw(Core& c, const Insn* i) {
    begin(c, i, false);
    c.write<u16>(i->seg, ea(c, i), c.s.fpu.cw);
    return next(c, i);
}

const Insn* fnstsw_mem(Core& c, const Insn* i) {
    begin(c, i, false);
    c.write<u16>(i->seg, ea(c, i), c.s.fpu.sw);
    return next(c, i);
}

const Insn* fnstsw_ax(Core& c, const Insn* i) {
    begin(c, i, false);
    set_reg<u16>(c.s, reg::EAX, c.s.fpu.sw);
    return next(c, i);
}

// FFREE clears C1 (the SDM leaves it undefined; the host x87 clears it).
const Insn* ffree(Core& c, const Insn* i) {
    if (!begin(c, i, true)) return nullptr;
    set_tag_phys(c.s.fpu, phys(c.s.fpu, i->rm), kTagEmpty);
    c.s.fpu.sw = static_cast<u16>(c.s.fpu.sw & ~sw::C1);
    return next(c, i);
}

// FFREEP (DF C0+i): an undocumented P6 form, FFREE then pop.
const Insn* ffreep(Core& c, const Insn* i) {
    if (!begin(c, i, true)) return nullptr;
    set_tag_phys(c.s.fpu, phys(c.s.fpu, i->rm), kTagEmpty);
    set_top(c.s.fpu, top(c.s.fpu) + 1);
    return next(c, i);
}

const Insn* fincstp(Core& c, const Insn* i) {
    if (!begin(c, i, true)) return nullptr;
    set_top(c.s.fpu, top(c.s.fpu) + 1);
    c.s.fpu.sw = static_cast<u16>(c.s.fpu.sw & ~sw::C1);
    return next(c, i);
}

const Insn* fdecstp(Core& c, const Insn* i) {
    if (!begin(c, i, true)) return nullptr;
    set_top(c.s.fpu, top(c.s.fpu) + 7);
    c.s.fpu.sw = static_cast<u16>(c.s.fpu.sw & ~sw::C1);
    return next(c, i);
}

const Insn* fnop(Core& c, const Insn* i) {
    if (!begin(c, i, true)) return nullptr;
    return next(c, i);
}

const Insn* fldenv(Core& c, const Insn* i) {
    if (!begin(c, i, true)) return nullptr;
    const LoadedEnv e = read_env(c, i);
    apply_env(c, e);
    return next(c, i);
}

const Insn* fnstenv(Core& c, const Insn* i) {
    begin(c, i, false);
    probe_write(c, i, env_size(i));
    write_env(c, i);
    c.s.fpu.cw |= fcw::kMasks;
    update_summary(c);
    return next(c, i);
}

const Insn* frstor(Core& c, const Insn* i) {
    if (!begin(c, i, true)) return nullptr;
    const LoadedEnv e = read_env(c, i);
    Float80 regs[8];
    for (u32 k = 0; k < 8; ++k) regs[k] = read_m80(c, i, env_size(i) + 10 * k);
    // ST(k) is relative to the TOP being loaded.
    const unsigned t = (e.sw >> sw::kTopShift) & 7;
    for (u32 k = 0; k < 8; ++k) c.s.fpu.st[(t + k) & 7] = regs[k];
    apply_env(c, e);
    return next(c, i);
}

const Insn* fnsave(Core& c, const Insn* i) {
    begin(c, i, false);
    const u32 base = env_size(i);
    probe_write(c, i, base + 80);
    write_env(c, i);
    for (u32 k = 0; k < 8; ++k) write_m80(c, i, base + 10 * k, get(c.s.fpu, k));
    init(c);
    return next(c, i);
}

// WAIT/FWAIT: #NM only when both CR0.MP and CR0.TS are set; then reports a pending exception.
const Insn* fwait(Core& c, const Insn* i) {
    if ((c.s.cr.cr0 & (cr0::kMP | cr0::kTS)) == (cr0::kMP | cr0::kTS)) raise(Vector::NM);
    return report_pending(c, i) ? next(c, i) : nullptr;
}

const Insn* undefined(Core& c, const Insn*) {
    if (c.s.cr.cr0 & (cr0::kEM | cr0::kTS)) raise(Vector::NM);
    raise(Vector::UD);
}


}  // namespace x87
}  // namespace hm::cpu
