#include "devices/pci_host.hpp"

namespace hm {

namespace {
constexpr u32 kEnable = 0x80000000u;
constexpr u32 kAddressMask = 0x80FFFFFCu;  // bits 30-24 reserved, 1-0 type 0 / register alignment
constexpr u8 kRcSrst = 0x02, kRcRcpu = 0x04;
}  // namespace

PciHost::PciHost() {
    auto put16 = [this](unsigned off, u16 v) { bridge_[off] = static_cast<u8>(v), bridge_[off + 1] = static_cast<u8>(v >> 8); };
    put16(0x00, 0x8086);  // vendor: Intel
    put16(0x02, 0x1237);  // device: 82441FX PMC (i440FX)
    put16(0x04, 0x0006);  // PCICMD: memory space and bus master enabled
    put16(0x06, 0x0280);  // PCISTS: fast back-to-back capable, DEVSEL medium
    bridge_[0x08] = 0x02;  // revision
    bridge_[0x09] = 0x00;  // programming interface
    bridge_[0x0A] = 0x00;  // subclass: host bridge
    bridge_[0x0B] = 0x06;  // base class: bridge
    bridge_[0x0E] = 0x00;  // header type 0, single function
}

bool PciHost::addresses_host_bridge() const {
    // bus 0, device 0, function 0, enabled
    return (address_ & kEnable) && (address_ & 0x00FFFF00u) == 0;
}

u32 PciHost::io_read(u16 port, unsigned size) {
    if (port == kBase && size == 4) return address_;
    if (port == kResetControl && size == 1) return reset_control_;
    if (port < kBase + 4) return 0xFFFFFFFFu;  // not a configuration access: nothing answers
    ++stats_.config_reads;
    const unsigned reg = (address_ & 0xFC) + (port & 3u);
    if (!addresses_host_bridge() || reg + size > 256) {
        ++stats_.absent_reads;
        return 0xFFFFFFFFu;
    }
    u32 v = 0;
    for (unsigned i = 0; i < size; ++i) v |= static_cast<u32>(bridge_[reg + i]) << (8 * i);
    return v;
}

void PciHost::io_write(u16 port, u32 value, unsigned size) {
    if (port == kBase && size == 4) {
        address_ = value & kAddressMask;
        return;
    }
    if (port == kResetControl && size == 1) {
        reset_control_ = static_cast<u8>(value) & kRcSrst;
        if ((value & kRcRcpu) && on_reset) on_reset();
        return;
    }
    if (port < kBase + 4) return;
    ++stats_.config_writes;
    ++stats_.ignored_writes;  // 00:00.0's registers are read-only here, other functions absent
}

}  // namespace hm
