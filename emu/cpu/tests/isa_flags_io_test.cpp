// Flag instructions (CLC/STC/CMC/CLD/STD/LAHF/SAHF/PUSHF/POPF and their
// privilege rules, the AC/ID toggles CPU detection relies on), port I/O of every
// width, and the remaining exception vectors: #BP, #OF, #NM, #SS(selector), #AC.
#include "pm_fixture.hpp"

using namespace hm;
using namespace hm::test;

TEST_CASE("CLC, STC, CMC, CLD, STD, LAHF and SAHF", "[cpu][isa][flags]") {
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    f.exec({0xF9});  // stc
    CHECK((f.eflags() & flag::CF) != 0);
    f.exec({0xF5});  // cmc
    CHECK((f.eflags() & flag::CF) == 0);
    f.exec({0xF9, 0xF8});  // stc ; clc
    CHECK((f.eflags() & flag::CF) == 0);
    f.exec({0xFD});  // std
    CHECK((f.eflags() & flag::DF) != 0);
    f.exec({0xFC});  // cld
    CHECK((f.eflags() & flag::DF) == 0);
    f.r(reg::EAX) = 0xD500;  // AH = SF ZF AF PF CF
    f.exec({0x9E});          // sahf
    CHECK((f.eflags() & flag::kArith) == (flag::SF | flag::ZF | flag::AF | flag::PF | flag::CF));
    f.r(reg::EAX) = 0;
    f.exec({0x31, 0xDB, 0x9F});  // xor ebx,ebx ; lahf: ZF PF and the fixed bit 1
    CHECK(((f.r(reg::EAX) >> 8) & 0xFF) == (flag::ZF | flag::PF | flag::kFixed1));
}

TEST_CASE("POPF keeps IOPL below ring 0 and IF above IOPL, and toggles AC and ID", "[cpu][isa][flags][privilege]") {
    PmFixture f;
    // Ring 3, IOPL 0: pushfd ; or dword [esp], 0x3000 | 0x200 ^ ... -> try to set IOPL 3, clear IF.
    // push 0x00243002 (ID, AC, IOPL 3, IF 0) ; popfd ; pushfd ; pop eax ; int 0x81
    f.start_user({0x68, 0x02, 0x30, 0x24, 0x00, 0x9D, 0x9C, 0x58, 0xCD, 0x81});
    f.run_to_hlt();
    const u32 seen = f.r(reg::EAX);
    CHECK((seen & flag::IOPL) == 0);      // IOPL unchanged at CPL 3
    CHECK((seen & flag::IF) != 0);        // IF unchanged (CPL > IOPL)
    CHECK((seen & flag::AC) != 0);        // AC toggles: a 486 or later
    CHECK((seen & flag::ID) != 0);        // ID toggles: CPUID is available
    // At ring 0 every one of them changes.
    PmFixture g;
    g.st.eflags |= flag::IF;
    g.exec({0x68, 0x02, 0x30, 0x04, 0x00, 0x9D});  // push 0x00043002 ; popfd
    CHECK((g.st.eflags & flag::IOPL) == flag::IOPL);
    CHECK((g.st.eflags & flag::IF) == 0);
}

namespace {
struct PortLog : IoDevice {
    std::vector<std::pair<u16, u32>> writes;
    u32 io_read(u16 port, unsigned size) override { return (0xA1B2C3D4u + port) & (size == 4 ? ~0u : (1u << (8 * size)) - 1); }
    void io_write(u16 port, u32 value, unsigned) override { writes.emplace_back(port, value); }
};
}  // namespace

TEST_CASE("IN and OUT move 8, 16 and 32 bits through immediate and DX ports", "[cpu][isa][io]") {
    CpuFixture f;
    PortLog dev;
    f.bus.attach_io(0x70, 0x20, dev, "log");
    f.flat32(0x1000, {0xF4});
    f.r(reg::EAX) = 0x11223344;
    f.exec({0xE6, 0x80});  // out 0x80, al
    f.r(reg::EDX) = 0x70;
    f.exec({0xEF});  // out dx, eax
    f.exec({0x66, 0xEF});  // out dx, ax
    REQUIRE(dev.writes.size() == 3);
    CHECK(dev.writes[0] == std::make_pair(u16{0x80}, u32{0x44}));
    CHECK(dev.writes[1] == std::make_pair(u16{0x70}, u32{0x11223344}));
    CHECK(dev.writes[2] == std::make_pair(u16{0x70}, u32{0x3344}));
    f.exec({0xED});  // in eax, dx
    CHECK(f.r(reg::EAX) == 0xA1B2C3D4u + 0x70);
    f.r(reg::EAX) = 0xFFFFFFFF;
    f.exec({0x66, 0xE5, 0x71});  // in ax, 0x71
    CHECK(f.r(reg::EAX) == 0xFFFF0000u + ((0xA1B2C3D4u + 0x71) & 0xFFFF));
    f.exec({0xE4, 0x72});  // in al, 0x72
    CHECK((f.r(reg::EAX) & 0xFF) == ((0xA1B2C3D4u + 0x72) & 0xFF));
}

