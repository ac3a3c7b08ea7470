#include "debug/trace_reader.hpp"

#include <zlib.h>

#include <cstring>
#include <filesystem>

namespace hm {

TraceReader::TraceReader(const std::string& path) : path_(path) {
    // zlib opens a directory and then fails its first read as if the data were corrupt.
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw TraceError("cannot read trace file '" + path + "': it is a directory");
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) throw TraceError("cannot open trace file '" + path + "'");
    gz_ = f;
    try {
        char magic[8];
        if (!read(magic, 8) || std::memcmp(magic, kTraceMagic, 8) != 0) {
            throw TraceError("'" + path + "' is not an hm386 trace file");
        }
        u32 version = r32();
        if (version != kTraceVersion) {
            throw TraceError("'" + path + "' is trace format version " + std::to_string(version) +
                             "; this hm386 reads " + std::to_string(kTraceVersion));
        }
        cpu_hz_ = r64();
    } catch (...) {
        gzclose(f);  // the destructor does not run for a constructor that throws
        gz_ = nullptr;
        throw;
    }
}

TraceReader::~TraceReader() {
    if (gz_) gzclose(static_cast<gzFile>(gz_));
}

bool TraceReader::read(void* dst, unsigned n) {
    int got = gzread(static_cast<gzFile>(gz_), dst, n);
    if (got == static_cast<int>(n)) return true;
    if (got == 0) {
        int err = 0;
        gzerror(static_cast<gzFile>(gz_), &err);
        if (err == Z_OK || err == Z_STREAM_END) return false;
    }
    throw TraceError("trace '" + path_ + "' is truncated or corrupt after " + std::to_string(records_) + " records");
}

u8 TraceReader::r8() {
    u8 v;
    if (!read(&v, 1)) {
        throw TraceError("trace '" + path_ + "' ends in the middle of a record, after " + std::to_string(records_) + " records");
    }
    return v;
}
u16 TraceReader::r16() {
    u16 lo = r8();
    return static_cast<u16>(lo | r8() << 8);
}
u32 TraceReader::r32() {
    u32 lo = r16();
    return lo | u32{r16()} << 16;
}
u64 TraceReader::r64() {
    u64 lo = r32();
    return lo | u64{r32()} << 32;
}

std::optional<TraceRecord> TraceReader::next() {
    u8 kind;
    if (!read(&kind, 1)) return std::nullopt;
    TraceRecord r = parse(kind);
    ++records_;  // only whole records count: errors say how many were read before the damage
    return r;
}

TraceRecord TraceReader::parse(u8 kind) {
    switch (static_cast<TraceKind>(kind)) {
        case TraceKind::Instruction: {
            InstructionEvent e{};
            e.cycle = r64();
            e.eip = r32();
            e.cs = r16();
            e.linear = r32();
            e.length = r8();
            if (e.length > 15) throw TraceError("corrupt instruction record in '" + path_ + "'");
            for (unsigned i = 0; i < e.length; ++i) e.bytes[i] = r8();
            return e;
        }
        case TraceKind::PageWalk: {
            PageWalkEvent e{};
            e.cycle = r64();
            e.linear = r32();
            e.access = r8();
            e.user = r8();
            e.pae = r8();
            e.levels = r8();
            for (unsigned i = 0; i < 3; ++i) {
                e.entry_addr[i] = r64();
                e.entry_value[i] = r64();
            }
            e.set_accessed = r8();
            e.set_dirty = r8();
            e.faulted = r8();
            e.page_size_log2 = r8();
            e.error_code = r32();
            e.phys = r64();
            return e;
        }
        case TraceKind::TlbFlush: {
            TlbFlushEvent e{};
            e.cycle = r64();
            e.cause = static_cast<TlbFlushCause>(r8());
            e.linear = r32();
            e.entries_dropped = r32();
            return e;
        }
        case TraceKind::Exception: {
            ExceptionEvent e{};
            e.cycle = r64();
            e.vector = r8();
            e.has_error_code = r8();
            e.error_code = r32();
            e.eip = r32();
            e.cs = r16();
            e.cr2 = r32();
            return e;
        }
        case TraceKind::Interrupt: {
            InterruptEvent e{};
            e.cycle = r64();
            e.vector = r8();
            e.external = r8();
            e.eip = r32();
            e.cs = r16();
            return e;
        }
        case TraceKind::PortIo: {
            PortIoEvent e{};
            e.cycle = r64();
            e.port = r16();
            e.size = r8();
            e.is_write = r8();
            e.value = r32();
            return e;
        }
        case TraceKind::StaleTranslation: {
            StaleTranslationEvent e{};
            e.cycle = r64();
            e.eip = r32();
            e.linear = r32();
            e.access = r8();
            e.tlb_is_instruction = r8();
            e.tlb_phys = r64();
            e.tlb_flags = r32();
            e.memory_present = r8();
            e.memory_phys = r64();
            e.memory_flags = r32();
            return e;
        }
        case TraceKind::CpuSwitch: {
            CpuSwitchEvent e{};
            e.cycle = r64();
            e.cpu = r8();
            return e;
        }
    }
    throw TraceError("unknown record kind " + std::to_string(kind) + " in '" + path_ + "' (corrupt trace)");
}

}  // namespace hm
