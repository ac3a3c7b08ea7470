// QEMU's firmware configuration device (fw_cfg) as x86 machines present it:
// a 16-bit selector at port 0x510 and an 8-bit data port at 0x511 (QEMU's
// docs/specs/fw_cfg.rst). Selecting an item rewinds its data offset; each read
// returns the next bytes of the item, then 0 past its end; data writes are
// ignored (as on QEMU since 2.4). No DMA interface: FW_CFG_ID reports only the
// traditional interface (bit 0), so software does not look for port 0x514.
//
// Items: signature "QEMU", ID, UUID (zero), RAM size, NOGRAPHIC, NB_CPUS,
// MAX_CPUS, BOOT_MENU, the file directory and one file, "etc/e820" (the RAM
// map QEMU gives SeaBIOS: RAM below 4 GiB from 0, and above 4 GiB if any).
#pragma once
#include <string>
#include <vector>

#include "mem/io_device.hpp"
#include "core/state_visitor.hpp"

namespace hm {

namespace fw_cfg_key {
constexpr u16 kSignature = 0x00, kId = 0x01, kUuid = 0x02, kRamSize = 0x03, kNoGraphic = 0x04, kNbCpus = 0x05;
constexpr u16 kMaxCpus = 0x0F, kBootMenu = 0x0E, kFileDir = 0x19, kFileFirst = 0x20;
}  // namespace fw_cfg_key

struct FwCfgConfig {
    u64 ram_below_4g = 0;
    u64 ram_above_4g = 0;
    u16 cpus = 1;
};

// What the guest can change: the selector and the offset into the item.
struct FwCfgState {
    u16 selector = 0;
    u32 offset = 0;
};

class FwCfg : public IoDevice {
public:
    static constexpr u16 kSelectorPort = 0x510, kDataPort = 0x511;
    explicit FwCfg(const FwCfgConfig& config);

    u32 io_read(u16 port, unsigned size) override;
    void io_write(u16 port, u32 value, unsigned size) override;

    const FwCfgState& state() const { return st_; }
    // The bytes of an item (empty if there is none), for tests and the docs.
    const std::vector<u8>& item(u16 key) const;

    // Every field the guest can observe, for the state hash and snapshots (core/state_visitor.hpp).
    template <class V>
    void visit_state(V& v) {
        v.value(st_.selector), v.value(st_.offset);  // the items follow from the configuration
    }

private:
    struct Item {
        u16 key;
        std::vector<u8> data;
    };
    void add(u16 key, std::vector<u8> data);
    void add_file(const std::string& name, std::vector<u8> data);
    u8 read_byte();

    std::vector<Item> items_;
    std::vector<std::pair<std::string, u16>> files_;
    FwCfgState st_;
};

}  // namespace hm
