// Single-step and debug-register breakpoints, NMI delivery and blocking, and
// page faults delivered by the CPU (CR2, error code, restart after the fix).
#include "pm_fixture.hpp"

using namespace hm;
using namespace hm::test;

TEST_CASE("TF set by POPF traps after the following instruction with DR6.BS", "[cpu][debug]") {
    PmFixture f;
    // pushfd ; or dword [esp], 0x100 ; popfd ; nop ; nop ; hlt
    f.poke(0x1000, {0x9C, 0x81, 0x0C, 0x24, 0x00, 0x01, 0x00, 0x00, 0x9D, 0x90, 0x90, 0xF4});
    f.st.eip = 0x1000;
    f.run_to_hlt();
    CHECK(f.exceptions(1) == 1);
    CHECK(f.frame(0) == 0x100A);                 // after the first NOP
    CHECK((f.frame(2) & flag::TF) != 0);         // TF in the saved image
    CHECK((f.st.eflags & flag::TF) == 0);        // cleared for the handler
    CHECK((f.st.dr[6] & (1u << 14)) != 0);       // BS
}

TEST_CASE("Single-stepping traps after every instruction, not after a faulting one", "[cpu][debug]") {
    PmFixture f;
    // #DB handler: inc esi ; iretd. Code: set TF, then NOP x4 and UD2 under TF.
    f.set_gate(kIdt, 1, 0x4100, 0x8E);
    f.poke(0x4100, {0x46, 0xCF});
    f.poke(0x1000, {0x9C, 0x81, 0x0C, 0x24, 0x00, 0x01, 0x00, 0x00, 0x9D, 0x90, 0x90, 0x90, 0x90, 0x0F, 0x0B});
    f.st.eip = 0x1000;
    f.r(reg::ESI) = 0;
    f.run_to_hlt();
    CHECK(f.r(reg::ESI) == 4);       // one trap after each NOP
    CHECK(f.exceptions(6) == 1);     // the UD2 faulted: no single-step trap for it
    CHECK(f.frame(0) == 0x100D);
    CHECK(f.exceptions(1) == 4);
}

TEST_CASE("A DR0 execution breakpoint faults before the instruction, RF lets it run", "[cpu][debug]") {
    PmFixture f;
    // mov eax,0x1010 ; mov dr0,eax ; mov eax,1 ; mov dr7,eax ; (0x1010) nop ; hlt
    f.poke(0x1000, {0xB8, 0x10, 0x10, 0x00, 0x00, 0x0F, 0x23, 0xC0, 0xB8, 0x01, 0x00, 0x00, 0x00, 0x0F, 0x23, 0xF8,
                    0x90, 0xF4});
    f.st.eip = 0x1000;
    f.run_to_hlt();
    CHECK(f.exceptions(1) == 1);
    CHECK(f.frame(0) == 0x1010);  // a fault: EIP of the breakpointed instruction
    CHECK((f.frame(2) & flag::RF) == 0);  // the one fault whose image keeps RF clear
    CHECK((f.st.dr[6] & 0xF) == 1);
    // Resume with RF set in the image: the breakpoint does not fire again.
    f.st.dr[7] = 0x400;  // and disarm, so the handler's own HLT is not in the way
    f.st.eip = 0x1010;
    f.st.eflags |= flag::RF;
    f.st.halted = false;
    f.st.dr[7] = 0x401;
    f.cpu.set_instruction_trace(InstructionTrace::Off);  // re-evaluates the slow-path conditions
    f.run_to_hlt();
    CHECK(f.exceptions(1) == 1);
    CHECK(f.st.eip == 0x1012);
}

TEST_CASE("IRETD with RF set in the image steps over an instruction breakpoint once", "[cpu][debug]") {
    PmFixture f;
    // #DB handler: or dword [esp+8], RF ; inc edx ; iretd
    f.poke(0x4100, {0x81, 0x4C, 0x24, 0x08, 0x00, 0x00, 0x01, 0x00, 0x42, 0xCF});
    f.set_gate(kIdt, 1, 0x4100, 0x8E);
    // mov eax,0x1010 ; mov dr0,eax ; mov eax,1 ; mov dr7,eax ;
    // (0x1010) inc ecx ; cmp ecx,2 ; jne 0x1010 ; int3
    f.poke(0x1000, {0xB8, 0x10, 0x10, 0x00, 0x00, 0x0F, 0x23, 0xC0, 0xB8, 0x01, 0x00, 0x00, 0x00, 0x0F, 0x23, 0xF8,
                    0x41, 0x83, 0xF9, 0x02, 0x75, 0xFA, 0xCC});
    f.st.eip = 0x1000;
    f.r(reg::ECX) = 0;
    f.r(reg::EDX) = 0;
    f.run_to_hlt();
    CHECK(f.r(reg::ECX) == 2);  // the loop ran: RF let each INC run after its #DB
    CHECK(f.r(reg::EDX) == 2);  // and the breakpoint fired again on the second pass
    CHECK(f.exceptions(1) == 2);
    CHECK(f.cpu.stats().interrupts[3] == 1);  // INT3 is counted as a software interrupt
    CHECK((f.frame(2) & flag::RF) == 0);  // RF lasted one instruction: the INT3 image has it clear
}

