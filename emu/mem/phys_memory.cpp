#include "mem/phys_memory.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <stdexcept>

namespace hm {

namespace {
// QEMU i440fx: RAM below 4 GiB ends at 3.5 GiB at most; when RAM reaches that size
// the split is rounded down to 3 GiB (gigabyte alignment) and the rest moves up.
constexpr u64 kMaxBelow4g = 0xE0000000;
constexpr u64 kGigabyteAlignedBelow4g = 0xC0000000;
}  // namespace

PhysicalMemory::PhysicalMemory(u64 ram_bytes) : ram_size_(ram_bytes) {
    if (ram_bytes < kMinRam || ram_bytes > kMaxRam) {
        throw std::invalid_argument("memory size must be between 1 MiB and 64 GiB");
    }
    if (ram_bytes % kPageSize != 0) {
        throw std::invalid_argument("memory size must be a multiple of 4 KiB");
    }
    if (ram_bytes < kMaxBelow4g) {
        below_4g_ = ram_bytes;
    } else {
        below_4g_ = kGigabyteAlignedBelow4g;
        above_4g_ = ram_bytes - below_4g_;
        u64 room = kMaxPhysAddr - 4 * kGiB;
        if (above_4g_ > room) {
            unaddressable_ = above_4g_ - room;
            above_4g_ = room;
        }
    }
    reserved_ = below_4g_ + above_4g_;
    void* p = mmap(nullptr, reserved_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        throw std::runtime_error("cannot reserve " + std::to_string(reserved_ >> 20) +
                                 " MiB of host address space for guest RAM");
    }
    base_ = static_cast<u8*>(p);
}

PhysicalMemory::~PhysicalMemory() {
    if (base_) munmap(base_, reserved_);
}

std::vector<RamRange> PhysicalMemory::ranges() const {
    std::vector<RamRange> out;
    out.push_back({0, std::min<u64>(below_4g_, kLegacyHoleStart)});
    if (below_4g_ > kLegacyHoleEnd) out.push_back({kLegacyHoleEnd, below_4g_ - kLegacyHoleEnd});
    if (above_4g_) out.push_back({4 * kGiB, above_4g_});
    return out;
}

u64 PhysicalMemory::resident_bytes() const {
    const long page = sysconf(_SC_PAGESIZE);
    const u64 chunk = 64 * kMiB;
    std::vector<unsigned char> vec(chunk / static_cast<u64>(page));
    u64 resident = 0;
    for (u64 off = 0; off < reserved_; off += chunk) {
        u64 len = std::min(chunk, reserved_ - off);
        if (mincore(base_ + off, len, vec.data()) != 0) continue;
        for (u64 i = 0; i < (len + static_cast<u64>(page) - 1) / static_cast<u64>(page); ++i) {
            if (vec[i] & 1) resident += static_cast<u64>(page);
        }
    }
    return resident;
}

std::string PhysicalMemory::describe() const {
    char buf[256];
    std::snprintf(buf, sizeof buf, "RAM %llu MiB: %llu MiB below 4 GiB, %llu MiB above",
                  static_cast<unsigned long long>(ram_size_ >> 20),
                  static_cast<unsigned long long>(below_4g_ >> 20),
                  static_cast<unsigned long long>(above_4g_ >> 20));
    std::string s = buf;
    if (unaddressable_) {
        s += " (" + std::to_string(unaddressable_ >> 20) + " MiB beyond the 36-bit physical limit)";
    }
    return s;
}

bool parse_memory_size(const std::string& text, u64& bytes) {
    if (text.empty()) return false;
    size_t i = 0;
    u64 value = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
        if (value > (u64{1} << 40)) return false;
        value = value * 10 + static_cast<u64>(text[i] - '0');
        ++i;
    }
    if (i == 0) return false;
    u64 unit = kMiB;
    if (i < text.size()) {
        switch (std::toupper(static_cast<unsigned char>(text[i]))) {
            case 'K': unit = kKiB; break;
            case 'M': unit = kMiB; break;
            case 'G': unit = kGiB; break;
            case 'T': unit = 1024 * kGiB; break;
            case 'B': unit = 1; break;
            default: return false;
        }
        ++i;
        if (i < text.size() && (text[i] == 'i' || text[i] == 'I')) ++i;
        if (i < text.size() && (text[i] == 'B' || text[i] == 'b') && unit != 1) ++i;
        if (i != text.size()) return false;
    }
    bytes = value * unit;
    return true;
}

}  // namespace hm
