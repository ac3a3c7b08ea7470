#include <catch2/catch.hpp>

#include <string>

#include "cost_smp_report.hpp"

using namespace hm;

namespace {

// What cost-smp.elf prints at `cpus` CPUs (2+), with the IPI counts given (and
// the clock and the last target's handler cycles).
std::string smp_console(unsigned cpus, unsigned initiator_ipis, unsigned target_ipis, unsigned concurrent_ipis,
                        const std::string& clock = "cpu_cycles", unsigned last_target_cycles = 6560) {
    std::string out = "cost: mode=2level last_pkmap=1024 km_max_idx=16\n";
    out += "cost: name=kmap_hit unit=page n=64 cycles=28480 instructions=1 dtlb_misses=0 itlb_misses=0 walks=0 "
           "walk_reads=0 invlpg=0 cr3_flushes=0 global_flushes=0 invalidated=0\n";
    out += "cost: smp cpus=" + std::to_string(cpus) + " clock=" + clock + " clock_read=66\n";
    out += "cost: smp name=pkmap_flush_initiator unit=flush n=16 cycles=32000 ipis=" + std::to_string(initiator_ipis) + "\n";
    for (unsigned c = 1; c < cpus; ++c)
        out += "cost: smp name=pkmap_flush_on_cpu" + std::to_string(c) + " unit=flush n=16 cycles=" +
               std::to_string(c == cpus - 1 ? last_target_cycles : 6560) + " ipis=" + std::to_string(target_ipis) + "\n";
    for (const char* n : {"kmap_concurrent", "kmap_concurrent_elapsed", "kmap_atomic_concurrent",
                          "kmap_atomic_concurrent_elapsed", "kmap_local_concurrent", "kmap_local_concurrent_elapsed"})
        out += std::string("cost: smp name=") + n + " unit=page n=512 cycles=204800 ipis=" +
               std::to_string(concurrent_ipis) + "\n";
    return out + "cost: done problems=0\n";
}

CostSmpPoint point(unsigned cpus, const std::string& console) {
    CostSmpPoint p;
    p.cpus = cpus;
    p.run = parse_cost_lines(console);
    return p;
}

}  // namespace

TEST_CASE("The cross-CPU lines are parsed and their IPI counts checked", "[cost]") {
    CostSmpPoint p = point(4, smp_console(4, 48, 16, 0));
    CHECK(p.run.problems.empty());
    CHECK(p.run.smp_cpus == 4);
    REQUIRE(p.run.find_smp("pkmap_flush_on_cpu3"));
    CHECK(p.run.find_smp("kmap_local_concurrent")->per_unit() == 400.0);
    CHECK(cost_smp_violations(p).empty());

    // One IPI too few from the initiator, an IPI while mapping with kmap_local...
    CostSmpPoint wrong = point(4, smp_console(4, 47, 16, 1));
    auto v = cost_smp_violations(wrong);
    REQUIRE(v.size() == 7);
    CHECK(v[0] == "4 CPU(s) 2level: pkmap_flush_initiator: 47 IPIs, expected 48");
    // ...a target that is missing, and cross-CPU rows from a one-CPU run.
    CHECK(cost_smp_violations(point(5, smp_console(4, 64, 16, 0))).size() == 2);  // cpus=4 reported, cpu4 missing
    CHECK(cost_smp_violations(point(1, smp_console(2, 16, 16, 0))).size() == 1);
}

TEST_CASE("Every target's handler cycles come from its own counter and are not 0", "[cost]") {
    CostSmpPoint p = point(4, smp_console(4, 48, 16, 0));
    CHECK(p.run.smp_clock == "cpu_cycles");
    CHECK(cost_smp_violations(p).empty());
    // What RDTSC under hm386's TSC floor gave CPU 3 with PAE at 4 CPUs.
    auto v = cost_smp_violations(point(4, smp_console(4, 48, 16, 0, "cpu_cycles", 0)));
    REQUIRE(v.size() == 1);
    CHECK(v[0] == "4 CPU(s) 2level: pkmap_flush_on_cpu3: 0 cycles in its handler for 16 IPIs handled");
    v = cost_smp_violations(point(2, smp_console(2, 16, 16, 0, "rdtsc")));
    REQUIRE(v.size() == 1);
    CHECK(v[0] == "2 CPU(s) 2level: per-CPU cycles by 'rdtsc', not the diag device's CPU_CYCLES ports");
    // A cpus line without its clock (an older cost-smp.elf) is malformed.
    CostSmpPoint old = point(2, "cost: mode=2level\ncost: smp cpus=2\ncost: done\n");
    REQUIRE(old.run.problems.size() == 1);
    CHECK(old.run.problems[0] == "malformed line: cost: smp cpus=2");
}

TEST_CASE("The per-CPU-count CSV and plot show every point", "[cost]") {
    std::vector<CostSmpPoint> points = {point(1, "cost: mode=2level\ncost: name=kmap_hit unit=page n=64 cycles=28480 "
                                                 "instructions=1 dtlb_misses=0 itlb_misses=0 walks=0 walk_reads=0 "
                                                 "invlpg=0 cr3_flushes=0 global_flushes=0 invalidated=0\ncost: done\n"),
                                        point(2, smp_console(2, 16, 16, 0))};
    const std::string csv = cost_smp_csv(points);
    CHECK(csv.find("1,2level,kmap_hit,page,64,28480,,445.00\n") != std::string::npos);
    CHECK(csv.find("2,2level,pkmap_flush_on_cpu1,flush,16,6560,16,410.00\n") != std::string::npos);
    const std::string svg = cost_smp_svg(points);
    CHECK(svg.rfind("<svg ", 0) == 0);
    CHECK(svg.find("kmap (pkmap hit), one CPU mapping, 2 CPU(s): 445.0 cycles") != std::string::npos);
    CHECK(svg.find("kmap_local_page, all CPUs at once, 2 CPU(s): 400.0 cycles") != std::string::npos);
    // "--" only in "<!--" and "-->": XML forbids it inside a comment.
    size_t dashes = 0;
    for (size_t at = svg.find("--"); at != std::string::npos; at = svg.find("--", at + 2)) ++dashes;
    CHECK(dashes == 2);
    const std::string text = cost_smp_table_text(points);
    CHECK(text.find("pkmap_flush_initiator           flush  - / -") != std::string::npos);
}
