// The PC/AT's x87 error circuit (SDM vol. 1 appendix D.2, the "recommended
// external hardware"): the CPU's FERR# output, rising, latches IRQ 13; a write
// to port F0h clears the latch and asserts IGNNE# for as long as FERR# stays
// asserted, so an MS-DOS-style handler (CR0.NE = 0) can let the interrupted
// x87 instruction complete. Reads of port F0h return FFh (nothing drives the
// bus there).
#pragma once
#include <functional>

#include "devices/irq.hpp"
#include "mem/io_device.hpp"
#include "core/state_visitor.hpp"

namespace hm {

class FpuErrorLatch : public IoDevice {
public:
    static constexpr u16 kPort = 0xF0;

    explicit FpuErrorLatch(IrqLine irq13) : irq_(irq13) {}

    // The CPU's FERR# level (Cpu::set_ferr_handler).
    void set_ferr(bool level);
    // IGNNE# as the chipset drives it (the machine copies it into CpuState::fpu.ignne).
    std::function<void(bool)> on_ignne;

    u32 io_read(u16 port, unsigned size) override;
    void io_write(u16 port, u32 value, unsigned size) override;

    bool irq_latched() const { return latched_; }
    bool ignne() const { return ignne_; }

    // Every field the guest can observe, for the state hash and snapshots (core/state_visitor.hpp).
    template <class V>
    void visit_state(V& v) {
        v.value(ferr_), v.value(latched_), v.value(ignne_);
    }

private:
    void set_ignne(bool level);

    IrqLine irq_;
    bool ferr_ = false;
    bool latched_ = false;
    bool ignne_ = false;
};

}  // namespace hm