TEST_CASE("Faults push EFLAGS with RF set, traps and interrupts do not", "[cpu][debug][exceptions]") {
    SECTION("#UD, a fault") {
        PmFixture f;
        f.poke(0x1000, {0x0F, 0x0B});  // ud2
        f.st.eip = 0x1000;
        f.run_to_hlt();
        CHECK(f.exceptions(6) == 1);
        CHECK(f.frame(0) == 0x1000);
        CHECK((f.frame(2) & flag::RF) != 0);
        CHECK((f.eflags() & flag::RF) == 0);  // the gate cleared it for the handler
    }
    SECTION("#GP with an error code, a fault") {
        PmFixture f;
        f.poke(0x1000, {0x66, 0xB8, 0x33, 0x00, 0x8E, 0xD8});  // mov ax,0x33 ; mov ds,ax (a TSS)
        f.st.eip = 0x1000;
        f.run_to_hlt();
        CHECK(f.exceptions(13) == 1);
        CHECK(f.frame(0) == 0x30);                   // error code
        CHECK((f.frame(3) & flag::RF) != 0);
    }
    SECTION("INT3, a trap") {
        PmFixture f;
        f.poke(0x1000, {0xCC});
        f.st.eip = 0x1000;
        f.run_to_hlt();
        CHECK(f.cpu.stats().interrupts[3] == 1);  // INT3 is counted as a software interrupt
        CHECK((f.frame(2) & flag::RF) == 0);
    }
}

TEST_CASE("A data write breakpoint traps after the store that touches it", "[cpu][debug]") {
    PmFixture f;
    // mov eax,0x9000 ; mov dr1,eax ; mov eax,0x00D00004 (L1, write, 4 bytes) ; mov dr7,eax ;
    // mov eax,[0x9000] (a read: no trap) ; mov [0x9002],ebx ; nop ; hlt
    f.poke(0x1000, {0xB8, 0x00, 0x90, 0x00, 0x00, 0x0F, 0x23, 0xC8, 0xB8, 0x04, 0x00, 0xD0, 0x00, 0x0F, 0x23, 0xF8,
                    0xA1, 0x00, 0x90, 0x00, 0x00, 0x89, 0x1D, 0x02, 0x90, 0x00, 0x00, 0x90, 0xF4});
    f.st.eip = 0x1000;
    f.r(reg::EBX) = 0xCAFE;
    f.run_to_hlt();
    CHECK(f.exceptions(1) == 1);
    CHECK(f.frame(0) == 0x101B);              // a trap: after the store
    CHECK((f.st.dr[6] & 0xF) == 2);           // B1
    CHECK(f.peek32(0x9002) == 0xCAFE);        // the store happened
}

TEST_CASE("DR7.GD makes the next MOV DRn fault with DR6.BD", "[cpu][debug]") {
    PmFixture f;
    // mov eax,0x2400 ; mov dr7,eax ; mov eax,dr0 ; hlt
    f.poke(0x1000, {0xB8, 0x00, 0x24, 0x00, 0x00, 0x0F, 0x23, 0xF8, 0x0F, 0x21, 0xC0, 0xF4});
    f.st.eip = 0x1000;
    f.run_to_hlt();
    CHECK(f.exceptions(1) == 1);
    CHECK(f.frame(0) == 0x1008);
    CHECK((f.st.dr[6] & (1u << 13)) != 0);
    CHECK((f.st.dr[7] & (1u << 13)) == 0);  // GD cleared so the handler can use the registers
}

TEST_CASE("NMI ignores IF and is blocked until the next IRET", "[cpu][interrupts]") {
    PmFixture f;
    // NMI handler: inc ecx ; hlt ; iretd       main: jmp $
    f.set_gate(kIdt, 2, 0x4100, 0x8E);
    f.poke(0x4100, {0x41, 0xF4, 0xCF});
    f.poke(0x1000, {0xEB, 0xFE});
    f.st.eip = 0x1000;
    f.r(reg::ECX) = 0;
    CHECK(f.run(1000) == StopReason::CycleLimit);
    f.cpu.raise_nmi();
    CHECK(f.run(1000) == StopReason::Halted);  // in the handler's HLT
    CHECK(f.r(reg::ECX) == 1);
    f.cpu.raise_nmi();  // blocked: the first NMI's handler has not returned
    CHECK(f.run(1000) == StopReason::Halted);
    CHECK(f.r(reg::ECX) == 1);
    // Leave the HLT: the IRET unblocks NMIs and the latched one is taken at once.
    f.st.halted = false;
    CHECK(f.run(1000) == StopReason::Halted);
    CHECK(f.r(reg::ECX) == 2);
    CHECK(f.cpu.stats().interrupts[2] == 2);
}

