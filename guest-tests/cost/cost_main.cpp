// cost.elf's payload: the highmem cost measurements (cost_cases.hpp), printed as
// "cost:" lines for `hm386 cost-report`, which runs this image in both paging
// modes and turns the lines into a table and a CSV (docs/highmem-costs.md).
//
// The timer interrupt is masked while measuring so that no tick lands inside a
// figure; nothing here sleeps on time. Exit status 0, or 1 when the
// diagnostic device is missing (QEMU) or a measurement's precondition failed.
#include <asm/i8259.hpp>
#include <asm/layout.hpp>
#include <asm/pgtable.hpp>
#include <kernel/highmem.hpp>
#include <kernel/printk.hpp>
#include <kernel/reboot.hpp>

#include "cost_cases.hpp"
#include "cost_probe.hpp"

int init_payload() {
    if (!cost::diag_present()) {
        printk("cost: needs the hm386 diagnostic device (absent: not running under hm386)\n");
        return EXIT_STATUS_TEST_FAILURE;
    }
    if (totalhigh_pages() < 4096) {
        printk("cost: needs at least 16 MiB of highmem (boot with force_highmem=32M or more RAM)\n");
        return EXIT_STATUS_TEST_FAILURE;
    }
    printk("cost: mode=%s last_pkmap=%u km_max_idx=%u\n", pae_enabled() ? "pae" : "2level", LAST_PKMAP(), KM_MAX_IDX);
    disable_8259A_irq(0);
    cost::Probe probe;
    cost::measure_lowmem(probe);
    cost::measure_local_and_atomic(probe);
    cost::measure_pkmap(probe);
    cost::measure_vmap(probe);
    cost::measure_walks(probe);
    cost::measure_flushes(probe);
    cost::measure_switches(probe);
#if COST_SMP
    cost::measure_smp();  // cost-smp.elf only; prints nothing with one CPU
#endif
    enable_8259A_irq(0);
    const unsigned problems = cost::problem_count();
    printk("cost: done problems=%u\n", problems);
    return problems ? EXIT_STATUS_TEST_FAILURE : EXIT_STATUS_OK;
}
