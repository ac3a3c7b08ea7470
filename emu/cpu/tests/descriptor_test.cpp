// Descriptor-table instructions and the LDT: LGDT/SGDT/SIDT, LLDT/SLDT, STR,
// LAR/LSL/VERR/VERW, ARPL; trap versus interrupt gates; the MOV SS shadow.
#include "pm_fixture.hpp"

using namespace hm;
using namespace hm::test;

TEST_CASE("LLDT makes LDT selectors usable, SLDT and STR read the selectors back", "[cpu][descriptor]") {
    PmFixture f;
    // GDT 0x78: an LDT at 0xA000 with one entry (index 0: data DPL0, base 0x1000).
    f.poke64(kGdt + 0x78, seg_desc(0xA000, 0x7, 0x82, 0));
    f.st.gdtr.limit = 0x7F;
    f.poke64(0xA000, seg_desc(0x1000, 0xFFFF, 0x92, 0x4));
    f.poke32(0x1100, 0xFEEDBEEF);
    // mov ax,0x78 ; lldt ax ; mov ax,0x28 ; ltr ax ; mov ax,4 ; mov ds,ax ; mov eax,[0x100] ; sldt bx ; str cx ; hlt
    f.poke(0x1000, {0x66, 0xB8, 0x78, 0x00, 0x0F, 0x00, 0xD0, 0x66, 0xB8, 0x28, 0x00, 0x0F, 0x00, 0xD8, 0x66,
                    0xB8, 0x04, 0x00, 0x8E, 0xD8, 0xA1, 0x00, 0x01, 0x00, 0x00, 0x66, 0x0F, 0x00, 0xC3, 0x66, 0x0F,
                    0x00, 0xC9, 0xF4});
    f.st.eip = 0x1000;
    f.run_to_hlt();
    CHECK(f.r(reg::EAX) == 0xFEEDBEEF);
    CHECK(f.st.seg[sreg::DS].base == 0x1000);
    CHECK((f.r(reg::EBX) & 0xFFFF) == 0x78);
    CHECK((f.r(reg::ECX) & 0xFFFF) == 0x28);
    CHECK(f.st.ldtr.base == 0xA000);
    CHECK(f.peek8(0xA000 + 5) == 0x93);  // the load set the accessed bit
}

TEST_CASE("LLDT of a non-LDT descriptor and LTR of a busy TSS raise #GP(selector)", "[cpu][descriptor][exceptions]") {
    PmFixture f;
    f.poke(0x1000, {0x66, 0xB8, 0x10, 0x00, 0x0F, 0x00, 0xD0, 0xF4});  // lldt 0x10 (a data segment)
    f.st.eip = 0x1000;
    f.run_to_hlt();
    CHECK(f.exceptions(13) == 1);
    CHECK(f.frame(0) == 0x10);
    PmFixture g;
    // ltr 0x28 twice: the second finds the TSS busy.
    g.poke(0x1000, {0x66, 0xB8, 0x28, 0x00, 0x0F, 0x00, 0xD8, 0x0F, 0x00, 0xD8, 0xF4});
    g.st.eip = 0x1000;
    g.run_to_hlt();
    CHECK(g.exceptions(13) == 1);
    CHECK(g.frame(0) == 0x28);
    CHECK(g.frame(1) == 0x1007);
}

TEST_CASE("LAR, LSL, VERR and VERW report by ZF without faulting", "[cpu][descriptor]") {
    struct Case {
        u16 sel;
        bool lar, verr, verw;
        u32 rights, limit;
    };
    // From ring 3: DPL 3 data is visible and writable, DPL 0 data invisible, the read-only
    // segment readable only, execute-only code neither, the conforming code readable.
    const Case cases[] = {
        // LAR masks with 00F0FF00h: the limit bits 19:16 read as 0.
        {0x23, true, true, true, 0x00C0F300, 0xFFFFFFFF},  // accessed: SS uses it
        {0x13, false, false, false, 0, 0},
        {0x53, true, true, false, 0x00C0F000, 0xFFFFFFFF},
        {0x63, true, false, false, 0x00C0F800, 0xFFFFFFFF},
        {0x43, true, true, false, 0x00C09E00, 0xFFFFFFFF},
        {0x73, true, true, true, 0x0040F200, 0xFFF},
        {0x03, false, false, false, 0, 0},  // null
        {0xFB, false, false, false, 0, 0},  // beyond the GDT
    };
    for (const Case& c : cases) {
        INFO("selector " << std::hex << c.sel);
        PmFixture f;
        // mov ax,sel ; mov edx,0x5A ; lar edx,ax ; pushfd ; pop ebx ; lsl esi,ax ;
        // verr ax ; pushfd ; pop ecx ; verw ax ; pushfd ; pop edi ; int 0x81
        f.start_user({0x66, 0xB8, static_cast<u8>(c.sel), 0x00, 0xBA, 0x5A, 0x00, 0x00, 0x00, 0x0F, 0x02, 0xD0,
                      0x9C, 0x5B, 0x0F, 0x03, 0xF0, 0x0F, 0x00, 0xE0, 0x9C, 0x59, 0x0F, 0x00, 0xE8, 0x9C, 0x5F,
                      0xCD, 0x81});
        f.run_to_hlt();
        CHECK(f.exceptions(13) == 0);
        CHECK(((f.r(reg::EBX) & flag::ZF) != 0) == c.lar);
        CHECK(((f.r(reg::ECX) & flag::ZF) != 0) == c.verr);
        CHECK(((f.r(reg::EDI) & flag::ZF) != 0) == c.verw);
        if (c.lar) {
            CHECK(f.r(reg::EDX) == c.rights);
            CHECK(f.r(reg::ESI) == c.limit);
        } else {
            CHECK(f.r(reg::EDX) == 0x5A);  // unchanged
        }
    }
}

