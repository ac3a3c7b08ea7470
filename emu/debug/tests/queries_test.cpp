// Side-effect-free queries: registers and what changed, memory by linear and
// physical address, writes (with the decode cache told), page walks, the TLBs
// with stale marks, the page-table tree, aliases, disassembly and symbols.
#include <catch2/catch.hpp>

#include "session.hpp"

using namespace hm;
using namespace hm::dbg;
using namespace hm::dbg::test;

namespace {
constexpr u32 kAliasRw = 0x40000000, kAliasRo = 0x40001000;

// Stops the test guest right after the alias writes (paging on, tables built).
void to_after_alias_writes(Session& s) {
    s.dbg->add_breakpoint(Space::Linear, s.sym("dbg_call_leaf"), true);
    REQUIRE(s.dbg->cont().kind == StopKind::Breakpoint);
}
}  // namespace

TEST_CASE("Registers: values, what changed since the previous stop, and edits", "[debugger][state]") {
    Session s("guest/dbg_target.elf");
    RegisterFile r = s.dbg->registers();
    CHECK(r.gpr[reg::EAX] == 0x2BADB002);  // Multiboot entry state
    CHECK(r.changed == 0);                  // nothing ran yet
    CHECK(r.paging == PagingMode::None);
    s.dbg->step();
    r = s.dbg->registers();
    CHECK(r.was_changed(Reg::EIP));
    CHECK_FALSE(r.was_changed(Reg::CR3));
    CHECK(r.get(Reg::CS) == r.seg[sreg::CS].selector);

    to_after_alias_writes(s);
    r = s.dbg->registers();
    CHECK(r.paging == PagingMode::TwoLevel);
    CHECK(r.was_changed(Reg::CR0));  // paging went on since the previous stop
    CHECK((r.cr.cr0 & cr0::kPG) != 0);
    CHECK((r.cr.cr4 & cr4::kPSE) != 0);
    CHECK(r.cr.cr3 == s.sym("pgdir"));
    CHECK((r.eflags & flag::kFixed1) != 0);

    s.dbg->set_register(Reg::EBX, 0x12345678);
    CHECK(s.dbg->registers().gpr[reg::EBX] == 0x12345678);
    CHECK(s.dbg->registers().was_changed(Reg::EBX));
    s.dbg->set_register(Reg::EFLAGS, 0x2 | flag::CF | flag::ZF);
    CHECK((s.dbg->registers().eflags & (flag::CF | flag::ZF)) == (flag::CF | flag::ZF));
    CHECK_THROWS_WITH(s.dbg->set_register(Reg::CS, 0x10), Catch::Contains("real mode"));
    s.dbg->set_register(Reg::CS, r.seg[sreg::CS].selector);  // unchanged: accepted (gdb's G packet)
    CHECK_THROWS_WITH(s.dbg->set_register(Reg::CR0, r.cr.cr0 & ~cr0::kPG), Catch::Contains("PG"));
    CHECK_THROWS_WITH(s.dbg->set_register(Reg::EAX, u64{1} << 32), Catch::Contains("32 bits"));
    CHECK_THROWS_AS(s.dbg->set_register(Reg::DR7, 0x1), DebugError);
    CHECK(reg_from_name("$CR3") == Reg::CR3);
    CHECK(reg_from_name("pc") == Reg::EIP);
    CHECK_FALSE(reg_from_name("rax"));
}

