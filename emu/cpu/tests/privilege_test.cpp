// Privilege transitions and the protection checks on segment loads and
// accesses: interrupts and exceptions from ring 3, IRET back, call gates with
// parameters, RETF to an outer level, conforming code, IOPL and the I/O bitmap.
#include "pm_fixture.hpp"

using namespace hm;
using namespace hm::test;

namespace {
Bytes seg_load(u16 sel, u8 sreg_modrm = 0xD8) {  // mov ax, sel ; mov <sreg>, ax
    return {0x66, 0xB8, static_cast<u8>(sel), static_cast<u8>(sel >> 8), 0x8E, sreg_modrm};
}
Bytes cat(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}
}  // namespace

TEST_CASE("INT from ring 3 switches to the TSS ring-0 stack and IRET returns to ring 3", "[cpu][privilege]") {
    PmFixture f;
    // Vector 0x80 -> 0x4100: add eax, 1 ; iretd.   User: mov eax,0x1234 ; int 0x80 ; int 0x81
    f.set_gate(kIdt, 0x80, 0x4100, 0xEE);
    f.poke(0x4100, {0x83, 0xC0, 0x01, 0xCF});
    f.start_user({0xB8, 0x34, 0x12, 0x00, 0x00, 0xCD, 0x80, 0xCD, 0x81});
    f.run_to_hlt();
    // Stopped in the INT 0x81 handler (ring 0), after a round trip through 0x80.
    CHECK(f.st.cpl == 0);
    CHECK(f.r(reg::EAX) == 0x1235);
    CHECK(f.st.seg[sreg::CS].selector == 0x08);
    CHECK(f.st.seg[sreg::SS].selector == 0x10);
    CHECK(f.r(reg::ESP) == kKernelStack - 20);
    CHECK(f.frame(0) == kUserCode + 9);   // EIP after INT 0x81
    CHECK(f.frame(1) == 0x1B);            // CS, RPL 3
    CHECK((f.frame(2) & flag::IF) != 0);  // EFLAGS of ring 3
    CHECK(f.frame(3) == kUserStack);      // ESP of ring 3, restored by the IRET
    CHECK(f.frame(4) == 0x23);            // SS
    CHECK((f.st.eflags & flag::IF) == 0);  // interrupt gate
    CHECK(f.cpu.stats().privilege_changes >= 4);
}

TEST_CASE("Software interrupts check the gate DPL - exceptions do not", "[cpu][privilege][exceptions]") {
    PmFixture f;
    f.set_gate(kIdt, 0x90, kHandler, 0x8E);  // DPL 0
    f.start_user({0xCD, 0x90});
    f.run_to_hlt();
    CHECK(f.exceptions(13) == 1);
    CHECK(f.frame(0) == 0x90 * 8 + 2);  // error code: IDT entry, EXT = 0
    CHECK(f.frame(1) == kUserCode);
    // A #UD from ring 3 is delivered through vector 6 even with a DPL 0 gate.
    PmFixture g;
    g.set_gate(kIdt, 6, kHandler, 0x8E);
    g.start_user({0x0F, 0x0B});  // ud2
    g.run_to_hlt();
    CHECK(g.exceptions(6) == 1);
    CHECK(g.frame(0) == kUserCode);
}

TEST_CASE("CLI and STI need CPL <= IOPL", "[cpu][privilege]") {
    PmFixture f;
    f.start_user({0xFA});  // cli with IOPL 0
    f.run_to_hlt();
    CHECK(f.exceptions(13) == 1);
    CHECK(f.frame(0) == 0);
    CHECK(f.frame(1) == kUserCode);
    PmFixture g;
    g.start_user({0xFA, 0xCD, 0x81}, 0x3202);  // IOPL 3: allowed
    g.run_to_hlt();
    CHECK(g.exceptions(13) == 0);
    CHECK((g.frame(2) & flag::IF) == 0);
}

