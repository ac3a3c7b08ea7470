// hm386's diagnostic device (ports 0x0D00-0x0D17), implementing exactly the
// protocol in devices/diag_protocol.hpp and docs/diag-device.md: a signature,
// a command register, and a 64-bit argument/result pair. Through it the guest
// reads the cycle counter, instructions retired, TLB statistics, asks whether a
// linear address is held in the I/D TLB, and counts page faults and coherence
// checker reports. Two more read-only ports give the reading CPU's own cycle
// counter directly, with no command: under -smp N the command/result pair is
// one register set shared by every CPU (a CPU's turn may end between its
// command and its result reads), and RDTSC is held at the machine's TSC floor
// (docs/devices.md, "SMP"), so neither times code on an AP exactly.
//
// The device reads those facts from a DiagBackend (the machine implements it
// over the CPU state and the MMU), so it can be tested on its own. Unknown
// commands and unknown statistic ids leave RESULT all ones and count an error.
// 32-bit accesses are the protocol; narrower reads return the addressed bytes of
// a register, narrower writes to an aligned register zero-extend.
#pragma once
#include <optional>

#include "devices/diag_protocol.hpp"
#include "mem/io_device.hpp"
#include "core/state_visitor.hpp"

namespace hm {

class DiagBackend {
public:
    virtual ~DiagBackend() = default;
    virtual u64 cycles() const = 0;  // CPU 0's, whichever CPU asks (as every command's figure)
    // The cycle counter of the CPU doing the port read (CPU_CYCLES_LO/HI).
    virtual u64 reading_cpu_cycles() const = 0;
    virtual u64 instructions() const = 0;
    // tlb 0 = ITLB, 1 = DTLB; counter as HM386_DIAG_STAT_*; nullopt if unknown.
    virtual std::optional<u64> tlb_stat(unsigned tlb, unsigned counter) const = 0;
    virtual u32 probe_tlb(u32 linear) const = 0;  // HM386_DIAG_PROBE_* bits
    virtual void reset_tlb_stats() = 0;
    virtual std::optional<u64> stale_reports() const = 0;  // nullopt: checker off
    virtual u64 page_faults() const = 0;
};

struct DiagStats {
    u64 commands = 0;
    u64 errors = 0;
};

class DiagDevice : public IoDevice {
public:
    static constexpr u16 kBase = HM386_DIAG_PORT_BASE;
    static constexpr u32 kPorts = HM386_DIAG_PORT_COUNT;

    explicit DiagDevice(DiagBackend& backend) : backend_(backend) {}
    u32 io_read(u16 port, unsigned size) override;
    void io_write(u16 port, u32 value, unsigned size) override;
    const DiagStats& stats() const { return stats_; }

    // Every field the guest can observe, for the state hash and snapshots (core/state_visitor.hpp).
    template <class V>
    void visit_state(V& v) {
        v.value(arg_), v.value(result_);
        snap::u64_fields(v, stats_);
    }

private:
    void run(u32 command);

    DiagBackend& backend_;
    u64 arg_ = 0;
    u64 result_ = 0;
    DiagStats stats_;
};

}  // namespace hm
