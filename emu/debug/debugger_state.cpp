// Registers and memory as the debugger reads and writes them. Reads have no side
// effects: memory comes through host pointers (RAM, ROM, device RAM), never
// through a device's read handler, and linear addresses are translated with the
// MMU's probe (what the CPU would use now, TLB first), which counts nothing.
#include <algorithm>
#include <cstdio>
#include <cstring>

#include "cpu/flags.hpp"
#include "debug/debugger.hpp"

namespace hm::dbg {

namespace {
std::string hex(u64 v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}
}  // namespace

// ---------------------------------------------------------------- registers

void Debugger::select_cpu(unsigned cpu) {
    if (cpu >= m_.cpu_count()) {
        throw DebugError("cpu " + std::to_string(cpu) + ": the machine has " + std::to_string(m_.cpu_count()) +
                         " CPU" + (m_.cpu_count() == 1 ? "" : "s") + " (0 to " + std::to_string(m_.cpu_count() - 1) + ")");
    }
    cpu_ = cpu;
    // Change marks: what this CPU changed since the last resume, when one was
    // made; else they start afresh.
    prev_regs_ = cpu < prev_by_cpu_.size() ? prev_by_cpu_[cpu] : raw_registers(cpu);
    prev_regs_.changed = 0;
}

RegisterFile Debugger::registers() const {
    RegisterFile r = raw_registers(cpu_);
    for (unsigned i = 0; i < static_cast<unsigned>(Reg::Count); ++i) {
        const Reg reg = static_cast<Reg>(i);
        if (r.get(reg) != prev_regs_.get(reg)) r.changed |= u64{1} << i;
    }
    return r;
}

RegisterFile Debugger::raw_registers(unsigned cpu) const {
    const CpuState& s = m_.cpu_state(cpu);
    RegisterFile r;
    std::copy(s.r, s.r + 8, r.gpr);
    r.eip = s.eip;
    r.eflags = cpu::read_eflags(s);
    std::copy(s.seg, s.seg + 6, r.seg);
    r.ldtr = s.ldtr;
    r.tr = s.tr;
    r.gdtr = s.gdtr;
    r.idtr = s.idtr;
    r.cr = s.cr;
    std::copy(s.dr, s.dr + 8, r.dr);
    r.cpl = s.cpl;
    r.paging = m_.mmu(cpu).paging_mode();
    r.halted = s.halted;
    r.cycles = s.cycles;
    r.instructions = s.instructions;
    return r;
}

void Debugger::set_register(Reg r, u64 value) {
    set_register_unlogged(r, value);
    if (edit_log_) {
        Edit e;
        e.memory = false;
        e.reg = r;
        e.value = value;
        e.cpu = cpu_;
        edit_log_(e);
    }
}

void Debugger::set_register_unlogged(Reg r, u64 value) {
    checkpoints_.clear();  // re-execution from them would not see the edit
    CpuState& s = m_.cpu_state(cpu_);
    const unsigned i = static_cast<unsigned>(r);
    auto need32 = [&] {
        if (value > 0xFFFFFFFFu) throw DebugError(std::string(reg_name(r)) + " is 32 bits wide: " + hex(value) + " does not fit");
    };
    if (r <= Reg::EDI) {
        need32();
        s.r[i] = static_cast<u32>(value);
        return;
    }
    switch (r) {
        case Reg::EIP:
            need32();
            s.eip = static_cast<u32>(value);
            return;
        case Reg::EFLAGS: {
            need32();
            const u32 v = static_cast<u32>(value);
            if ((v ^ s.eflags) & flag::VM) throw DebugError("eflags: the VM bit cannot be changed from the debugger");
            s.eflags = (v & flag::kImplemented) | flag::kFixed1;
            s.lazy.kind = FlagKind::None;
            // TF and IF decide what the run loop looks at between blocks.
            m_.cpu(cpu_).set_instruction_trace(InstructionTrace::Off);
            return;
        }
        case Reg::ES: case Reg::CS: case Reg::SS: case Reg::DS: case Reg::FS: case Reg::GS: {
            const unsigned sr = i - static_cast<unsigned>(Reg::ES);
            if (value > 0xFFFF) throw DebugError(std::string(reg_name(r)) + ": a selector is 16 bits");
            if (value == s.seg[sr].selector) return;  // gdb writes every register back
            if ((s.cr.cr0 & cr0::kPE) && !(s.eflags & flag::VM)) {
                throw DebugError(std::string(reg_name(r)) +
                                 ": segment registers can be changed only in real mode (in protected mode the descriptor "
                                 "cache would not match the selector)");
            }
            s.seg[sr].selector = static_cast<u16>(value);
            m_.cpu(cpu_).sync_real_mode_segments();
            return;
        }
        case Reg::GDTR: need32(); s.gdtr.base = static_cast<u32>(value); return;
        case Reg::IDTR: need32(); s.idtr.base = static_cast<u32>(value); return;
        case Reg::CR2: need32(); s.cr.cr2 = static_cast<u32>(value); return;
        case Reg::CR0: case Reg::CR3: case Reg::CR4: case Reg::EFER:
            try {
                if (r == Reg::CR0) {
                    need32();
                    if ((value ^ s.cr.cr0) & (cr0::kPE | cr0::kPG)) {
                        throw DebugError("cr0: PE and PG cannot be changed from the debugger");
                    }
                    m_.mmu(cpu_).write_cr0(static_cast<u32>(value));
                } else if (r == Reg::CR3) {
                    need32();
                    m_.mmu(cpu_).write_cr3(static_cast<u32>(value));
                } else if (r == Reg::CR4) {
                    need32();
                    m_.mmu(cpu_).write_cr4(static_cast<u32>(value));
                } else {
                    m_.mmu(cpu_).write_efer(value);
                }
            } catch (const GuestFault&) {
                throw DebugError(std::string(reg_name(r)) + " = " + hex(value) +
                                 ": the CPU would raise #GP(0) (a reserved bit in a PAE PDPTE)");
            }
            return;
        case Reg::DR0: case Reg::DR1: case Reg::DR2: case Reg::DR3:
            need32();
            s.dr[i - static_cast<unsigned>(Reg::DR0)] = static_cast<u32>(value);
            return;
        default:
            if (r < Reg::Count && value == registers().get(r)) return;
            throw DebugError(std::string(reg_name(r)) + " cannot be changed from the debugger");
    }
}

// ---------------------------------------------------------------- memory

std::optional<u64> Debugger::translate(u32 lin, Access a, Priv p) const {
    const std::optional<PhysAddr> phys = m_.mmu(cpu_).probe(LinearAddr{lin}, a, p);
    if (!phys) return std::nullopt;
    return phys->value;
}

MemoryBytes Debugger::read_memory(Space space, u64 addr, u32 len) const {
    MemoryBytes out;
    out.space = space;
    out.addr = addr;
    out.bytes.assign(len, 0);
    out.valid.assign(len, 0);
    out.changed.assign(len, 0);
    const u64 limit = space == Space::Linear ? (u64{1} << 32) : kMaxPhysAddr;
    const Bus& bus = m_.bus();
    for (u64 done = 0; done < len;) {
        const u64 at = addr + done;
        const u64 chunk = std::min<u64>(len - done, kPageSize - (at & 0xFFF));
        if (at >= limit) {
            if (out.error.empty()) out.error = std::string(space_name(space)) + " address " + hex(at) + " is beyond the address space";
            break;
        }
        std::optional<u64> pa = at;
        if (space == Space::Linear) {
            pa = translate(static_cast<u32>(at));
            if (!pa && out.error.empty()) out.error = "linear " + hex(at) + " is not mapped";
        }
        if (pa) {
            const PageHost h = bus.page_host(PhysAddr{*pa});
            if (h.read) {
                std::memcpy(out.bytes.data() + done, h.read + (*pa & 0xFFF), chunk);
                std::fill_n(out.valid.begin() + static_cast<std::ptrdiff_t>(done), chunk, u8{1});
            } else if (out.error.empty()) {
                const Bus::Region* reg = bus.find_region(PhysAddr{*pa});
                out.error = "physical " + hex(*pa) +
                            (reg ? " is device memory (" + reg->name + "): not read" : std::string(" holds no memory (open bus)"));
            }
        }
        done += chunk;
    }
    // Changes since the last resume, for the tracked regions that overlap.
    for (const auto& [handle, t] : tracked_) {
        if (t.space != space || t.before.size() != t.len) continue;
        const u64 lo = std::max(t.addr, addr), hi = std::min(t.addr + t.len, addr + len);
        for (u64 a = lo; a < hi; ++a) {
            const size_t i = a - addr, j = a - t.addr;
            if (out.valid[i] && out.bytes[i] != t.before[j]) out.changed[i] = 1;
        }
    }
    return out;
}

u64 Debugger::read_value(Space space, u64 addr, unsigned size) const {
    MemoryBytes m = read_memory(space, addr, size);
    if (!m.all_valid()) throw DebugError("cannot read " + std::to_string(size) + " bytes at " + space_name(space) + " " + hex(addr) + ": " + m.error);
    u64 v = 0;
    for (unsigned i = 0; i < size; ++i) v |= u64{m.bytes[i]} << (8 * i);
    return v;
}

void Debugger::write_memory(Space space, u64 addr, const std::vector<u8>& bytes) {
    checkpoints_.clear();  // re-execution from them would not see the edit
    // Resolve every page first: nothing is written unless everything can be.
    struct Piece {
        u8* host;
        u64 phys;
        u64 len;
    };
    std::vector<Piece> pieces;
    const u64 limit = space == Space::Linear ? (u64{1} << 32) : kMaxPhysAddr;
    for (u64 done = 0; done < bytes.size();) {
        const u64 at = addr + done;
        const u64 chunk = std::min<u64>(bytes.size() - done, kPageSize - (at & 0xFFF));
        if (at >= limit) throw DebugError(std::string(space_name(space)) + " address " + hex(at) + " is beyond the address space");
        std::optional<u64> pa = at;
        if (space == Space::Linear) {
            // Like gdb patching text: the page's R/W bit does not stop the debugger.
            pa = translate(static_cast<u32>(at));
            if (!pa) throw DebugError("cannot write linear " + hex(at) + ": not mapped");
        }
        const PageHost h = m_.bus().page_host(PhysAddr{*pa});
        if (!h.write || h.write != h.read) {
            throw DebugError("cannot write physical " + hex(*pa) + ": not RAM" + (h.read ? " (ROM or device memory)" : ""));
        }
        pieces.push_back({h.write + (*pa & 0xFFF), *pa, chunk});
        done += chunk;
    }
    u64 done = 0;
    for (const Piece& p : pieces) {
        std::memcpy(p.host, bytes.data() + done, p.len);
        m_.invalidate_code(p.phys, p.len);
        done += p.len;
    }
    if (edit_log_) {
        Edit e;
        e.space = space;
        e.addr = addr;
        e.bytes = bytes;
        e.cpu = cpu_;
        edit_log_(e);
    }
}

int Debugger::track_memory(Space space, u64 addr, u32 len) {
    if (len == 0 || len > 16 * kMiB) throw DebugError("track: the length must be 1 byte to 16 MiB");
    Tracked t{space, addr, len, {}};
    t.before = read_tracked(t);
    tracked_[++last_track_] = std::move(t);
    return last_track_;
}

void Debugger::untrack_memory(int handle) { tracked_.erase(handle); }

std::vector<u8> Debugger::read_tracked(const Tracked& t) const {
    MemoryBytes m = read_memory(t.space, t.addr, t.len);
    return m.bytes;
}

// ---------------------------------------------------------------- symbols

void Debugger::load_symbols(const std::string& elf_path) {
    require_host_files("sym-file");
    SymbolTable t;
    t.load(elf_path);
    symbols_ = std::move(t);
}

std::string Debugger::symbolize(u32 addr) const { return symbols_.describe(addr); }

}  // namespace hm::dbg
