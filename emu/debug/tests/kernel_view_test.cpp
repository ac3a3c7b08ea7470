// Kernel awareness against the kernel itself: what the debugger reads from guest
// memory through kernel_layout.hpp must equal what the kernel prints (zones,
// tasks) and what its own code is doing at a breakpoint (kmap's pkmap slot,
// kmap_local's fixmap slots). A layout change in the kernel breaks these.
// (kernel_layout_test.sh checks each offset against the debug information.)
#include <catch2/catch.hpp>

#include <regex>
#include <sstream>

#include "debug/kernel_layout.hpp"
#include "session.hpp"

using namespace hm;
using namespace hm::dbg;
using namespace hm::dbg::test;

namespace {

// Runs to the first call of `fn`, then to its return.
void run_through(Session& s, const std::string& fn) {
    s.dbg->add_breakpoint(Space::Linear, s.sym(fn), true);
    REQUIRE(s.dbg->cont().kind == StopKind::Breakpoint);
    REQUIRE(s.dbg->finish().kind == StopKind::Step);
}

u32 arg(Session& s, unsigned n) { return static_cast<u32>(s.dbg->read_value(Space::Linear, s.dbg->registers().gpr[reg::ESP] + 4 * (n + 1), 4)); }

}  // namespace

TEST_CASE("Zones read by the debugger equal the kernel's meminfo report", "[debugger][kernel]") {
    Session s("kernel.elf", "force_highmem=32M", 64 * kMiB);
    run_through(s, "show_meminfo");
    const auto zones = s.dbg->zones();
    REQUIRE(zones.size() == 3);
    // "Node 0, zone   Normal: free 223232 min 937 low 1171 high 1405 spanned 225280 present 225280 managed 223232"
    const std::regex line(R"(Node 0, zone +(\w+): free (\d+) min (\d+) low (\d+) high (\d+) spanned (\d+) present (\d+) managed (\d+))");
    unsigned matched = 0;
    for (std::sregex_iterator it(s.serial.text.begin(), s.serial.text.end(), line), end; it != end; ++it) {
        const std::smatch& m = *it;
        INFO(m.str());
        REQUIRE(matched < zones.size());
        const ZoneView& z = zones[matched++];
        CHECK(z.name == m[1].str());
        CHECK(z.free == std::stoul(m[2]));
        CHECK(z.watermark[0] == std::stoul(m[3]));
        CHECK(z.watermark[1] == std::stoul(m[4]));
        CHECK(z.watermark[2] == std::stoul(m[5]));
        CHECK(z.spanned == std::stoul(m[6]));
        CHECK(z.present == std::stoul(m[7]));
        CHECK(z.managed == std::stoul(m[8]));
        // The buddy lists hold exactly the free pages.
        u64 pages = 0;
        for (unsigned o = 0; o < z.nr_free.size(); ++o) pages += u64{z.nr_free[o]} << o;
        CHECK(pages == z.free);
    }
    CHECK(matched == 3);
    CHECK(zones[2].name == "HighMem");
    CHECK(zones[2].present == 32 * kMiB / kPageSize);  // force_highmem=32M
}

TEST_CASE("Tasks read by the debugger equal the kernel's thread list", "[debugger][kernel]") {
    Session s("kernel.elf");
    run_through(s, "show_tasks");
    const auto tasks = s.dbg->tasks();
    // "    1 R           0        0        0 init"
    const std::regex line(R"(\n +(\d+) +[A-Z]+ +\d+ +\d+ +\d+ (\S+))");
    std::vector<std::pair<int, std::string>> printed;
    for (std::sregex_iterator it(s.serial.text.begin(), s.serial.text.end(), line), end; it != end; ++it) {
        printed.emplace_back(std::stoi((*it)[1]), (*it)[2]);
    }
    REQUIRE(printed.size() == tasks.size());
    for (size_t i = 0; i < tasks.size(); ++i) {
        CHECK(tasks[i].pid == printed[i].first);
        CHECK(tasks[i].comm == printed[i].second);
    }
    unsigned current = 0;
    for (const TaskView& t : tasks) current += t.current;
    CHECK(current == 1);
    CHECK(tasks[0].pid == 0);
    CHECK(tasks[0].kmap_idx == 0);
}

TEST_CASE("pkmap: the slot kmap chose holds the page's PTE and the users' count", "[debugger][kernel]") {
    Session s("guest/ktest.elf", "force_highmem=32M ktest=pkmap.slot_states_0_1_n", 64 * kMiB);
    s.dbg->add_breakpoint(Space::Linear, s.sym("kunmap_high"));
    REQUIRE(s.dbg->cont().kind == StopKind::Breakpoint);
    // kunmap_high(page* p): p was kmapped twice by the test.
    const u32 page = arg(s, 0);
    const u32 mem_map = static_cast<u32>(s.dbg->read_value(Space::Linear, s.sym("mem_map"), 4));
    const u64 phys = u64{(page - mem_map) / klayout::kPageStructSize} << 12;
    PkmapView v = s.dbg->pkmap();
    CHECK(v.last_pkmap == 1024);
    CHECK(v.pkmap_base == 0xFF800000);
    REQUIRE(v.slots.size() == 1024);
    const PkmapSlot* slot = nullptr;
    for (const PkmapSlot& sl : v.slots) {
        if (sl.pte_present && sl.phys == phys) slot = &sl;
    }
    REQUIRE(slot != nullptr);
    CHECK(slot->count == 3);  // two users
    CHECK(slot->state == "2 users");
    CHECK(slot->page == page);
    CHECK(slot->vaddr == v.pkmap_base + slot->index * kPageSize);
    CHECK(slot->index == v.last_pkmap_nr);  // map_new_virtual took it last
    CHECK(v.in_use == 1);
    CHECK(v.free + v.unused + v.in_use == 1024);
    // After both kunmaps the slot is unused but still mapped (no flush yet).
    const unsigned index = slot->index;  // `slot` points into v, which is replaced next
    s.dbg->remove_all();
    s.dbg->add_breakpoint(Space::Linear, s.sym("kmap_high"));  // the test kmaps the same page again
    REQUIRE(s.dbg->cont().kind == StopKind::Breakpoint);
    v = s.dbg->pkmap();
    const PkmapSlot& after = v.slots[index];
    CHECK(after.count == 1);
    CHECK(after.state == "unused, still mapped");
    CHECK(after.pte_present);
    CHECK(after.phys == phys);
    CHECK(v.in_use == 0);
}

