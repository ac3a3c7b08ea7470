#include "debug/debug_format.hpp"

#include <cstdio>

#include "core/fault.hpp"
#include "cpu/state.hpp"

namespace hm::dbg {

namespace {
template <typename... A>
std::string fmt(const char* f, A... a) {
    char buf[320];
    std::snprintf(buf, sizeof buf, f, a...);
    return buf;
}

const char* flush_cause_text(TlbFlushCause c) {
    switch (c) {
        case TlbFlushCause::Invlpg: return "INVLPG";
        case TlbFlushCause::Cr3Write: return "CR3 write";
        case TlbFlushCause::Cr4Change: return "CR4 change";
        case TlbFlushCause::Cr0Change: return "CR0 change";
        case TlbFlushCause::EferChange: return "EFER change";
        case TlbFlushCause::Reset: return "reset";
    }
    return "?";
}
}  // namespace

std::string pf_error_text(u32 e) {
    std::string s = (e & pf_error::kPresent) ? "protection" : "not present";
    s += (e & pf_error::kWrite) ? ", write" : ", read";
    s += (e & pf_error::kUser) ? ", user" : ", supervisor";
    if (e & pf_error::kReservedBit) s += ", reserved bit";
    if (e & pf_error::kInstructionFetch) s += ", instruction fetch";
    return s;
}

std::string vector_text(u8 v) {
    static const char* const names[] = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "vector 9",
                                        "#TS", "#NP", "#SS", "#GP", "#PF", "vector 15", "#MF", "#AC", "#MC", "#XM"};
    if (v < std::size(names)) return names[v];
    return fmt("vector 0x%02x", v);
}

std::string describe_record(const EventRecord& r) {
    struct Visitor {
        std::string operator()(const ExceptionEvent& e) const {
            std::string s = "exception " + vector_text(e.vector);
            if (e.has_error_code) s += fmt(" error 0x%04x", e.error_code);
            if (e.vector == static_cast<u8>(Vector::PF)) s += " (" + pf_error_text(e.error_code) + fmt(") cr2 0x%08x", e.cr2);
            return s + fmt(" at %04x:%08x", e.cs, e.eip);
        }
        std::string operator()(const InterruptEvent& e) const {
            return fmt("%s 0x%02x at %04x:%08x", e.external ? "interrupt" : "int", e.vector, e.cs, e.eip);
        }
        std::string operator()(const PageWalkEvent& e) const {
            std::string s = fmt("walk %s 0x%08x (%s%s):", e.access == 0 ? "read" : e.access == 1 ? "write" : "fetch",
                                e.linear, e.user ? "user" : "supervisor", e.pae ? ", PAE" : "");
            for (unsigned i = 0; i < e.levels && i < 3; ++i) {
                s += fmt(" [0x%llx]=0x%llx", static_cast<unsigned long long>(e.entry_addr[i]),
                         static_cast<unsigned long long>(e.entry_value[i]));
            }
            if (e.faulted) return s + fmt(" -> #PF 0x%x", e.error_code);
            s += fmt(" -> 0x%llx", static_cast<unsigned long long>(e.phys));
            if (e.set_accessed) s += fmt(" set A (levels mask %u)", e.set_accessed);
            if (e.set_dirty) s += " set D";
            return s;
        }
        std::string operator()(const TlbFlushEvent& e) const {
            if (e.cause == TlbFlushCause::Invlpg) return fmt("TLB flush: INVLPG 0x%08x, %s dropped", e.linear, count_text(e.entries_dropped, "entry", "entries").c_str());
            return fmt("TLB flush: %s, %s dropped", flush_cause_text(e.cause), count_text(e.entries_dropped, "entry", "entries").c_str());
        }
        std::string operator()(const PortIoEvent& e) const {
            return fmt("%s port 0x%04x size %u value 0x%x", e.is_write ? "out" : "in", e.port, e.size, e.value);
        }
        std::string operator()(const StaleTranslationEvent& e) const {
            std::string s = fmt("stale %s-TLB translation of 0x%08x at eip 0x%08x: TLB 0x%llx", e.tlb_is_instruction ? "I" : "D",
                                e.linear, e.eip, static_cast<unsigned long long>(e.tlb_phys));
            if (!e.memory_present) return s + ", memory: not present";
            return s + fmt(", memory 0x%llx", static_cast<unsigned long long>(e.memory_phys));
        }
        std::string operator()(const WatchHit& w) const {
            return fmt("watchpoint %d: %s of %u bytes at 0x%08x (physical 0x%llx) value 0x%llx by eip 0x%08x", w.id,
                       w.access == Access::Write ? "write" : "read", w.size, w.linear,
                       static_cast<unsigned long long>(w.phys), static_cast<unsigned long long>(w.value), w.eip);
        }
    };
    return std::visit(Visitor{}, r);
}

std::string describe_event(const EventHit& e) {
    if (e.kind == EventKind::TripleFault) return fmt("event break %d (triple): ", e.id) + e.shutdown_reason;
    return fmt("event break %d (%s): ", e.id, event_kind_name(e.kind)) + describe_record(e.record);
}

std::string walk_target_text(const WalkLevel& l) {
    // Without P the CPU reads no other bit: the rest belongs to the OS (swap entries...).
    if (!l.bits.present) return "not present: points nowhere (the CPU ignores its other bits)";
    return fmt("-> %s 0x%09llx", l.leaf ? "frame" : "table", static_cast<unsigned long long>(l.bits.address));
}

const char* paging_word(PagingMode m) { return m == PagingMode::None ? "off" : paging_mode_name(m); }

std::string count_text(u64 n, const char* one, const char* many) { return std::to_string(n) + " " + (n == 1 ? one : many); }

// SDM Vol. 3A §3.5, Table 3-2: the system-segment and gate types (32-bit mode).
std::string system_type_text(u32 type) {
    switch (type & 0xF) {
        case 1: return "16-bit TSS (available)";
        case 2: return "LDT";
        case 3: return "16-bit TSS (busy)";
        case 4: return "16-bit call gate";
        case 5: return "task gate";
        case 6: return "16-bit interrupt gate";
        case 7: return "16-bit trap gate";
        case 9: return "32-bit TSS (available)";
        case 11: return "32-bit TSS (busy)";
        case 12: return "32-bit call gate";
        case 14: return "32-bit interrupt gate";
        case 15: return "32-bit trap gate";
        default: return "reserved system type " + std::to_string(type & 0xF);
    }
}

const char* segment_width_text(u32 attr) {
    if (!(attr & seg_attr::kS)) {
        // A system descriptor's width is in its type; D/B means nothing there.
        const u32 type = attr & seg_attr::kTypeMask;
        if (type == 2 || type == 5 || type == 0 || type == 8 || type == 10 || type == 13) return "";
        return (type & 8) ? "32-bit" : "16-bit";
    }
    return (attr & seg_attr::kDB) ? "32-bit" : "16-bit";
}

}  // namespace hm::dbg
