#include "mem/bus.hpp"

#include "mem/host_access.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace hm {

Bus::Bus(PhysicalMemory& ram) : ram_(ram) { update_free_span(); }

void Bus::attach_io(u16 first, u32 count, IoDevice& dev, std::string name) {
    if (count == 0 || first + count > 65536) throw std::logic_error("attach_io: bad port range for " + name);
    for (u32 p = first; p < first + count; ++p) {
        if (io_[p]) throw std::logic_error("attach_io: port " + std::to_string(p) + " already owned by " +
                                           io_names_[io_name_idx_[p]] + ", wanted by " + name);
    }
    io_names_.push_back(std::move(name));
    for (u32 p = first; p < first + count; ++p) {
        io_[p] = &dev;
        io_name_idx_[p] = static_cast<u16>(io_names_.size() - 1);
    }
}

const char* Bus::io_owner(u16 port) const { return io_names_[io_name_idx_[port]].c_str(); }

u32 Bus::io_read(u16 port, unsigned size) {
    ++stats_.io_reads;
    IoDevice* dev = io_[port];
    u32 v;
    if (dev) {
        v = dev->io_read(port, size);
    } else {
        ++stats_.unassigned_io_reads;
        v = 0xFFFFFFFFu;
    }
    if (size < 4) v &= (1u << (size * 8)) - 1;
    if (io_observer_) io_observer_->on_io(port, v, size, false);
    return v;
}

void Bus::io_write(u16 port, u32 value, unsigned size) {
    ++stats_.io_writes;
    if (size < 4) value &= (1u << (size * 8)) - 1;
    if (io_observer_) io_observer_->on_io(port, value, size, true);
    IoDevice* dev = io_[port];
    if (dev) {
        dev->io_write(port, value, size);
    } else {
        ++stats_.unassigned_io_writes;
    }
}

void Bus::add_region(Region r) {
    if ((r.base | r.size) & 0xFFF || r.size == 0) throw std::logic_error("bus region not page aligned: " + r.name);
    for (const Region& o : regions_) {
        if (r.base < o.base + o.size && o.base < r.base + r.size) {
            throw std::logic_error("bus region " + r.name + " overlaps " + o.name);
        }
    }
    regions_.push_back(std::move(r));
    std::sort(regions_.begin(), regions_.end(), [](const Region& a, const Region& b) { return a.base < b.base; });
    update_free_span();
}

void Bus::update_free_span() {
    // The region-free gap holding the first MiB above the legacy area: where the
    // RAM of every machine here lies, page tables included (regions_ is sorted).
    constexpr u64 kProbe = 0x100000;
    u64 lo = 0, hi = ~u64{0};
    for (const Region& r : regions_) {
        if (r.base + r.size <= kProbe) {
            lo = r.base + r.size;
        } else if (r.base <= kProbe) {  // a region covers the probe: no span
            lo = hi = 0;
            break;
        } else {
            hi = r.base;
            break;
        }
    }
    free_lo_ = lo;
    free_size_ = hi - lo;
}

void Bus::attach_mmio(PhysAddr base, u64 size, MmioDevice& dev, std::string name) {
    add_region({base.value, size, Region::Kind::Mmio, &dev, nullptr, std::move(name)});
}

bool Bus::try_attach_mmio(PhysAddr base, u64 size, MmioDevice& dev, std::string name) {
    for (const Region& o : regions_) {
        if (base.value < o.base + o.size && o.base < base.value + size) return false;
    }
    attach_mmio(base, size, dev, std::move(name));
    return true;
}

void Bus::detach_mmio(MmioDevice& dev) {
    std::erase_if(regions_, [&](const Region& r) { return r.kind == Region::Kind::Mmio && r.dev == &dev; });
    update_free_span();
}

void Bus::attach_rom(PhysAddr base, std::span<const u8> image, std::string name) {
    u64 size = (image.size() + 0xFFF) & ~u64{0xFFF};
    if (size == 0) size = kPageSize;
    auto& store = rom_storage_.emplace_back(size, 0xFF);
    std::memcpy(store.data(), image.data(), image.size());
    add_region({base.value, size, Region::Kind::Rom, nullptr, store.data(), std::move(name)});
}

void Bus::attach_device_ram(PhysAddr base, u64 size, u8* host, std::string name) {
    add_region({base.value, size, Region::Kind::DeviceRam, nullptr, host, std::move(name)});
}

const Bus::Region* Bus::find_region(PhysAddr at) const { return region_at(at.value); }

const Bus::Region* Bus::region_at(u64 pa) const {
    // Few regions (a handful); a linear scan beats anything clever here.
    for (const Region& r : regions_) {
        if (pa >= r.base && pa - r.base < r.size) return &r;
    }
    return nullptr;
}

