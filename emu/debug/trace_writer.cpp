#include "debug/trace_writer.hpp"

#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace hm {

TraceWriter::TraceWriter(const std::string& path, u64 cpu_hz, TraceMask mask) : mask_(mask), path_(path) {
    gzFile f = gzopen(path.c_str(), "wb1");  // fast compression: traces are large
    if (!f) throw std::runtime_error("cannot create trace file '" + path + "': " + std::strerror(errno));
    gzbuffer(f, 256 * 1024);
    gz_ = f;
    std::memcpy(buf_, kTraceMagic, sizeof kTraceMagic);
    len_ = sizeof kTraceMagic;
    u32_(kTraceVersion);
    u64_(cpu_hz);
    end();
    records_ = 0;
}

TraceWriter::~TraceWriter() { close(); }

std::string TraceWriter::close() {
    if (!gz_) return failed_ ? "writing trace file '" + path_ + "' failed" : "";
    int rc = gzclose(static_cast<gzFile>(gz_));
    gz_ = nullptr;
    if (rc != Z_OK) failed_ = true;
    return failed_ ? "writing trace file '" + path_ + "' failed" : "";
}

void TraceWriter::u16_(u16 v) {
    u8_(static_cast<u8>(v));
    u8_(static_cast<u8>(v >> 8));
}
void TraceWriter::u32_(u32 v) {
    u16_(static_cast<u16>(v));
    u16_(static_cast<u16>(v >> 16));
}
void TraceWriter::u64_(u64 v) {
    u32_(static_cast<u32>(v));
    u32_(static_cast<u32>(v >> 32));
}

void TraceWriter::begin(TraceKind k) {
    len_ = 0;
    u8_(static_cast<u8>(k));
}

void TraceWriter::end() {
    if (gz_ && !failed_) {
        if (gzwrite(static_cast<gzFile>(gz_), buf_, len_) != static_cast<int>(len_)) failed_ = true;
    }
    ++records_;
    len_ = 0;
}

void TraceWriter::on_instruction(const InstructionEvent& e) {
    if (!wants(TraceKind::Instruction)) return;
    begin(TraceKind::Instruction);
    u64_(e.cycle);
    u32_(e.eip);
    u16_(e.cs);
    u32_(e.linear);
    u8 n = e.length > 15 ? 15 : e.length;
    u8_(n);
    for (unsigned i = 0; i < n; ++i) u8_(e.bytes[i]);
    end();
}

void TraceWriter::on_page_walk(const PageWalkEvent& e) {
    if (!wants(TraceKind::PageWalk)) return;
    begin(TraceKind::PageWalk);
    u64_(e.cycle);
    u32_(e.linear);
    u8_(e.access);
    u8_(e.user);
    u8_(e.pae);
    u8_(e.levels > 3 ? 3 : e.levels);
    for (unsigned i = 0; i < 3; ++i) {
        u64_(e.entry_addr[i]);
        u64_(e.entry_value[i]);
    }
    u8_(e.set_accessed);
    u8_(e.set_dirty);
    u8_(e.faulted);
    u8_(e.page_size_log2);
    u32_(e.error_code);
    u64_(e.phys);
    end();
}

void TraceWriter::on_tlb_flush(const TlbFlushEvent& e) {
    if (!wants(TraceKind::TlbFlush)) return;
    begin(TraceKind::TlbFlush);
    u64_(e.cycle);
    u8_(static_cast<u8>(e.cause));
    u32_(e.linear);
    u32_(e.entries_dropped);
    end();
}

void TraceWriter::on_exception(const ExceptionEvent& e) {
    if (!wants(TraceKind::Exception)) return;
    begin(TraceKind::Exception);
    u64_(e.cycle);
    u8_(e.vector);
    u8_(e.has_error_code);
    u32_(e.error_code);
    u32_(e.eip);
    u16_(e.cs);
    u32_(e.cr2);
    end();
}

void TraceWriter::on_interrupt(const InterruptEvent& e) {
    if (!wants(TraceKind::Interrupt)) return;
    begin(TraceKind::Interrupt);
    u64_(e.cycle);
    u8_(e.vector);
    u8_(e.external);
    u32_(e.eip);
    u16_(e.cs);
    end();
}

void TraceWriter::on_port_io(const PortIoEvent& e) {
    if (!wants(TraceKind::PortIo)) return;
    begin(TraceKind::PortIo);
    u64_(e.cycle);
    u16_(e.port);
    u8_(e.size);
    u8_(e.is_write);
    u32_(e.value);
    end();
}

void TraceWriter::on_cpu_switch(const CpuSwitchEvent& e) {
    begin(TraceKind::CpuSwitch);  // not maskable: the other records need it to name their CPU
    u64_(e.cycle);
    u8_(e.cpu);
    end();
}

void TraceWriter::on_stale_translation(const StaleTranslationEvent& e) {
    if (!wants(TraceKind::StaleTranslation)) return;
    begin(TraceKind::StaleTranslation);
    u64_(e.cycle);
    u32_(e.eip);
    u32_(e.linear);
    u8_(e.access);
    u8_(e.tlb_is_instruction);
    u64_(e.tlb_phys);
    u32_(e.tlb_flags);
    u8_(e.memory_present);
    u64_(e.memory_phys);
    u32_(e.memory_flags);
    end();
}

}  // namespace hm
