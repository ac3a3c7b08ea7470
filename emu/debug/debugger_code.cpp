// Disassembly at linear addresses, and the kernel-awareness entry points.
#include <cstdio>

#include "debug/debugger.hpp"
#include "debug/disassembler.hpp"
#include "debug/kernel_view.hpp"

namespace hm::dbg {

std::vector<Instruction> Debugger::disassemble(u32 lin, unsigned count, Syntax syntax) const {
    if (count == 0) return {};
    if (count > 10000) throw DebugError("disassemble: at most 10000 instructions at a time");
    if (!disasm_) disasm_ = std::make_unique<Disassembler>();
    const bool code32 = m_.cpu_state(cpu_).seg[sreg::CS].attr & seg_attr::kDB;
    std::vector<Instruction> out;
    u32 at = lin;
    // Read in pieces so that an unmapped page ends the listing where it starts.
    MemoryBytes window = read_memory(Space::Linear, at, 64);
    u64 window_at = at;
    while (out.size() < count) {
        if (at < window_at || u64{at} + 15 > window_at + window.bytes.size()) {
            window = read_memory(Space::Linear, at, 64);
            window_at = at;
        }
        const size_t off = at - window_at;
        size_t avail = 0;
        while (off + avail < window.bytes.size() && window.valid[off + avail]) ++avail;
        if (avail == 0) {
            if (out.empty()) throw DebugError("cannot disassemble at " + std::string("linear ") + [&] {
                char b[16];
                std::snprintf(b, sizeof b, "0x%08x", at);
                return std::string(b);
            }() + ": " + window.error);
            break;
        }
        Instruction i = disasm_->decode(window.bytes.data() + off, avail, at, code32, syntax);
        i.symbol = symbolize(at);
        if (i.target) {
            const std::string t = symbolize(*i.target);
            if (!t.empty()) i.operands += " <" + t + ">";
        }
        out.push_back(std::move(i));
        if (u64{at} + out.back().length > 0xFFFFFFFFull) break;
        at += out.back().length;
    }
    return out;
}

std::vector<Frame> Debugger::backtrace(unsigned max_frames) const {
    const RegisterFile r = registers();
    std::vector<Frame> out{{r.pc(), r.gpr[reg::EBP], symbolize(r.pc())}};
    auto read32 = [&](u32 at) -> std::optional<u32> {
        const MemoryBytes m = read_memory(Space::Linear, at, 4);
        if (!m.all_valid()) return std::nullopt;
        return u32{m.bytes[0]} | (u32{m.bytes[1]} << 8) | (u32{m.bytes[2]} << 16) | (u32{m.bytes[3]} << 24);
    };
    // A return address may lie just past its function (a call to a noreturn
    // function ends it): name it by the byte before, as gdb does.
    auto caller = [&](u32 ret) {
        const Symbol* c = symbols_.covering(ret - 1);
        if (!c) return std::string();
        char off[24];
        std::snprintf(off, sizeof off, "+0x%x", ret - c->addr);
        return c->qualified + off;
    };
    const Symbol* sym = symbols_.covering(r.pc());
    if (sym && sym->addr == r.pc()) {
        // The prologue has not run: the caller's frame pointer is still in EBP.
        if (auto ret = read32(r.gpr[reg::ESP])) out.push_back({*ret, r.gpr[reg::EBP], caller(*ret)});
    }
    u32 ebp = r.gpr[reg::EBP];
    while (out.size() < max_frames && ebp != 0) {
        const auto ret = read32(ebp + 4);
        const auto next = read32(ebp);
        if (!ret || !next || *ret == 0) break;
        out.push_back({*ret, ebp, caller(*ret)});
        if (*next <= ebp) break;  // frames live higher up the stack: anything else ends the chain
        ebp = *next;
    }
    return out;
}

PkmapView Debugger::pkmap() const { return read_pkmap(*this); }
std::vector<TaskView> Debugger::tasks() const { return read_tasks(*this); }
KmapLocalPlace Debugger::kmap_local_place() const { return read_kmap_local_place(*this); }
std::vector<ZoneView> Debugger::zones() const { return read_zones(*this); }

void Debugger::set_page_table_tracking(bool on) {
    track_tables_ = false;
    leaves_at_resume_.clear();
    if (on) leaves_at_resume_ = page_map({}, MapMerge::None);
    track_tables_ = on;
}

}  // namespace hm::dbg
