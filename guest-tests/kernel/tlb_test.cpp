// What the kernel's TLB maintenance leaves in the TLBs, asked of hm386's
// diagnostic device (TLB_PROBE). These cases need hm386: on QEMU and real
// hardware they are skipped.
#include <asm/cpufeature.hpp>
#include <asm/layout.hpp>
#include <asm/pgtable.hpp>
#include <devices/diag_protocol.hpp>
#include <kernel/mm.hpp>

#include "ktest.hpp"

namespace {
u64 probe(unsigned long va) { return ktest::diag_command(HM386_DIAG_CMD_TLB_PROBE, va); }
}  // namespace

// Kernel mappings carry the global bit when the CPU has PGE, so the TLB entry
// a kernel access creates is global (it would survive a CR3 switch).
KTEST(tlb, kernel_mappings_are_global) {
    KTEST_REQUIRE_DIAG();
    KTEST_REQUIRE(boot_cpu_data.has_pge, "this CPU has no PGE");
    static volatile u32 target;
    u32 value = target;  // a data access through the direct map
    (void)value;
    u64 bits = probe(reinterpret_cast<unsigned long>(&target));
    EXPECT_TRUE(bits & HM386_DIAG_PROBE_DTLB);
    EXPECT_TRUE(bits & HM386_DIAG_PROBE_GLOBAL);
}

// clear_kernel_pte() invalidates the page with invlpg: no stale translation
// of the old mapping may remain.
KTEST(tlb, clear_kernel_pte_leaves_no_stale_entry) {
    KTEST_REQUIRE_DIAG();
    unsigned long va = VMALLOC_START() + 32 * PAGE_SIZE;
    page* p = alloc_page(GFP_KERNEL);
    ASSERT_NOT_NULL(p);
    set_kernel_pte(va, page_to_pfn(p), PAGE_KERNEL());
    (void)*reinterpret_cast<volatile u32*>(va);
    EXPECT_TRUE(probe(va) & HM386_DIAG_PROBE_DTLB);
    clear_kernel_pte(va);
    EXPECT_EQ(probe(va) & (HM386_DIAG_PROBE_DTLB | HM386_DIAG_PROBE_ITLB), 0u);
    __free_page(p);
}