TEST_CASE("Memory: linear through the page tables, physical directly, holes reported", "[debugger][state]") {
    Session s("guest/dbg_target.elf");
    to_after_alias_writes(s);
    const u32 page = s.sym("shared_page");
    // The same bytes through three linear aliases and physically.
    CHECK(s.dbg->read_value(Space::Linear, kAliasRw + 0x10, 4) == 0x22222222);
    CHECK(s.dbg->read_value(Space::Linear, kAliasRo + 0x10, 4) == 0x22222222);
    CHECK(s.dbg->read_value(Space::Linear, page + 0x10, 4) == 0x22222222);
    CHECK(s.dbg->read_value(Space::Physical, page + 0x10, 4) == 0x22222222);
    // The 4 MiB page at 0x80000000 maps physical 0: the Multiboot header at 1 MiB.
    CHECK(s.dbg->read_value(Space::Linear, 0x80100000, 4) == 0x1BADB002);

    // A read across the end of the mapped alias page: the second page is a hole.
    MemoryBytes m = s.dbg->read_memory(Space::Linear, kAliasRo + 0xFFC, 8);
    CHECK(m.valid == std::vector<u8>{1, 1, 1, 1, 0, 0, 0, 0});
    CHECK(m.error == "linear 0x40002000 is not mapped");
    CHECK_THROWS_WITH(s.dbg->read_value(Space::Linear, 0x60000000, 4), Catch::Contains("not mapped"));
    // Page 0 is not mapped (null pointers fault).
    CHECK_FALSE(s.dbg->read_memory(Space::Linear, 0, 4).all_valid());
    // Physical memory beyond RAM is open bus: refused, not read.
    m = s.dbg->read_memory(Space::Physical, 0xE0000000, 4);
    CHECK_FALSE(m.all_valid());
    CHECK(m.error.find("open bus") != std::string::npos);
    // Device RAM (the VGA text buffer) reads without side effects.
    CHECK(s.dbg->read_memory(Space::Physical, 0xB8000, 2).all_valid());
    CHECK_FALSE(s.dbg->read_memory(Space::Linear, 0xFFFFFFFE, 4).all_valid());
    // Reading counted nothing.
    const MachineStats before = s.dbg->stats();
    s.dbg->read_memory(Space::Linear, kAliasRw, 4096);
    const MachineStats after = s.dbg->stats();
    CHECK(after.mmu.dtlb.lookups == before.mmu.dtlb.lookups);
    CHECK(after.bus.open_bus_reads == before.bus.open_bus_reads);
}

TEST_CASE("Memory writes reach the guest and the decode cache forgets patched code", "[debugger][state]") {
    Session s("guest/dbg_target.elf");
    to_after_alias_writes(s);
    // dbg_leaf has run? No: it runs next. It was decoded already? Run it once by
    // breaking after it, then patch it to "mov eax, 0x99; ret" and run it again
    // through the guest's own check: leaf_result must be 0x99.
    const u32 leaf = s.sym("dbg_leaf");
    s.dbg->write_memory(Space::Linear, leaf, {0xB8, 0x99, 0x00, 0x00, 0x00, 0xC3});
    CHECK(s.dbg->read_value(Space::Physical, leaf, 1) == 0xB8);
    s.dbg->add_breakpoint(Space::Linear, s.sym("dbg_tlb_ops"));
    REQUIRE(s.dbg->cont().kind == StopKind::Breakpoint);
    CHECK(s.dbg->read_value(Space::Linear, s.sym("leaf_result"), 4) == 0x99);

    // Write through the read-only alias: the debugger ignores the page's R/W bit.
    s.dbg->write_memory(Space::Linear, kAliasRo + 0x20, {1, 2, 3, 4});
    CHECK(s.dbg->read_value(Space::Physical, s.sym("shared_page") + 0x20, 4) == 0x04030201);
    // Nothing is written when any byte cannot be.
    CHECK_THROWS_WITH(s.dbg->write_memory(Space::Linear, kAliasRo + 0xFFE, {9, 9, 9, 9}), Catch::Contains("not mapped"));
    CHECK(s.dbg->read_value(Space::Linear, kAliasRo + 0xFFE, 2) == 0);
    CHECK_THROWS_WITH(s.dbg->write_memory(Space::Physical, 0xFFFFF000, {1}), Catch::Contains("not RAM"));
}

