// String instructions: MOVS CMPS STOS LODS SCAS INS OUTS, with REP / REPE /
// REPNE. The source is seg:(E)SI (segment overridable, DS by default), the
// destination ES:(E)DI; the address size picks SI/DI/CX or ESI/EDI/ECX.
//
// Resumable: each iteration commits (E)SI/(E)DI/(E)CX before the next one, and
// EIP moves past the instruction only when the count is exhausted (or the
// REPE/REPNE condition ends it). A fault mid-string therefore restarts the
// instruction with the remaining count, and a long string yields to the run
// loop every kChunk iterations, at the device deadline exactly, or at once when
// something is pending, so interrupts and deadlines are honoured mid-string as
// on hardware. Each iteration is charged as it completes and the set-up cost
// once, on completion, so the total never depends on where the loop yielded.
// Costs (Intel486): MOVS 7, REP MOVS 12+3n; CMPS 8, REPcc CMPS 7+7n; STOS 5,
// REP STOS 7+4n; LODS 5, REP LODS 7+4n; SCAS 6, REPcc SCAS 7+5n;
// INS 17 / REP 16+8n; OUTS 17 / REP 17+5n.
#include "cpu/ops/families.hpp"
#include "cpu/ops/forms.hpp"

namespace hm::cpu {

template <typename T>
T io_in(Core& c, u16 port);
template <typename T>
void io_out(Core& c, u16 port, T v);

namespace {

constexpr unsigned kChunk = 4096;

enum class Str : u8 { Movs, Cmps, Stos, Lods, Scas, Ins, Outs };

constexpr u32 per_iteration_cost(Str k) {
    switch (k) {
        case Str::Movs: return 3;
        case Str::Cmps: return 7;
        case Str::Stos: return 4;
        case Str::Lods: return 4;
        case Str::Scas: return 5;
        case Str::Ins: return 8;
        case Str::Outs: return 5;
    }
    return 1;
}

template <Str K, typename T, typename A>
HM_ALWAYS_INLINE void one_iteration(Core& c, const Insn* i, i32 delta) {
    CpuState& s = c.s;
    const A si = static_cast<A>(s.r[reg::ESI]);
    const A di = static_cast<A>(s.r[reg::EDI]);
    if constexpr (K == Str::Movs) {
        const T v = c.read<T>(i->seg, si);
        c.write<T>(sreg::ES, di, v);
    } else if constexpr (K == Str::Cmps) {
        const T a = c.read<T>(i->seg, si);
        const T b = c.read<T>(sreg::ES, di);
        set_lazy(s, FlagKind::Sub, sx(a), sx(b), sx(static_cast<T>(a - b)));
    } else if constexpr (K == Str::Stos) {
        c.write<T>(sreg::ES, di, get_reg<T>(s, reg::EAX));
    } else if constexpr (K == Str::Lods) {
        set_reg<T>(s, reg::EAX, c.read<T>(i->seg, si));
    } else if constexpr (K == Str::Scas) {
        const T a = get_reg<T>(s, reg::EAX);
        const T b = c.read<T>(sreg::ES, di);
        set_lazy(s, FlagKind::Sub, sx(a), sx(b), sx(static_cast<T>(a - b)));
    } else if constexpr (K == Str::Ins) {
        c.lin_write<T>(sreg::ES, di);  // check the destination before the port read
        const T v = io_in<T>(c, static_cast<u16>(s.r[reg::EDX]));
        c.write<T>(sreg::ES, di, v);
    } else {
        const T v = c.read<T>(i->seg, si);
        io_out<T>(c, static_cast<u16>(s.r[reg::EDX]), v);
    }
    constexpr bool uses_si = K == Str::Movs || K == Str::Cmps || K == Str::Lods || K == Str::Outs;
    constexpr bool uses_di = K == Str::Movs || K == Str::Cmps || K == Str::Stos || K == Str::Scas || K == Str::Ins;
    if constexpr (uses_si) set_reg<A>(s, reg::ESI, static_cast<A>(si + delta));
    if constexpr (uses_di) set_reg<A>(s, reg::EDI, static_cast<A>(di + delta));
}

template <Str K>
struct StringOp {
    template <typename T, typename A>
    static const Insn* run(Core& c, const Insn* i) {
        CpuState& s = c.s;
        const i32 delta = (s.eflags & flag::DF) ? -static_cast<i32>(sizeof(T)) : static_cast<i32>(sizeof(T));
        constexpr bool conditional = K == Str::Cmps || K == Str::Scas;
        const u8 rep = i->flags & (insn_flag::kRep | insn_flag::kRepNe);
        if (!rep) {
            one_iteration<K, T, A>(c, i, delta);
            return next(c, i);
        }
        // Something waiting (an interrupt, a stop, single-stepping): one iteration.
        const unsigned chunk = c.pending.load(std::memory_order_relaxed) ? 1 : kChunk;
        unsigned done = 0;
        bool finished = false;
        for (;;) {
            A count = static_cast<A>(s.r[reg::ECX]);
            if (count == 0) {
                finished = true;
                break;
            }
            one_iteration<K, T, A>(c, i, delta);
            set_reg<A>(s, reg::ECX, static_cast<A>(count - 1));
            // Charged as it completes: an iteration that faults later in the
            // chunk must not take the earlier ones' cost with it.
            s.cycles += per_iteration_cost(K);
            ++done;
            if constexpr (conditional) {
                const bool zf = s.lazy.res == 0;
                if ((i->flags & insn_flag::kRep) ? !zf : zf) {
                    finished = true;
                    break;
                }
            }
            if (done >= chunk) break;
            // Iteration boundaries are interrupt points: stop at the device
            // deadline exactly (the base cost is charged only on completion).
            if (s.cycles - i->cycles >= c.block_stop) break;
        }
        // The set-up cost once per completed instruction, not per chunk, so the
        // total does not depend on how often the loop was interrupted.
        if (finished) s.cycles += 5;
        if (finished) return next(c, i);
        // Not finished: run this instruction again from the run loop. It was
        // counted (and charged its base cost) once already.
        s.instructions -= 1;
        s.cycles -= i->cycles;
        return nullptr;
    }
};

constexpr u16 RS = attr::kRepString;

// INS/OUTS reach devices, so (like IN/OUT) they always end their block.
template <Str K>
constexpr OpcodeDef srow(u16 op, const char* syntax, u8 cost) {
    const bool b = (op & 1) == 0;
    const u16 attrs = (K == Str::Ins || K == Str::Outs) ? (RS | attr::kEndsBlock | attr::kNewContext) : RS;
    return {op, op, -1, syntax, b ? by_addr<StringOp<K>, u8>() : by_addr_sized<StringOp<K>>(), attrs, cost, cost};
}

constexpr OpcodeDef kRows[] = {
    srow<Str::Movs>(0xA4, "MOVS Yb,Xb", 7),  srow<Str::Movs>(0xA5, "MOVS Yv,Xv", 7),
    srow<Str::Cmps>(0xA6, "CMPS Xb,Yb", 8),  srow<Str::Cmps>(0xA7, "CMPS Xv,Yv", 8),
    srow<Str::Stos>(0xAA, "STOS Yb,AL", 5),  srow<Str::Stos>(0xAB, "STOS Yv,eAX", 5),
    srow<Str::Lods>(0xAC, "LODS AL,Xb", 5),  srow<Str::Lods>(0xAD, "LODS eAX,Xv", 5),
    srow<Str::Scas>(0xAE, "SCAS AL,Yb", 6),  srow<Str::Scas>(0xAF, "SCAS eAX,Yv", 6),
    srow<Str::Ins>(0x6C, "INS Yb,DX", 17),   srow<Str::Ins>(0x6D, "INS Yv,DX", 17),
    srow<Str::Outs>(0x6E, "OUTS DX,Xb", 17), srow<Str::Outs>(0x6F, "OUTS DX,Xv", 17),
};

}  // namespace

extern const OpcodeFamily kStringFamily{"string", kRows};

}  // namespace hm::cpu
