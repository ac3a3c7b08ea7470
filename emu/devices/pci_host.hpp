// PCI configuration mechanism #1 with an i440FX-like host bridge, and the reset
// control register at 0xCF9 that shares its port range.
//
//   0xCF8 (dword only)  CONFIG_ADDRESS: bit 31 enable, bus 23-16, device 15-11,
//                       function 10-8, register 7-2. Reads back as written with
//                       bits 30-24 and 1-0 clear. A byte or word access here is
//                       not a configuration access (PCI Local Bus 3.0, 3.2.2.3.2).
//   0xCFC-0xCFF         CONFIG_DATA: 1, 2 or 4 bytes of the addressed function's
//                       configuration space at register + (port & 3). With the
//                       enable bit clear, or for a function that does not exist,
//                       reads are all ones and writes are dropped (master abort).
//   0xCF9 (byte)        reset control (PIIX3 RC): writing bit 2 (RCPU) as 1
//                       requests a reset; bit 1 (SRST, hard vs soft) reads back,
//                       as QEMU's piix keeps it (hw/isa/piix.c).
//
// The only function is 00:00.0, the host bridge with the identity and reset
// values of Intel's 82441FX PMC (datasheet 290549, 3.2): vendor 0x8086, device
// 0x1237, revision 0x02, class 06 00 00 (host bridge), header type 0, PCICMD
// 0x0006, PCISTS 0x0280. Its registers are read-only here: hm386 has no shadow
// RAM (PAM) or SMRAM to control, so writes are counted and ignored.
#pragma once
#include <array>
#include <functional>

#include "mem/io_device.hpp"
#include "core/state_visitor.hpp"

namespace hm {

struct PciStats {
    u64 config_reads = 0, config_writes = 0;
    u64 absent_reads = 0;     // no such function (or enable clear): all ones
    u64 ignored_writes = 0;   // to a read-only register or an absent function
};

class PciHost : public IoDevice {
public:
    static constexpr u16 kBase = 0xCF8;
    static constexpr u16 kPorts = 8;
    static constexpr u16 kResetControl = 0xCF9;

    PciHost();
    u32 io_read(u16 port, unsigned size) override;
    void io_write(u16 port, u32 value, unsigned size) override;

    std::function<void()> on_reset;
    const PciStats& stats() const { return stats_; }
    u32 config_address() const { return address_; }

    // Every field the guest can observe, for the state hash and snapshots (core/state_visitor.hpp).
    template <class V>
    void visit_state(V& v) {
        v.bytes(bridge_.data(), bridge_.size());
        v.value(address_), v.value(reset_control_);
        snap::u64_fields(v, stats_);
    }

private:
    bool addresses_host_bridge() const;

    std::array<u8, 256> bridge_{};  // configuration space of 00:00.0
    u32 address_ = 0;
    u8 reset_control_ = 0;
    PciStats stats_;
};

}  // namespace hm
