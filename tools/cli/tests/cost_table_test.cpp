#include <catch2/catch.hpp>

#include <algorithm>

#include "cost_claims.hpp"
#include "cost_table.hpp"

using namespace hm;

namespace {

struct Line {
    std::string name, unit;
    unsigned n;
    u64 cycles, walks, walk_reads, invlpg, global;
};

std::string line(const Line& l) {
    return "cost: name=" + l.name + " unit=" + l.unit + " n=" + std::to_string(l.n) + " cycles=" + std::to_string(l.cycles) +
           " instructions=" + std::to_string(l.cycles / 2) + " dtlb_misses=" + std::to_string(l.walks) +
           " itlb_misses=0 walks=" + std::to_string(l.walks) + " walk_reads=" + std::to_string(l.walk_reads) +
           " invlpg=" + std::to_string(l.invlpg) + " cr3_flushes=0 global_flushes=" + std::to_string(l.global) +
           " invalidated=" + std::to_string(l.invlpg + 30 * l.global) + "\r\n";
}

// A console with every measurement and the facts that must hold.
std::string console(const std::string& mode, unsigned last_pkmap, std::vector<Line> change = {}) {
    std::vector<Line> lines = {
        {"page_address", "page", 64, 2585, 0, 0, 0, 0},
        {"kmap_lowmem", "page", 64, 5270, 0, 0, 0, 0},
        {"kmap_local_lowmem", "page", 64, 6932, 0, 0, 0, 0},
        {"kmap_local_page", "page", 64, 20038, 65, 130, 64, 0},
        {"kmap_atomic", "page", 64, 21274, 64, 128, 64, 0},
        {"kmap_hit", "page", 64, 24986, 0, 0, 0, 0},
        {"kmap_new", "page", 64, 45630, 77, 154, 0, 0},
        {"kmap_wrap", "wrap", 1, 218715, 25, 50, 0, 2},
        {"kmap_new_1024", "page", 1024, 1066791, 1310, 2620, 0, 2 * (1024 / last_pkmap)},
        {"vmap_1", "page", 32, 101621, 35, 70, 32, 0},
        {"vmap_16", "page", 128, 37485, 128, 256, 128, 0},
        {"vmap_64", "page", 256, 47022, 330, 660, 0, 8},
        {"vmap_16_long_lived", "touch", 256, 5169, 20, 40, 16, 0},
        {"kmap_local_per_touch", "touch", 256, 80753, 259, 518, 256, 0},
        {"tlb_hit", "access", 64, 80, 0, 0, 0, 0},
        {"invlpg_only", "invlpg", 64, 1041, 0, 0, 64, 0},
        {"tlb_miss", "access", 64, 3667, 64, 128, 64, 0},
        {"working_set_warm", "working_set", 1, 50, 0, 0, 0, 0},
        {"refill_after_invlpg", "working_set", 1, 101, 1, 2, 1, 0},
        {"refill_after_global_flush", "working_set", 1, 1545, 37, 74, 0, 2},
        {"global_flush_alone", "flush", 1, 195, 4, 8, 0, 2},
    };
    for (unsigned k : {0u, 1u, 2u, 4u, 8u, 15u})
        lines.push_back({"switch_slots_" + std::to_string(k), "round_trip", 32, 11801 + k * 5500, 32 * k, 64 * k, 32 * k, 0});
    for (const Line& c : change)
        for (Line& l : lines)
            if (l.name == c.name) l = c;
    std::string text = "boot messages\ncost: mode=" + mode + " last_pkmap=" + std::to_string(last_pkmap) + " km_max_idx=16\n";
    for (const Line& l : lines) text += line(l);
    text += "cost: pkmap last_pkmap=" + std::to_string(last_pkmap) + " wraps_in_1024=" + std::to_string(1024 / last_pkmap) + "\n";
    return text + "cost: done problems=0\n";
}

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

TEST_CASE("cost lines are parsed into rows") {
    CostRun run = parse_cost_lines(console("2level", 1024));
    CHECK(run.mode == "2level");
    CHECK(run.last_pkmap == 1024u);
    REQUIRE(run.wraps_in_1024);
    CHECK(*run.wraps_in_1024 == 1u);
    CHECK(run.done);
    CHECK(run.problems.empty());
    CHECK(run.rows.size() == 27);
    const CostRow* r = run.find("kmap_local_page");
    REQUIRE(r);
    CHECK(r->unit == "page");
    CHECK(r->n == 64u);
    CHECK(r->value("cycles") == 20038u);
    CHECK(r->value("invlpg") == 64u);
    CHECK(r->per_unit("cycles") == Approx(313.09).epsilon(0.001));
    CHECK(r->value("no_such_counter") == 0u);
}

TEST_CASE("a consistent run satisfies every structural fact, in both modes") {
    CHECK(cost_structural_violations(parse_cost_lines(console("2level", 1024))).empty());
    CHECK(cost_structural_violations(parse_cost_lines(console("pae", 512))).empty());
}

TEST_CASE("each broken fact is reported by name") {
    auto violations = [](std::vector<Line> change) {
        return cost_structural_violations(parse_cost_lines(console("pae", 512, std::move(change))));
    };
    CHECK(has(violations({{"kmap_local_page", "page", 64, 20038, 65, 130, 63, 0}}),
              "pae: kmap_local_page: invlpg = 63, expected 64 (exactly one INVLPG per kunmap_local)"));
    CHECK(has(violations({{"page_address", "page", 64, 2585, 1, 2, 0, 0}}),
              "pae: page_address: walks = 1, expected 0 (a page with an address needs no TLB work)"));
    CHECK(has(violations({{"kmap_wrap", "wrap", 1, 218715, 25, 50, 0, 4}}),
              "pae: kmap_wrap: global_flushes = 4, expected 2 (one global flush per wrap: CR4.PGE toggled off and on)"));
    CHECK(has(violations({{"tlb_miss", "access", 64, 3667, 64, 192, 64, 0}}),
              "pae: tlb_miss: walk_reads = 192, expected 128 (two memory reads per walk)"));
    CHECK(has(violations({{"vmap_64", "page", 256, 47022, 330, 660, 64, 8}}),
              "pae: vmap_64: invlpg = 64, expected 0 (64 pages: a global flush instead of INVLPGs)"));
    CHECK(has(violations({{"switch_slots_4", "round_trip", 32, 30000, 128, 256, 100, 0}}),
              "pae: switch_slots_4: invlpg = 100, expected 128 (one INVLPG per live slot per switch-out)"));
}

TEST_CASE("a wrong wrap count, a missing row, an unfinished or broken run are violations") {
    std::string text = console("2level", 1024);
    size_t at = text.find("wraps_in_1024=1");
    text.replace(at, 15, "wraps_in_1024=3");
    CHECK(has(cost_structural_violations(parse_cost_lines(text)),
              "2level: 3 wraps in 1024 new kmaps, expected 1 (one per LAST_PKMAP = 1024)"));

    std::string missing = console("2level", 1024);
    size_t b = missing.find("cost: name=kmap_hit");
    missing.erase(b, missing.find('\n', b) + 1 - b);
    CHECK(has(cost_structural_violations(parse_cost_lines(missing)), "2level: kmap_hit: missing"));

    std::string unfinished = console("pae", 512);
    unfinished.resize(unfinished.find("cost: done"));
    CostRun u = parse_cost_lines(unfinished);
    CHECK_FALSE(u.done);
    CHECK(has(cost_structural_violations(u), "pae: the measurements did not finish (no \"cost: done\" line)"));

    CostRun bad = parse_cost_lines("cost: name=x unit=page n=abc cycles=1\ncost: problem name=vmap no pages\ncost: done\n");
    REQUIRE(bad.problems.size() == 2);
    CHECK(bad.problems[0] == "malformed line: cost: name=x unit=page n=abc cycles=1");
    CHECK(bad.problems[1] == "problem name=vmap no pages");
    CHECK(bad.rows.empty());

    CostRun absent = parse_cost_lines("cost: needs the hm386 diagnostic device (absent: not running under hm386)\n");
    CHECK_FALSE(absent.problems.empty());
}

TEST_CASE("table and CSV") {
    CostRun a = parse_cost_lines(console("2level", 1024));
    CostRun b = parse_cost_lines(console("pae", 512));
    std::string table = cost_table_text(a, b);
    CHECK(table.find("kmap_local_page") != std::string::npos);
    CHECK(table.find("TLB-miss walk: 39.8 cycles, 2.00 memory reads per walk") != std::string::npos);
    CHECK(table.find("pkmap wrap (LAST_PKMAP 512): 2 per 1024 new kmaps") != std::string::npos);
    std::string csv = cost_csv({a, b});
    CHECK(csv.rfind("mode,measurement,unit,n,cycles,instructions,dtlb_misses,itlb_misses,walks,walk_reads,invlpg,"
                    "cr3_flushes,global_flushes,invalidated,cycles_per_unit\n",
                    0) == 0);
    CHECK(csv.find("\n2level,kmap_local_page,page,64,20038,10019,65,0,65,130,64,0,0,64,313.09\n") != std::string::npos);
    CHECK(csv.find("\npae,kmap_new_1024,page,1024,") != std::string::npos);
    CHECK(std::count(csv.begin(), csv.end(), '\n') == 1 + 27 * 2);
}

namespace {
std::vector<std::string> claim_lines(const std::string& text) {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        std::string l = text.substr(pos, nl - pos);
        if (l.rfind("  ", 0) == 0) out.push_back(l);
        pos = nl == std::string::npos ? text.size() : nl + 1;
    }
    return out;
}
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("The claims are decided from the figures and name the model numbers behind them", "[cost][claims]") {
    const CostModelNumbers model{"p6", 20, 25, 4};
    const CostRun two = parse_cost_lines(console("2level", 1024));
    const CostRun pae = parse_cost_lines(console("pae", 512));
    const std::string text = cost_claims_text(two, pae, model);
    CHECK(contains(text, "cpu p6: page-walk access 20 cycles"));
    CHECK(contains(text, "INVLPG 25"));
    const std::vector<std::string> lines = claim_lines(text);
    REQUIRE(lines.size() == 8);
    for (size_t i = 0; i < lines.size(); ++i) {
        INFO(lines[i]);
        CHECK(lines[i].rfind("  " + std::to_string(i + 1) + ". ", 0) == 0);
        CHECK(contains(lines[i], "; driven by: "));
        CHECK_FALSE(contains(lines[i], "UNDECIDED"));
    }
    CHECK(contains(lines[0], "CONFIRMED"));
    CHECK(contains(lines[0], "driven by: TLB events only"));
    CHECK(contains(lines[3], "CONFIRMED as a count (1 vs 2 wraps per 1024)"));
    CHECK(contains(lines[6], "driven by: page-walk access 20 cycles"));
    CHECK(contains(lines[5], "INVLPG 25 and one walk"));

    // A lowmem kmap that walks refutes claim 1; a kmap hit dearer than a new one refutes claim 3.
    const CostRun walked = parse_cost_lines(console("2level", 1024, {{"kmap_lowmem", "page", 64, 5270, 3, 6, 0, 0}}));
    CHECK(contains(claim_lines(cost_claims_text(walked, pae, model))[0], "REFUTED"));
    const CostRun dear = parse_cost_lines(console("pae", 512, {{"kmap_hit", "page", 64, 99999, 0, 0, 0, 0}}));
    CHECK(contains(claim_lines(cost_claims_text(two, dear, model))[2], "3. a kmap of a page already in a pkmap slot needs no flush and is cheaper than a fresh one: REFUTED"));
    // One slot's switch without its INVLPG refutes claim 6.
    const CostRun lazy = parse_cost_lines(console("2level", 1024, {{"switch_slots_4", "round_trip", 32, 30000, 128, 256, 96, 0}}));
    CHECK(contains(claim_lines(cost_claims_text(lazy, pae, model))[5], "REFUTED"));
    // Measurements missing: undecided, never confirmed.
    const std::string empty = cost_claims_text(CostRun{}, CostRun{}, model);
    for (const std::string& l : claim_lines(empty)) CHECK(contains(l, "UNDECIDED"));
}
