// Defects an outside test ROM found in stack switching (POP SS, ENTER) and in
// the debug-exception hold-off after MOV SS / POP SS.
#include "pm_fixture.hpp"

using namespace hm;
using namespace hm::test;

namespace {
constexpr u16 kSs16 = 0x78;     // flat data, DPL 0, B = 0 (a 16-bit stack)
constexpr u16 kSmallSs = 0x80;  // data, DPL 0, B = 1, limit 0xFFFF byte granular

void add_stack_segments(PmFixture& f) {
    f.poke64(kGdt + kSs16, seg_desc(0, 0xFFFFF, 0x92, 0x8));
    f.poke64(kGdt + kSmallSs, seg_desc(0, 0xFFFF, 0x92, 0x4));
    f.st.gdtr = {kGdt, 0x87};
}

// mov ax,SEL ; mov ss,ax ; mov esp,ESP
Bytes load_stack(u16 sel, u32 esp) {
    Bytes b = {0x66, 0xB8, static_cast<u8>(sel), static_cast<u8>(sel >> 8), 0x8E, 0xD0, 0xBC};
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<u8>(esp >> (8 * i)));
    return b;
}
}  // namespace

TEST_CASE("POP SS moves ESP by the stack size of the SS it replaces", "[cpu][stack]") {
    PmFixture f;
    add_stack_segments(f);
    SECTION("a 16-bit stack popping a 32-bit SS: SP wraps, the upper half is kept") {
        f.poke32(0xFFFC, 0x10);
        Bytes code = load_stack(kSs16, 0x0001FFFC);
        code.insert(code.end(), {0x17, 0xF4});  // pop ss ; hlt
        f.poke(0x1000, code);
        f.st.eip = 0x1000;
        f.run_to_hlt();
        CHECK(f.st.seg[sreg::SS].selector == 0x10);
        CHECK(f.r(reg::ESP) == 0x00010000);
    }
    SECTION("a 32-bit stack popping a 16-bit SS: ESP moves by 4 in full") {
        f.poke32(0x1FFFC, kSs16);
        Bytes code = load_stack(0x10, 0x0001FFFC);
        code.insert(code.end(), {0x17, 0xF4});
        f.poke(0x1000, code);
        f.st.eip = 0x1000;
        f.run_to_hlt();
        CHECK(f.st.seg[sreg::SS].selector == kSs16);
        CHECK(f.r(reg::ESP) == 0x00020000);
    }
}

TEST_CASE("ENTER faults before changing any register when the final ESP is outside SS", "[cpu][stack][exceptions]") {
    PmFixture f;
    add_stack_segments(f);
    // #SS handler at 0x4100: hlt. Stack: SS limit 0xFFFF, ESP 0x100; ENTER 0x200,0 would leave ESP below 0.
    f.set_gate(kIdt, 12, 0x4100, 0x8E);
    f.poke(0x4100, {0xF4});
    Bytes code = load_stack(kSmallSs, 0x100);
    code.insert(code.end(), {0xBD, 0x44, 0x33, 0x22, 0x11,  // mov ebp,0x11223344
                             0xC8, 0x00, 0x02, 0x00});       // enter 0x200,0
    f.poke(0x1000, code);
    f.st.eip = 0x1000;
    f.run_to_hlt();
    CHECK(f.exceptions(12) == 1);
    CHECK(f.r(reg::EBP) == 0x11223344);   // untouched
    CHECK(f.frame(0) == 0);               // #SS(0)
    CHECK(f.frame(1) == 0x1000 + 11 + 5);  // EIP of the ENTER: a fault
    CHECK(f.r(reg::ESP) == 0x100 - 16);   // the #SS frame (error code, EIP, CS, EFLAGS) on the old stack
}

TEST_CASE("ENTER faults with #PF (write) when the final ESP lands on a missing page", "[cpu][stack][exceptions][paging]") {
    PmFixture f;
    identity_paging(f);
    f.poke32(0x11000 + 0x1F * 4, 0x1F000 | 6);  // page 0x1F000 not present
    // #PF handler at 0x4100: hlt (the fault frame goes on the kernel stack, well above).
    f.set_gate(kIdt, 14, 0x4100, 0x8E);
    f.poke(0x4100, {0xF4});
    Bytes code = kPagingOn;
    code.insert(code.end(), {0xBC, 0x00, 0x10, 0x02, 0x00,   // mov esp,0x21000
                             0xBD, 0x44, 0x33, 0x22, 0x11,   // mov ebp,0x11223344
                             0xC8, 0x00, 0x10, 0x00});       // enter 0x1000,0: final ESP 0x1FFFC in page 0x1F000
    f.poke(0x1000, code);
    f.st.eip = 0x1000;
    f.run_to_hlt();
    CHECK(f.exceptions(14) == 1);
    CHECK(f.st.cr.cr2 == 0x20FFC - 0x1000);
    CHECK(f.r(reg::EBP) == 0x11223344);
    CHECK(f.frame(0) == 2);  // not present, write, supervisor
    CHECK(f.frame(1) == 0x1000 + kPagingOn.size() + 10);
    CHECK(f.r(reg::ESP) == 0x21000 - 16);  // ESP was never moved by the ENTER
}

