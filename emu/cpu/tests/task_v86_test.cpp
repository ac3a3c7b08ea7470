// Hardware task switches (JMP to a TSS, CALL through a task gate and IRET back,
// #DF through a task gate as Linux-style kernels set it up) and virtual-8086
// mode (entry by IRET, interrupts to ring 0 and back, IOPL-sensitive
// instructions).
#include "pm_fixture.hpp"

using namespace hm;
using namespace hm::test;

namespace {

constexpr u32 kTaskBCode = 0x6000, kTaskBStack = 0x70000;

// TSS B: a flat ring-0 task starting at kTaskBCode.
void init_task_b(PmFixture& f) {
    f.poke32(kTssB + 32, kTaskBCode);   // EIP
    f.poke32(kTssB + 36, 0x2);          // EFLAGS
    f.poke32(kTssB + 56, kTaskBStack);  // ESP
    const u16 sel[6] = {0x10, 0x08, 0x10, 0x10, 0x10, 0x10};  // ES CS SS DS FS GS
    for (int i = 0; i < 6; ++i) f.poke16(kTssB + 72 + 4 * i, sel[i]);
}

u8 access_byte(PmFixture& f, u16 sel) { return f.peek8(kGdt + sel + 5); }

const Bytes kLtrA = {0x66, 0xB8, 0x28, 0x00, 0x0F, 0x00, 0xD8};  // mov ax,0x28 ; ltr ax

Bytes cat(Bytes a, const Bytes& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

}  // namespace

TEST_CASE("JMP to a TSS saves the old task, loads the new one and moves the busy bit", "[cpu][task]") {
    PmFixture f;
    init_task_b(f);
    f.poke(kTaskBCode, {0xBB, 0xBB, 0xBB, 0x00, 0x00, 0xF4});  // mov ebx, 0xBBBB ; hlt
    // ltr ; mov eax, 0xAAAA ; jmp 0x30:0
    f.poke(0x1000, cat(kLtrA, {0xB8, 0xAA, 0xAA, 0x00, 0x00, 0xEA, 0, 0, 0, 0, 0x30, 0x00}));
    f.st.eip = 0x1000;
    f.r(reg::EAX) = 0;
    f.r(reg::EBX) = 0;
    f.run_to_hlt();
    CHECK(f.st.tr.selector == 0x30);
    CHECK(f.st.eip == kTaskBCode + 6);
    CHECK(f.r(reg::EBX) == 0xBBBB);
    CHECK(f.r(reg::EAX) == 0);                  // from TSS B
    CHECK(f.r(reg::ESP) == kTaskBStack);
    CHECK(f.peek32(kTssA + 32) == 0x1013);      // old task: EIP after the JMP
    CHECK(f.peek32(kTssA + 40) == 0xAAAA);      // old task: EAX
    CHECK(f.peek32(kTssA + 56) == kKernelStack);
    CHECK(access_byte(f, 0x28) == 0x89);        // old TSS available again (JMP)
    CHECK(access_byte(f, 0x30) == 0x8B);        // new TSS busy
    CHECK((f.st.cr.cr0 & cr0::kTS) != 0);
    CHECK((f.st.eflags & flag::NT) == 0);
    CHECK(f.cpu.stats().task_switches == 1);
    CHECK(f.exceptions(1) == 0);  // T bit clear: no debug trap
}

TEST_CASE("A task switch into a TSS with the T bit set raises #DB (DR6.BT) before its first instruction",
          "[cpu][task][debug]") {
    PmFixture f;
    init_task_b(f);
    f.poke16(kTssB + 100, 1);                                    // T
    f.poke(kTaskBCode, {0xBB, 0xBB, 0xBB, 0x00, 0x00, 0xF4});  // mov ebx, 0xBBBB ; hlt
    f.poke(0x1000, cat(kLtrA, {0xEA, 0, 0, 0, 0, 0x30, 0x00}));  // ltr ; jmp 0x30:0
    f.st.eip = 0x1000;
    f.r(reg::EBX) = 0;
    f.run_to_hlt();
    CHECK(f.st.tr.selector == 0x30);         // the trap is taken in the new task
    CHECK(f.exceptions(1) == 1);
    CHECK((f.st.dr[6] & (1u << 15)) != 0);   // BT
    CHECK((f.st.dr[6] & (1u << 14)) == 0);   // not a single step
    CHECK(f.st.eip == kHandler + 1);
    CHECK(f.frame(0) == kTaskBCode);         // a trap before the first instruction
    CHECK(f.r(reg::ESP) == kTaskBStack - 12);
    CHECK(f.r(reg::EBX) == 0);               // which has not run
}

TEST_CASE("CALL through a task gate nests the task - IRET returns to the caller", "[cpu][task]") {
    PmFixture f;
    init_task_b(f);
    // Task B: mov ebx,0xBBBB ; pushfd ; pop ecx ; iretd
    f.poke(kTaskBCode, {0xBB, 0xBB, 0xBB, 0x00, 0x00, 0x9C, 0x59, 0xCF});
    // ltr ; call 0x68:0 (task gate -> TSS B) ; hlt
    f.poke(0x1000, cat(kLtrA, {0x9A, 0, 0, 0, 0, 0x68, 0x00, 0xF4}));
    f.st.eip = 0x1000;
    f.r(reg::EBX) = 0x1111;
    f.run_to_hlt();
    CHECK(f.st.tr.selector == 0x28);
    CHECK(f.st.eip == 0x100F);              // after the HLT that follows the CALL
    CHECK(f.r(reg::EBX) == 0x1111);         // task A's registers came back from TSS A
    CHECK(f.peek16(kTssB + 0) == 0x28);     // back link
    CHECK(f.peek32(kTssB + 52) == 0xBBBB);  // B's EBX saved by the IRET switch
    CHECK((f.peek32(kTssB + 44) & flag::NT) != 0);  // B ran nested (ECX = its EFLAGS)
    CHECK((f.peek32(kTssB + 36) & flag::NT) == 0);  // the IRET cleared NT in B's saved image
    CHECK(access_byte(f, 0x30) == 0x89);    // B available after the IRET
    CHECK(access_byte(f, 0x28) == 0x8B);    // A still busy
    CHECK((f.st.eflags & flag::NT) == 0);
    CHECK(f.cpu.stats().task_switches == 2);
}

TEST_CASE("A double fault through a task gate runs the #DF task on its own stack", "[cpu][task][exceptions]") {
    PmFixture f;
    init_task_b(f);
    f.poke(kTaskBCode, {0xF4});
    f.set_gate(kIdt, 8, 0, 0x85, 0x30);   // vector 8: task gate -> TSS B
    f.poke64(kIdt + 13 * 8, 0);           // #GP gate missing: #GP -> #NP -> #DF
    // ltr ; mov ax, 0x33 ; mov ds, ax    (0x30 is a TSS: #GP(0x30))
    f.poke(0x1000, cat(kLtrA, {0x66, 0xB8, 0x33, 0x00, 0x8E, 0xD8, 0xF4}));
    f.st.eip = 0x1000;
    f.run_to_hlt();
    CHECK(f.st.tr.selector == 0x30);
    CHECK(f.st.eip == kTaskBCode + 1);
    CHECK(f.r(reg::ESP) == kTaskBStack - 4);
    CHECK(f.peek32(kTaskBStack - 4) == 0);   // #DF error code on the new task's stack
    CHECK(f.peek16(kTssB) == 0x28);          // nested: back link to the faulting task
    CHECK((f.st.eflags & flag::NT) != 0);
    CHECK(f.peek32(kTssA + 32) == 0x100B);   // the faulting MOV DS
    CHECK(f.cpu.stats().double_faults == 1);
    CHECK(f.cpu.stats().task_switches == 1);
}

TEST_CASE("A task switch to a busy TSS or through a bad TSS descriptor faults", "[cpu][task][exceptions]") {
    PmFixture f;
    init_task_b(f);
    f.poke(0x1000, cat(kLtrA, {0xEA, 0, 0, 0, 0, 0x28, 0x00}));  // jmp to our own (busy) TSS
    f.st.eip = 0x1000;
    f.run_to_hlt();
    CHECK(f.exceptions(13) == 1);
    CHECK(f.frame(0) == 0x28);
    PmFixture g;
    init_task_b(g);
    g.poke64(kGdt + 0x30, seg_desc(kTssB, 0x20, 0x89, 0));  // limit below 0x67
    g.poke(0x1000, cat(kLtrA, {0xEA, 0, 0, 0, 0, 0x30, 0x00}));
    g.st.eip = 0x1000;
    g.run_to_hlt();
    CHECK(g.exceptions(10) == 1);
    CHECK(g.frame(0) == 0x30);
    CHECK(g.st.tr.selector == 0x28);  // nothing switched
}

namespace {
// Ring 0: ltr, then IRET into virtual-8086 mode at 2000:0100 with SS:SP 2000:0800,
// DS 3000, ES 4000 and the given EFLAGS (VM must be set).
void enter_v86(PmFixture& f, const Bytes& code16, u32 eflags) {
    f.poke(0x20100, code16);
    Bytes pro = cat(kLtrA, {0x6A, 0x00, 0x6A, 0x00, 0x68, 0x00, 0x30, 0x00, 0x00, 0x68, 0x00, 0x40, 0x00, 0x00,
                            0x68, 0x00, 0x20, 0x00, 0x00, 0x68, 0x00, 0x08, 0x00, 0x00, 0x68});
    for (int i = 0; i < 4; ++i) pro.push_back(static_cast<u8>(eflags >> (8 * i)));
    pro.insert(pro.end(), {0x68, 0x00, 0x20, 0x00, 0x00, 0x68, 0x00, 0x01, 0x00, 0x00, 0xCF});
    f.poke(0x1000, pro);
    f.st.eip = 0x1000;
}
}  // namespace

TEST_CASE("Virtual-8086 mode: real-mode addressing, INT to ring 0 with the v86 frame, IRET back", "[cpu][v86]") {
    PmFixture f;
    // v86: mov ax,0x1234 ; int 0x21 ; inc ax ; cli ; int 0x22
    enter_v86(f, {0xB8, 0x34, 0x12, 0xCD, 0x21, 0x40, 0xFA, 0xCD, 0x22}, 0x23202);
    f.set_gate(kIdt, 0x21, 0x4100, 0xEE);
    f.poke(0x4100, {0xCF});  // iretd straight back
    f.run_to_hlt();
    // In the INT 0x22 handler, ring 0.
    CHECK(f.st.cpl == 0);
    CHECK((f.st.eflags & flag::VM) == 0);
    CHECK((f.r(reg::EAX) & 0xFFFF) == 0x1235);
    CHECK(f.r(reg::ESP) == kKernelStack - 36);
    CHECK(f.frame(0) == 0x109);                     // IP after INT 0x22
    CHECK(f.frame(1) == 0x2000);                    // CS
    CHECK((f.frame(2) & flag::VM) != 0);            // EFLAGS
    CHECK((f.frame(2) & flag::IF) == 0);            // the CLI (IOPL 3) took effect
    CHECK(f.frame(3) == 0x800);                     // SP
    CHECK(f.frame(4) == 0x2000);                    // SS
    CHECK(f.frame(5) == 0x4000);                    // ES
    CHECK(f.frame(6) == 0x3000);                    // DS
    CHECK(f.frame(7) == 0);                         // FS
    CHECK(f.frame(8) == 0);                         // GS
    CHECK((f.st.seg[sreg::DS].attr & seg_attr::kUnusable) != 0);  // data segments nulled
    CHECK(f.cpu.stats().interrupts[0x21] == 1);
}

TEST_CASE("Virtual-8086 mode with IOPL < 3: CLI, PUSHF and INT n raise #GP(0)", "[cpu][v86][exceptions]") {
    for (const Bytes& code : {Bytes{0xFA}, Bytes{0x9C}, Bytes{0xCD, 0x21}}) {
        PmFixture f;
        enter_v86(f, code, 0x20202);
        f.run_to_hlt();
        CHECK(f.exceptions(13) == 1);
        CHECK(f.frame(0) == 0);        // error code
        CHECK(f.frame(1) == 0x100);    // IP of the faulting instruction
        CHECK(f.frame(2) == 0x2000);   // CS
        CHECK(f.st.cpl == 0);
    }
}

TEST_CASE("Virtual-8086 I/O goes through the TSS bitmap whatever IOPL says", "[cpu][v86][io]") {
    PmFixture f;
    f.poke64(kGdt + 0x28, seg_desc(kTssA, 0x68 + 0x80, 0x89, 0));
    for (u32 i = 0; i < 0x80; ++i) f.poke(kTssA + 0x68 + i, {0xFF});
    f.poke(kTssA + 0x68 + 0x10, {0xFE});                    // port 0x80 allowed
    enter_v86(f, {0xE4, 0x80, 0xE4, 0x60}, 0x23202);       // IOPL 3 still uses the bitmap
    f.run_to_hlt();
    CHECK(f.exceptions(13) == 1);
    CHECK(f.frame(1) == 0x102);
}
