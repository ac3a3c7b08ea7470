// Where the kmap_local slots of each CPU are (kmap_local_layout.hpp), on
// synthetic fixmaps: the kernel's block count is found by FIX_APIC_BASE, which
// follows the last block, and a missing mapping falls back to one block.
#include <catch2/catch.hpp>

#include <map>

#include "debug/kernel_layout.hpp"
#include "debug/kmap_local_layout.hpp"

using namespace hm;
using namespace hm::dbg;

namespace {
constexpr u64 kApic = 0xFEE00000;
constexpr u32 kTop = 0xFFFFF000;  // FIXADDR_TOP
u32 fix(u32 idx) { return kTop - (idx << 12); }

// A fixmap: vaddr -> the physical address its PTE maps.
struct Fixmap {
    std::map<u32, u64> ptes;
    std::optional<u64> operator()(u32 vaddr) const {
        auto it = ptes.find(vaddr);
        if (it == ptes.end()) return std::nullopt;
        return it->second;
    }
};

// The kernel's layout with `blocks` blocks of 33 slots: some slots mapped to
// highmem pages, FIX_APIC_BASE to the local APIC, FIX_IO_APIC_BASE_0 next.
Fixmap kernel_fixmap(unsigned blocks, bool apic_mapped) {
    Fixmap f;
    for (unsigned b = 0; b < blocks; ++b) f.ptes[fix(1 + 33 * b)] = 0x3fc0000 + b * 0x1000;  // slot 0 in use
    if (apic_mapped) f.ptes[fix(1 + 33 * blocks)] = kApic;
    f.ptes[fix(2 + 33 * blocks)] = 0xFEC00000;  // the I/O APIC
    return f;
}
}  // namespace

TEST_CASE("kmap_local slot addresses: per-CPU blocks of 33, guard slots at 2n+1", "[debugger][kmap]") {
    KmapLocalLayout l;
    l.blocks = 4;
    // CPU 0, depth 0: FIX_KMAP_BEGIN (1) -> 0xffffe000, as the one-CPU kernel has it.
    CHECK(kmap_local_slot_vaddr(l, 0, 0) == 0xFFFFE000u);
    CHECK(kmap_local_slot_vaddr(l, 0, 3) == kTop - ((1 + 3) << 12));
    // CPU 2, depth 3: FIX_KMAP_BEGIN + 33 * 2 + 3.
    CHECK(kmap_local_slot_vaddr(l, 2, 3) == kTop - ((1 + 66 + 3) << 12));
    l.guard_slots = true;
    CHECK(kmap_local_slot_vaddr(l, 0, 0) == kTop - ((1 + 1) << 12));
    CHECK(kmap_local_slot_vaddr(l, 2, 3) == kTop - ((1 + 66 + 7) << 12));
    // Mapping 15 with guards is slot 31 of the block, still inside it (33 slots).
    CHECK(kmap_local_slot_vaddr(l, 1, 15) == kTop - ((1 + 33 + 31) << 12));
    CHECK(kmap_local_slot_vaddr(l, 1, 15) > kmap_local_slot_vaddr(l, 2, 0));
}

TEST_CASE("the kernel's block count is read from the fixmap: FIX_APIC_BASE follows the last block", "[debugger][kmap]") {
    for (unsigned blocks : {1u, 2u, 4u, 8u}) {
        INFO(blocks << " blocks");
        const Fixmap f = kernel_fixmap(blocks, true);
        const KmapLocalLayout l = find_kmap_local_layout(f, kApic, false, 8);
        CHECK(l.blocks_found);
        CHECK(l.blocks == blocks);
        CHECK_FALSE(l.guard_slots);
    }
    // A relocated APIC (IA32_APIC_BASE moved): its page, whatever the offset in the MSR value.
    Fixmap moved = kernel_fixmap(2, false);
    moved.ptes[fix(1 + 66)] = 0xFED00000;
    CHECK(find_kmap_local_layout(moved, 0xFED00900, true, 8).blocks == 2);
    CHECK(find_kmap_local_layout(moved, 0xFED00900, true, 8).guard_slots);
    // More blocks than the machine's CPUs are looked for: not found beyond max_blocks.
    CHECK_FALSE(find_kmap_local_layout(kernel_fixmap(4, true), kApic, false, 3).blocks_found);
}

TEST_CASE("without FIX_APIC_BASE mapped, one block is assumed and the view says so", "[debugger][kmap]") {
    const Fixmap f = kernel_fixmap(4, false);
    const KmapLocalLayout l = find_kmap_local_layout(f, kApic, false, 8);
    CHECK_FALSE(l.blocks_found);
    CHECK(l.blocks == 1);
    // A highmem page mapped in a kmap slot is no APIC: not mistaken for one.
    Fixmap busy = kernel_fixmap(1, true);
    busy.ptes[fix(1 + 33)] = 0x3fc5000;  // one block... but the slot after it maps RAM
    CHECK_FALSE(find_kmap_local_layout(busy, kApic, false, 8).blocks_found);

    const KmapLocalBlock cpu0 = kmap_local_block_of(l, 0, 1);
    CHECK(cpu0.block == 0);
    CHECK(cpu0.note.empty());  // one CPU: nothing to say
    const KmapLocalBlock cpu0_smp = kmap_local_block_of(l, 0, 2);
    CHECK(cpu0_smp.block == 0);
    CHECK(cpu0_smp.note.find("one assumed") != std::string::npos);
    const KmapLocalBlock cpu1 = kmap_local_block_of(l, 1, 2);
    CHECK(cpu1.block == 0);
    CHECK(cpu1.note == "cpu 1 has no block of kmap_local slots: the kernel has 1 block (assumed: FIX_APIC_BASE not "
                       "mapped yet); showing block 0");
}

TEST_CASE("each CPU within the kernel's blocks reads its own block, and one beyond reads block 0 with a note",
          "[debugger][kmap]") {
    const KmapLocalLayout l = find_kmap_local_layout(kernel_fixmap(2, true), kApic, false, 8);
    REQUIRE(l.blocks == 2);
    CHECK(kmap_local_block_of(l, 1, 4).block == 1);
    CHECK(kmap_local_block_of(l, 1, 4).note.empty());
    const KmapLocalBlock cpu3 = kmap_local_block_of(l, 3, 4);
    CHECK(cpu3.block == 0);
    CHECK(cpu3.note == "cpu 3 has no block of kmap_local slots: the kernel has 2 blocks; showing block 0");
}