TEST_CASE("A call gate switches stacks, copies parameters, and RETF n returns to ring 3", "[cpu][privilege]") {
    PmFixture f;
    // Gate target (ring 0): read the copied parameters and the saved SS:ESP, then retf 8.
    f.poke(kGateTarget, {0x8B, 0x44, 0x24, 0x08, 0x8B, 0x5C, 0x24, 0x0C, 0x8B, 0x4C, 0x24, 0x10, 0x8B, 0x54, 0x24,
                         0x14, 0x66, 0xBE, 0x10, 0x00, 0x8E, 0xDE,  // mov si,0x10 ; mov ds,si (DPL 0 data)
                         0xCA, 0x08, 0x00});
    // push 0x11111111 ; push 0x22222222 ; call 0x3B:0 ; int 0x81
    f.start_user({0x68, 0x11, 0x11, 0x11, 0x11, 0x68, 0x22, 0x22, 0x22, 0x22, 0x9A, 0, 0, 0, 0, 0x3B, 0x00, 0xCD,
                  0x81});
    f.run_to_hlt();
    CHECK(f.r(reg::EAX) == 0x22222222);  // parameters in their original order
    CHECK(f.r(reg::EBX) == 0x11111111);
    CHECK(f.r(reg::ECX) == kUserStack - 8);  // the caller's ESP, saved on the new stack
    CHECK(f.r(reg::EDX) == 0x23);            // and SS
    // Back in ring 3 (then INT 0x81): the RETF released the parameters.
    CHECK(f.frame(0) == kUserCode + 19);
    CHECK(f.frame(1) == 0x1B);
    CHECK(f.frame(3) == kUserStack);
    // DS was loaded with a DPL-0 selector at ring 0: the return to ring 3 nulled it.
    CHECK(f.st.seg[sreg::DS].selector == 0);
    CHECK((f.st.seg[sreg::DS].attr & seg_attr::kUnusable) != 0);
}

TEST_CASE("A far JMP to conforming code keeps the current privilege level", "[cpu][privilege]") {
    PmFixture f;
    f.poke(0x4C00, {0xCD, 0x81});
    f.start_user({0xEA, 0x00, 0x4C, 0x00, 0x00, 0x40, 0x00});  // jmp 0x40:0x4C00
    f.run_to_hlt();
    CHECK(f.exceptions(13) == 0);
    CHECK(f.frame(1) == 0x43);  // CS = conforming selector with RPL 3
    CHECK(f.frame(0) == 0x4C02);
    // A far JMP to non-conforming ring-0 code from ring 3 is #GP(selector).
    PmFixture g;
    g.start_user({0xEA, 0x00, 0x4C, 0x00, 0x00, 0x08, 0x00});
    g.run_to_hlt();
    CHECK(g.exceptions(13) == 1);
    CHECK(g.frame(0) == 0x08);
}

TEST_CASE("Segment loads and accesses raise the right fault and error code", "[cpu][privilege][exceptions]") {
    struct Case {
        const char* what;
        Bytes code;
        unsigned vector;
        u32 error;
    };
    const Case cases[] = {
        {"DPL 0 data from ring 3", seg_load(0x10), 13, 0x10},
        {"not-present data", seg_load(0x4B), 11, 0x48},
        {"selector beyond the GDT limit", seg_load(0x83), 13, 0x80},
        {"system descriptor (TSS) into DS", seg_load(0x2B), 13, 0x28},
        {"execute-only code into DS", seg_load(0x63), 13, 0x60},
        {"null selector into SS", seg_load(0x00, 0xD0), 13, 0},
        {"DPL 0 data into SS from ring 3", seg_load(0x13, 0xD0), 13, 0x10},
        {"LDT selector without an LDT", seg_load(0x0F), 13, 0x0C},  // error code keeps TI
        {"store to read-only data", cat(seg_load(0x53), {0xA3, 0x00, 0x01, 0x00, 0x00}), 13, 0},
        {"expand-down: offset below the limit", cat(seg_load(0x5B), {0xA1, 0x00, 0x08, 0x00, 0x00}), 13, 0},
        {"dword crossing a byte-granular limit", cat(seg_load(0x73), {0xA1, 0xFE, 0x0F, 0x00, 0x00}), 13, 0},
        {"access through a null DS", cat(seg_load(0x00), {0xA1, 0x00, 0x20, 0x00, 0x00}), 13, 0},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        PmFixture f;
        f.start_user(cat(c.code, {0xCD, 0x81}));
        f.run_to_hlt();
        CHECK(f.exceptions(c.vector) == 1);
        CHECK(f.frame(0) == c.error);
    }
    // And the legal counterparts do not fault.
    PmFixture ok;
    // expand-down 0x5B: offset 0x2000 is above the limit (valid); byte-granular 0x73: last dword.
    ok.start_user(cat(cat(seg_load(0x5B), {0xA1, 0x00, 0x20, 0x00, 0x00}),
                      cat(seg_load(0x73), {0xA1, 0xFC, 0x0F, 0x00, 0x00, 0xCD, 0x81})));
    ok.run_to_hlt();
    CHECK(ok.exceptions(13) == 0);
    CHECK(ok.cpu.stats().interrupts[0x81] == 1);
}

