#include "cost_table.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace hm {

namespace {

std::vector<std::string> words(std::string_view s) {
    std::vector<std::string> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) ++i;
        size_t b = i;
        while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\r') ++i;
        if (i > b) out.emplace_back(s.substr(b, i - b));
    }
    return out;
}

std::optional<u64> number(const std::string& s) {
    if (s.empty() || s.size() > 19) return std::nullopt;
    for (char c : s)
        if (c < '0' || c > '9') return std::nullopt;
    return std::strtoull(s.c_str(), nullptr, 10);
}

// key=value words after the first `skip` words.
std::map<std::string, std::string> pairs(const std::vector<std::string>& w, size_t skip) {
    std::map<std::string, std::string> m;
    for (size_t i = skip; i < w.size(); ++i) {
        size_t eq = w[i].find('=');
        if (eq != std::string::npos) m[w[i].substr(0, eq)] = w[i].substr(eq + 1);
    }
    return m;
}

std::string fmt(double v) {
    char buf[32];
    if (v == 0) return "0";
    if (v >= 100) std::snprintf(buf, sizeof buf, "%.0f", v);
    else if (v >= 10) std::snprintf(buf, sizeof buf, "%.1f", v);
    else if (v >= 0.1) std::snprintf(buf, sizeof buf, "%.2f", v);
    else std::snprintf(buf, sizeof buf, "%.4f", v);  // e.g. 2 flushes in 1024 kmaps
    return buf;
}

std::string pad_left(const std::string& s, size_t w) { return s.size() >= w ? s : std::string(w - s.size(), ' ') + s; }
std::string pad_right(std::string s, size_t w) {
    if (s.size() < w) s.append(w - s.size(), ' ');
    return s;
}

const char* const kTableColumns[] = {"cycles", "walks", "invlpg", "global_flushes"};

std::string mode_cells(const CostRow* r) {
    std::string out;
    for (const char* c : kTableColumns) out += pad_left(r ? fmt(r->per_unit(c)) : "-", c[0] == 'c' ? 9 : 7);
    return out;
}

double cycles_of(const CostRun& run, const char* name) {
    const CostRow* r = run.find(name);
    return r ? static_cast<double>(r->value("cycles")) : 0;
}

std::string derived(const CostRun& run) {
    std::string out;
    const CostRow* miss = run.find("tlb_miss");
    const CostRow* hit = run.find("tlb_hit");
    const CostRow* inv = run.find("invlpg_only");
    if (miss && hit && inv && miss->n && miss->value("walks")) {
        double walk = (cycles_of(run, "tlb_miss") - cycles_of(run, "tlb_hit") - cycles_of(run, "invlpg_only")) /
                      static_cast<double>(miss->n);
        out += "    TLB-miss walk: " + fmt(walk) + " cycles, " +
               fmt(static_cast<double>(miss->value("walk_reads")) / static_cast<double>(miss->value("walks"))) +
               " memory reads per walk; INVLPG alone " + fmt(inv->per_unit("cycles")) + " cycles\n";
    }
    const CostRow* s0 = run.find("switch_slots_0");
    // 15: the most kmap_local mappings that nest (KM_MAX_IDX 16, Linux's BUG_ON).
    const CostRow* s15 = run.find("switch_slots_15");
    if (s0 && s15 && s0->n && s15->n) {
        double per_slot = (s15->per_unit("cycles") - s0->per_unit("cycles")) / 15;
        out += "    context switch round trip: " + fmt(s0->per_unit("cycles")) + " cycles with no kmap_local slot, +" +
               fmt(per_slot) + " cycles and " + fmt(s15->per_unit("invlpg") / 15) +
               " INVLPG per live slot (torn down, restored, refilled on next use)\n";
    }
    const CostRow* wrap = run.find("kmap_wrap");
    const CostRow* fresh = run.find("kmap_new");
    if (wrap && fresh && run.wraps_in_1024) {
        out += "    pkmap wrap (LAST_PKMAP " + std::to_string(run.last_pkmap) + "): " +
               std::to_string(*run.wraps_in_1024) + " per 1024 new kmaps; the kmap that wraps costs " +
               fmt(wrap->per_unit("cycles")) + " cycles (a new-slot kmap " + fmt(fresh->per_unit("cycles")) + ")\n";
    }
    const CostRow* g = run.find("global_flush_alone");
    const CostRow* ri = run.find("refill_after_invlpg");
    const CostRow* rg = run.find("refill_after_global_flush");
    const CostRow* warm = run.find("working_set_warm");
    if (g && ri && rg && warm) {
        out += "    32-page working set touched after one INVLPG: " + fmt(ri->per_unit("cycles")) + " cycles, " +
               fmt(ri->per_unit("walks")) + " walks; after a global flush: " + fmt(rg->per_unit("cycles")) +
               " cycles, " + fmt(rg->per_unit("walks")) + " walks (warm: " + fmt(warm->per_unit("cycles")) +
               "); the global flush alone " + fmt(g->per_unit("cycles")) + " cycles\n";
    }
    return out;
}