TEST_CASE("ARPL raises the RPL of a selector and sets ZF", "[cpu][descriptor]") {
    PmFixture f;
    f.r(reg::EBX) = 0x0010;
    f.r(reg::ECX) = 0x0003;
    f.exec({0x63, 0xCB});  // arpl bx, cx
    CHECK(f.r(reg::EBX) == 0x0013);
    CHECK((f.eflags() & flag::ZF) != 0);
    f.exec({0x63, 0xCB});
    CHECK((f.eflags() & flag::ZF) == 0);
    // In real mode ARPL is #UD.
    CpuFixture r;
    r.real16(0, 0x7C00, {0x63, 0xCB});
    r.poke(0x600, {0xF4});
    r.poke32(6 * 4, 0x600);
    r.run_to_hlt();
    CHECK(r.cpu.stats().exceptions[6] == 1);
}

TEST_CASE("SGDT and SIDT store the limit and the 32-bit base, LGDT loads them", "[cpu][descriptor]") {
    PmFixture f;
    f.exec({0x0F, 0x01, 0x05, 0x00, 0x90, 0x00, 0x00, 0x0F, 0x01, 0x0D, 0x10, 0x90, 0x00, 0x00});
    CHECK(f.peek16(0x9000) == 0x77);
    CHECK(f.peek32(0x9002) == kGdt);
    CHECK(f.peek16(0x9010) == 0x7FF);
    CHECK(f.peek32(0x9012) == kIdt);
    f.poke16(0x9020, 0x1234);
    f.poke32(0x9022, 0xABCDEF01);
    f.exec({0x0F, 0x01, 0x15, 0x20, 0x90, 0x00, 0x00});  // lgdt [0x9020]
    CHECK(f.st.gdtr.limit == 0x1234);
    CHECK(f.st.gdtr.base == 0xABCDEF01);
    f.exec({0x66, 0x0F, 0x01, 0x15, 0x20, 0x90, 0x00, 0x00});  // 16-bit LGDT: 24-bit base
    CHECK(f.st.gdtr.base == 0x00CDEF01);
}

TEST_CASE("Trap gates keep IF - interrupt gates clear it", "[cpu][exceptions]") {
    PmFixture f;
    f.set_gate(kIdt, 0x40, kHandler, 0xEF);  // 32-bit trap gate, DPL 3
    f.st.eflags |= flag::IF;
    f.exec({0xCD, 0x40});
    CHECK((f.st.eflags & flag::IF) != 0);
    f.set_gate(kIdt, 0x41, kHandler, 0xEE);  // interrupt gate
    f.exec({0xCD, 0x41});
    CHECK((f.st.eflags & flag::IF) == 0);
}

namespace {
struct OneShotPic : InterruptController {
    Cpu* cpu = nullptr;
    u8 acknowledge() override {
        cpu->set_intr(false);
        return 0x30;
    }
};
}  // namespace

TEST_CASE("MOV SS holds off interrupts for one instruction", "[cpu][interrupts]") {
    PmFixture f;
    OneShotPic pic;
    pic.cpu = &f.cpu;
    f.cpu.set_interrupt_controller(&pic);
    f.cpu.set_intr(true);
    // IF = 0 with INTR asserted. sti ; mov ss,ax ; inc ebx ; inc ebx ; hlt
    // STI's shadow covers MOV SS; without MOV SS's own shadow the interrupt would
    // come right after it, before the first INC.
    f.poke(0x1000, {0xFB, 0x8E, 0xD0, 0x43, 0x43, 0xF4});
    f.st.eip = 0x1000;
    f.r(reg::EAX) = 0x10;
    f.r(reg::EBX) = 0;
    f.run_to_hlt();
    CHECK(f.r(reg::EBX) == 1);    // in the handler: one INC ran after MOV SS
    CHECK(f.frame(0) == 0x1004);  // interrupted before the second INC
    CHECK(f.cpu.stats().interrupts[0x30] == 1);
}