TEST_CASE("A walk shows every level, its bits, the result or the fault", "[debugger][paging]") {
    Session s("guest/dbg_target.elf");
    to_after_alias_writes(s);
    const u32 page = s.sym("shared_page");

    WalkView w = s.dbg->walk(kAliasRw + 0x10);
    CHECK(w.mode == PagingMode::TwoLevel);
    REQUIRE(w.levels.size() == 2);
    CHECK(std::string(w.levels[0].name) == "PDE");
    CHECK(w.levels[0].index == 256);
    CHECK(w.levels[0].entry_addr == s.sym("pgdir") + 256 * 4);
    CHECK(w.levels[0].bits.address == s.sym("pt_alias"));
    CHECK(w.levels[0].bits.present);
    CHECK(w.levels[0].bits.writable);
    CHECK_FALSE(w.levels[0].leaf);
    CHECK(std::string(w.levels[1].name) == "PTE");
    CHECK(w.levels[1].index == 0);
    CHECK(w.levels[1].leaf);
    CHECK(w.levels[1].bits.accessed);
    CHECK(w.levels[1].bits.dirty);  // written through this alias
    CHECK(w.levels[1].bits.text == "P RW S A D");
    CHECK(w.ok);
    CHECK(w.phys == page + 0x10);
    CHECK(w.page_size_log2 == 12);
    CHECK(w.dtlb.has_value());  // just used
    CHECK(w.dtlb->matches_memory);

    // A supervisor write through the read-only alias is allowed: the guest runs
    // with CR0.WP=0. The same write from user mode faults (error code 0x7).
    CHECK((s.dbg->registers().cr.cr0 & cr0::kWP) == 0);
    CHECK(s.dbg->walk(kAliasRo + 0x10, Access::Write).ok);
    w = s.dbg->walk(kAliasRo + 0x10, Access::Write, Priv::User);
    CHECK_FALSE(w.ok);
    CHECK(w.mapped);
    CHECK(w.error_code == 0x7);
    CHECK(w.fault.find("protection, write, user") != std::string::npos);
    CHECK(w.levels[1].bits.text == "P RO S A");  // read through it: A, never written: no D
    CHECK(s.dbg->walk(kAliasRo + 0x10, Access::Read, Priv::User).error_code == 0x5);
    // The demand page is not mapped yet: not present at the PTE.
    w = s.dbg->walk(0x60000000);
    CHECK_FALSE(w.mapped);
    CHECK(w.error_code == 0);
    CHECK(std::string(w.levels.back().name) == "PTE");
    CHECK(w.levels.back().bits.text == "not present");
    // A large page ends the walk at the PDE.
    w = s.dbg->walk(0x80123456);
    REQUIRE(w.levels.size() == 1);
    CHECK(w.levels[0].leaf);
    CHECK(w.levels[0].bits.page_size);
    CHECK(w.page_size_log2 == 22);
    CHECK(w.phys == 0x123456);
    // A real walk would set A on the large page now (nothing touched it yet).
    CHECK(w.levels[0].sets_accessed);
    // A walk is side-effect free: it set nothing.
    CHECK(s.dbg->walk(0x80123456).levels[0].sets_accessed);
}

TEST_CASE("TLB views list entries and mark the ones memory no longer supports", "[debugger][paging]") {
    Session s("guest/dbg_target.elf");
    to_after_alias_writes(s);
    auto find = [&](u32 lin) -> std::optional<TlbEntryView> {
        for (const auto& e : s.dbg->tlb(TlbKind::Data)) {
            if (e.lin_base == lin) return e;
        }
        return std::nullopt;
    };
    auto e = find(kAliasRw);
    REQUIRE(e.has_value());
    CHECK(e->frame == s.sym("shared_page"));
    CHECK(e->writable);
    CHECK(e->dirty);
    CHECK(e->matches_memory);
    // Remap the alias to another frame in memory without a flush: the TLB now holds
    // a stale translation, and the view says so.
    const u32 pte = s.sym("pt_alias");
    const u32 other = s.sym("demand_page");
    s.dbg->write_memory(Space::Physical, pte, {static_cast<u8>(0x03), static_cast<u8>(other >> 8), static_cast<u8>(other >> 16), 0});
    e = find(kAliasRw);
    REQUIRE(e.has_value());
    CHECK_FALSE(e->matches_memory);
    WalkView w = s.dbg->walk(kAliasRw);
    CHECK(w.frame == other);                // memory says this
    CHECK(w.dtlb->frame == s.sym("shared_page"));  // the TLB still says that
    CHECK_FALSE(w.dtlb->matches_memory);
    // The CPU would use the TLB: translate() says the stale frame.
    CHECK(s.dbg->translate(kAliasRw) == s.sym("shared_page"));
    // The instruction TLB holds the code page.
    bool code = false;
    for (const auto& i : s.dbg->tlb(TlbKind::Instruction)) code |= i.lin_base == (s.sym("dbg_call_leaf") & ~0xFFFu);
    CHECK(code);
}