void expect(std::vector<std::string>& out, const CostRun& run, const std::string& name, const std::string& key,
            u64 want, const std::string& why) {
    const CostRow* r = run.find(name);
    if (!r) {
        out.push_back(run.mode + ": " + name + ": missing");
        return;
    }
    if (r->value(key) != want) {
        out.push_back(run.mode + ": " + name + ": " + key + " = " + std::to_string(r->value(key)) + ", expected " +
                      std::to_string(want) + " (" + why + ")");
    }
}

}  // namespace

u64 CostRow::value(const std::string& key) const {
    auto it = values.find(key);
    return it == values.end() ? 0 : it->second;
}

double CostRow::per_unit(const std::string& key) const {
    return n ? static_cast<double>(value(key)) / static_cast<double>(n) : 0;
}

const CostRow* CostRun::find(const std::string& name) const {
    for (const CostRow& r : rows)
        if (r.name == name) return &r;
    return nullptr;
}

const CostSmpRow* CostRun::find_smp(const std::string& name) const {
    for (const CostSmpRow& r : smp_rows)
        if (r.name == name) return &r;
    return nullptr;
}

const std::vector<std::string>& cost_counter_names() {
    static const std::vector<std::string> names = {"cycles",      "instructions", "dtlb_misses",    "itlb_misses",
                                                   "walks",       "walk_reads",   "invlpg",         "cr3_flushes",
                                                   "global_flushes", "invalidated"};
    return names;
}