TEST_CASE("MOV SS holds the single-step trap until after the next instruction", "[cpu][debug][stack]") {
    PmFixture f;
    // mov ax,0x10 ; pushfd ; or [esp],TF ; popfd ; mov ss,ax ; nop ; nop ; hlt
    f.poke(0x1000, {0x66, 0xB8, 0x10, 0x00, 0x9C, 0x81, 0x0C, 0x24, 0x00, 0x01, 0x00, 0x00, 0x9D, 0x8E, 0xD0, 0x90,
                    0x90, 0xF4});
    f.st.eip = 0x1000;
    f.run_to_hlt();
    CHECK(f.exceptions(1) == 1);
    CHECK(f.frame(0) == 0x1010);  // after the NOP that follows MOV SS, not after MOV SS (0x100F)
    CHECK((f.st.dr[6] & (1u << 14)) != 0);
}

TEST_CASE("LSS does not hold off the single-step trap", "[cpu][debug][stack]") {
    PmFixture f;
    f.poke32(0x6000, 0x80000);  // far pointer 0x10:0x80000
    f.poke16(0x6004, 0x10);
    // pushfd ; or [esp],TF ; popfd ; lss esp,[0x6000] ; nop ; hlt
    f.poke(0x1000, {0x9C, 0x81, 0x0C, 0x24, 0x00, 0x01, 0x00, 0x00, 0x9D, 0x0F, 0xB2, 0x25, 0x00, 0x60, 0x00, 0x00,
                    0x90, 0xF4});
    f.st.eip = 0x1000;
    f.run_to_hlt();
    CHECK(f.exceptions(1) == 1);
    CHECK(f.frame(0) == 0x1010);  // right after the LSS
}

TEST_CASE("An instruction breakpoint right after MOV SS is suppressed", "[cpu][debug][stack]") {
    // mov eax,0x1016 ; mov dr0,eax ; mov eax,1 ; mov dr7,eax ; mov ax,0x10 ; mov S,ax ; (0x1016) nop ; nop ; hlt
    auto run_with = [](u8 sreg_modrm) {
        PmFixture f;
        f.poke(0x1000, {0xB8, 0x16, 0x10, 0x00, 0x00, 0x0F, 0x23, 0xC0, 0xB8, 0x01, 0x00, 0x00, 0x00, 0x0F, 0x23, 0xF8,
                        0x66, 0xB8, 0x10, 0x00, 0x8E, sreg_modrm, 0x90, 0x90, 0xF4});
        f.st.eip = 0x1000;
        f.run_to_hlt();
        return std::pair{f.exceptions(1), f.st.eip};
    };
    const auto [ss_hits, ss_eip] = run_with(0xD0);  // mov ss,ax
    CHECK(ss_hits == 0);
    CHECK(ss_eip == 0x1019);  // ran to the HLT at 0x1018
    const auto [ds_hits, ds_eip] = run_with(0xD8);  // mov ds,ax: no hold-off, the breakpoint fires
    CHECK(ds_hits == 1);
    CHECK(ds_eip == 0x4001);  // halted in the #DB handler
}

TEST_CASE("A data breakpoint hit by POP SS is reported after the next instruction", "[cpu][debug][stack]") {
    PmFixture f;
    // DR0 = the stack slot POP SS reads (0x7FFFC), R/W = 11 (read or write), LEN = 11 (4 bytes).
    // mov eax,0x7FFFC ; mov dr0,eax ; mov eax,0xF0001 ; mov dr7,eax ; push 0x10 ; pop ss ; nop ; nop ; hlt
    f.poke(0x1000, {0xB8, 0xFC, 0xFF, 0x07, 0x00, 0x0F, 0x23, 0xC0, 0xB8, 0x01, 0x00, 0x0F, 0x00, 0x0F, 0x23, 0xF8,
                    0x6A, 0x10, 0x17, 0x90, 0x90, 0xF4});
    f.st.eip = 0x1000;
    f.run_to_hlt();
    // The PUSH's write hits first (a trap after the PUSH), then the POP SS read, held past the NOP.
    CHECK(f.exceptions(1) == 1);  // the handler HLTs at the first one: the PUSH
    CHECK(f.frame(0) == 0x1012);
    // Go on from the PUSH's trap with the next instruction at POP SS.
    f.st.r[reg::ESP] += 12;
    f.st.eip = 0x1012;
    f.st.halted = false;
    f.st.dr[6] = 0;
    f.run_to_hlt();
    CHECK(f.exceptions(1) == 2);
    CHECK(f.frame(0) == 0x1014);  // after the NOP that follows POP SS
    CHECK((f.st.dr[6] & 1) == 1);
}
