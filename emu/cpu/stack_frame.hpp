// A stack pointer that moves without touching ESP until commit(): far calls,
// interrupt delivery, IRET and ENTER push or pop several values, and if any of
// them faults the instruction must leave ESP (and SS) as they were. The frame
// can also address a stack that is not loaded yet (the inner-privilege stack
// from the TSS), with its own fault error code.
#pragma once
#include "cpu/core.hpp"

namespace hm::cpu {

class StackFrame {
public:
    // The current SS:ESP; limit violations raise #SS(0).
    explicit StackFrame(Core& c)
        : c_(c), seg_(c.s.seg[sreg::SS]), sp_(c.s.r[reg::ESP]), priv_(c.data_priv), error_(0), current_(true) {}
    // Another stack (or the current one with a different fault code).
    StackFrame(Core& c, const Segment& ss, u32 sp, Priv priv, u32 error)
        : c_(c), seg_(ss), sp_(sp), priv_(priv), error_(error), current_(&ss == &c.s.seg[sreg::SS]) {}

    bool big() const { return seg_.attr & seg_attr::kDB; }
    u32 sp() const { return sp_; }
    u32 offset() const { return big() ? sp_ : (sp_ & 0xFFFF); }

    template <typename T>
    void push(T v) {
        sp_ = big() ? sp_ - sizeof(T) : ((sp_ & 0xFFFF0000u) | static_cast<u16>(sp_ - sizeof(T)));
        const u32 off = offset();
        check(off, sizeof(T), Access::Write);
        c_.mmu.write<T>(LinearAddr{seg_.base + off}, v, priv_);
    }
    template <typename T>
    T pop() {
        const u32 off = offset();
        check(off, sizeof(T), Access::Read);
        T v = c_.mmu.read<T>(LinearAddr{seg_.base + off}, priv_);
        skip(sizeof(T));
        return v;
    }
    void skip(u32 bytes) { sp_ = big() ? sp_ + bytes : ((sp_ & 0xFFFF0000u) | static_cast<u16>(sp_ + bytes)); }
    void reserve(u32 bytes) { sp_ = big() ? sp_ - bytes : ((sp_ & 0xFFFF0000u) | static_cast<u16>(sp_ - bytes)); }
    // Faults as a write of a T at the stack pointer would, without writing.
    template <typename T>
    void probe_write() {
        const u32 off = offset();
        check(off, sizeof(T), Access::Write);
        c_.mmu.read_for_write<T>(LinearAddr{seg_.base + off}, priv_);
    }

    // Writes the moved stack pointer back to ESP (SP for a 16-bit stack).
    void commit() {
        if (big()) c_.s.r[reg::ESP] = sp_;
        else c_.s.r[reg::ESP] = (c_.s.r[reg::ESP] & 0xFFFF0000u) | (sp_ & 0xFFFF);
    }

private:
    void check(u32 off, unsigned size, Access a) const {
        const u64 last = u64{off} + size - 1;
        const bool expand_down = !(seg_.attr & seg_attr::kCode) && (seg_.attr & seg_attr::kExpandDown);
        bool ok;
        if (expand_down) ok = off > seg_.limit && last <= (big() ? 0xFFFFFFFFu : 0xFFFFu);
        else ok = last <= seg_.limit;
        if (!ok) raise(Vector::SS, error_);
        if ((c_.data_breakpoints_armed || c_.alignment_check) && current_) c_.segment_check_slow(sreg::SS, off, size, a);
    }

    Core& c_;
    const Segment& seg_;
    u32 sp_;
    Priv priv_;
    u32 error_;
    bool current_;
};

}  // namespace hm::cpu