CostRun parse_cost_lines(std::string_view console) {
    CostRun run;
    size_t pos = 0;
    while (pos < console.size()) {
        size_t nl = console.find('\n', pos);
        if (nl == std::string_view::npos) nl = console.size();
        std::string_view line = console.substr(pos, nl - pos);
        pos = nl + 1;
        if (line.substr(0, 6) != "cost: ") continue;
        std::vector<std::string> w = words(line.substr(6));
        if (w.empty()) continue;
        auto kv = pairs(w, 0);
        if (w[0] == "problem") {
            run.problems.push_back(std::string(line.substr(6)));
        } else if (w[0] == "done") {
            run.done = true;
        } else if (w[0].rfind("mode=", 0) == 0) {
            run.mode = kv["mode"];
            if (auto v = number(kv["last_pkmap"])) run.last_pkmap = static_cast<unsigned>(*v);
        } else if (w[0] == "smp" && kv.count("cpus")) {
            auto v = number(kv["cpus"]);
            run.smp_clock = kv["clock"];
            if (v && !run.smp_clock.empty()) run.smp_cpus = static_cast<unsigned>(*v);
            else run.problems.push_back("malformed line: " + std::string(line));
        } else if (w[0] == "smp") {
            CostSmpRow r;
            r.name = kv["name"];
            r.unit = kv["unit"];
            auto n = number(kv["n"]), cycles = number(kv["cycles"]), ipis = number(kv["ipis"]);
            if (!r.name.empty() && !r.unit.empty() && n && *n > 0 && cycles && ipis) {
                r.n = *n, r.cycles = *cycles, r.ipis = *ipis;
                run.smp_rows.push_back(std::move(r));
            } else {
                run.problems.push_back("malformed line: " + std::string(line));
            }
        } else if (w[0] == "pkmap") {
            if (auto v = number(kv["wraps_in_1024"])) run.wraps_in_1024 = static_cast<unsigned>(*v);
        } else if (w[0].rfind("name=", 0) == 0) {
            CostRow r;
            r.name = kv["name"];
            r.unit = kv["unit"];
            auto n = number(kv["n"]);
            bool ok = n && *n > 0 && !r.unit.empty();
            if (ok) r.n = *n;
            for (const std::string& key : cost_counter_names()) {
                auto v = number(kv[key]);
                ok = ok && v.has_value();
                if (v) r.values[key] = *v;
            }
            if (ok) run.rows.push_back(std::move(r));
            else run.problems.push_back("malformed line: " + std::string(line));
        } else if (w[0] != "needs") {
            run.problems.push_back("unknown line: " + std::string(line));
        } else {
            run.problems.push_back(std::string(line.substr(6)));
        }
    }
    if (!run.done) run.problems.push_back("the measurements did not finish (no \"cost: done\" line)");
    return run;
}

std::string cost_table_text(const CostRun& two_level, const CostRun& pae) {
    std::vector<std::string> names;
    for (const CostRun* run : {&two_level, &pae})
        for (const CostRow& r : run->rows)
            if (std::find(names.begin(), names.end(), r.name) == names.end()) names.push_back(r.name);
    std::string mode_header;
    for (const char* c : kTableColumns) mode_header += pad_left(std::string(c) == "global_flushes" ? "global" : c, c[0] == 'c' ? 9 : 7);
    std::string out = "per unit: guest cycles, page walks, INVLPGs, global flushes (CR4/CR0 writes that flush everything)\n";
    out += pad_right("", 28) + pad_right("", 12) + pad_right(" 2-level", mode_header.size()) + " | PAE\n";
    out += pad_right("measurement", 28) + pad_right("unit", 12) + mode_header + " |" + mode_header + "\n";
    for (const std::string& name : names) {
        const CostRow* a = two_level.find(name);
        const CostRow* b = pae.find(name);
        out += pad_right(name, 28) + pad_right(a ? a->unit : b->unit, 12) + mode_cells(a) + " |" + mode_cells(b) + "\n";
    }
    out += "derived, 2-level:\n" + derived(two_level) + "derived, PAE:\n" + derived(pae);
    return out;
}

std::string cost_csv(const std::vector<CostRun>& runs) {
    std::string out = "mode,measurement,unit,n";
    for (const std::string& k : cost_counter_names()) out += "," + k;
    out += ",cycles_per_unit\n";
    for (const CostRun& run : runs) {
        for (const CostRow& r : run.rows) {
            out += run.mode + "," + r.name + "," + r.unit + "," + std::to_string(r.n);
            for (const std::string& k : cost_counter_names()) out += "," + std::to_string(r.value(k));
            char buf[32];
            std::snprintf(buf, sizeof buf, ",%.2f\n", r.per_unit("cycles"));
            out += buf;
        }
    }
    return out;
}

