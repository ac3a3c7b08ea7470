#include "cost_smp_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

namespace hm {

namespace {

std::string num(double v, const char* f = "%.2f") {
    char buf[32];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

std::string pad_right(std::string s, size_t w) {
    if (s.size() < w) s.append(w - s.size(), ' ');
    return s;
}

std::vector<unsigned> cpu_counts(const std::vector<CostSmpPoint>& points) {
    std::vector<unsigned> out;
    for (const CostSmpPoint& p : points)
        if (std::find(out.begin(), out.end(), p.cpus) == out.end()) out.push_back(p.cpus);
    return out;
}

const CostSmpPoint* point(const std::vector<CostSmpPoint>& points, unsigned cpus, const std::string& mode) {
    for (const CostSmpPoint& p : points)
        if (p.cpus == cpus && p.run.mode == mode) return &p;
    return nullptr;
}

// The cross-CPU rows in the order the guest printed them, across all points.
std::vector<std::string> smp_row_names(const std::vector<CostSmpPoint>& points) {
    std::vector<std::string> out;
    std::vector<const CostSmpPoint*> by_cpus;
    for (const CostSmpPoint& p : points) by_cpus.push_back(&p);
    // Most CPUs first: their run names every target (pkmap_flush_on_cpu1..N-1).
    std::stable_sort(by_cpus.begin(), by_cpus.end(), [](auto* a, auto* b) { return a->cpus > b->cpus; });
    for (const CostSmpPoint* p : by_cpus)
        for (const CostSmpRow& r : p->run.smp_rows)
            if (std::find(out.begin(), out.end(), r.name) == out.end()) out.push_back(r.name);
    return out;
}

}  // namespace

const std::vector<std::string>& cost_smp_plain_rows() {
    static const std::vector<std::string> names = {"kmap_hit", "kmap_atomic", "kmap_local_page", "vmap_16",
                                                   "kmap_wrap"};
    return names;
}

std::string cost_smp_csv(const std::vector<CostSmpPoint>& points) {
    std::string out = "cpus,mode,measurement,unit,n,cycles,ipis,cycles_per_unit\n";
    for (const CostSmpPoint& p : points) {
        const std::string head = std::to_string(p.cpus) + "," + p.run.mode + ",";
        for (const std::string& name : cost_smp_plain_rows()) {
            const CostRow* r = p.run.find(name);
            if (!r) continue;
            out += head + name + "," + r->unit + "," + std::to_string(r->n) + "," + std::to_string(r->value("cycles")) +
                   ",," + num(r->per_unit("cycles")) + "\n";
        }
        for (const CostSmpRow& r : p.run.smp_rows)
            out += head + r.name + "," + r.unit + "," + std::to_string(r.n) + "," + std::to_string(r.cycles) + "," +
                   std::to_string(r.ipis) + "," + num(r.per_unit()) + "\n";
    }
    return out;
}

std::string cost_smp_table_text(const std::vector<CostSmpPoint>& points) {
    const std::vector<unsigned> counts = cpu_counts(points);
    std::string out = "Cycles per unit at each CPU count (2-level / PAE; [IPIs] of the cross-CPU rows, 2-level):\n";
    out += pad_right("measurement", 32) + pad_right("unit", 7);
    for (unsigned c : counts) out += pad_right(std::to_string(c) + (c == 1 ? " CPU" : " CPUs"), 24);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\n";
    auto cell = [&](unsigned c, const std::string& name, bool smp) {
        std::string text;
        std::string ipis;
        for (const char* mode : {"2level", "pae"}) {
            const CostSmpPoint* p = point(points, c, mode);
            std::string v = "-";
            if (p && smp) {
                if (const CostSmpRow* r = p->run.find_smp(name)) {
                    v = num(r->per_unit(), "%.0f");
                    if (ipis.empty()) ipis = " [" + std::to_string(r->ipis) + "]";
                }
            } else if (p) {
                if (const CostRow* r = p->run.find(name)) v = num(r->per_unit("cycles"), "%.0f");
            }
            text += (text.empty() ? "" : " / ") + v;
        }
        return text + ipis;
    };
    auto line = [&](const std::string& name, const std::string& unit, bool smp) {
        out += pad_right(name, 32) + pad_right(unit, 7);
        for (unsigned c : counts) out += pad_right(cell(c, name, smp), 24);
        while (!out.empty() && out.back() == ' ') out.pop_back();
        out += "\n";
    };
    for (const std::string& name : cost_smp_plain_rows()) {
        std::string unit = "-";
        for (const CostSmpPoint& p : points)
            if (const CostRow* r = p.run.find(name)) unit = r->unit;
        line(name, unit, false);
    }
    for (const std::string& name : smp_row_names(points)) {
        std::string unit = "-";
        for (const CostSmpPoint& p : points)
            if (const CostSmpRow* r = p.run.find_smp(name)) unit = r->unit;
        line(name, unit, true);
    }
    return out;
}

std::vector<std::string> cost_smp_violations(const CostSmpPoint& point) {
    std::vector<std::string> out;
    const CostRun& run = point.run;
    const std::string where = std::to_string(point.cpus) + " CPU(s) " + run.mode + ": ";
    if (point.cpus == 1) {
        if (run.smp_cpus != 0 || !run.smp_rows.empty()) out.push_back(where + "cross-CPU rows with one CPU");
        return out;
    }
    if (run.smp_cpus != point.cpus)
        out.push_back(where + "the guest reports " + std::to_string(run.smp_cpus) + " CPUs online");
    const u64 others = point.cpus - 1;
    auto expect = [&](const std::string& name, u64 ipis) {
        const CostSmpRow* r = run.find_smp(name);
        if (!r) return out.push_back(where + name + " is missing");
        if (r->ipis != ipis)
            out.push_back(where + name + ": " + std::to_string(r->ipis) + " IPIs, expected " + std::to_string(ipis));
    };
    const CostSmpRow* flush = run.find_smp("pkmap_flush_initiator");
    const u64 flushes = flush ? flush->n : 0;
    expect("pkmap_flush_initiator", flushes * others);
    for (unsigned cpu = 1; cpu < point.cpus; ++cpu) expect("pkmap_flush_on_cpu" + std::to_string(cpu), flushes);
    // Each CPU's own counter, not RDTSC: under the TSC floor a target's RDTSC can
    // stay flat through its handler (docs/highmem-costs.md), and its figure read 0.
    if (run.smp_clock != "cpu_cycles")
        out.push_back(where + "per-CPU cycles by '" + run.smp_clock + "', not the diag device's CPU_CYCLES ports");
    for (unsigned cpu = 1; cpu < point.cpus; ++cpu) {
        const std::string name = "pkmap_flush_on_cpu" + std::to_string(cpu);
        const CostSmpRow* r = run.find_smp(name);
        if (r && r->ipis > 0 && r->cycles == 0)
            out.push_back(where + name + ": 0 cycles in its handler for " + std::to_string(r->ipis) + " IPIs handled");
    }
    for (const char* name : {"kmap_concurrent", "kmap_concurrent_elapsed", "kmap_atomic_concurrent",
                             "kmap_atomic_concurrent_elapsed", "kmap_local_concurrent", "kmap_local_concurrent_elapsed"})
        expect(name, 0);
    return out;
}

std::string cost_smp_svg(const std::vector<CostSmpPoint>& points) {
    struct Series {
        const char* label;
        const char* row;
        bool smp;  // a cross-CPU row (2+ CPUs), dashed
        const char* colour;
    };
    static const Series series[] = {
        {"kmap (pkmap hit), one CPU mapping", "kmap_hit", false, "#1f77b4"},
        {"kmap_atomic, one CPU mapping", "kmap_atomic", false, "#2ca02c"},
        {"kmap_local_page, one CPU mapping", "kmap_local_page", false, "#d62728"},
        {"vmap of 16 pages, per page, one CPU", "vmap_16", false, "#9467bd"},
        {"kmap (pkmap hit), all CPUs at once", "kmap_concurrent", true, "#1f77b4"},
        {"kmap_atomic, all CPUs at once", "kmap_atomic_concurrent", true, "#2ca02c"},
        {"kmap_local_page, all CPUs at once", "kmap_local_concurrent", true, "#d62728"},
    };
    const std::vector<unsigned> counts = cpu_counts(points);
    auto value = [&](const Series& s, unsigned cpus) -> std::optional<double> {
        const CostSmpPoint* p = point(points, cpus, "2level");
        if (!p) return std::nullopt;
        if (s.smp) {
            const CostSmpRow* r = p->run.find_smp(s.row);
            if (!r) return std::nullopt;
            return r->per_unit();
        }
        const CostRow* r = p->run.find(s.row);
        if (!r) return std::nullopt;
        return r->per_unit("cycles");
    };
    double top = 0;
    for (const Series& s : series)
        for (unsigned c : counts)
            if (auto v = value(s, c)) top = std::max(top, *v);
    // The y axis: a round step so that about five gridlines fit.
    double step = 1;
    for (double decade = 1; top / step > 5; decade *= 10)
        for (double m : {1.0, 2.0, 5.0})
            if (top / step > 5) step = m * decade;
    const double ymax = std::max(step, std::ceil(top / step) * step);

    const int W = 720, H = 420, L = 70, R = 300, T = 40, B = 50;  // plot box margins; the legend on the right
    const double pw = W - L - R, ph = H - T - B;
    auto x = [&](size_t i) { return L + (counts.size() < 2 ? pw / 2 : pw * static_cast<double>(i) / (counts.size() - 1)); };
    auto y = [&](double v) { return T + ph - ph * v / ymax; };
    std::string o;
    o += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(W) + "\" height=\"" + std::to_string(H) +
         "\" font-family=\"sans-serif\" font-size=\"12\">\n";
    o += "<!-- written by hm386 cost-report, option smp (tools/cli/cost_smp_report.cpp); 2-level paging -->\n";
    o += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    o += "<text x=\"" + std::to_string(L) + "\" y=\"22\" font-size=\"14\">Guest cycles per mapping against CPU count (hm386, 2-level)</text>\n";
    for (double v = 0; v <= ymax + step / 2; v += step) {
        const std::string yy = num(y(v), "%.1f");
        o += "<line x1=\"" + std::to_string(L) + "\" y1=\"" + yy + "\" x2=\"" + num(L + pw, "%.0f") + "\" y2=\"" + yy +
             "\" stroke=\"#ddd\"/>\n";
        o += "<text x=\"" + std::to_string(L - 6) + "\" y=\"" + num(y(v) + 4, "%.1f") + "\" text-anchor=\"end\">" +
             num(v, "%.0f") + "</text>\n";
    }
    for (size_t i = 0; i < counts.size(); ++i)
        o += "<text x=\"" + num(x(i), "%.1f") + "\" y=\"" + num(T + ph + 18, "%.0f") + "\" text-anchor=\"middle\">" +
             std::to_string(counts[i]) + "</text>\n";
    o += "<text x=\"" + num(L + pw / 2, "%.1f") + "\" y=\"" + std::to_string(H - 12) +
         "\" text-anchor=\"middle\">CPUs online</text>\n";
    o += "<text x=\"16\" y=\"" + num(T + ph / 2, "%.1f") + "\" transform=\"rotate(-90 16 " + num(T + ph / 2, "%.1f") +
         ")\" text-anchor=\"middle\">cycles per mapping (per CPU)</text>\n";
    o += "<rect x=\"" + std::to_string(L) + "\" y=\"" + std::to_string(T) + "\" width=\"" + num(pw, "%.0f") +
         "\" height=\"" + num(ph, "%.0f") + "\" fill=\"none\" stroke=\"black\"/>\n";
    int legend_y = T + 10;
    for (const Series& s : series) {
        std::string pts;
        for (size_t i = 0; i < counts.size(); ++i)
            if (auto v = value(s, counts[i])) pts += (pts.empty() ? "" : " ") + num(x(i), "%.1f") + "," + num(y(*v), "%.1f");
        const std::string dash = s.smp ? " stroke-dasharray=\"6 4\"" : "";
        if (!pts.empty()) {
            o += "<polyline points=\"" + pts + "\" fill=\"none\" stroke=\"" + s.colour + "\" stroke-width=\"2\"" + dash +
                 "/>\n";
            for (size_t i = 0; i < counts.size(); ++i)
                if (auto v = value(s, counts[i]))
                    o += "<circle cx=\"" + num(x(i), "%.1f") + "\" cy=\"" + num(y(*v), "%.1f") + "\" r=\"3\" fill=\"" +
                         s.colour + "\"><title>" + s.label + ", " + std::to_string(counts[i]) + " CPU(s): " +
                         num(*v, "%.1f") + " cycles</title></circle>\n";
        }
        const int lx = W - R + 16;
        o += "<line x1=\"" + std::to_string(lx) + "\" y1=\"" + std::to_string(legend_y) + "\" x2=\"" +
             std::to_string(lx + 28) + "\" y2=\"" + std::to_string(legend_y) + "\" stroke=\"" + s.colour +
             "\" stroke-width=\"2\"" + dash + "/>\n";
        o += "<text x=\"" + std::to_string(lx + 36) + "\" y=\"" + std::to_string(legend_y + 4) + "\">" + s.label +
             "</text>\n";
        legend_y += 22;
    }
    o += "</svg>\n";
    return o;
}

}  // namespace hm
