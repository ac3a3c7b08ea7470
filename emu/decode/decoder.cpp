#include "decode/decoder.hpp"

#include <cstring>

#include "cpu/state.hpp"

namespace hm::cpu {

namespace {

constexpr unsigned kMaxLength = 15;

class ByteReader {
public:
    ByteReader(const u8* p, unsigned avail) : p_(p), avail_(avail) {}
    bool has(unsigned n) const { return pos_ + n <= avail_; }
    u8 u8v() { return p_[pos_++]; }
    u16 u16v() {
        u16 v;
        std::memcpy(&v, p_ + pos_, 2);
        pos_ += 2;
        return v;
    }
    u32 u32v() {
        u32 v;
        std::memcpy(&v, p_ + pos_, 4);
        pos_ += 4;
        return v;
    }
    unsigned pos() const { return pos_; }
    unsigned avail() const { return avail_; }

private:
    const u8* p_;
    unsigned avail_;
    unsigned pos_ = 0;
};

// Outcome of a read that may run out of bytes.
enum class Step { Ok, More, Long };

Step need(const ByteReader& r, unsigned n) {
    if (r.pos() + n > kMaxLength) return Step::Long;
    if (!r.has(n)) return Step::More;
    return Step::Ok;
}

DecodeStatus to_status(Step s) { return s == Step::More ? DecodeStatus::NeedMoreBytes : DecodeStatus::TooLong; }

// ModRM memory operand, 16-bit addressing: base/index pairs of the 8086.
Step decode_modrm16(ByteReader& r, u8 mod, u8 rm, Insn& out, u8& default_seg) {
    static constexpr u8 kBase[8] = {reg::EBX, reg::EBX, reg::EBP, reg::EBP, reg::ESI, reg::EDI, reg::EBP, reg::EBX};
    static constexpr u8 kIndex[8] = {reg::ESI, reg::EDI, reg::ESI, reg::EDI, reg::kNone, reg::kNone, reg::kNone,
                                     reg::kNone};
    out.base = kBase[rm];
    out.index = kIndex[rm];
    if (mod == 0 && rm == 6) {
        out.base = reg::kNone;
        if (Step s = need(r, 2); s != Step::Ok) return s;
        out.disp = r.u16v();
    } else if (mod == 1) {
        if (Step s = need(r, 1); s != Step::Ok) return s;
        out.disp = static_cast<u32>(static_cast<i32>(static_cast<i8>(r.u8v())));
    } else if (mod == 2) {
        if (Step s = need(r, 2); s != Step::Ok) return s;
        out.disp = r.u16v();
    }
    default_seg = (out.base == reg::EBP) ? sreg::SS : sreg::DS;
    return Step::Ok;
}

// ModRM memory operand, 32-bit addressing with optional SIB.
Step decode_modrm32(ByteReader& r, u8 mod, u8 rm, Insn& out, u8& default_seg) {
    out.base = rm;
    out.index = reg::kNone;
    if (rm == 4) {
        if (Step s = need(r, 1); s != Step::Ok) return s;
        u8 sib = r.u8v();
        out.scale = sib >> 6;
        u8 idx = (sib >> 3) & 7;
        out.index = idx == 4 ? reg::kNone : idx;
        out.base = sib & 7;
        if (out.base == 5 && mod == 0) {
            out.base = reg::kNone;
            if (Step s = need(r, 4); s != Step::Ok) return s;
            out.disp = r.u32v();
        }
    } else if (rm == 5 && mod == 0) {
        out.base = reg::kNone;
        if (Step s = need(r, 4); s != Step::Ok) return s;
        out.disp = r.u32v();
    }
    if (mod == 1) {
        if (Step s = need(r, 1); s != Step::Ok) return s;
        out.disp = static_cast<u32>(static_cast<i32>(static_cast<i8>(r.u8v())));
    } else if (mod == 2) {
        if (Step s = need(r, 4); s != Step::Ok) return s;
        out.disp = r.u32v();
    }
    default_seg = (out.base == reg::ESP || out.base == reg::EBP) ? sreg::SS : sreg::DS;
    return Step::Ok;
}

Step read_imm(ByteReader& r, ImmKind k, bool o32, bool a32, u32& value, u16& second) {
    switch (k) {
        case ImmKind::None: return Step::Ok;
        case ImmKind::Ib:
        case ImmKind::Ibs:
        case ImmKind::Jb: {
            if (Step s = need(r, 1); s != Step::Ok) return s;
            u8 b = r.u8v();
            value = k == ImmKind::Ib ? b : static_cast<u32>(static_cast<i32>(static_cast<i8>(b)));
            return Step::Ok;
        }
        case ImmKind::Iw:
            if (Step s = need(r, 2); s != Step::Ok) return s;
            value = r.u16v();
            return Step::Ok;
        case ImmKind::Iz:
        case ImmKind::Jz:
            if (o32) {
                if (Step s = need(r, 4); s != Step::Ok) return s;
                value = r.u32v();
            } else {
                if (Step s = need(r, 2); s != Step::Ok) return s;
                u16 w = r.u16v();
                value = k == ImmKind::Jz ? static_cast<u32>(static_cast<i32>(static_cast<i16>(w))) : w;
            }
            return Step::Ok;
        case ImmKind::Ap:
            if (Step s = need(r, o32 ? 6 : 4); s != Step::Ok) return s;
            value = o32 ? r.u32v() : r.u16v();
            second = r.u16v();
            return Step::Ok;
        case ImmKind::O:
            if (Step s = need(r, a32 ? 4 : 2); s != Step::Ok) return s;
            value = a32 ? r.u32v() : r.u16v();
            return Step::Ok;
    }
    return Step::Ok;
}

}  // namespace

DecodeInfo decode_one(const DispatchTable& table, const u8* bytes, unsigned avail, bool code32, Insn& out) {
    DecodeInfo info;
    ByteReader r(bytes, avail);
    out = Insn{};
    bool opsize = false, addrsize = false;
    int seg_override = -1;
    u8 flags = 0;

    // Prefixes (any order, repeats allowed; they count toward the 15-byte limit).
    u16 opcode;
    for (;;) {
        if (Step s = need(r, 1); s != Step::Ok) {
            info.status = to_status(s);
            return info;
        }
        u8 b = r.u8v();
        switch (b) {
            case 0x26: seg_override = sreg::ES; continue;
            case 0x2E: seg_override = sreg::CS; continue;
            case 0x36: seg_override = sreg::SS; continue;
            case 0x3E: seg_override = sreg::DS; continue;
            case 0x64: seg_override = sreg::FS; continue;
            case 0x65: seg_override = sreg::GS; continue;
            case 0x66: opsize = true; continue;
            case 0x67: addrsize = true; continue;
            case 0xF0: flags |= insn_flag::kLock; continue;
            case 0xF2: flags = static_cast<u8>((flags & ~insn_flag::kRep) | insn_flag::kRepNe); continue;
            case 0xF3: flags = static_cast<u8>((flags & ~insn_flag::kRepNe) | insn_flag::kRep); continue;
            default: break;
        }
        opcode = b;
        break;
    }
    if (opcode == 0x0F) {
        if (Step s = need(r, 1); s != Step::Ok) {
            info.status = to_status(s);
            return info;
        }
        opcode = static_cast<u16>(k0F | r.u8v());
    }
    const bool o32 = code32 != opsize;
    const bool a32 = code32 != addrsize;
    if (o32) flags |= insn_flag::kO32;
    if (a32) flags |= insn_flag::kA32;
    info.opcode = opcode;
    out.opcode = static_cast<u8>(opcode);

    u8 modrm = 0;
    const bool has_modrm = table.has_modrm(opcode);
    if (has_modrm) {
        if (Step s = need(r, 1); s != Step::Ok) {
            info.status = to_status(s);
            return info;
        }
        modrm = r.u8v();
    }
    const DispatchEntry& e = table.entry(opcode, has_modrm ? (modrm >> 3) & 7 : 0);
    auto undefined = [&]() {
        out.fn = table.undefined();
        out.len = static_cast<u8>(r.pos());
        out.flags = flags;
        info.undefined = true;
        info.attrs = attr::kEndsBlock;
        return info;
    };
    if (!e.def) return undefined();
    const OperandSpec& spec = e.spec;

    bool mem = false;
    u8 default_seg = sreg::DS;
    if (has_modrm) {
        const u8 mod = modrm >> 6, rm = modrm & 7;
        out.reg = spec.reg_byte ? byte_reg_index((modrm >> 3) & 7) : (modrm >> 3) & 7;
        if (mod == 3 || spec.modrm == ModrmUse::RegOnly) {
            out.rm = spec.rm_byte ? byte_reg_index(rm) : rm;
        } else {
            mem = true;
            Step s = a32 ? decode_modrm32(r, mod, rm, out, default_seg) : decode_modrm16(r, mod, rm, out, default_seg);
            if (s != Step::Ok) {
                info.status = to_status(s);
                return info;
            }
        }
    } else if (spec.opcode_reg) {
        out.reg = spec.reg_byte ? byte_reg_index(opcode & 7) : opcode & 7;
    }
    if (spec.imm1 == ImmKind::O) mem = true;  // moffs: a memory operand without ModRM

    u32 second_value = 0;
    u16 selector = 0;
    Step s = read_imm(r, spec.imm1, o32, a32, spec.imm1 == ImmKind::O ? out.disp : out.imm, selector);
    if (s == Step::Ok && spec.imm2 != ImmKind::None) s = read_imm(r, spec.imm2, o32, a32, second_value, selector);
    if (s != Step::Ok) {
        info.status = to_status(s);
        return info;
    }
    out.imm2 = spec.imm2 != ImmKind::None ? static_cast<u16>(second_value) : selector;

    out.seg = seg_override >= 0 ? static_cast<u8>(seg_override) : default_seg;
    if (seg_override >= 0) flags |= insn_flag::kSegOverride;
    if (mem) flags |= insn_flag::kMem;
    out.flags = flags;
    out.len = static_cast<u8>(r.pos());
    info.def = e.def;

    if (spec.modrm == ModrmUse::MemOnly && !mem) return undefined();
    if ((flags & insn_flag::kLock) && (!(e.def->attrs & attr::kLock) || !mem)) return undefined();
    Handler h = e.def->forms.h[o32][a32][mem];
    if (!h) return undefined();
    out.fn = h;
    out.cycles = mem ? e.def->cost_mem : e.def->cost_reg;
    info.attrs = e.def->attrs;
    if (flags & insn_flag::kRep && e.def->attrs & attr::kRepString) info.attrs |= attr::kEndsBlock;
    if (flags & insn_flag::kRepNe && e.def->attrs & attr::kRepString) info.attrs |= attr::kEndsBlock;
    return info;
}

}  // namespace hm::cpu
