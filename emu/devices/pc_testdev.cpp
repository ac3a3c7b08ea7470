#include "devices/pc_testdev.hpp"

namespace hm {

u32 PcTestdev::io_read(u16 port, unsigned size) {
    if (port >= kScratchPort && port < kScratchPort + 4) {
        const unsigned shift = (port - kScratchPort) * 8u;
        const u32 mask = size >= 4 ? ~0u : (1u << (size * 8)) - 1;
        return (st_.scratch >> shift) & mask;
    }
    if (port >= kByteScratchPort && port < kByteScratchPort + 4) {
        // QEMU splits wider accesses into bytes at consecutive ports.
        u32 v = 0;
        for (unsigned i = 0; i < size && port + i < kByteScratchPort + 4u; ++i) {
            v |= ((st_.scratch >> ((port + i - kByteScratchPort) * 8)) & 0xFF) << (8 * i);
        }
        return v;
    }
    return 0xFFFFFFFF >> (32 - 8 * size);  // write-only ports read as open bus
}

void PcTestdev::io_write(u16 port, u32 value, unsigned size) {
    if (port >= kScratchPort && port < kScratchPort + 4) {
        const unsigned shift = (port - kScratchPort) * 8u;
        const u32 mask = (size >= 4 ? ~0u : (1u << (size * 8)) - 1) << shift;
        st_.scratch = (st_.scratch & ~mask) | ((value << shift) & mask);
        return;
    }
    if (port >= kByteScratchPort && port < kByteScratchPort + 4) {
        for (unsigned i = 0; i < size && port + i < kByteScratchPort + 4u; ++i) {
            const unsigned shift = (port + i - kByteScratchPort) * 8;
            st_.scratch = (st_.scratch & ~(0xFFu << shift)) | (((value >> (8 * i)) & 0xFF) << shift);
        }
        return;
    }
    if (port == kFlushPort) {
        if (size == 4 && on_flush_page) on_flush_page(value & ~u64{0xFFF});  // dword writes only, as QEMU
        return;
    }
    if (port >= kIrqPort && port < kIrqPort + 16 && size == 1) {
        if (irqs_) irqs_->set_irq(port - kIrqPort, value != 0);
    }
}

u64 PcTestdev::mmio_read(u64 offset, unsigned size) {
    u64 v = 0;
    for (unsigned i = 0; i < size && offset + i < kIomemSize; ++i) v |= u64{st_.iomem[offset + i]} << (8 * i);
    return v;
}

void PcTestdev::mmio_write(u64 offset, u64 value, unsigned size) {
    for (unsigned i = 0; i < size && offset + i < kIomemSize; ++i) st_.iomem[offset + i] = static_cast<u8>(value >> (8 * i));
}

}  // namespace hm
