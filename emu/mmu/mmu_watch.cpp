// Debugger watchpoints in the MMU. A watched page is never given a front-array
// tag for the watched kind of access, so every such access reaches read_slow or
// write_slow, which report it here after the translation. The front array is a
// cache of the modelled TLB, so keeping pages out of it changes no TLB state, no
// counter and no cycle: a run with watchpoints is the run without them.
//
// The MMU reports every access to a watched page; the debugger decides whether it
// overlaps a watched range. Page walks' A/D writes and the debugger's own reads go
// straight to the bus and are not reported.
#include "mem/host_access.hpp"
#include "mmu/mmu.hpp"

namespace hm {

void Mmu::set_watched_pages(std::vector<WatchedPage> pages, WatchHook hook, void* ctx) {
    for (WatchedPage& w : pages) w.page &= ~u64{0xFFF};
    watched_ = std::move(pages);
    watch_hook_ = watched_.empty() ? nullptr : hook;
    watch_ctx_ = ctx;
    // Drop what the front array already caches: the next access to each page
    // refills it from the modelled TLB, now without the watched tags.
    flush_front();
}

bool Mmu::watched(u32 lin, u64 phys, Access a) const {
    const u64 lin_page = lin & ~0xFFFu;
    const u64 phys_page = phys & ~u64{0xFFF};
    for (const WatchedPage& w : watched_) {
        if (!(a == Access::Write ? w.write : w.read)) continue;
        if (w.page == (w.space == WatchSpace::Linear ? lin_page : phys_page)) return true;
    }
    return false;
}

void Mmu::report_watch(u32 lin, u64 phys, unsigned size, Access a, u64 value, u64 old_value) {
    if (!watched(lin, phys, a)) return;
    watch_hook_(watch_ctx_, WatchedAccess{lin, phys, static_cast<u8>(size), a, value, old_value});
}

u64 Mmu::peek_old_value(u64 phys, unsigned size) const {
    // RAM and ROM only: reading a device register could change the device.
    const PageHost h = bus_.page_host(PhysAddr{phys});
    if (!h.read || (phys & 0xFFF) + size > kPageSize) return 0;
    return host_load(h.read + (phys & 0xFFF), size);
}

}  // namespace hm
