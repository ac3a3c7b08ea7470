// Exchanges and atomics: XCHG (90 is XCHG eAX,eAX = NOP; F3 90 = PAUSE),
// XADD, CMPXCHG, CMPXCHG8B, BSWAP, plus the remaining odd ones: BOUND and the
// multi-byte NOP (0F 1F /0, a P6 addition). LOCK is accepted on the memory
// forms; with one CPU, every instruction is already atomic.
// Flag choices (docs/cpu.md): CMPXCHG8B changes only ZF; BSWAP of a 16-bit
// register (undefined) clears the low word, as Intel processors do.
// Costs (Intel486): XCHG reg 3, mem 5; XADD 3/4; CMPXCHG 6/7 (8 on mismatch);
// CMPXCHG8B 10 (Pentium); BSWAP 1; BOUND 7; NOP 1.
#include "cpu/ops/families.hpp"
#include "cpu/ops/forms.hpp"

namespace hm::cpu {

namespace {

struct XchgEG {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        const T r = get_reg<T>(c.s, i->reg);
        T old{};
        rmw_e<T, F>(c, i, [&](T v) {
            old = v;
            return r;
        });
        set_reg<T>(c.s, i->reg, old);
        return next(c, i);
    }
};

struct XchgZ {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        const T a = get_reg<T>(c.s, reg::EAX);
        set_reg<T>(c.s, reg::EAX, get_reg<T>(c.s, i->reg));
        set_reg<T>(c.s, i->reg, a);
        return next(c, i);
    }
};

struct Xadd {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        const T src = get_reg<T>(c.s, i->reg);
        T old{};
        rmw_e<T, F>(c, i, [&](T d) {
            old = d;
            const T sum = static_cast<T>(d + src);
            set_lazy(c.s, FlagKind::Add, sx(d), sx(src), sx(sum));
            return sum;
        });
        // SRC <- DEST, then DEST <- TEMP: with one register for both, TEMP wins.
        if constexpr (F == Form::Reg) {
            if (i->reg != i->rm) set_reg<T>(c.s, i->reg, old);
        } else {
            set_reg<T>(c.s, i->reg, old);
        }
        return next(c, i);
    }
};

struct Cmpxchg {
    template <typename T, Form F>
    static const Insn* run(Core& c, const Insn* i) {
        const T acc = get_reg<T>(c.s, reg::EAX);
        const T src = get_reg<T>(c.s, i->reg);
        bool equal = false;
        T old{};
        rmw_e<T, F>(c, i, [&](T d) {
            old = d;
            set_lazy(c.s, FlagKind::Sub, sx(acc), sx(d), sx(static_cast<T>(acc - d)));
            equal = acc == d;
            return equal ? src : d;  // memory is written back either way
        });
        if (!equal) {
            set_reg<T>(c.s, reg::EAX, old);
            c.s.cycles += 1;
        }
        return next(c, i);
    }
};

const Insn* op_cmpxchg8b(Core& c, const Insn* i) {
    const u32 lin = c.lin_write<u64>(i->seg, ea(c, i));
    const u64 v = c.mmu.read_for_write<u64>(LinearAddr{lin}, c.data_priv);
    const u64 expected = (u64{c.s.r[reg::EDX]} << 32) | c.s.r[reg::EAX];
    if (v == expected) {
        c.mmu.write<u64>(LinearAddr{lin}, (u64{c.s.r[reg::ECX]} << 32) | c.s.r[reg::EBX], c.data_priv);
        write_arith_flags(c.s, flag::ZF, flag::ZF);
    } else {
        c.mmu.write<u64>(LinearAddr{lin}, v, c.data_priv);
        c.s.r[reg::EAX] = static_cast<u32>(v);
        c.s.r[reg::EDX] = static_cast<u32>(v >> 32);
        write_arith_flags(c.s, 0, flag::ZF);
    }
    return next(c, i);
}

struct Bswap {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        if constexpr (sizeof(T) == 4) c.s.r[i->reg] = __builtin_bswap32(c.s.r[i->reg]);
        else set_reg<u16>(c.s, i->reg, 0);
        return next(c, i);
    }
};

struct Bound {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        using S = std::make_signed_t<T>;
        const u32 off = ea(c, i);
        const S lower = static_cast<S>(c.read<T>(i->seg, off));
        const S upper = static_cast<S>(c.read<T>(i->seg, a32(i) ? off + sizeof(T) : ((off + sizeof(T)) & 0xFFFF)));
        const S index = static_cast<S>(get_reg<T>(c.s, i->reg));
        if (index < lower || index > upper) raise(Vector::BR);
        return next(c, i);
    }
};

const Insn* op_nop(Core& c, const Insn* i) { return next(c, i); }

constexpr u16 L = attr::kLock;

constexpr OpcodeDef kRows[] = {
    {0x86, 0x86, -1, "XCHG Eb,Gb", byte<XchgEG>(), L, 3, 5},
    {0x87, 0x87, -1, "XCHG Ev,Gv", sized<XchgEG>(), L, 3, 5},
    // 90 is XCHG eAX,eAX: a NOP with its own cost (and PAUSE with F3).
    {0x90, 0x90, -1, "NOP", one<op_nop>(), 0, 1, 1},
    {0x91, 0x97, -1, "XCHG Zv,eAX", sized<XchgZ>(), 0, 3, 3},
    {k0F | 0xC0, k0F | 0xC0, -1, "XADD Eb,Gb", byte<Xadd>(), L, 3, 4},
    {k0F | 0xC1, k0F | 0xC1, -1, "XADD Ev,Gv", sized<Xadd>(), L, 3, 4},
    {k0F | 0xB0, k0F | 0xB0, -1, "CMPXCHG Eb,Gb", byte<Cmpxchg>(), L, 6, 7},
    {k0F | 0xB1, k0F | 0xB1, -1, "CMPXCHG Ev,Gv", sized<Cmpxchg>(), L, 6, 7},
    {k0F | 0xC7, k0F | 0xC7, 1, "CMPXCHG8B Mq", one<op_cmpxchg8b>(), L, 10, 10},
    {k0F | 0xC8, k0F | 0xCF, -1, "BSWAP Zv", sized<Bswap>(), 0, 1, 1},
    {0x62, 0x62, -1, "BOUND Gv,Ma", sized_mem<Bound>(), 0, 7, 7},
    {k0F | 0x1F, k0F | 0x1F, 0, "NOP Ev", one<op_nop>(), 0, 1, 1},
};

}  // namespace

extern const OpcodeFamily kExchangeFamily{"exchange", kRows};

}  // namespace hm::cpu
