// The kmapinfo report: what the highmem mapping APIs have done since boot, in
// the terms of the issue that asked for it (kmap calls, pkmap slots in use,
// wraps, global flushes, waits, local and atomic maps, INVLPGs). The counters
// live in highmem_stats (mm/highmem.cpp, mm/kmap_local.cpp); this file only
// takes a consistent snapshot and prints it.
#include <kernel/highmem.hpp>
#include <kernel/printk.hpp>

kmapinfo get_kmapinfo() {
    kmapinfo k{};
    pkmap_slot_counts(&k.pkmap_free, &k.pkmap_unused_mapped, &k.pkmap_in_use);
    IrqSaveGuard guard;  // the counters move in interrupt handlers too (kmap_local)
    const highmem_counters& s = highmem_stats;
    k.kmap_calls = s.kmap_high_calls;
    k.pkmap_slots = LAST_PKMAP();
    k.pkmap_wraps = s.pkmap_wraps;
    k.global_flushes = s.pkmap_flushes;
    k.kmap_waits = s.kmap_high_waits;
    k.local_maps = s.kmap_local_maps;
    k.atomic_maps = s.kmap_atomic_maps;
    k.invlpgs = s.kmap_local_invlpgs;
    k.invlpgs_at_switch = s.kmap_local_sched_out;
    return k;
}

void show_kmapinfo() {
    kmapinfo k = get_kmapinfo();
    printk("kmapinfo:\n");
    printk("  kmap calls:          %8lu  (highmem pages only: a lowmem page needs no mapping)\n", k.kmap_calls);
    printk("  pkmap slots in use:  %8u  of %u (%u unused but still mapped, %u free)\n", k.pkmap_in_use,
           k.pkmap_slots, k.pkmap_unused_mapped, k.pkmap_free);
    printk("  pkmap wraps:         %8lu\n", k.pkmap_wraps);
    printk("  global TLB flushes:  %8lu  (by pkmap wraps and kmap_flush_unused that found unused slots)\n", k.global_flushes);
    printk("  kmap waits:          %8lu  (every pkmap slot in use: slept)\n", k.kmap_waits);
    printk("  kmap_local maps:     %8lu\n", k.local_maps);
    printk("  kmap_atomic maps:    %8lu\n", k.atomic_maps);
    printk("  INVLPGs issued:      %8lu  (%lu by kunmap_local/kunmap_atomic, %lu by context-switch teardown)\n",
           k.invlpgs, k.invlpgs - k.invlpgs_at_switch, k.invlpgs_at_switch);
}
