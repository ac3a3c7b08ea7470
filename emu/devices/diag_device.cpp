#include "devices/diag_device.hpp"

namespace hm {

namespace {
constexpr u64 kAllOnes = ~u64{0};
}

u32 DiagDevice::io_read(u16 port, unsigned) {
    unsigned reg = (port - kBase) & ~3u;
    unsigned shift = 8 * ((port - kBase) & 3u);
    u32 v;
    switch (reg) {
        case 0x0: v = HM386_DIAG_SIGNATURE; break;
        case 0x8: v = static_cast<u32>(result_); break;
        case 0xC: v = static_cast<u32>(result_ >> 32); break;
        // Sampled on each read, nothing latched: the only state behind them is
        // the CPU's own counter, which its CpuState (and every snapshot) holds.
        case 0x10: v = static_cast<u32>(backend_.reading_cpu_cycles()); break;
        case 0x14: v = static_cast<u32>(backend_.reading_cpu_cycles() >> 32); break;
        default: v = 0xFFFFFFFFu; break;  // the command register is write-only
    }
    return v >> shift;
}

void DiagDevice::io_write(u16 port, u32 value, unsigned) {
    unsigned off = port - kBase;
    switch (off) {
        case 0x4: run(value); break;
        case 0x8: arg_ = (arg_ & 0xFFFFFFFF00000000ull) | value; break;
        case 0xC: arg_ = (arg_ & 0xFFFFFFFFull) | (u64{value} << 32); break;
        default: break;
    }
}

void DiagDevice::run(u32 command) {
    ++stats_.commands;
    std::optional<u64> r;
    switch (command) {
        case HM386_DIAG_CMD_VERSION: r = HM386_DIAG_VERSION; break;
        case HM386_DIAG_CMD_CYCLES: r = backend_.cycles(); break;
        case HM386_DIAG_CMD_INSTRUCTIONS: r = backend_.instructions(); break;
        case HM386_DIAG_CMD_TLB_STAT: {
            u64 id = arg_;
            unsigned tlb = static_cast<unsigned>(id >> 8);
            if (id <= 0xFFFF && tlb <= 1) r = backend_.tlb_stat(tlb, static_cast<unsigned>(id & 0xFF));
            break;
        }
        case HM386_DIAG_CMD_TLB_PROBE: r = backend_.probe_tlb(static_cast<u32>(arg_)); break;
        case HM386_DIAG_CMD_TLB_RESET_STATS:
            backend_.reset_tlb_stats();
            r = 0;
            break;
        case HM386_DIAG_CMD_STALE_REPORTS: r = backend_.stale_reports().value_or(kAllOnes); break;
        case HM386_DIAG_CMD_PAGE_FAULTS: r = backend_.page_faults(); break;
        default: break;
    }
    if (!r) ++stats_.errors;
    result_ = r.value_or(kAllOnes);
}

}  // namespace hm
