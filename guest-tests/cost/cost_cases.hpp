// The measurements of cost.elf, in the order its payload runs them.
#pragma once
#include "cost_probe.hpp"

namespace cost {

// cost_mappings.cpp
void measure_lowmem(Probe& probe);            // page_address, kmap and kmap_local of a lowmem page
void measure_local_and_atomic(Probe& probe);  // kmap_local_page, kmap_atomic of a highmem page
void measure_pkmap(Probe& probe);             // kmap hit, new slot, wrap, wraps per 1024 mappings
void measure_vmap(Probe& probe);              // vmap of 1, 16, 64 pages; long-lived vmap vs kmap_local

// cost_tlb.cpp
void measure_walks(Probe& probe);             // a TLB miss and its walk, against a hit
void measure_flushes(Probe& probe);           // one INVLPG vs a global flush, and the refills after each
void measure_switches(Probe& probe);          // context switches with 0..16 live kmap_local slots

// cost_smp.cpp (only with 2+ CPUs online)
void measure_smp();                           // pkmap flush on initiator and targets; N CPUs mapping at once

}  // namespace cost
