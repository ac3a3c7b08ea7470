#include "snapshot/snapshot_reader.hpp"

#include <cstring>

#include "snapshot/ram_pages.hpp"
#include "snapshot/snapshot_writer.hpp"

namespace hm::snap {

void SnapshotReader::fail(const std::string& what) const {
    throw SnapshotError("corrupt state at byte " + std::to_string(pos_) + " of the state stream: " + what);
}

void SnapshotReader::need(u64 n) const {
    if (n > data_.size() - pos_) fail("it ends early (truncated)");
}

u64 SnapshotReader::get(unsigned width) {
    need(width);
    u64 v = 0;
    for (unsigned i = 0; i < width; ++i) v |= u64{data_[pos_ + i]} << (8 * i);
    pos_ += width;
    return v;
}

void SnapshotReader::section(u32 tag) {
    const u64 got = get(4);
    if (got != tag) fail("section tag " + std::to_string(got) + " where " + std::to_string(tag) + " belongs");
}

void SnapshotReader::bytes(u8* p, size_t n) {
    need(n);
    std::memcpy(p, data_.data() + pos_, n);
    pos_ += n;
}

void SnapshotReader::fixed(u64 v, const char* what) {
    const u64 got = get(8);
    if (got != v) {
        fail(std::string(what) + " is " + std::to_string(got) + " in the snapshot but " + std::to_string(v) +
             " in this machine");
    }
}

void SnapshotReader::ram(PhysicalMemory& m) {
    // Pages not in the snapshot are zeros: clear whatever the machine holds now.
    for_each_nonzero_page(m, [](u64, u8* p, u64 n) { std::memset(p, 0, n); });
    u64 last = 0;
    bool first = true;
    for (;;) {
        const u64 pn = get(8);
        if (pn == kEndOfPages) return;
        if (!first && pn <= last) fail("RAM page " + std::to_string(pn) + " out of order");
        first = false;
        last = pn;
        const u64 pa = pn << 12;
        u8* host = pn < (u64{1} << 52) ? m.host(PhysAddr{pa}) : nullptr;
        if (!host) fail("RAM page " + std::to_string(pn) + " lies outside this machine's RAM");
        need(kPageSize);
        // A short last page (RAM not a multiple of 4 KiB) stores only what exists.
        u64 n = kPageSize;
        for (const RamRange& r : m.ranges()) {
            if (pa >= r.base && pa < r.base + r.size) n = std::min<u64>(kPageSize, r.base + r.size - pa);
        }
        std::memcpy(host, data_.data() + pos_, n);
        pos_ += kPageSize;
    }
}

}  // namespace hm::snap
