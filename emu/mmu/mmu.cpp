#include "mmu/mmu.hpp"

#include <stdexcept>
#include <vector>

namespace hm {

// One bit per 4 KiB physical page of the 36-bit space: 2 MiB, allocated once.
struct Mmu::CodePageSet {
    std::vector<u64> bits = std::vector<u64>((kMaxPhysAddr >> 12) / 64);
    bool test(u64 pn) const { return (bits[pn >> 6] >> (pn & 63)) & 1; }
    void set(u64 pn) { bits[pn >> 6] |= u64{1} << (pn & 63); }
    void clear(u64 pn) { bits[pn >> 6] &= ~(u64{1} << (pn & 63)); }
};

Mmu::Mmu(Bus& bus, ControlRegs& cr, u64& cycles)
    : bus_(bus), cr_(cr), cycles_(cycles), code_pages_(new CodePageSet) {}

Mmu::~Mmu() { delete code_pages_; }

bool Mmu::is_code_page(u64 phys) const {
    u64 pn = phys >> 12;
    return pn < (kMaxPhysAddr >> 12) && code_pages_->test(pn);
}

void Mmu::flush_front() {
    for (auto& arr : fast_) arr.fill(FastTlbEntry{});
}

void Mmu::flush_all() { flush_front(); }

u64 Mmu::translate(u32 lin, Access a, Priv p) {
    if (paging()) {
        throw std::logic_error("paging (CR0.PG=1) is not implemented yet");
    }
    u64 phys = u64{lin} & a20_mask_;
    fill_front(lin, phys & ~u64{0xFFF}, p, a);
    return phys;
}

void Mmu::fill_front(u32 lin, u64 phys_page, Priv p, Access a) {
    FastTlbEntry& e = fast_[static_cast<unsigned>(p)][(lin >> 12) & (kFastEntries - 1)];
    u32 tag = lin & ~0xFFFu;
    if (e.phys_page != phys_page || (e.read_tag != tag && e.write_tag != tag && e.exec_tag != tag)) {
        e = FastTlbEntry{};
    }
    PageHost h = bus_.page_host(phys_page);
    e.phys_page = phys_page;
    e.host = h.read;
    switch (a) {
        case Access::Read:
            if (h.read) e.read_tag = tag;
            break;
        case Access::Write:
            if (h.read) e.read_tag = tag;
            if (h.write && h.write == h.read && !is_code_page(phys_page)) e.write_tag = tag;
            break;
        case Access::Execute: e.exec_tag = tag; break;
    }
}

u64 Mmu::read_slow(u32 lin, unsigned size, Priv p, Access a) {
    u32 first_room = kPageSize - (lin & 0xFFF);
    if (size <= first_room) {
        u64 phys = translate(lin, a, p);
        return bus_.read(phys, size);
    }
    // Crosses a page: translate both halves before touching memory.
    u64 phys_lo = translate(lin, a, p);
    u64 phys_hi = translate(lin + first_room, a, p);
    u64 lo = bus_.read(phys_lo, first_room);
    u64 hi = bus_.read(phys_hi, size - first_room);
    return lo | (hi << (8 * first_room));
}

void Mmu::write_slow(u32 lin, u64 v, unsigned size, Priv p) {
    u32 first_room = kPageSize - (lin & 0xFFF);
    if (size <= first_room) {
        u64 phys = translate(lin, Access::Write, p);
        bus_.write(phys, v, size);
        if (code_hook_ && is_code_page(phys)) code_hook_(code_hook_ctx_, phys, size);
        return;
    }
    u64 phys_lo = translate(lin, Access::Write, p);
    u64 phys_hi = translate(lin + first_room, Access::Write, p);
    bus_.write(phys_lo, v, first_room);
    bus_.write(phys_hi, v >> (8 * first_room), size - first_room);
    if (code_hook_) {
        if (is_code_page(phys_lo)) code_hook_(code_hook_ctx_, phys_lo, first_room);
        if (is_code_page(phys_hi)) code_hook_(code_hook_ctx_, phys_hi, size - first_room);
    }
}

CodeTranslation Mmu::translate_code_slow(u32 lin, Priv p) {
    u64 phys = translate(lin, Access::Execute, p);
    PageHost h = bus_.page_host(phys);
    return {phys, h.read ? h.read + (phys & 0xFFF) : nullptr};
}

void Mmu::write_cr0(u32 value) {
    u32 old = cr_.cr0;
    cr_.cr0 = value;
    if ((old ^ value) & (cr0::kPG | cr0::kWP | cr0::kPE)) flush_front();
}

void Mmu::write_cr3(u32 value) {
    cr_.cr3 = value;
    flush_front();
}

void Mmu::write_cr4(u32 value) {
    u32 old = cr_.cr4;
    cr_.cr4 = value;
    if ((old ^ value) & (cr4::kPGE | cr4::kPAE | cr4::kPSE)) flush_front();
}

void Mmu::write_efer(u64 value) {
    u64 old = cr_.efer;
    cr_.efer = value;
    if ((old ^ value) & efer::kNXE) flush_front();
}

void Mmu::invlpg(u32 lin) {
    for (auto& arr : fast_) {
        FastTlbEntry& e = arr[(lin >> 12) & (kFastEntries - 1)];
        u32 tag = lin & ~0xFFFu;
        if (e.read_tag == tag || e.write_tag == tag || e.exec_tag == tag) e = FastTlbEntry{};
    }
}

void Mmu::set_a20(bool enabled) {
    u64 mask = enabled ? ~u64{0} : ~(u64{1} << 20);
    if (mask != a20_mask_) {
        a20_mask_ = mask;
        flush_front();
    }
}

void Mmu::protect_code_page(u64 phys) {
    u64 pn = phys >> 12;
    if (pn >= (kMaxPhysAddr >> 12) || code_pages_->test(pn)) return;
    code_pages_->set(pn);
    u64 page = phys & ~u64{0xFFF};
    for (auto& arr : fast_) {
        for (FastTlbEntry& e : arr) {
            if (e.phys_page == page) e.write_tag = FastTlbEntry::kInvalidTag;
        }
    }
}

void Mmu::unprotect_code_page(u64 phys) {
    u64 pn = phys >> 12;
    if (pn < (kMaxPhysAddr >> 12)) code_pages_->clear(pn);
}

std::optional<u64> Mmu::probe(u32 lin, Access, Priv) const {
    if (paging()) return std::nullopt;
    return u64{lin} & a20_mask_;
}

}  // namespace hm
