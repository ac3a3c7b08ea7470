#include "devices/fw_cfg.hpp"

#include <algorithm>

namespace hm {

namespace {

std::vector<u8> le(u64 v, unsigned bytes) {
    std::vector<u8> out(bytes);
    for (unsigned i = 0; i < bytes; ++i) out[i] = static_cast<u8>(v >> (8 * i));
    return out;
}

void put_be(std::vector<u8>& out, u64 v, unsigned bytes) {
    for (unsigned i = bytes; i-- > 0;) out.push_back(static_cast<u8>(v >> (8 * i)));
}

void put_le(std::vector<u8>& out, u64 v, unsigned bytes) {
    for (unsigned i = 0; i < bytes; ++i) out.push_back(static_cast<u8>(v >> (8 * i)));
}

constexpr u32 kE820Ram = 1;
constexpr size_t kFileNameBytes = 56;

}  // namespace

FwCfg::FwCfg(const FwCfgConfig& c) {
    add(fw_cfg_key::kSignature, {'Q', 'E', 'M', 'U'});
    add(fw_cfg_key::kId, le(1, 4));  // traditional interface only, no DMA
    add(fw_cfg_key::kUuid, std::vector<u8>(16, 0));
    add(fw_cfg_key::kRamSize, le(c.ram_below_4g + c.ram_above_4g, 8));
    add(fw_cfg_key::kNoGraphic, le(1, 2));
    add(fw_cfg_key::kNbCpus, le(c.cpus, 2));
    add(fw_cfg_key::kMaxCpus, le(c.cpus, 2));
    add(fw_cfg_key::kBootMenu, le(0, 2));
    std::vector<u8> e820;
    auto entry = [&](u64 base, u64 len) {
        put_le(e820, base, 8);
        put_le(e820, len, 8);
        put_le(e820, kE820Ram, 4);
    };
    entry(0, c.ram_below_4g);
    if (c.ram_above_4g) entry(u64{1} << 32, c.ram_above_4g);
    add_file("etc/e820", std::move(e820));

    // The directory: a big-endian count, then 64-byte entries sorted by name.
    std::sort(files_.begin(), files_.end());
    std::vector<u8> dir;
    put_be(dir, files_.size(), 4);
    for (const auto& [name, key] : files_) {
        put_be(dir, item(key).size(), 4);
        put_be(dir, key, 2);
        put_be(dir, 0, 2);
        for (size_t i = 0; i < kFileNameBytes; ++i) dir.push_back(i < name.size() ? static_cast<u8>(name[i]) : 0);
    }
    add(fw_cfg_key::kFileDir, std::move(dir));
}

void FwCfg::add(u16 key, std::vector<u8> data) { items_.push_back({key, std::move(data)}); }

void FwCfg::add_file(const std::string& name, std::vector<u8> data) {
    const u16 key = static_cast<u16>(fw_cfg_key::kFileFirst + files_.size());
    files_.emplace_back(name, key);
    add(key, std::move(data));
}

const std::vector<u8>& FwCfg::item(u16 key) const {
    static const std::vector<u8> kNone;
    // Bit 14 (write channel) does not change which item is read; bit 15 (arch-local) does.
    key &= 0xBFFF;
    for (const Item& i : items_) {
        if (i.key == key) return i.data;
    }
    return kNone;
}

u8 FwCfg::read_byte() {
    const std::vector<u8>& d = item(st_.selector);
    if (st_.offset >= d.size()) return 0;
    return d[st_.offset++];
}

u32 FwCfg::io_read(u16 port, unsigned size) {
    if (port != kDataPort) return 0;  // the selector is write-only
    // An N-byte read returns the next N bytes, in increasing address order.
    u32 v = 0;
    for (unsigned i = 0; i < size; ++i) v |= u32{read_byte()} << (8 * i);
    return v;
}

void FwCfg::io_write(u16 port, u32 value, unsigned) {
    if (port != kSelectorPort) return;  // data writes are ignored
    st_.selector = static_cast<u16>(value);
    st_.offset = 0;
}

}  // namespace hm