TEST_CASE("IN and OUT at CPL > IOPL consult the TSS I/O permission bitmap", "[cpu][privilege][io]") {
    PmFixture f;
    // TSS A with a bitmap covering ports 0-0x3FF: everything denied except 0x80.
    f.poke64(kGdt + 0x28, seg_desc(kTssA, 0x68 + 0x80, 0x89, 0));
    for (u32 i = 0; i < 0x80; ++i) f.poke(kTssA + 0x68 + i, {0xFF});
    f.poke(kTssA + 0x68 + 0x10, {0xFE});  // port 0x80 allowed
    f.start_user({0xE4, 0x80, 0xE4, 0x60});  // in al,0x80 (allowed) ; in al,0x60 (denied)
    f.run_to_hlt();
    CHECK(f.exceptions(13) == 1);
    CHECK(f.frame(1) == kUserCode + 2);
    CHECK(f.bus.stats().io_reads == 1);
    // A word access needs every covered port allowed: 0x7F-0x80 is denied by 0x7F.
    PmFixture g;
    g.poke64(kGdt + 0x28, seg_desc(kTssA, 0x68 + 0x80, 0x89, 0));
    for (u32 i = 0; i < 0x80; ++i) g.poke(kTssA + 0x68 + i, {0xFF});
    g.poke(kTssA + 0x68 + 0x10, {0xFE});
    g.start_user({0x66, 0xE5, 0x7F});
    g.run_to_hlt();
    CHECK(g.exceptions(13) == 1);
    // With IOPL 3 the bitmap is not consulted.
    PmFixture h;
    h.start_user({0xE4, 0x60, 0xCD, 0x81}, 0x3202);
    h.run_to_hlt();
    CHECK(h.exceptions(13) == 0);
}

TEST_CASE("Privileged instructions raise #GP(0) outside ring 0", "[cpu][privilege][exceptions]") {
    const Bytes privileged[] = {
        {0xF4},              // hlt
        {0x0F, 0x20, 0xC0},  // mov eax, cr0
        {0x0F, 0x22, 0xD8},  // mov cr3, eax
        {0x0F, 0x21, 0xF8},  // mov eax, dr7
        {0x0F, 0x06},        // clts
        {0x0F, 0x01, 0x15, 0x00, 0x90, 0x00, 0x00},  // lgdt [0x9000]
        {0x0F, 0x01, 0x3D, 0x00, 0x90, 0x00, 0x00},  // invlpg [0x9000]
        {0x0F, 0x32},        // rdmsr
        {0x0F, 0x09},        // wbinvd
    };
    for (const Bytes& code : privileged) {
        PmFixture f;
        f.start_user(code);
        f.run_to_hlt();
        INFO("opcode " << std::hex << int(code[0]) << (code.size() > 1 ? " " + std::to_string(code[1]) : std::string()));
        CHECK(f.exceptions(13) == 1);
        CHECK(f.frame(0) == 0);
        CHECK(f.frame(1) == kUserCode);
    }
}