TEST_CASE("The page-table tree: ranges, filters and every alias of a page", "[debugger][paging]") {
    Session s("guest/dbg_target.elf");
    to_after_alias_writes(s);
    const auto ranges = s.dbg->page_map();
    // Identity 4 KiB pages from 0x1000 (page 0 unmapped) up to 4 MiB: one range.
    REQUIRE(ranges.size() >= 4);
    CHECK(ranges[0].lin_start == 0x1000);
    CHECK(ranges[0].lin_end == 0x400000);
    CHECK(ranges[0].pages == 1023);
    CHECK(ranges[0].writable);
    CHECK(ranges[0].phys_contiguous);
    CHECK(ranges[1].lin_start == kAliasRw);
    CHECK(ranges[1].writable);
    CHECK(ranges[2].lin_start == kAliasRo);
    CHECK_FALSE(ranges[2].writable);
    CHECK(ranges[3].lin_start == 0x80000000);
    CHECK(ranges[3].page_size_log2 == 22);
    CHECK(ranges[3].lin_end == 0x80400000);
    CHECK(ranges.size() == 4);

    MapFilter ro;
    ro.writable = false;
    const auto r = s.dbg->page_map(ro);
    REQUIRE(r.size() == 1);
    CHECK(r[0].lin_start == kAliasRo);

    MapFilter range;
    range.lo = 0x3FF000;
    range.hi = 0x40001000;
    const auto rr = s.dbg->page_map(range, MapMerge::None);
    REQUIRE(rr.size() == 2);
    CHECK(rr[0].lin_start == 0x3FF000);
    CHECK(rr[1].lin_start == kAliasRw);

    // The two aliases are physically the same page: Contiguous keeps them apart.
    const auto contiguous = s.dbg->page_map({}, MapMerge::Contiguous);
    CHECK(contiguous.size() == 4);

    // Every linear page that maps shared_page: identity, both aliases, and its
    // place inside the 4 MiB page at 0x80000000.
    const u32 page = s.sym("shared_page");
    CHECK(s.dbg->aliases(page + 0x123) == std::vector<u32>{page, kAliasRw, kAliasRo, 0x80000000 + page});

    // The map agrees with the walk, leaf by leaf.
    for (const PageRange& leaf : s.dbg->page_map({}, MapMerge::None)) {
        const WalkView w = s.dbg->walk(leaf.lin_start);
        REQUIRE(w.ok);
        CHECK(w.frame == leaf.phys_start);
        CHECK(w.writable == leaf.writable);
        CHECK(w.user == leaf.user);
        CHECK(w.page_size_log2 == leaf.page_size_log2);
    }
}

TEST_CASE("Change tracking: memory and page tables since the last resume", "[debugger][state]") {
    Session s("guest/dbg_target.elf");
    s.dbg->add_breakpoint(Space::Linear, s.sym("dbg_alias_writes"));
    REQUIRE(s.dbg->cont().kind == StopKind::Breakpoint);
    const u32 page = s.sym("shared_page");
    s.dbg->track_memory(Space::Physical, page, 0x20);
    s.dbg->set_page_table_tracking(true);
    s.dbg->add_breakpoint(Space::Linear, s.sym("dbg_call_leaf"));
    REQUIRE(s.dbg->cont().kind == StopKind::Breakpoint);
    MemoryBytes m = s.dbg->read_memory(Space::Physical, page, 0x20);
    for (u32 i = 0; i < 0x20; ++i) {
        INFO("byte " << i);
        CHECK(m.changed[i] == (i >= 0x10 && i < 0x14 ? 1 : 0));
    }
    // Nothing remapped in between: no range is marked.
    for (const PageRange& r : s.dbg->page_map()) CHECK_FALSE(r.changed);
    // Through the demand fault, 0x60000000 gets mapped: that range is new.
    s.dbg->add_breakpoint(Space::Linear, s.sym("dbg_ud"));
    REQUIRE(s.dbg->cont().kind == StopKind::Breakpoint);
    bool demand_marked = false;
    for (const PageRange& r : s.dbg->page_map()) {
        if (r.lin_start == 0x60000000) demand_marked = r.changed;
        else if (r.lin_start != kAliasRw && r.lin_start != kAliasRo) CHECK_FALSE(r.changed);
    }
    CHECK(demand_marked);
    // A second stop without changes: the marks are gone.
    REQUIRE(s.dbg->step().kind == StopKind::Step);
    for (const PageRange& r : s.dbg->page_map()) CHECK_FALSE(r.changed);
    m = s.dbg->read_memory(Space::Physical, page, 0x20);
    for (u8 c : m.changed) CHECK(c == 0);
}

