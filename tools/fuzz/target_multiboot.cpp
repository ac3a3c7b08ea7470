// Fuzz target: the ELF reader and the Multiboot loader (emu/boot/elf32.cpp,
// multiboot.cpp). The input is a kernel image; its first 256 bytes also serve as
// a module, and a byte picks the RAM size, so placement checks meet both small
// and large machines. A bad image must be one BootError, never a crash or a
// write outside what the loader reports.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "boot/boot_error.hpp"
#include "boot/elf32.hpp"
#include "boot/multiboot.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::span<const uint8_t> file(data, size);
    try {
        if (hm::has_elf_magic(file)) {
            const hm::Elf32Executable elf = hm::parse_elf32_executable(file, "fuzz.elf");
            for (const auto& s : elf.segments) {
                // The reader's promise: every segment's file bytes lie inside the file.
                if (uint64_t{s.offset} + s.filesz > size || s.filesz > s.memsz) __builtin_trap();
            }
        }
    } catch (const hm::BootError&) {
    }
    try {
        (void)hm::find_multiboot_header(file, "fuzz.elf");
    } catch (const hm::BootError&) {
    }

    // Two machines, created once: 2 MiB (most kernels do not fit) and 16 MiB.
    static hm::PhysicalMemory small_ram(2 * hm::kMiB), big_ram(16 * hm::kMiB);
    static hm::Bus small_bus(small_ram), big_bus(big_ram);
    hm::Bus& bus = (size && (data[size - 1] & 1)) ? big_bus : small_bus;
    hm::MultibootRequest req;
    req.kernel_name = "fuzz.elf";
    req.kernel.assign(data, data + size);
    req.append = "console=ttyS0";
    if (size > 8) req.modules.push_back({"mod.bin arg", std::vector<uint8_t>(data, data + std::min<size_t>(size, 256))});
    try {
        const hm::MultibootLoad load = hm::load_multiboot(bus, req);
        for (const auto& r : load.ranges) {
            if (r.end < r.start) __builtin_trap();
        }
    } catch (const hm::BootError&) {
    }
    return 0;
}
