// The x87 register stack, tag word, prologue and exception bookkeeping
// (x87.hpp). Exception signalling follows SDM vol. 1 8.7: with CR0.NE a
// pending unmasked exception raises #MF before the next waiting instruction;
// without it FERR# goes to the chipset (IRQ 13) and the next waiting
// instruction freezes until IGNNE# is asserted (a write to port F0h) or the
// exception is cleared: the CPU halts on that instruction and runs it again
// after the interrupt.
#include "cpu/ops/x87.hpp"

namespace hm::cpu::x87 {

u8 tag_for(Float80 v) {
    switch (fpu::classify(v)) {
        case fpu::Class::Zero: return kTagZero;
        case fpu::Class::Normal: return kTagValid;
        default: return kTagSpecial;
    }
}

u16 tag_word(const FpuState& f) {
    u16 t = 0;
    for (unsigned p = 0; p < 8; ++p) {
        const u8 tag = tag_of_phys(f, p) == kTagEmpty ? kTagEmpty : tag_for(f.st[p]);
        t = static_cast<u16>(t | (tag << (2 * p)));
    }
    return t;
}

namespace {
void set_ferr(Core& c, bool level) {
    FpuState& f = c.s.fpu;
    if (f.ferr == level) return;
    f.ferr = level;
    if (!level) f.ignne = false;  // the chipset drops IGNNE# with FERR#
    if (c.on_ferr) c.on_ferr(level);
}
}  // namespace

void update_summary(Core& c) {
    FpuState& f = c.s.fpu;
    const bool pending = (f.sw & ~f.cw & sw::kExceptions) != 0;
    f.sw = static_cast<u16>(pending ? (f.sw | sw::ES | sw::B) : (f.sw & ~(sw::ES | sw::B)));
    if (!(c.s.cr.cr0 & cr0::kNE) || !pending) set_ferr(c, pending && !(c.s.cr.cr0 & cr0::kNE));
}

bool report_pending(Core& c, const Insn* i) {
    if (!(c.s.fpu.sw & sw::ES)) return true;
    if (c.s.cr.cr0 & cr0::kNE) raise(Vector::MF);
    set_ferr(c, true);
    if (c.s.fpu.ignne) return true;
    // Frozen: wait for an interrupt (the FERR# IRQ), then run this instruction again.
    c.s.halted = true;
    c.exit_insn = i;  // not retired: its cost is taken back
    c.refresh_pending();
    return false;
}

namespace {
bool stack_fault(Core& c, bool overflow) {
    FpuState& f = c.s.fpu;
    f.sw = static_cast<u16>((f.sw & ~sw::C1) | sw::IE | sw::SF | (overflow ? sw::C1 : 0));
    if (f.cw & fcw::IM) return true;
    update_summary(c);
    return false;
}
}  // namespace

bool stack_underflow(Core& c) { return stack_fault(c, false); }
bool stack_overflow(Core& c) { return stack_fault(c, true); }

void probe_write(Core& c, const Insn* i, u32 size) {
    const u32 first = c.lin_write<u8>(i->seg, ea(c, i));
    const u32 last = c.lin_write<u8>(i->seg, ea_plus(c, i, size - 1));
    (void)c.mmu.read_for_write<u8>(LinearAddr{first}, c.data_priv);
    (void)c.mmu.read_for_write<u8>(LinearAddr{last}, c.data_priv);
}

Float80 read_m80(Core& c, const Insn* i, u32 offset) {
    Float80 v;
    v.sig = c.read<u64>(i->seg, ea_plus(c, i, offset));
    v.se = c.read<u16>(i->seg, ea_plus(c, i, offset + 8));
    return v;
}

void write_m80(Core& c, const Insn* i, u32 offset, Float80 v) {
    c.write<u64>(i->seg, ea_plus(c, i, offset), v.sig);
    c.write<u16>(i->seg, ea_plus(c, i, offset + 8), v.se);
}

}  // namespace hm::cpu::x87
