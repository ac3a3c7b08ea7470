// Names for the debugger's enumerations and the small helpers of its value types.
#include "debug/debugger_types.hpp"

#include <algorithm>
#include <cctype>

namespace hm::dbg {

const char* space_name(Space s) { return s == Space::Linear ? "linear" : "physical"; }

const char* watch_kind_name(WatchKind k) {
    switch (k) {
        case WatchKind::Read: return "r";
        case WatchKind::Write: return "w";
        case WatchKind::ReadWrite: return "rw";
    }
    return "?";
}

const char* event_kind_name(EventKind k) {
    switch (k) {
        case EventKind::PageFault: return "pf";
        case EventKind::Exception: return "exc";
        case EventKind::Cr3Write: return "cr3";
        case EventKind::Invlpg: return "invlpg";
        case EventKind::TlbFlush: return "flush";
        case EventKind::TripleFault: return "triple";
        case EventKind::PortIo: return "io";
    }
    return "?";
}

const char* stop_kind_name(StopKind k) {
    switch (k) {
        case StopKind::Step: return "step";
        case StopKind::Breakpoint: return "breakpoint";
        case StopKind::Watchpoint: return "watchpoint";
        case StopKind::Event: return "event";
        case StopKind::Interrupted: return "interrupted";
        case StopKind::Budget: return "budget";
        case StopKind::Exited: return "exited";
        case StopKind::Shutdown: return "shutdown";
        case StopKind::Hang: return "hang";
        case StopKind::CycleLimit: return "cycle-limit";
    }
    return "?";
}

namespace {
constexpr const char* kRegNames[] = {
    "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "eip", "eflags",
    "es", "cs", "ss", "ds", "fs", "gs", "ldtr", "tr", "gdtr", "idtr",
    "cr0", "cr2", "cr3", "cr4", "efer",
    "dr0", "dr1", "dr2", "dr3", "dr6", "dr7",
};
static_assert(std::size(kRegNames) == static_cast<size_t>(Reg::Count), "a name for every register");
}  // namespace

const char* reg_name(Reg r) { return r < Reg::Count ? kRegNames[static_cast<unsigned>(r)] : "?"; }

std::optional<Reg> reg_from_name(const std::string& name) {
    std::string n = name;
    if (!n.empty() && n[0] == '$') n.erase(0, 1);
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (n == "pc") return Reg::EIP;
    if (n == "sp") return Reg::ESP;
    if (n == "fp") return Reg::EBP;
    for (unsigned i = 0; i < static_cast<unsigned>(Reg::Count); ++i) {
        if (n == kRegNames[i]) return static_cast<Reg>(i);
    }
    return std::nullopt;
}

u64 RegisterFile::get(Reg r) const {
    const unsigned i = static_cast<unsigned>(r);
    if (r <= Reg::EDI) return gpr[i];
    switch (r) {
        case Reg::EIP: return eip;
        case Reg::EFLAGS: return eflags;
        case Reg::ES: case Reg::CS: case Reg::SS: case Reg::DS: case Reg::FS: case Reg::GS:
            return seg[i - static_cast<unsigned>(Reg::ES)].selector;
        case Reg::LDTR: return ldtr.selector;
        case Reg::TR: return tr.selector;
        case Reg::GDTR: return gdtr.base;
        case Reg::IDTR: return idtr.base;
        case Reg::CR0: return cr.cr0;
        case Reg::CR2: return cr.cr2;
        case Reg::CR3: return cr.cr3;
        case Reg::CR4: return cr.cr4;
        case Reg::EFER: return cr.efer;
        case Reg::DR0: case Reg::DR1: case Reg::DR2: case Reg::DR3: return dr[i - static_cast<unsigned>(Reg::DR0)];
        case Reg::DR6: return dr[6];
        case Reg::DR7: return dr[7];
        default: return 0;
    }
}

bool MemoryBytes::all_valid() const {
    return std::all_of(valid.begin(), valid.end(), [](u8 v) { return v != 0; });
}

}  // namespace hm::dbg