namespace {
// Identity paging for the first 4 MiB, page 0x8000 absent.
void setup_paging(PmFixture& f) {
    identity_paging(f);
    f.poke32(0x11000 + 8 * 4, 0x8000 | 6);  // not present
}
}  // namespace

TEST_CASE("A page fault reports CR2 and the error code, and the instruction restarts", "[cpu][exceptions][paging]") {
    PmFixture f;
    setup_paging(f);
    f.poke32(0x8004, 0x12345678);
    // #PF handler: or dword [0x11020], 1 (make the page present) ; add esp,4 ; iretd
    f.set_gate(kIdt, 14, 0x4100, 0x8E);
    f.poke(0x4100, {0x83, 0x0D, 0x20, 0x10, 0x01, 0x00, 0x01, 0x83, 0xC4, 0x04, 0xCF});
    Bytes code = kPagingOn;
    code.insert(code.end(), {0xA1, 0x04, 0x80, 0x00, 0x00, 0xF4});  // mov eax,[0x8004] ; hlt
    f.poke(0x1000, code);
    f.st.eip = 0x1000;
    f.run_to_hlt();
    CHECK(f.exceptions(14) == 1);
    CHECK(f.st.cr.cr2 == 0x8004);
    CHECK(f.r(reg::EAX) == 0x12345678);  // restarted after the handler fixed the PTE
    CHECK(f.peek32(kKernelStack - 16) == 0);       // error code: not present, read, supervisor
    CHECK(f.peek32(kKernelStack - 12) == 0x1013);  // EIP of the faulting MOV
}

TEST_CASE("A user-mode write to a supervisor page faults with error code 7", "[cpu][exceptions][paging]") {
    PmFixture f;
    setup_paging(f);
    f.poke32(0x11000 + 9 * 4, 0x9000 | 3);  // page 0x9000: present, writable, supervisor only
    // Ring 3: mov ax,0x23 ; mov ds,ax (the IRET to ring 3 nulled DS) ; mov [0x9000],eax
    f.start_user({0x66, 0xB8, 0x23, 0x00, 0x8E, 0xD8, 0xA3, 0x00, 0x90, 0x00, 0x00});
    // Before the ring-0 prologue at 0x1000: turn paging on, then jmp 0x1000.
    Bytes on = kPagingOn;
    on.push_back(0xE9);
    const u32 rel = 0x1000 - (0x0F00 + static_cast<u32>(on.size()) + 4);
    for (int i = 0; i < 4; ++i) on.push_back(static_cast<u8>(rel >> (8 * i)));
    f.poke(0x0F00, on);
    f.st.eip = 0x0F00;
    f.run_to_hlt();
    CHECK(f.exceptions(14) == 1);
    CHECK(f.st.cr.cr2 == 0x9000);
    CHECK(f.frame(0) == 7);  // present | write | user
    CHECK(f.frame(1) == kUserCode + 6);
}

TEST_CASE("An instruction fetch from a missing page faults at the fetch address", "[cpu][exceptions][paging]") {
    PmFixture f;
    setup_paging(f);
    Bytes code = kPagingOn;
    code.insert(code.end(), {0xE9});  // jmp 0x8000
    const u32 rel = 0x8000 - (0x1000 + static_cast<u32>(code.size()) + 4);
    for (int i = 0; i < 4; ++i) code.push_back(static_cast<u8>(rel >> (8 * i)));
    f.poke(0x1000, code);
    f.st.eip = 0x1000;
    f.run_to_hlt();
    CHECK(f.exceptions(14) == 1);
    CHECK(f.st.cr.cr2 == 0x8000);
    CHECK(f.frame(1) == 0x8000);  // EIP = the unreachable target
    CHECK((f.frame(0) & 1) == 0);  // not present
}

TEST_CASE("A page fault while pushing the #GP frame becomes a double fault", "[cpu][exceptions][paging]") {
    PmFixture f;
    setup_paging(f);
    // Kernel stack page (0x7F000) not present: delivering #GP (from a bad MOV DS) faults.
    f.poke32(0x11000 + 0x7F * 4, 0x7F000 | 6);
    f.set_gate(kIdt, 8, 0x4200, 0x8E);
    f.poke(0x4200, {0xF4});
    Bytes code = kPagingOn;
    code.insert(code.end(), {0xBC, 0x00, 0x00, 0x08, 0x00,    // mov esp, 0x80000 (page 0x7F000 below)
                             0x66, 0xB8, 0x33, 0x00, 0x8E, 0xD8});  // mov ax,0x33 ; mov ds,ax -> #GP
    f.poke(0x1000, code);
    f.st.eip = 0x1000;
    // The #DF handler can't push either (same stack): that is a triple fault.
    CHECK(f.run() == StopReason::Shutdown);
    CHECK(f.cpu.shutdown_reason().find("#PF") != std::string::npos);
    CHECK(f.cpu.stats().double_faults == 1);
}