TEST_CASE("INT3 and INTO are traps - the frame points after them", "[cpu][exceptions]") {
    PmFixture f;
    f.exec({0xCC});
    CHECK(f.cpu.stats().interrupts[3] == 1);
    CHECK(f.frame(0) == 0x1001);
    PmFixture g;
    g.r(reg::EAX) = 0x7FFFFFFF;
    g.exec({0xCE, 0x40, 0xCE});  // into (no overflow: nothing) ; inc eax ; into -> #OF
    CHECK(g.cpu.stats().interrupts[4] == 1);
    CHECK(g.frame(0) == 0x1003);  // after the second INTO
}

// (The x87 itself, #MF and FERR#: isa_x87_test.cpp.)
TEST_CASE("x87 escapes and WAIT raise #NM when CR0.EM or TS ask for it", "[cpu][exceptions]") {
    PmFixture f;
    f.st.cr.cr0 |= cr0::kEM;
    f.exec({0xD8, 0x00});  // fadd dword [eax]
    CHECK(f.exceptions(7) == 1);
    CHECK(f.frame(0) == 0x1000);
    PmFixture h;
    h.st.cr.cr0 |= cr0::kMP | cr0::kTS;
    h.exec({0x9B});  // wait
    CHECK(h.exceptions(7) == 1);
    PmFixture w;
    w.exec({0x9B, 0x90});  // wait without MP/TS: nothing
    CHECK(w.exceptions(7) == 0);
    CHECK(w.st.eip == 0x1003);
}

TEST_CASE("A not-present stack segment raises #SS(selector) - a stack overflow #SS(0)", "[cpu][exceptions]") {
    PmFixture f;
    f.poke64(kGdt + 0x48, seg_desc(0, 0xFFFFF, 0x12, 0xC));  // DPL 0 data, not present
    f.exec({0x66, 0xB8, 0x48, 0x00, 0x8E, 0xD0});  // mov ax,0x48 ; mov ss,ax
    CHECK(f.exceptions(12) == 1);
    CHECK(f.frame(0) == 0x48);
    PmFixture g;
    // SS = 0x70 (limit 0xFFF, DPL 3) at ring 3 with ESP = 2: a PUSH runs below 0.
    g.start_user({0x66, 0xB8, 0x73, 0x00, 0x8E, 0xD0, 0xBC, 0x02, 0x00, 0x00, 0x00, 0x50});
    g.run_to_hlt();
    CHECK(g.exceptions(12) == 1);
    CHECK(g.frame(0) == 0);
    CHECK(g.frame(1) == kUserCode + 11);
}

TEST_CASE("Alignment checking: #AC(0) for misaligned ring-3 data with CR0.AM and EFLAGS.AC", "[cpu][exceptions]") {
    PmFixture f;
    f.st.cr.cr0 |= cr0::kAM;
    // Ring 3 with AC: mov ax,0x23 ; mov ds,ax ; mov eax,[0x9000] (aligned) ; mov eax,[0x9001]
    f.start_user({0x66, 0xB8, 0x23, 0x00, 0x8E, 0xD8, 0xA1, 0x00, 0x90, 0x00, 0x00, 0xA1, 0x01, 0x90, 0x00, 0x00},
                 0x40202);
    f.run_to_hlt();
    CHECK(f.exceptions(17) == 1);
    CHECK(f.frame(0) == 0);
    CHECK(f.frame(1) == kUserCode + 11);
    // Without CR0.AM the same code runs (and ends in a #GP from the next bytes, not #AC).
    PmFixture g;
    g.start_user({0x66, 0xB8, 0x23, 0x00, 0x8E, 0xD8, 0xA1, 0x01, 0x90, 0x00, 0x00, 0xCD, 0x81}, 0x40202);
    g.run_to_hlt();
    CHECK(g.exceptions(17) == 0);
    CHECK(g.cpu.stats().interrupts[0x81] == 1);
}
