#include "debug/trace_format.hpp"

#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <sstream>

namespace hm {

namespace {
const char* access_name(u8 a) {
    switch (a) {
        case 0: return "read";
        case 1: return "write";
        case 2: return "exec";
        default: return "?";
    }
}

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, f);
    std::vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

const char* vector_short_name(u8 v) {
    static const char* const names[] = {"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM",
                                        "#DF", "#09", "#TS", "#NP", "#SS", "#GP", "#PF", "#15",
                                        "#MF", "#AC", "#MC", "#XM"};
    return v < 20 ? names[v] : "#??";
}

// PTE permission bits as letters: P W U ... G D NX
std::string pte_flags(u32 f) {
    std::string s;
    s += (f & 0x1) ? 'P' : '-';
    s += (f & 0x2) ? 'W' : '-';
    s += (f & 0x4) ? 'U' : '-';
    s += (f & 0x40) ? 'D' : '-';
    s += (f & 0x100) ? 'G' : '-';
    s += (f & 0x80000000u) ? "X" : "";  // NX is carried in bit 31 of the flag word
    return s;
}

struct Formatter {
    std::string operator()(const InstructionEvent& e) const {
        std::string s = fmt("%12" PRIu64 " insn  %04x:%08x lin=%08x ", e.cycle, e.cs, e.eip, e.linear);
        for (unsigned i = 0; i < e.length && i < 15; ++i) s += fmt(" %02x", e.bytes[i]);
        return s;
    }
    std::string operator()(const PageWalkEvent& e) const {
        std::string s = fmt("%12" PRIu64 " walk  %-5s %s lin=%08x %s", e.cycle, access_name(e.access),
                            e.user ? "user" : "sup ", e.linear, e.pae ? "pae" : "2lv");
        static const char* const level2[] = {"pde", "pte", "?"};
        static const char* const level3[] = {"pdpte", "pde", "pte"};
        for (unsigned i = 0; i < e.levels && i < 3; ++i) {
            const char* n = e.pae ? level3[i] : level2[i];
            s += fmt(" %s[%09" PRIx64 "]=%0*" PRIx64, n, e.entry_addr[i], e.pae ? 16 : 8, e.entry_value[i]);
        }
        if (e.faulted) {
            s += fmt(" -> #PF(%#x)", e.error_code);
        } else {
            s += fmt(" -> %09" PRIx64 " (%s)", e.phys,
                     e.page_size_log2 == 22 ? "4M" : e.page_size_log2 == 21 ? "2M" : "4K");
        }
        if (e.set_accessed) s += fmt(" A:%x", e.set_accessed);
        if (e.set_dirty) s += " D";
        return s;
    }
    std::string operator()(const TlbFlushEvent& e) const {
        std::string s = fmt("%12" PRIu64 " flush %s", e.cycle, tlb_flush_cause_name(e.cause));
        if (e.cause == TlbFlushCause::Invlpg) s += fmt(" lin=%08x", e.linear);
        return s + fmt(" dropped=%u", e.entries_dropped);
    }
    std::string operator()(const ExceptionEvent& e) const {
        std::string s = fmt("%12" PRIu64 " exc   %s", e.cycle, vector_short_name(e.vector));
        if (e.has_error_code) s += fmt("(%#x)", e.error_code);
        s += fmt(" at %04x:%08x", e.cs, e.eip);
        if (e.vector == 14) s += fmt(" cr2=%08x", e.cr2);
        return s;
    }
    std::string operator()(const InterruptEvent& e) const {
        return fmt("%12" PRIu64 " int   %#04x %s at %04x:%08x", e.cycle, e.vector, e.external ? "external" : "software",
                   e.cs, e.eip);
    }
    std::string operator()(const PortIoEvent& e) const {
        return fmt("%12" PRIu64 " io    %s%u 0x%04x %s 0x%0*x", e.cycle, e.is_write ? "out" : "in", e.size * 8u,
                   e.port, e.is_write ? "<-" : "->", e.size * 2, e.value);
    }
    std::string operator()(const StaleTranslationEvent& e) const {
        std::string s = fmt("%12" PRIu64 " STALE %s %s lin=%08x eip=%08x tlb=%09" PRIx64 " %s", e.cycle,
                            e.tlb_is_instruction ? "itlb" : "dtlb", access_name(e.access), e.linear, e.eip, e.tlb_phys,
                            pte_flags(e.tlb_flags).c_str());
        if (e.memory_present) {
            s += fmt(" memory=%09" PRIx64 " %s", e.memory_phys, pte_flags(e.memory_flags).c_str());
        } else {
            s += " memory=not-present";
        }
        return s;
    }
    std::string operator()(const CpuSwitchEvent& e) const {
        return fmt("%12" PRIu64 " cpu   CPU %u runs", e.cycle, unsigned{e.cpu});
    }
};
}  // namespace

const char* tlb_flush_cause_name(TlbFlushCause c) {
    switch (c) {
        case TlbFlushCause::Invlpg: return "invlpg";
        case TlbFlushCause::Cr3Write: return "cr3";
        case TlbFlushCause::Cr4Change: return "cr4";
        case TlbFlushCause::Cr0Change: return "cr0";
        case TlbFlushCause::EferChange: return "efer";
        case TlbFlushCause::Reset: return "reset";
    }
    return "?";
}

std::string format_trace_record(const TraceRecord& r) { return std::visit(Formatter{}, r); }

bool parse_trace_mask(const std::string& text, TraceMask& mask) {
    TraceMask m = 0;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        if (item == "all") m |= kTraceAll;
        else if (item == "insn") m |= trace_bit(TraceKind::Instruction);
        else if (item == "walk") m |= trace_bit(TraceKind::PageWalk);
        else if (item == "flush") m |= trace_bit(TraceKind::TlbFlush);
        else if (item == "exc") m |= trace_bit(TraceKind::Exception);
        else if (item == "int") m |= trace_bit(TraceKind::Interrupt);
        else if (item == "io") m |= trace_bit(TraceKind::PortIo);
        else if (item == "stale") m |= trace_bit(TraceKind::StaleTranslation);
        else return false;
    }
    if (m == 0) return false;
    mask = m;
    return true;
}

}  // namespace hm
