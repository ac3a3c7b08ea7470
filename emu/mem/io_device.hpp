// What a device implements to sit on the bus. Port I/O and MMIO are slow paths
// (one virtual call per access is fine there); RAM never goes through here.
#pragma once
#include "core/types.hpp"

namespace hm {

class IoDevice {
public:
    virtual ~IoDevice() = default;
    // size is 1, 2 or 4; port is the absolute port number.
    virtual u32 io_read(u16 port, unsigned size) = 0;
    virtual void io_write(u16 port, u32 value, unsigned size) = 0;
};

class MmioDevice {
public:
    virtual ~MmioDevice() = default;
    // offset is relative to the region's base; size is 1, 2, 4 or 8.
    virtual u64 mmio_read(u64 offset, unsigned size) = 0;
    virtual void mmio_write(u64 offset, u64 value, unsigned size) = 0;
};

}  // namespace hm
