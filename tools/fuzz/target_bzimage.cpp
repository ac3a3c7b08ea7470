// Fuzz target: the Linux bzImage loader (emu/boot/linux_boot.cpp). The input is the
// kernel file; its last byte also picks the machine (2 MiB, 32 MiB, 1 GiB or 6 GiB
// of RAM, so the e820 map, the 4 GiB hole and the initrd ceiling all vary), whether
// the file's first 512 bytes come along as an initrd, and whether the command line
// is empty. A bad image must be one BootError with nothing written; a loaded one
// must lie where the boot protocol says, inside RAM.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "boot/boot_error.hpp"
#include "boot/linux_boot.hpp"

namespace {

struct FuzzRam {
    hm::PhysicalMemory ram;
    hm::Bus bus{ram};
    explicit FuzzRam(hm::u64 bytes) : ram(bytes) {}
};

// Created once: the RAM is reserved, not touched, so even 6 GiB costs only the
// pages a load writes.
FuzzRam& machine(unsigned pick) {
    static const hm::u64 sizes[4] = {2 * hm::kMiB, 32 * hm::kMiB, hm::kGiB, 6 * hm::kGiB};
    static std::unique_ptr<FuzzRam> made[4];
    if (!made[pick]) made[pick] = std::make_unique<FuzzRam>(sizes[pick]);
    return *made[pick];
}

constexpr uint8_t kSentinel = 0xA5;
// One byte in each place the loader writes below 1 MiB: boot_params, the GDT and
// the command line. The loader validates everything before it writes anything.
constexpr hm::u64 kWatched[3] = {hm::kLinuxBootParamsAddr, hm::kLinuxGdtAddr, hm::kLinuxCmdlineAddr};

uint8_t read8(hm::Bus& bus, hm::u64 pa) { return static_cast<uint8_t>(bus.read(hm::PhysAddr{pa}, 1)); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const uint8_t options = size ? data[size - 1] : 0;
    FuzzRam& m = machine(options & 3);
    hm::LinuxBootRequest req;
    req.kernel_name = "fuzz.bzImage";
    req.kernel.assign(data, data + size);
    req.cmdline = (options & 8) ? "" : "console=ttyS0 earlyprintk=serial";
    if ((options & 4) && size) {
        req.initrd_name = "fuzz.initrd";
        req.initrd.assign(data, data + std::min<size_t>(size, 512));
    }
    for (hm::u64 pa : kWatched) m.bus.write(hm::PhysAddr{pa}, kSentinel, 1);

    hm::LinuxBootLoad load;
    try {
        load = hm::load_linux(m.bus, req);
    } catch (const hm::BootError&) {
        for (hm::u64 pa : kWatched) {
            if (read8(m.bus, pa) != kSentinel) __builtin_trap();  // written before the error
        }
        return 0;
    }

    const hm::BzImageHeader& h = load.header;
    const hm::u64 top = m.ram.below_4g();
    // The protected-mode kernel, byte for byte at 1 MiB, entered inside itself.
    if (h.pm_offset + h.pm_size > size || h.pm_size == 0) __builtin_trap();
    if (read8(m.bus, hm::kLinuxKernelAddr) != data[h.pm_offset]) __builtin_trap();
    if (read8(m.bus, hm::kLinuxKernelAddr + h.pm_size - 1) != data[h.pm_offset + h.pm_size - 1]) __builtin_trap();
    if (load.entry < hm::kLinuxKernelAddr || load.entry >= hm::kLinuxKernelAddr + h.pm_size) __builtin_trap();
    // The decompression area (at pref_address or above) inside RAM, without wrapping.
    if (static_cast<unsigned __int128>(h.pref_address) + h.init_size > top) __builtin_trap();
    for (const hm::LoadedRange& r : load.ranges) {
        if (r.end <= r.start || r.end > top) __builtin_trap();
    }
    if (read8(m.bus, hm::kLinuxBootParamsAddr) != 0 || read8(m.bus, hm::kLinuxGdtAddr) != 0) __builtin_trap();
    if (m.bus.read(hm::PhysAddr{hm::kLinuxBootParamsAddr + hm::bp::kCmdLinePtr}, 4) != hm::kLinuxCmdlineAddr) __builtin_trap();
    if (read8(m.bus, hm::kLinuxCmdlineAddr) != static_cast<uint8_t>(req.cmdline.c_str()[0])) __builtin_trap();
    if (req.cmdline.size() > h.cmdline_size) __builtin_trap();
    if (!req.initrd.empty()) {
        // Page aligned, above the kernel's area, below every ceiling, bytes intact.
        const hm::u64 a = load.initrd_addr, end = a + load.initrd_size;
        if (a % hm::kPageSize || load.initrd_size != req.initrd.size()) __builtin_trap();
        if (a < hm::kLinuxKernelAddr + h.pm_size || a < h.pref_address + h.init_size) __builtin_trap();
        if (end > top || end > hm::u64{h.initrd_addr_max} + 1 || end > hm::kLinuxInitrdCeiling) __builtin_trap();
        if (read8(m.bus, a) != req.initrd.front() || read8(m.bus, end - 1) != req.initrd.back()) __builtin_trap();
    } else if (load.initrd_addr || load.initrd_size) {
        __builtin_trap();
    }
    return 0;
}
