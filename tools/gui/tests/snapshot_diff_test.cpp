// The "since the last stop" rules of the snapshot: which TLB entries are new,
// gone or stale, which registers and bytes changed, where the listing starts.
#include <catch2/catch.hpp>

#include "snapshot.hpp"

using namespace hm;
using namespace hm::gui;

namespace {

TlbEntryView entry(unsigned set, unsigned way, u32 lin, u64 frame, bool matches = true) {
    TlbEntryView e{};
    e.tlb = TlbKind::Data;
    e.large = false;
    e.set = set;
    e.way = way;
    e.lin_base = lin;
    e.frame = frame;
    e.page_size_log2 = 12;
    e.matches_memory = matches;
    return e;
}

dbg::Instruction insn(u32 at, u8 len) {
    dbg::Instruction i;
    i.linear = at;
    i.length = len;
    i.mnemonic = "nop";
    return i;
}

// A fake code stream: every instruction is 2 bytes long from any start.
std::vector<dbg::Instruction> two_byte_code(u32 start, unsigned n) {
    std::vector<dbg::Instruction> v;
    for (unsigned k = 0; k < n; ++k) v.push_back(insn(start + 2 * k, 2));
    return v;
}

}  // namespace

TEST_CASE("diff_tlb: new entries are filled, missing ones dropped, stale ones marked") {
    const std::vector<TlbEntryView> before = {entry(0, 0, 0xc0000000, 0x0), entry(1, 0, 0xc0001000, 0x1000)};
    const std::vector<TlbEntryView> now = {entry(0, 0, 0xc0000000, 0x0), entry(2, 1, 0xffbff000, 0x37fff000),
                                           entry(3, 0, 0xc0003000, 0x3000, false)};
    const TlbDiff d = diff_tlb(before, now);
    REQUIRE(d.rows.size() == 3);
    CHECK_FALSE(d.rows[0].filled);
    CHECK_FALSE(d.rows[0].stale);
    CHECK(d.rows[1].filled);
    CHECK(d.rows[2].filled);
    CHECK(d.rows[2].stale);
    REQUIRE(d.dropped.size() == 1);
    CHECK(d.dropped[0].lin_base == 0xc0001000);
}

TEST_CASE("diff_tlb: the same slot refilled with another page is a fill and a drop") {
    const TlbDiff d = diff_tlb({entry(5, 2, 0xffbfe000, 0x1000)}, {entry(5, 2, 0xffbfe000, 0x2000)});
    REQUIRE(d.rows.size() == 1);
    CHECK(d.rows[0].filled);
    REQUIRE(d.dropped.size() == 1);
    CHECK(d.dropped[0].frame == 0x1000);
}

TEST_CASE("diff_tlb: hits since the previous stop, counted from the entry's hit counter") {
    TlbEntryView used = entry(0, 0, 0xc0000000, 0x0), idle = entry(1, 0, 0xc0001000, 0x1000);
    used.hits = 3;
    idle.hits = 7;
    TlbEntryView used_now = used, idle_now = idle, fresh = entry(2, 0, 0xc0002000, 0x2000);
    used_now.hits = 10;
    fresh.hits = 2;  // filled and then used twice in the same run
    const TlbDiff d = diff_tlb({used, idle}, {used_now, idle_now, fresh});
    REQUIRE(d.rows.size() == 3);
    CHECK(d.rows[0].hits == 7);
    CHECK(d.rows[1].hits == 0);
    CHECK(d.rows[2].filled);
    CHECK(d.rows[2].hits == 2);
}

TEST_CASE("changed_registers marks values, segment caches and table limits") {
    dbg::RegisterFile a, b;
    CHECK(changed_registers(a, b) == 0);
    b.gpr[reg::EAX] = 1;
    b.cr.cr3 = 0x1000;
    b.seg[sreg::DS].base = 0x100;  // the selector is the same: the cache changed
    b.idtr.limit = 0x7ff;
    const u64 m = changed_registers(a, b);
    auto bit = [](dbg::Reg r) { return u64{1} << static_cast<unsigned>(r); };
    CHECK((m & bit(dbg::Reg::EAX)) != 0);
    CHECK((m & bit(dbg::Reg::CR3)) != 0);
    CHECK((m & bit(dbg::Reg::DS)) != 0);
    CHECK((m & bit(dbg::Reg::IDTR)) != 0);
    CHECK((m & bit(dbg::Reg::EBX)) == 0);
    CHECK((m & bit(dbg::Reg::CS)) == 0);
}

TEST_CASE("changed_bytes compares only the same bytes, and only readable ones") {
    dbg::MemoryBytes a;
    a.addr = 0x1000;
    a.bytes = {1, 2, 3, 4};
    a.valid = {1, 1, 1, 0};
    dbg::MemoryBytes b = a;
    b.bytes = {1, 9, 3, 7};
    CHECK(changed_bytes(a, b) == std::vector<u8>{0, 1, 0, 0});
    b.addr = 0x2000;  // another address: nothing to compare with
    CHECK(changed_bytes(a, b) == std::vector<u8>{0, 0, 0, 0});
    b.addr = 0x1000;
    b.space = dbg::Space::Physical;
    CHECK(changed_bytes(a, b) == std::vector<u8>{0, 0, 0, 0});
}

TEST_CASE("disassembly_start keeps the listing still while EIP moves inside it") {
    const auto prev = two_byte_code(0x1000, 20);
    auto decode = [](u32 at, unsigned n) { return two_byte_code(at, n); };
    CHECK(disassembly_start(0x1008, 0x1000, prev, 20, std::nullopt, decode) == 0x1000);
}

TEST_CASE("disassembly_start scrolls when EIP nears the end, from known boundaries") {
    const auto prev = two_byte_code(0x1000, 20);
    auto decode = [](u32 at, unsigned n) { return two_byte_code(at, n); };
    // Line 18 of 20: too close to the end; three lines of context above it.
    CHECK(disassembly_start(0x1000 + 2 * 18, 0x1000, prev, 20, std::nullopt, decode) == 0x1000 + 2 * 15);
}

TEST_CASE("disassembly_start starts at the function when EIP is near its entry") {
    auto decode = [](u32 at, unsigned n) { return two_byte_code(at, n); };
    CHECK(disassembly_start(0x2006, 0, {}, 20, 0x2000u, decode) == 0x2000);
    // Far into a long function: EIP itself.
    CHECK(disassembly_start(0x2000 + 2 * 19, 0, {}, 20, 0x2000u, decode) == 0x2000 + 2 * 19);
    // A function start that does not decode onto EIP (odd offset): EIP.
    CHECK(disassembly_start(0x2007, 0, {}, 20, 0x2000u, decode) == 0x2007);
    // Unreadable code at the function start: EIP.
    auto failing = [](u32, unsigned) -> std::vector<dbg::Instruction> { throw dbg::DebugError("not mapped"); };
    CHECK(disassembly_start(0x2006, 0, {}, 20, 0x2000u, failing) == 0x2006);
}
