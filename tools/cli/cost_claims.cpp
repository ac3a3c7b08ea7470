#include "cost_claims.hpp"

#include <cmath>
#include <cstdio>

namespace hm {

namespace {

std::string num(double v) {
    char buf[32];
    if (v == std::floor(v) && std::fabs(v) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", v);
    else std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

double per(const CostRun& run, const char* name, const char* key) {
    const CostRow* r = run.find(name);
    return r ? r->per_unit(key) : NAN;
}

bool present(const CostRun& a, const CostRun& b, std::initializer_list<const char*> names) {
    for (const char* n : names)
        if (!a.find(n) || !b.find(n)) return false;
    return true;
}

struct Claims {
    const CostRun& two;
    const CostRun& pae;
    const CostModelNumbers& m;
    std::string out;

    std::string walk() const { return "page-walk access " + num(double(m.walk_access)) + " cycles (x2 per miss)"; }
    std::string invlpg() const { return "INVLPG " + num(double(m.invlpg)); }
    std::string cr4() const { return "MOV to CR4 " + num(double(m.mov_cr)); }

    void add(int n, const std::string& claim, const std::string& verdict, const std::string& driven) {
        out += "  " + std::to_string(n) + ". " + claim + ": " + verdict + "; driven by: " + driven + "\n";
    }
    void missing(int n, const std::string& claim) { add(n, claim, "UNDECIDED (measurements missing)", "-"); }

    bool both(auto&& pred) const { return pred(two) && pred(pae); }
};

}  // namespace

std::string cost_claims_text(const CostRun& two, const CostRun& pae, const CostModelNumbers& m) {
    Claims c{two, pae, m, {}};
    c.out = "claims (cpu " + m.cpu + ": " + c.walk() + ", " + c.invlpg() + ", " + c.cr4() +
            "; all other cycles are the profile's instruction costs):\n";

    const char* c1 = "page_address and kmap of a lowmem page are arithmetic only";
    if (present(two, pae, {"page_address", "kmap_lowmem", "kmap_local_lowmem"})) {
        const bool none = c.both([](const CostRun& r) {
            for (const char* n : {"page_address", "kmap_lowmem", "kmap_local_lowmem"})
                for (const char* k : {"walks", "invlpg", "global_flushes", "cr3_flushes", "invalidated"})
                    if (r.find(n)->value(k) != 0) return false;
            return true;
        });
        c.add(1, c1, none ? "CONFIRMED (no walk, INVLPG or flush in either mode)" : "REFUTED (a TLB event was counted)",
              "TLB events only, no cost figure");
    } else {
        c.missing(1, c1);
    }

    const char* c2 = "kmap_local_page costs the same as kmap_atomic";
    if (present(two, pae, {"kmap_local_page", "kmap_atomic"})) {
        const bool tlb_same = c.both([](const CostRun& r) {
            return r.find("kmap_local_page")->per_unit("invlpg") == 1 && r.find("kmap_atomic")->per_unit("invlpg") == 1;
        });
        const double local = per(two, "kmap_local_page", "cycles"), atomic = per(two, "kmap_atomic", "cycles");
        const double pct = local > 0 ? 100 * (atomic - local) / local : 0;
        const bool cycles_same = std::fabs(pct) <= 10;
        std::string v = tlb_same ? "CONFIRMED for the TLB work (1 INVLPG per unmap each)" : "REFUTED for the TLB work";
        v += cycles_same ? ", and for cycles within 10 %" : ", REFUTED for cycles";
        v += " (2-level: " + num(local) + " vs " + num(atomic) + " cycles, " + num(pct) + " %)";
        c.add(2, c2, v, c.invlpg() + " and one walk (" + c.walk() + ") in both; the difference is instruction costs");
    } else {
        c.missing(2, c2);
    }

    const char* c3 = "a kmap of a page already in a pkmap slot needs no flush and is cheaper than a fresh one";
    if (present(two, pae, {"kmap_hit", "kmap_new"})) {
        const bool ok = c.both([](const CostRun& r) {
            const CostRow* h = r.find("kmap_hit");
            return h->value("invlpg") == 0 && h->value("global_flushes") == 0 && h->value("walks") == 0 &&
                   h->per_unit("cycles") < r.find("kmap_new")->per_unit("cycles");
        });
        c.add(3, c3,
              std::string(ok ? "CONFIRMED" : "REFUTED") + " (2-level: hit " + num(per(two, "kmap_hit", "cycles")) +
                  ", new " + num(per(two, "kmap_new", "cycles")) + " cycles)",
              "the new slot's walk (" + c.walk() + ") and instruction costs; no flush in either");
    } else {
        c.missing(3, c3);
    }

    const char* c4 = "a pkmap wrap costs one full flush per LAST_PKMAP new mappings, so PAE wraps twice as often";
    if (present(two, pae, {"kmap_new_1024", "kmap_wrap"}) && two.wraps_in_1024 && pae.wraps_in_1024 && two.last_pkmap &&
        pae.last_pkmap) {
        const bool count = *two.wraps_in_1024 == 1024 / two.last_pkmap && *pae.wraps_in_1024 == 1024 / pae.last_pkmap &&
                           *pae.wraps_in_1024 == 2 * *two.wraps_in_1024;
        const double a = per(two, "kmap_new_1024", "cycles"), b = per(pae, "kmap_new_1024", "cycles");
        const bool cost_same = a > 0 && std::fabs(b - a) / a <= 0.10;
        std::string v = std::string(count ? "CONFIRMED as a count" : "REFUTED as a count") + " (" +
                        std::to_string(*two.wraps_in_1024) + " vs " + std::to_string(*pae.wraps_in_1024) +
                        " wraps per 1024), ";
        v += cost_same ? "REFUTED as a cost" : "CONFIRMED as a cost";
        v += " (amortised " + num(a) + " vs " + num(b) + " cycles per new kmap; a wrap is " +
             num(per(two, "kmap_wrap", "cycles")) + " vs " + num(per(pae, "kmap_wrap", "cycles")) + ")";
        c.add(4, c4, v, "the sweep of LAST_PKMAP slots (instruction costs); the flush is 2 x " + c.cr4() +
                            " plus, with PAE, 4 PDPTE reads per CR4 write at the page-walk access cost");
    } else {
        c.missing(4, c4);
    }

    const char* c5 = "a full flush costs about one INVLPG to issue, but the refills cost a page walk each";
    if (present(two, pae, {"global_flush_alone", "invlpg_only", "refill_after_invlpg", "refill_after_global_flush"})) {
        const bool refills = c.both([](const CostRun& r) {
            return r.find("refill_after_invlpg")->per_unit("walks") == 1 &&
                   r.find("refill_after_global_flush")->per_unit("walks") >= 32;
        });
        // Issuing: the flush less the refills of the probe's own code and stack it causes.
        auto issue = [&](const CostRun& r) {
            return per(r, "global_flush_alone", "cycles") - per(r, "global_flush_alone", "walk_reads") * double(m.walk_access);
        };
        const double g = issue(two), i = per(two, "invlpg_only", "cycles");
        const bool issue_close = i > 0 && g <= 4 * i;
        std::string v = std::string(refills ? "CONFIRMED for the refills" : "REFUTED for the refills") + " (" +
                        num(per(two, "refill_after_global_flush", "walks")) + " walks after a global flush, 1 after an INVLPG), ";
        v += issue_close ? "CONFIRMED for issuing" : "REFUTED for issuing";
        v += " (2-level: a global flush issued in " + num(g) + " cycles without its refills, INVLPG " + num(i) +
             "; PAE " + num(issue(pae)) + ")";
        c.add(5, c5, v, c.cr4() + " x2, " + c.invlpg() + ", " + c.walk() + " per refill, with PAE 4 PDPTE reads per CR4 write");
    } else {
        c.missing(5, c5);
    }

    const char* c6 = "each live kmap_local slot adds one clear + INVLPG and one restore per context switch";
    if (present(two, pae, {"switch_slots_0", "switch_slots_15"})) {
        bool ok = true;
        for (unsigned k : {1u, 2u, 4u, 8u, 15u}) {  // 15: KM_MAX_IDX usable slots, as Linux nests
            const std::string name = "switch_slots_" + std::to_string(k);
            for (const CostRun* r : {&two, &pae}) {
                const CostRow* row = r->find(name);
                ok = ok && row && row->per_unit("invlpg") == k;
            }
        }
        const double slot = (per(two, "switch_slots_15", "cycles") - per(two, "switch_slots_0", "cycles")) / 15;
        c.add(6, c6, std::string(ok ? "CONFIRMED" : "REFUTED") + " (k INVLPGs per round trip for k live slots; +" + num(slot) +
                         " cycles per slot, 2-level)",
              c.invlpg() + " and one walk (" + c.walk() + ") per slot, plus the PTE writes' instruction costs");
    } else {
        c.missing(6, c6);
    }

    const char* c7 = "a PAE walk is as long as a two-level one (two memory reads)";
    if (present(two, pae, {"tlb_miss", "tlb_hit", "invlpg_only"})) {
        auto reads = [](const CostRun& r) {
            const CostRow* x = r.find("tlb_miss");
            return x->value("walks") ? double(x->value("walk_reads")) / double(x->value("walks")) : 0.0;
        };
        auto walk_cycles = [](const CostRun& r) {
            const CostRow* x = r.find("tlb_miss");
            return (double(x->value("cycles")) - double(r.find("tlb_hit")->value("cycles")) -
                    double(r.find("invlpg_only")->value("cycles"))) /
                   double(x->n);
        };
        const bool ok = reads(two) == 2 && reads(pae) == 2 && walk_cycles(two) == walk_cycles(pae);
        c.add(7, c7, std::string(ok ? "CONFIRMED" : "REFUTED") + " (" + num(reads(two)) + " and " + num(reads(pae)) +
                         " reads, " + num(walk_cycles(two)) + " and " + num(walk_cycles(pae)) + " cycles per walk)",
              c.walk() + "; the PDPTEs are registers loaded at CR3 writes");
    } else {
        c.missing(7, c7);
    }

    const char* c8 = "vmap of N pages costs N PTE writes plus a range flush, and pays off only when long-lived";
    if (present(two, pae, {"vmap_1", "vmap_16", "vmap_64", "vmap_16_long_lived", "kmap_local_per_touch", "kmap_local_page"})) {
        const bool flush = c.both([](const CostRun& r) {
            return r.find("vmap_16")->per_unit("invlpg") == 1 && r.find("vmap_64")->value("global_flushes") > 0;
        });
        const bool pays = c.both([](const CostRun& r) {
            return r.find("vmap_16_long_lived")->per_unit("cycles") < r.find("kmap_local_per_touch")->per_unit("cycles") &&
                   r.find("vmap_1")->per_unit("cycles") > r.find("kmap_local_page")->per_unit("cycles");
        });
        c.add(8, c8,
              std::string(flush && pays ? "CONFIRMED" : "REFUTED") + " (2-level: vmap_1 " + num(per(two, "vmap_1", "cycles")) +
                  " vs kmap_local " + num(per(two, "kmap_local_page", "cycles")) + " per page; long-lived " +
                  num(per(two, "vmap_16_long_lived", "cycles")) + " vs " + num(per(two, "kmap_local_per_touch", "cycles")) +
                  " per touch)",
              c.invlpg() + " per page up to 33, beyond that 2 x " + c.cr4() + " and the refills (" + c.walk() +
                  "); the area bookkeeping is instruction costs");
    } else {
        c.missing(8, c8);
    }
    return c.out;
}

}  // namespace hm