PageHost Bus::page_host(PhysAddr at) const {
    const u64 pa = at.page_base();
    if (const Region* r = pa - free_lo_ < free_size_ ? nullptr : region_at(pa)) {
        switch (r->kind) {
            case Region::Kind::Rom: return {r->host + (pa - r->base), nullptr};
            case Region::Kind::DeviceRam: return {r->host + (pa - r->base), r->host + (pa - r->base)};
            case Region::Kind::Mmio: return {};
        }
    }
    u8* h = ram_.host(PhysAddr{pa});
    return {h, h};
}

u8 Bus::read_byte(u64 pa) {
    if (const Region* r = region_at(pa)) {
        if (r->kind == Region::Kind::Mmio) {
            ++stats_.mmio_reads;
            return static_cast<u8>(r->dev->mmio_read(pa - r->base, 1));
        }
        return r->host[pa - r->base];
    }
    if (u8* h = ram_.host(PhysAddr{pa})) return *h;
    ++stats_.open_bus_reads;
    return 0xFF;
}

void Bus::write_byte(u64 pa, u8 v, bool allow_rom) {
    if (const Region* r = region_at(pa)) {
        switch (r->kind) {
            case Region::Kind::Mmio:
                ++stats_.mmio_writes;
                r->dev->mmio_write(pa - r->base, v, 1);
                return;
            case Region::Kind::Rom:
                if (allow_rom) {
                    r->host[pa - r->base] = v;
                } else {
                    ++stats_.rom_writes_ignored;
                }
                return;
            case Region::Kind::DeviceRam: r->host[pa - r->base] = v; return;
        }
    }
    if (u8* h = ram_.host(PhysAddr{pa})) {
        *h = v;
        return;
    }
    ++stats_.open_bus_writes;
}

u64 Bus::read(PhysAddr at, unsigned size) {
    const u64 pa = at.value;
    // One region lookup serves both questions (page walks read every entry here),
    // and none at all inside the region-free span.
    const Region* r = pa - free_lo_ < free_size_ ? nullptr : region_at(pa);
    // Whole access inside one MMIO region: one device call of the full size.
    if (r && r->kind == Region::Kind::Mmio && pa + size <= r->base + r->size) {
        ++stats_.mmio_reads;
        return r->dev->mmio_read(pa - r->base, size);
    }
    if ((pa & 0xFFF) + size <= kPageSize) {
        // Regions are page aligned, so the page's host pointer follows from r.
        u8* h = r ? (r->kind == Region::Kind::Mmio ? nullptr : r->host + (pa - r->base)) : ram_.host(PhysAddr{pa});
        if (h) return host_load(h, size);
    }
    u64 v = 0;
    for (unsigned i = 0; i < size; ++i) v |= u64{read_byte(pa + i)} << (8 * i);
    return v;
}

void Bus::write(PhysAddr at, u64 value, unsigned size) {
    const u64 pa = at.value;
    const Region* r = pa - free_lo_ < free_size_ ? nullptr : region_at(pa);
    if (r && r->kind == Region::Kind::Mmio && pa + size <= r->base + r->size) {
        ++stats_.mmio_writes;
        r->dev->mmio_write(pa - r->base, value, size);
        return;
    }
    if ((pa & 0xFFF) + size <= kPageSize) {
        u8* h = r ? (r->kind == Region::Kind::DeviceRam ? r->host + (pa - r->base) : nullptr) : ram_.host(PhysAddr{pa});
        if (h) {
            host_store(h, value, size);
            return;
        }
    }
    for (unsigned i = 0; i < size; ++i) write_byte(pa + i, static_cast<u8>(value >> (8 * i)), false);
}

void Bus::read_bytes(PhysAddr at, u8* dst, u64 len) {
    const u64 pa = at.value;
    for (u64 i = 0; i < len; ++i) dst[i] = read_byte(pa + i);
}

bool Bus::region_overlaps(u64 pa, u64 len) const {
    for (const Region& r : regions_) {
        if (pa < r.base + r.size && r.base < pa + len) return true;
    }
    return false;
}

void Bus::copy_in(u64 pa, const u8* src, u64 len, bool allow_rom) {
    // Page by page: a piece of a page that no region touches is RAM (one copy)
    // or open bus; any other piece goes byte by byte with each region's meaning.
    // A loader's megabytes of zeroed bss cost one copy a page, not a lookup a byte.
    while (len) {
        const u64 n = std::min<u64>(len, kPageSize - (pa & 0xFFF));
        u8* h = region_overlaps(pa, n) ? nullptr : ram_.host(PhysAddr{pa});
        if (h && ram_.host(PhysAddr{pa + n - 1}) != h + (n - 1)) h = nullptr;  // RAM ends inside the piece
        if (h) {
            std::memcpy(h, src, n);
        } else {
            for (u64 i = 0; i < n; ++i) write_byte(pa + i, src[i], allow_rom);
        }
        pa += n, src += n, len -= n;
    }
}

void Bus::write_bytes(PhysAddr at, const u8* src, u64 len) { copy_in(at.value, src, len, false); }

void Bus::load_bytes(PhysAddr at, const u8* src, u64 len) { copy_in(at.value, src, len, true); }

}  // namespace hm
