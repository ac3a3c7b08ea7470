// Bit tests and scans: BT/BTS/BTR/BTC with a register or immediate bit offset,
// BSF/BSR. A register offset into memory addresses the whole bit string: the
// signed offset selects the word/dword (ea + width * (offset >> log2(bits))).
// Flag choices (docs/cpu.md): BTx set CF and leave every other flag alone;
// BSF/BSR set ZF and leave the rest alone; with a zero source the destination
// is unchanged (as P6 processors do).
// Costs (Intel486): BT 3 (reg/imm) / 8 (mem,reg); BTS/BTR/BTC 6 / 8 (imm,mem) /
// 13 (mem,reg); BSF 6-42, BSR 6-103 (charged 6 + 1 per bit scanned / 2).
#include "cpu/ops/families.hpp"
#include "cpu/ops/forms.hpp"

namespace hm::cpu {

namespace {

enum class BitOp : u8 { Test, Set, Reset, Complement };

template <BitOp Op, typename T>
T apply(CpuState& s, T v, unsigned bit) {
    const T mask = static_cast<T>(T{1} << bit);
    set_cf(s, (v & mask) != 0);
    if constexpr (Op == BitOp::Set) return v | mask;
    else if constexpr (Op == BitOp::Reset) return static_cast<T>(v & ~mask);
    else if constexpr (Op == BitOp::Complement) return v ^ mask;
    else return v;
}

template <BitOp Op, bool ImmOffset>
struct BitE {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        constexpr unsigned W = bits_of<T>();
        if constexpr (F == Form::Reg) {
            const unsigned bit = (ImmOffset ? i->imm : get_reg<T>(c.s, i->reg)) & (W - 1);
            const T r = apply<Op, T>(c.s, get_reg<T>(c.s, i->rm), bit);
            if constexpr (Op != BitOp::Test) set_reg<T>(c.s, i->rm, r);
        } else {
            u32 off = ea(c, i);
            unsigned bit;
            if constexpr (ImmOffset) {
                bit = i->imm & (W - 1);
            } else {
                using S = std::make_signed_t<T>;
                const i32 offset = static_cast<S>(get_reg<T>(c.s, i->reg));
                off += static_cast<u32>((offset >> (W == 16 ? 4 : 5)) * static_cast<i32>(sizeof(T)));
                if (!a32(i)) off &= 0xFFFF;
                bit = static_cast<u32>(offset) & (W - 1);
                c.s.cycles += 5;
            }
            if constexpr (Op == BitOp::Test) {
                apply<Op, T>(c.s, c.read<T>(i->seg, off), bit);
            } else {
                c.mmu.modify<T>(LinearAddr{c.lin_write<T>(i->seg, off)}, c.data_priv, [&](T v) { return apply<Op, T>(c.s, v, bit); });
            }
        }
        return next(c, i);
    }
};

template <bool Reverse>
struct BitScan {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        const T v = load_e<T, F>(c, i);
        if (v == 0) {
            write_arith_flags(c.s, flag::ZF, flag::ZF);
            return next(c, i);
        }
        const unsigned idx = Reverse ? 31 - static_cast<unsigned>(__builtin_clz(v)) : static_cast<unsigned>(__builtin_ctz(v));
        set_reg<T>(c.s, i->reg, static_cast<T>(idx));
        write_arith_flags(c.s, 0, flag::ZF);
        c.s.cycles += (Reverse ? (bits_of<T>() - idx) : idx) / 2;
        return next(c, i);
    }
};

constexpr u16 L = attr::kLock;

constexpr OpcodeDef kRows[] = {
    {k0F | 0xA3, k0F | 0xA3, -1, "BT Ev,Gv", sized<BitE<BitOp::Test, false>>(), 0, 3, 3},
    {k0F | 0xAB, k0F | 0xAB, -1, "BTS Ev,Gv", sized<BitE<BitOp::Set, false>>(), L, 6, 8},
    {k0F | 0xB3, k0F | 0xB3, -1, "BTR Ev,Gv", sized<BitE<BitOp::Reset, false>>(), L, 6, 8},
    {k0F | 0xBB, k0F | 0xBB, -1, "BTC Ev,Gv", sized<BitE<BitOp::Complement, false>>(), L, 6, 8},
    {k0F | 0xBA, k0F | 0xBA, 4, "BT Ev,Ib", sized<BitE<BitOp::Test, true>>(), 0, 3, 3},
    {k0F | 0xBA, k0F | 0xBA, 5, "BTS Ev,Ib", sized<BitE<BitOp::Set, true>>(), L, 6, 8},
    {k0F | 0xBA, k0F | 0xBA, 6, "BTR Ev,Ib", sized<BitE<BitOp::Reset, true>>(), L, 6, 8},
    {k0F | 0xBA, k0F | 0xBA, 7, "BTC Ev,Ib", sized<BitE<BitOp::Complement, true>>(), L, 6, 8},
    {k0F | 0xBC, k0F | 0xBC, -1, "BSF Gv,Ev", sized<BitScan<false>>(), 0, 6, 6},
    {k0F | 0xBD, k0F | 0xBD, -1, "BSR Gv,Ev", sized<BitScan<true>>(), 0, 6, 6},
};

}  // namespace

extern const OpcodeFamily kBitFamily{"bit", kRows};

}  // namespace hm::cpu
