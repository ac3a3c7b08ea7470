// hm386's diagnostic device from inside a guest: signature, version, the cycle
// and instruction counters, unknown commands, and the TLB probe with paging on
// (4 MiB identity pages: after a load from 12 MiB, a page nothing else touches,
// the address is in the data TLB as a large entry; INVLPG removes it). On QEMU
// the device is absent and the guest says so. With "checker=1" (and
// --tlb-check) it plants a missing INVLPG and expects exactly one report.
// Exit status: the number of failed checks.
#include "diag_protocol.hpp"
#include "machine_guest.hpp"

namespace {
using mg::check;
using mg::diag;

alignas(4096) uint32_t page_directory[1024];
// In the fourth 4 MiB page: code, data and stack all live in the first one.
constexpr uint32_t kProbeTarget = 0x00C00040;

uint32_t read_cr0() {
    uint32_t v;
    asm volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}
}  // namespace

extern "C" uint32_t guest_main(uint32_t, const bm::MultibootInfo* mbi) {
    bm::serial_init();
    if (!mg::diag_present()) {
        bm::puts("diag: no diagnostic device here (not hm386)\n");
        return 0;
    }
    unsigned failed = 0;
    failed += check("diag version", static_cast<uint32_t>(diag(HM386_DIAG_CMD_VERSION)), HM386_DIAG_VERSION);
    uint64_t c1 = diag(HM386_DIAG_CMD_CYCLES);
    uint64_t i1 = diag(HM386_DIAG_CMD_INSTRUCTIONS);
    for (volatile int i = 0; i < 1000; i = i + 1) {
    }
    uint64_t c2 = diag(HM386_DIAG_CMD_CYCLES);
    uint64_t i2 = diag(HM386_DIAG_CMD_INSTRUCTIONS);
    failed += check("diag cycles advance", c2 > c1, 1);
    failed += check("diag instructions advance by at least 1000", i2 - i1 >= 1000, 1);
    failed += check("diag unknown command", static_cast<uint32_t>(diag(0x7777)), 0xFFFFFFFF);
    const uint32_t checker_on = bm::cmdline_uint(mbi, "checker", 0);
    uint64_t stale = diag(HM386_DIAG_CMD_STALE_REPORTS);
    failed += check("diag stale reports", static_cast<uint32_t>(stale), checker_on ? 0 : 0xFFFFFFFF);

    // Identity-map the first 4 GiB with 4 MiB pages and turn paging on.
    for (uint32_t i = 0; i < 1024; ++i) page_directory[i] = (i << 22) | 0x83;  // P, RW, PS
    asm volatile(
        "mov %%cr4, %%eax\n or $0x10, %%eax\n mov %%eax, %%cr4\n"  // PSE
        "mov %0, %%cr3\n"
        "mov %%cr0, %%eax\n or $0x80000000, %%eax\n mov %%eax, %%cr0\n" ::"r"(page_directory)
        : "eax", "memory");
    failed += check("paging on", read_cr0() >> 31, 1);
    const uint32_t target = kProbeTarget;
    diag(HM386_DIAG_CMD_TLB_RESET_STATS);
    (void)*reinterpret_cast<volatile uint32_t*>(target);
    uint32_t bits = static_cast<uint32_t>(diag(HM386_DIAG_CMD_TLB_PROBE, target));
    failed += check("probe after a load: in the DTLB as a large page",
                    bits & (HM386_DIAG_PROBE_DTLB | HM386_DIAG_PROBE_LARGE),
                    HM386_DIAG_PROBE_DTLB | HM386_DIAG_PROBE_LARGE);
    failed += check("dtlb lookups counted",
                    diag(HM386_DIAG_CMD_TLB_STAT, HM386_DIAG_TLB_DTLB | HM386_DIAG_STAT_LOOKUPS) > 0, 1);
    asm volatile("invlpg (%0)" ::"r"(target) : "memory");
    bits = static_cast<uint32_t>(diag(HM386_DIAG_CMD_TLB_PROBE, target));
    failed += check("probe after INVLPG: gone from the DTLB", bits & HM386_DIAG_PROBE_DTLB, 0);
    failed += check("invlpg counted",
                    diag(HM386_DIAG_CMD_TLB_STAT, HM386_DIAG_TLB_DTLB | HM386_DIAG_STAT_FLUSH_INVLPG) >= 1, 1);
    if (checker_on) {
        // A planted kernel bug: remap the page without INVLPG, then use it. The
        // coherence checker reports the stale translation at that first use.
        (void)*reinterpret_cast<volatile uint32_t*>(target);
        page_directory[target >> 22] = (5u << 22) | 0x83;  // now 20 MiB, not 12 MiB
        (void)*reinterpret_cast<volatile uint32_t*>(target);
        failed += check("coherence checker reports the missing INVLPG",
                        static_cast<uint32_t>(diag(HM386_DIAG_CMD_STALE_REPORTS)), 1);
        asm volatile("invlpg (%0)" ::"r"(target) : "memory");
        (void)*reinterpret_cast<volatile uint32_t*>(target);
        failed += check("and stays silent once it is flushed", static_cast<uint32_t>(diag(HM386_DIAG_CMD_STALE_REPORTS)), 1);
    }
    asm volatile("mov %%cr0, %%eax\n and $0x7fffffff, %%eax\n mov %%eax, %%cr0\n" ::: "eax", "memory");

    bm::puts("diag: ");
    bm::put_dec(failed);
    bm::puts(" failed\n");
    return failed;
}
