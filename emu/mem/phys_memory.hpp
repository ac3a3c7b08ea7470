// Guest RAM laid out as on a PC (QEMU's i440fx rules, so that a guest sees the same
// memory map under hm386 and under qemu-system-i386):
//
//   [0, 640 KiB)                  conventional RAM
//   [640 KiB, 1 MiB)              legacy hole: VGA window, option ROMs, BIOS (bus devices)
//   [1 MiB, below_4g)             RAM; below_4g = RAM size, or 3 GiB when RAM >= 3.5 GiB
//   [below_4g, 4 GiB)             PCI/firmware hole (bus devices, open bus)
//   [4 GiB, 4 GiB + above_4g)     the rest of RAM, reachable only through PAE
//
// Backing store is one anonymous MAP_NORESERVE reservation: the host kernel commits
// a page only when the guest first writes it (reads of untouched RAM see its shared
// zero page), so `--mem 8G` costs what the guest touches. Host address arithmetic
// stays a single add, which is what the TLB's host-pointer fast path needs.
#pragma once
#include <string>
#include <vector>

#include "core/types.hpp"

namespace hm {

struct RamRange {
    u64 base;
    u64 size;
};

class PhysicalMemory {
public:
    static constexpr u64 kMinRam = 1 * kMiB;
    static constexpr u64 kMaxRam = 64 * kGiB;
    static constexpr u64 kLegacyHoleStart = 0xA0000;
    static constexpr u64 kLegacyHoleEnd = 0x100000;

    // Throws std::invalid_argument with a readable message for a bad size, and
    // std::runtime_error if the host cannot reserve the address space.
    explicit PhysicalMemory(u64 ram_bytes);
    ~PhysicalMemory();
    PhysicalMemory(const PhysicalMemory&) = delete;
    PhysicalMemory& operator=(const PhysicalMemory&) = delete;

    u64 ram_size() const { return ram_size_; }
    u64 below_4g() const { return below_4g_; }
    u64 above_4g() const { return above_4g_; }
    // RAM that exists but lies beyond the 36-bit physical limit (only with ~64 GiB).
    u64 unaddressable() const { return unaddressable_; }

    // Host pointer for a physical address in RAM, or nullptr (hole, beyond RAM).
    // Valid for the rest of the 4 KiB page that contains pa.
    HM_ALWAYS_INLINE u8* host(PhysAddr at) const {
        const u64 pa = at.value;
        if (pa < below_4g_) {
            if (HM_UNLIKELY(pa >= kLegacyHoleStart && pa < kLegacyHoleEnd)) return nullptr;
            return base_ + pa;
        }
        if (pa >= 4 * kGiB && pa - 4 * kGiB < above_4g_) return base_ + below_4g_ + (pa - 4 * kGiB);
        return nullptr;
    }
    bool is_ram(PhysAddr pa) const { return host(pa) != nullptr; }

    // The RAM ranges as a firmware memory map reports them.
    std::vector<RamRange> ranges() const;

    // Host memory actually committed for guest RAM (pages the guest has written).
    u64 resident_bytes() const;

    std::string describe() const;

private:
    u8* base_ = nullptr;
    u64 reserved_ = 0;
    u64 ram_size_ = 0;
    u64 below_4g_ = 0;
    u64 above_4g_ = 0;
    u64 unaddressable_ = 0;
};

// Parses sizes the way QEMU's -m does: a number with an optional K/M/G/T suffix
// (default unit MiB). Returns false on malformed input.
bool parse_memory_size(const std::string& text, u64& bytes);

}  // namespace hm