std::vector<std::string> cost_structural_violations(const CostRun& run) {
    std::vector<std::string> out = run.problems;
    for (std::string& p : out) p = run.mode + ": " + p;
    if (run.rows.empty()) {
        out.push_back(run.mode + ": no measurement at all");
        return out;
    }
    // Arithmetic only: no TLB event at all.
    for (const char* name : {"page_address", "kmap_lowmem", "kmap_local_lowmem", "kmap_hit"}) {
        for (const char* key : {"walks", "invlpg", "cr3_flushes", "global_flushes", "invalidated"})
            expect(out, run, name, key, 0, "a page with an address needs no TLB work");
    }
    // kmap_local / kmap_atomic: one INVLPG per unmap, nothing global.
    for (const char* name : {"kmap_local_page", "kmap_atomic", "kmap_local_per_touch"}) {
        if (const CostRow* r = run.find(name)) {
            expect(out, run, name, "invlpg", r->n, "exactly one INVLPG per kunmap_local");
            expect(out, run, name, "global_flushes", 0, "never a global flush");
        } else {
            out.push_back(run.mode + ": " + name + ": missing");
        }
    }
    // A new pkmap slot is written, never flushed; the wrap flushes once
    // (__flush_tlb_all: CR4.PGE off and on, two flushing writes).
    expect(out, run, "kmap_new", "invlpg", 0, "a not-present entry is never cached");
    expect(out, run, "kmap_new", "global_flushes", 0, "no wrap while measuring");
    expect(out, run, "kmap_wrap", "global_flushes", 2, "one global flush per wrap: CR4.PGE toggled off and on");
    expect(out, run, "kmap_wrap", "invlpg", 0, "the wrap flushes globally, not page by page");
    if (run.last_pkmap == 0 || !run.wraps_in_1024) {
        out.push_back(run.mode + ": the pkmap window size or the wrap count is missing");
    } else {
        const unsigned want = 1024 / run.last_pkmap;
        if (*run.wraps_in_1024 != want)
            out.push_back(run.mode + ": " + std::to_string(*run.wraps_in_1024) + " wraps in 1024 new kmaps, expected " +
                          std::to_string(want) + " (one per LAST_PKMAP = " + std::to_string(run.last_pkmap) + ")");
        expect(out, run, "kmap_new_1024", "global_flushes", 2 * want, "two CR4 writes per wrap");
    }
    // vmap: one INVLPG per page up to 33 pages, one global flush beyond.
    for (const char* name : {"vmap_1", "vmap_16"}) {
        if (const CostRow* r = run.find(name)) expect(out, run, name, "invlpg", r->n, "vunmap invalidates page by page");
        expect(out, run, name, "global_flushes", 0, "33 pages or fewer: no global flush");
    }
    if (const CostRow* r = run.find("vmap_64")) {
        expect(out, run, "vmap_64", "invlpg", 0, "64 pages: a global flush instead of INVLPGs");
        expect(out, run, "vmap_64", "global_flushes", 2 * (r->n / 64), "one global flush per vunmap");
    }
    expect(out, run, "vmap_16_long_lived", "invlpg", 16, "one vunmap of 16 pages");
    // A TLB miss walks two levels in both modes (PAE's PDPTEs are registers).
    if (const CostRow* r = run.find("tlb_miss")) {
        expect(out, run, "tlb_miss", "walks", r->n, "every access after INVLPG misses");
        expect(out, run, "tlb_miss", "walk_reads", 2 * r->n, "two memory reads per walk");
    }
    expect(out, run, "tlb_hit", "walks", 0, "a hit walks nothing");
    expect(out, run, "refill_after_invlpg", "walks", 1, "only the invalidated page misses");
    expect(out, run, "global_flush_alone", "global_flushes", 2, "CR4.PGE off and on");
    // Each live kmap_local slot: one INVLPG when its thread is switched out.
    for (unsigned k : {0u, 1u, 2u, 4u, 8u, 15u}) {
        std::string name = "switch_slots_" + std::to_string(k);
        if (const CostRow* r = run.find(name)) expect(out, run, name, "invlpg", k * r->n, "one INVLPG per live slot per switch-out");
        else out.push_back(run.mode + ": " + name + ": missing");
    }
    return out;
}

}  // namespace hm
