// Breakpoints, watchpoints and event breaks: the lists, their validation, and
// arming them in the CPU (execution breakpoints) and the MMU (watched pages)
// before each resume.
#include <algorithm>
#include <cstdio>

#include "debug/debugger.hpp"

namespace hm::dbg {

namespace {
constexpr u64 kMaxWatchBytes = 1 * kMiB;

std::string hex(u64 v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

void check_address(Space space, u64 addr, u64 len, const char* what) {
    const u64 limit = space == Space::Linear ? (u64{1} << 32) : kMaxPhysAddr;
    if (addr >= limit || len > limit - addr) {
        throw DebugError(std::string(what) + ": " + space_name(space) + " address " + hex(addr) +
                         (len > 1 ? " + " + hex(len) : std::string()) + " is beyond the " +
                         (space == Space::Linear ? "32-bit linear" : "36-bit physical") + " address space");
    }
}
}  // namespace

int Debugger::add_breakpoint(Space space, u64 addr, bool temporary, int cpu) {
    check_address(space, addr, 1, "breakpoint");
    if (cpu != kAnyCpu && (cpu < 0 || static_cast<unsigned>(cpu) >= m_.cpu_count())) {
        throw DebugError("breakpoint: cpu " + std::to_string(cpu) + ": the machine has " +
                         std::to_string(m_.cpu_count()) + " CPU" + (m_.cpu_count() == 1 ? "" : "s") + " (0 to " +
                         std::to_string(m_.cpu_count() - 1) + ")");
    }
    Breakpoint b;
    b.id = next_id();
    b.space = space;
    b.addr = addr;
    b.temporary = temporary;
    b.cpu = cpu;
    bps_.push_back(b);
    return b.id;
}

int Debugger::add_watchpoint(Space space, u64 addr, u32 len, WatchKind kind) {
    if (len == 0 || len > kMaxWatchBytes) {
        throw DebugError("watchpoint: the length must be 1 to " + std::to_string(kMaxWatchBytes) + " bytes");
    }
    check_address(space, addr, len, "watchpoint");
    Watchpoint w;
    w.id = next_id();
    w.space = space;
    w.addr = addr;
    w.len = len;
    w.kind = kind;
    wps_.push_back(w);
    return w.id;
}

int Debugger::add_event_break(EventKind kind, u32 arg) {
    if (kind == EventKind::Exception && arg != kAnyArg && arg > 31) {
        throw DebugError("break-on exc: exception vectors are 0 to 31 (got " + std::to_string(arg) + ")");
    }
    if (kind == EventKind::PortIo && arg != kAnyArg && arg > 0xFFFF) {
        throw DebugError("break-on io: ports are 0 to 0xffff (got " + hex(arg) + ")");
    }
    EventBreak e;
    e.id = next_id();
    e.kind = kind;
    e.arg = (kind == EventKind::Exception || kind == EventKind::PortIo) ? arg : kAnyArg;
    evbs_.push_back(e);
    return e.id;
}

void Debugger::remove(int id) {
    auto drop = [id](auto& v) {
        auto it = std::find_if(v.begin(), v.end(), [id](const auto& x) { return x.id == id; });
        if (it == v.end()) return false;
        v.erase(it);
        return true;
    };
    if (!drop(bps_) && !drop(wps_) && !drop(evbs_)) throw DebugError("no breakpoint, watchpoint or event break " + std::to_string(id));
}

void Debugger::remove_all() {
    bps_.clear();
    wps_.clear();
    evbs_.clear();
}

void Debugger::set_enabled(int id, bool enabled) {
    for (auto& b : bps_) if (b.id == id) { b.enabled = enabled; return; }
    for (auto& w : wps_) if (w.id == id) { w.enabled = enabled; return; }
    for (auto& e : evbs_) if (e.id == id) { e.enabled = enabled; return; }
    throw DebugError("no breakpoint, watchpoint or event break " + std::to_string(id));
}

bool Debugger::remove_breakpoint_at(Space space, u64 addr) {
    auto it = std::find_if(bps_.begin(), bps_.end(),
                           [&](const Breakpoint& b) { return b.space == space && b.addr == addr && !b.temporary; });
    if (it == bps_.end()) return false;
    bps_.erase(it);
    return true;
}

bool Debugger::remove_watchpoint_at(Space space, u64 addr, u32 len, WatchKind kind) {
    auto it = std::find_if(wps_.begin(), wps_.end(), [&](const Watchpoint& w) {
        return w.space == space && w.addr == addr && w.len == len && w.kind == kind;
    });
    if (it == wps_.end()) return false;
    wps_.erase(it);
    return true;
}

bool Debugger::breakpoint_at_pc(unsigned cpu, int* id) const {
    const CpuState& st = m_.cpu_state(cpu);
    const u32 pc = st.seg[sreg::CS].base + st.eip;
    std::optional<PhysAddr> phys;
    bool phys_known = false;
    for (const Breakpoint& b : bps_) {
        if (!b.enabled || (b.cpu != kAnyCpu && static_cast<unsigned>(b.cpu) != cpu)) continue;
        if (b.space == Space::Linear) {
            if (b.addr != pc) continue;
        } else {
            if (!phys_known) {
                phys = m_.mmu(cpu).probe(LinearAddr{pc}, Access::Execute, st.cpl == 3 ? Priv::User : Priv::Supervisor);
                phys_known = true;
            }
            if (!phys || phys->value != b.addr) continue;
        }
        *id = b.id;
        return true;
    }
    return false;
}

void Debugger::arm(Breakpoints which, unsigned off_cpu) {
    // Each CPU gets the breakpoints that apply to it.
    for (unsigned k = 0; k < m_.cpu_count(); ++k) {
        std::vector<u32> lin;
        std::vector<u64> phys;
        if (which == Breakpoints::On && k != off_cpu) {
            for (const Breakpoint& b : bps_) {
                if (!b.enabled || (b.cpu != kAnyCpu && static_cast<unsigned>(b.cpu) != k)) continue;
                if (b.space == Space::Linear) lin.push_back(static_cast<u32>(b.addr));
                else phys.push_back(b.addr);
            }
        }
        m_.cpu(k).set_breakpoints(std::move(lin));
        m_.cpu(k).set_physical_breakpoints(std::move(phys));
    }

    std::vector<WatchedPage> pages;
    for (const Watchpoint& w : wps_) {
        if (!w.enabled) continue;
        const bool r = static_cast<u8>(w.kind) & static_cast<u8>(WatchKind::Read);
        const bool wr = static_cast<u8>(w.kind) & static_cast<u8>(WatchKind::Write);
        const WatchSpace sp = w.space == Space::Linear ? WatchSpace::Linear : WatchSpace::Physical;
        for (u64 p = w.addr & ~u64{0xFFF}; p < w.addr + w.len; p += kPageSize) pages.push_back({sp, p, r, wr});
    }
    // Every CPU's MMU: a watchpoint sees the accesses of all of them.
    for (unsigned k = 0; k < m_.cpu_count(); ++k) m_.mmu(k).set_watched_pages(pages, &Debugger::watch_hook, this);
}

void Debugger::disarm() {
    for (unsigned k = 0; k < m_.cpu_count(); ++k) {
        m_.cpu(k).set_breakpoints({});
        m_.cpu(k).set_physical_breakpoints({});
        m_.mmu(k).set_watched_pages({}, nullptr, nullptr);
    }
}

}  // namespace hm::dbg