TEST_CASE("Disassembly: Intel and AT&T, symbols, branch targets, holes", "[debugger][code]") {
    Session s("guest/dbg_target.elf");
    const u32 leaf = s.sym("dbg_leaf");
    auto intel = s.dbg->disassemble(leaf, 7, Syntax::Intel);
    REQUIRE(intel.size() == 7);
    CHECK(intel[0].mnemonic == "push");
    CHECK(intel[0].operands == "ebp");
    CHECK(intel[0].symbol == "dbg_leaf");
    CHECK(intel[1].symbol == "dbg_leaf+0x1");
    CHECK(intel[6].is_ret);
    auto att = s.dbg->disassemble(leaf, 2, Syntax::Att);
    CHECK(att[0].mnemonic == "pushl");
    CHECK(att[1].operands == "%esp, %ebp");
    // The call in dbg_call_leaf names its target.
    bool call = false;
    for (const Instruction& i : s.dbg->disassemble(s.sym("dbg_call_leaf"), 8)) {
        if (!i.is_call) continue;
        call = true;
        CHECK(i.target == leaf);
        CHECK(i.operands.find("<dbg_leaf>") != std::string::npos);
    }
    CHECK(call);
    // Bytes that do not decode.
    Session t("guest/dbg_target.elf");
    t.dbg->write_memory(Space::Physical, 0x2000, {0xFF, 0xFF});
    auto bad = t.dbg->disassemble(0x2000, 1);
    CHECK_FALSE(bad[0].valid);
    CHECK(bad[0].mnemonic == ".byte");
    // Paging on, page 0 is not mapped: nothing to disassemble there.
    to_after_alias_writes(t);
    CHECK_THROWS_WITH(t.dbg->disassemble(0x10, 1), Catch::Contains("not mapped"));
    // A listing stops at the end of mapped memory.
    CHECK(t.dbg->disassemble(0x3FFFFE, 10).size() <= 2);
}

TEST_CASE("Symbols: mangled, demangled, short names, and addresses back to names", "[debugger][code]") {
    Session s("kernel.elf");
    const SymbolTable& t = s.dbg->symbols();
    const auto by_short = t.address_of("kmap_high");
    REQUIRE(by_short);
    CHECK(t.address_of("_Z9kmap_highP4page") == by_short);
    CHECK(t.address_of("kmap_high(page*)") == by_short);
    CHECK(t.address_of("pkmap_count").has_value());  // a static in an anonymous namespace
    CHECK(t.describe(*by_short) == "kmap_high");
    CHECK(t.describe(*by_short + 0x12) == "kmap_high+0x12");
    const Symbol* sym = t.covering(*by_short + 4);
    REQUIRE(sym);
    CHECK(sym->function);
    CHECK(sym->demangled == "kmap_high(page*)");
    CHECK_FALSE(t.address_of("no_such_symbol"));
    CHECK(t.describe(0x10) == "");
    SymbolTable bad;
    CHECK_THROWS_WITH(bad.load("/nonexistent"), Catch::Contains("cannot read"));
    CHECK_THROWS_WITH(bad.load_image({1, 2, 3}, "junk"), Catch::Contains("junk"));
    std::vector<u8> not_elf(64, 0);
    CHECK_THROWS_WITH(bad.load_image(not_elf, "zeros"), Catch::Contains("not an ELF"));
}

TEST_CASE("Symbols from a Linux System.map: functions by type letter, closest function below", "[debugger][code]") {
    const std::string map =
        "c1000000 T _text\n"
        "c1000000 T startup_32\n"
        "c1289f10 T kmap_high\n"
        "c128a1c0 t flush_all_zero_pkmaps\n"
        "c1e43d40 b pkmap_count\n"
        "c1e44540 D pkmap_page_table\n"
        "00000000 A VDSO32_PRELINK\n"
        "\n";
    SymbolTable t;
    t.load_image(std::vector<u8>(map.begin(), map.end()), "System.map");
    CHECK(t.size() == 7);
    CHECK(t.address_of("kmap_high") == 0xc1289f10u);
    CHECK(t.address_of("pkmap_count") == 0xc1e43d40u);
    const Symbol* pc = t.find("pkmap_count").front();
    CHECK_FALSE(pc->function);
    CHECK(pc->local);  // 'b': a static
    CHECK(t.find("kmap_high").front()->function);
    // No sizes in a System.map: an address belongs to the closest function below.
    CHECK(t.describe(0xc1289f10 + 0x4a) == "kmap_high+0x4a");
    CHECK(t.describe(0xc128a1c0 + 8) == "flush_all_zero_pkmaps+0x8");
    CHECK(t.path() == "System.map");

    SymbolTable bad;
    const std::string broken = "c1000000 T _text\nc1000010 this is not a symbol line\n";
    CHECK_THROWS_WITH(bad.load_image(std::vector<u8>(broken.begin(), broken.end()), "map"),
                      Catch::Contains("map:2") && Catch::Contains("not a System.map line"));
    const std::string wide = "100000000 T too_high\n";
    CHECK_THROWS_WITH(bad.load_image(std::vector<u8>(wide.begin(), wide.end()), "map"), Catch::Contains("above 4 GiB"));
}