TEST_CASE("PAE: kmap's slot in a 512-slot window, walked through three levels with NX", "[debugger][kernel]") {
    Session s("guest/ktest.elf", "paging=pae force_highmem=32M ktest=pkmap.slot_states_0_1_n", 64 * kMiB);
    s.dbg->add_breakpoint(Space::Linear, s.sym("kmap_high"), true);
    REQUIRE(s.dbg->cont().kind == StopKind::Breakpoint);
    const u32 page = arg(s, 0);
    REQUIRE(s.dbg->finish().kind == StopKind::Step);
    const u32 vaddr = s.dbg->registers().gpr[reg::EAX];  // kmap_high's result
    const u32 mem_map = static_cast<u32>(s.dbg->read_value(Space::Linear, s.sym("mem_map"), 4));
    const u64 phys = u64{(page - mem_map) / klayout::kPageStructSize} << 12;
    const PkmapView v = s.dbg->pkmap();
    CHECK(v.last_pkmap == 512);
    REQUIRE(v.slots.size() == 512);
    REQUIRE(vaddr >= v.pkmap_base);
    const unsigned index = (vaddr - v.pkmap_base) / kPageSize;
    REQUIRE(index < 512);
    const PkmapSlot& slot = v.slots[index];
    CHECK(slot.count == 2);
    CHECK(slot.state == "1 user");
    CHECK(slot.page == page);
    CHECK(slot.phys == phys);
    CHECK((slot.pte >> 63) == 1);  // NX: a data mapping
    const WalkView w = s.dbg->walk(vaddr);
    CHECK(w.mode == PagingMode::Pae);
    REQUIRE(w.levels.size() == 3);
    CHECK(std::string(w.levels[0].name) == "PDPTE");
    CHECK(w.levels[0].from_register);
    CHECK(w.levels[2].value == slot.pte);
    CHECK(w.levels[2].bits.nx);
    REQUIRE(w.ok);
    CHECK(w.frame == phys);
    CHECK(w.nx);
    const WalkView exec = s.dbg->walk(vaddr, Access::Execute);
    CHECK_FALSE(exec.ok);
    CHECK(exec.error_code == 0x11);  // present, instruction fetch
}

TEST_CASE("kmap-local: the running task's stack matches the fixmap PTEs", "[debugger][kernel]") {
    Session s("guest/ktest.elf", "force_highmem=32M ktest=kmap_local.nests_in_fixmap_slots_lifo_with_preemption_on", 64 * kMiB);
    s.dbg->add_breakpoint(Space::Linear, s.sym("kunmap_local_indexed"));
    // Lowmem pages also pass through kunmap_local; wait for the test's kunmap_local(c)
    // with its three slots held.
    std::vector<TaskView> tasks;
    const TaskView* cur = nullptr;
    for (int hits = 0; hits < 200; ++hits) {
        REQUIRE(s.dbg->cont().kind == StopKind::Breakpoint);
        tasks = s.dbg->tasks();
        cur = nullptr;
        for (const TaskView& t : tasks) {
            if (t.current) cur = &t;
        }
        REQUIRE(cur != nullptr);
        if (cur->kmap_idx >= 3) break;
    }
    REQUIRE(cur->kmap_idx >= 3);
    const u32 vaddr = arg(s, 0);  // the innermost mapping
    REQUIRE(cur->kmap_local.size() == cur->kmap_idx);
    const KmapLocalSlot& top = cur->kmap_local.back();
    CHECK(top.vaddr == (vaddr & ~0xFFFu));
    CHECK(top.installed);
    const WalkView w = s.dbg->walk(top.vaddr);
    REQUIRE(w.ok);
    CHECK(w.frame == top.phys);
    // Three consecutive slots growing down, each installed with its own page.
    const auto& st = cur->kmap_local;
    const size_t n = st.size();
    CHECK(st[n - 2].vaddr == top.vaddr + kPageSize);
    CHECK(st[n - 3].vaddr == top.vaddr + 2 * kPageSize);
    CHECK(st[n - 2].installed);
    CHECK(st[n - 2].phys != top.phys);
    CHECK(top.vaddr == klayout::fix_to_virt(klayout::kFixKmapBegin + static_cast<u32>(n - 1)));
    // Tasks that are not running hold no installed slots.
    for (const TaskView& t : tasks) {
        if (t.current) continue;
        for (const KmapLocalSlot& sl : t.kmap_local) CHECK_FALSE(sl.installed);
    }
}

TEST_CASE("Kernel views explain why they cannot read", "[debugger][kernel]") {
    Session s("kernel.elf");  // at the entry point: paging is off
    CHECK_THROWS_WITH(s.dbg->pkmap(), Catch::Contains("paging is not on yet"));
    Session t("guest/dbg_target.elf");  // not the kernel
    CHECK_THROWS_WITH(t.dbg->zones(), Catch::Contains("no symbol 'contig_page_data'"));
    t.cli->execute("sym-file /nonexistent");
    CHECK_THROWS_WITH(t.dbg->tasks(), Catch::Contains("no symbol"));
}
