// The machine's two address spaces as the CPU sees them from outside the MMU:
// 64 Ki I/O ports, and the physical address space (RAM from PhysicalMemory, plus
// regions that devices claim: ROM, host-backed device memory such as the VGA text
// buffer, and MMIO). Anything unclaimed is open bus: reads return all ones, writes
// are dropped, and both are counted.
#pragma once
#include <array>
#include <span>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "mem/io_device.hpp"
#include "mem/phys_memory.hpp"

namespace hm {

struct BusStats {
    u64 io_reads = 0;
    u64 io_writes = 0;
    u64 unassigned_io_reads = 0;
    u64 unassigned_io_writes = 0;
    u64 mmio_reads = 0;
    u64 mmio_writes = 0;
    u64 open_bus_reads = 0;
    u64 open_bus_writes = 0;
    u64 rom_writes_ignored = 0;
};

// How the TLB may reach one physical page without calling the bus.
struct PageHost {
    u8* read = nullptr;   // host pointer to the page for loads, or nullptr
    u8* write = nullptr;  // host pointer for stores, or nullptr (ROM, MMIO, open bus)
};

// Observer for port I/O (tracing, debugger break-on-port). Off = nullptr = free.
class IoObserver {
public:
    virtual ~IoObserver() = default;
    virtual void on_io(u16 port, u32 value, unsigned size, bool is_write) = 0;
};

class Bus {
public:
    explicit Bus(PhysicalMemory& ram);

    PhysicalMemory& ram() { return ram_; }
    const PhysicalMemory& ram() const { return ram_; }

    // ---- port I/O ----
    // Claims [first, first + count). Throws std::logic_error on overlap.
    void attach_io(u16 first, u32 count, IoDevice& dev, std::string name);
    u32 io_read(u16 port, unsigned size);
    void io_write(u16 port, u32 value, unsigned size);
    const char* io_owner(u16 port) const;

    // ---- physical address space ----
    // Regions must be page aligned and must not overlap each other. They take
    // precedence over RAM (the legacy hole and above-RAM space are theirs to claim).
    void attach_mmio(PhysAddr base, u64 size, MmioDevice& dev, std::string name);
    // For devices the guest can move or switch off (the local APIC): false, and
    // nothing attached, if the region would overlap another; detach_mmio removes
    // every region of `dev`. Callers flush TLBs that may hold the old mapping.
    bool try_attach_mmio(PhysAddr base, u64 size, MmioDevice& dev, std::string name);
    void detach_mmio(MmioDevice& dev);
    // Read-only memory backed by host bytes (size rounded up to pages, padded 0xFF).
    void attach_rom(PhysAddr base, std::span<const u8> image, std::string name);
    // Host-backed device memory the guest reads and writes directly (VGA text).
    void attach_device_ram(PhysAddr base, u64 size, u8* host, std::string name);

    // Host pointers for the page containing pa (for TLB fills).
    PageHost page_host(PhysAddr pa) const;

    // Slow-path physical accesses: any size 1/2/4/8, any alignment, page crossings
    // allowed. Used by the MMU's slow path, page walks, loaders, DMA, the debugger.
    u64 read(PhysAddr pa, unsigned size);
    void write(PhysAddr pa, u64 value, unsigned size);
    // Bulk copies for loaders and the debugger. Writes to ROM are dropped.
    void read_bytes(PhysAddr pa, u8* dst, u64 len);
    void write_bytes(PhysAddr pa, const u8* src, u64 len);
    // Writes into ROM regions too (firmware loading).
    void load_bytes(PhysAddr pa, const u8* src, u64 len);

    const BusStats& stats() const { return stats_; }
    void reset_stats() { stats_ = {}; }
    void set_io_observer(IoObserver* obs) { io_observer_ = obs; }

    struct Region {
        u64 base;
        u64 size;
        enum class Kind { Mmio, Rom, DeviceRam } kind;
        MmioDevice* dev;
        u8* host;  // Rom and DeviceRam
        std::string name;
    };
    const std::vector<Region>& regions() const { return regions_; }
    const Region* find_region(PhysAddr pa) const;

private:
    const Region* region_at(u64 pa) const;
    u8 read_byte(u64 pa);
    void write_byte(u64 pa, u8 v, bool allow_rom);
    bool region_overlaps(u64 pa, u64 len) const;
    void copy_in(u64 pa, const u8* src, u64 len, bool allow_rom);
    void add_region(Region r);
    void update_free_span();

    PhysicalMemory& ram_;
    std::array<IoDevice*, 65536> io_{};
    std::array<u16, 65536> io_name_idx_{};
    std::vector<std::string> io_names_{"unassigned"};
    std::vector<Region> regions_;
    std::vector<std::vector<u8>> rom_storage_;
    BusStats stats_;
    IoObserver* io_observer_ = nullptr;
    // [free_lo_, free_lo_ + free_size_) holds no region: accesses there skip the
    // region scan (kept by add_region/detach_mmio). Empty until computed.
    u64 free_lo_ = 0;
    u64 free_size_ = 0;
};

}  // namespace hm
