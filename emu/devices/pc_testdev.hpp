// QEMU's pc-testdev (hw/misc/pc-testdev.c), turned on with `-device pc-testdev`:
//   0xE0-0xE3   a 32-bit scratch register; byte, word and dword accesses at
//               any of the four ports read and write the matching bytes
//   0xE4        a dword write flushes every translation of that physical page
//               (QEMU re-maps the host page; here the TLBs drop it)
//   0xE8-0xEB   the same scratch register, byte by byte (hm386 keeps 0xE9 for
//               its debug console, so the machine attaches 0xE8, 0xEA, 0xEB)
//   0x2000-0x200F  writes set ISA IRQ line N to (value != 0)
//   0xFF000000  64 KiB of plain memory (MMIO: every access goes through the bus)
// Not modelled: IRQ ports 0x2010-0x2017 (QEMU aborts on them: there are 16 ISA IRQs).
#pragma once
#include <functional>
#include <vector>

#include "devices/irq.hpp"
#include "mem/io_device.hpp"
#include "core/state_visitor.hpp"

namespace hm {

struct PcTestdevState {
    u32 scratch = 0;
    std::vector<u8> iomem = std::vector<u8>(0x10000, 0);
};

class PcTestdev : public IoDevice, public MmioDevice {
public:
    static constexpr u16 kScratchPort = 0xE0, kFlushPort = 0xE4, kByteScratchPort = 0xE8, kIrqPort = 0x2000;
    static constexpr u64 kIomemBase = 0xFF000000, kIomemSize = 0x10000;

    explicit PcTestdev(IrqSink* isa_irqs) : irqs_(isa_irqs) {}

    u32 io_read(u16 port, unsigned size) override;
    void io_write(u16 port, u32 value, unsigned size) override;
    u64 mmio_read(u64 offset, unsigned size) override;
    void mmio_write(u64 offset, u64 value, unsigned size) override;

    std::function<void(u64 page)> on_flush_page;
    const PcTestdevState& state() const { return st_; }

    // Every field the guest can observe, for the state hash and snapshots (core/state_visitor.hpp).
    template <class V>
    void visit_state(V& v) {
        v.section(0x54535444);  // "TSTD"
        v.value(st_.scratch);
        v.fixed(st_.iomem.size(), "the pc-testdev iomem size");
        v.bytes(st_.iomem.data(), st_.iomem.size());
    }

private:
    IrqSink* irqs_;
    PcTestdevState st_;
};

}  // namespace hm
