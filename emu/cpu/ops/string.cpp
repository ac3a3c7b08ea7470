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
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

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

// Bulk REP MOVS/STOS with 32-bit addressing: a run of iterations that would
// all take the element path's fast paths, done at once on host memory. An
// element is on the fast path when its offset passes the segment's one
// compare (ea + size <= read_end/write_end, which is 0 while data breakpoints
// or alignment checks are armed, so those keep the element path) and its page
// has a front TLB entry with the read (source) or write (destination) tag:
// RAM, not a code page, dirty and writable, no checker or hit tracking
// (Mmu::fill_front). The run stays inside one linear page for the source and
// one for the destination, so one front lookup each answers for all of it.
// Its effects are the element path's: the same bytes in the same order (an
// element-by-element copy when the host ranges overlap), the same registers,
// cycles and front-hit counts, and no run goes past the iteration at which the
// element loop would stop (count, chunk, block_stop). Whatever lies beyond
// the run (a page boundary, a TLB miss, a fault) takes the element path, so
// faults, A/D bits and decode-cache invalidation happen exactly as before.
// Returns the number of iterations done (0: none could be).
template <Str K, typename T>
u32 bulk_run(Core& c, const Insn* i, u32 limit) {
    CpuState& s = c.s;
    constexpr u32 size = sizeof(T);
    const bool down = (s.eflags & flag::DF) != 0;
    // How many elements from offset ea (downwards when `down`) pass the segment
    // compare and stay in ea's linear page; 0 when the first does not.
    const auto fit = [&](u32 ea, u64 end, u32 lin) -> u32 {
        if (u64{ea} + size > end) return 0;
        const u32 in_page = lin & 0xFFF;
        if (in_page + size > kPageSize) return 0;
        // Downwards the highest offset is the first one; ea - (n-1)*size must not go below 0.
        if (down) return std::min(in_page / size, ea / size) + 1;
        return static_cast<u32>(std::min<u64>((kPageSize - in_page) / size, (end - ea) / size));
    };
    const u32 di = s.r[reg::EDI];
    const Segment& es = s.seg[sreg::ES];
    const u32 dst_lin = es.base + di;
    u32 n = std::min(limit, fit(di, es.write_end, dst_lin));
    if (n == 0) return 0;
    u8* const dst_page = c.mmu.front_write_page(LinearAddr{dst_lin}, c.data_priv);
    if (dst_page == nullptr) return 0;
    u8* dst = dst_page + (dst_lin & 0xFFF);
    if constexpr (K == Str::Movs) {
        const u32 si = s.r[reg::ESI];
        const Segment& ss = s.seg[i->seg];
        const u32 src_lin = ss.base + si;
        n = std::min(n, fit(si, ss.read_end, src_lin));
        if (n == 0) return 0;
        const u8* const src_page = c.mmu.front_read_page(LinearAddr{src_lin}, c.data_priv);
        if (src_page == nullptr) return 0;
        const u8* src = src_page + (src_lin & 0xFFF);
        const std::size_t bytes = std::size_t{n} * size;
        // The lowest addresses of both runs.
        u8* const dst_low = down ? dst - (bytes - size) : dst;
        const u8* const src_low = down ? src - (bytes - size) : src;
        // As integers: the two runs may lie in unrelated host allocations.
        const auto d0 = reinterpret_cast<std::uintptr_t>(dst_low), s0 = reinterpret_cast<std::uintptr_t>(src_low);
        if (d0 + bytes <= s0 || s0 + bytes <= d0) {
            std::memcpy(dst_low, src_low, bytes);
        } else {  // overlapping (or aliased pages): element by element, in the instruction's order
            const std::ptrdiff_t step = down ? -static_cast<std::ptrdiff_t>(size) : static_cast<std::ptrdiff_t>(size);
            for (u32 k = 0; k < n; ++k, dst += step, src += step) std::memmove(dst, src, size);
        }
        s.r[reg::ESI] = down ? si - n * size : si + n * size;
        c.mmu.count_front_hits(2 * u64{n});  // a read and a write per element
    } else {
        const T v = get_reg<T>(s, reg::EAX);
        u8* const low = down ? dst - (n - 1) * size : dst;
        if constexpr (size == 1) {
            std::memset(low, v, n);
        } else {
            for (u32 k = 0; k < n; ++k) std::memcpy(low + k * size, &v, size);
        }
        c.mmu.count_front_hits(n);
    }
    s.r[reg::EDI] = down ? di - n * size : di + n * size;
    return n;
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
        // Something waiting (an interrupt, a stop, single-stepping): one
        // iteration. The INTR line alone with IF clear is not: the run loop
        // would do nothing for it (Pending::Proceed; the chaining test in
        // run_loop.cpp makes the same exception), and where the loop yields is
        // not guest-visible (the counts are corrected, see below). A guest
        // running with interrupts off while a device's line waits (the bench
        // guests, a kernel's clear_page in an IRQ-off section) keeps its bulk runs.
        const u32 p = c.pending.load(std::memory_order_relaxed);
        const bool waiting = p != 0 && (p != pending::kIntr || (s.eflags & flag::IF));
        const unsigned chunk = waiting ? 1 : kChunk;
        unsigned done = 0;
        bool finished = false;
        for (;;) {
            A count = static_cast<A>(s.r[reg::ECX]);
            if (count == 0) {
                finished = true;
                break;
            }
            // 32-bit REP MOVS/STOS: as many iterations as the element loop would
            // make before its next stop, when bulk_run can do them at once.
            if constexpr ((K == Str::Movs || K == Str::Stos) && sizeof(A) == 4) {
                constexpr u32 cost = per_iteration_cost(K);
                // The element loop stops after the iteration that brings
                // cycles - i->cycles to block_stop (at least one runs).
                const u64 since = s.cycles - i->cycles;
                const u64 to_stop = since >= c.block_stop ? 1 : (c.block_stop - since - 1) / cost + 1;
                const u32 limit = static_cast<u32>(std::min<u64>({u64{count}, u64{chunk - done}, to_stop}));
                if (const u32 n = bulk_run<K, T>(c, i, limit)) {
                    set_reg<A>(s, reg::ECX, static_cast<A>(count - n));
                    s.cycles += u64{cost} * n;
                    done += n;
                    if (done >= chunk) break;
                    if (s.cycles - i->cycles >= c.block_stop) break;
                    continue;
                }
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
