#include "debug/gdb_x87.hpp"

#include "cpu/ops/x87.hpp"
#include "debug/gdb_rsp.hpp"

namespace hm::dbg {

namespace {
namespace x87 = cpu::x87;

u64 le_bytes(const std::vector<u8>& b, size_t from, size_t n) {
    u64 v = 0;
    for (size_t i = 0; i < n; ++i) v |= u64{b[from + i]} << (8 * i);
    return v;
}
}  // namespace

std::string gdb_x87_read(const FpuState& f, unsigned k) {
    if (k < 8) {
        const fpu::Float80 v = f.st[x87::phys(f, k)];
        return le_hex(v.sig, 8) + le_hex(v.se, 2);
    }
    switch (k) {
        case 8: return le_hex(f.cw, 4);
        case 9: return le_hex(f.sw, 4);
        case 10: return le_hex(x87::tag_word(f), 4);
        case 11: return le_hex(f.fcs, 4);
        case 12: return le_hex(f.fip, 4);
        case 13: return le_hex(f.fds, 4);
        case 14: return le_hex(f.fdp, 4);
        default: return le_hex(f.fop, 4);
    }
}

bool gdb_x87_write(FpuState& f, unsigned k, const std::vector<u8>& bytes) {
    if (k >= kGdbX87Count || bytes.size() != gdb_x87_size(k)) return false;
    if (k < 8) {
        const unsigned p = x87::phys(f, k);
        f.st[p] = fpu::Float80{le_bytes(bytes, 0, 8), static_cast<u16>(le_bytes(bytes, 8, 2))};
        if (x87::tag_of_phys(f, p) != x87::kTagEmpty) x87::set_tag_phys(f, p, x87::tag_for(f.st[p]));
        return true;
    }
    const u64 v = le_bytes(bytes, 0, 4);
    if (k == 12) {
        f.fip = static_cast<u32>(v);
        return true;
    }
    if (k == 14) {
        f.fdp = static_cast<u32>(v);
        return true;
    }
    if (v > (k == 15 ? 0x7FFu : 0xFFFFu)) return false;
    const u16 w = static_cast<u16>(v);
    switch (k) {
        case 8: f.cw = w; break;
        case 9: f.sw = w; break;
        case 10:
            for (unsigned p = 0; p < 8; ++p) {
                const bool empty = ((w >> (2 * p)) & 3) == x87::kTagEmpty;
                x87::set_tag_phys(f, p, empty ? x87::kTagEmpty : x87::tag_for(f.st[p]));
            }
            break;
        case 11: f.fcs = w; break;
        case 13: f.fds = w; break;
        default: f.fop = w; break;
    }
    return true;
}

}  // namespace hm::dbg
