// The run loop and the machinery around it: the dispatch table, stop reasons,
// exception delivery in real and protected mode, interrupts, triple fault,
// self-modifying code, determinism.
#include "cpu/core.hpp"
#include "cpu_fixture.hpp"

using namespace hm;
using namespace hm::test;

TEST_CASE("The dispatch table builds without duplicate claims", "[cpu][decode]") {
    const cpu::DispatchTable& t = cpu::dispatch_table();
    // 256 + 256 opcodes x 8 ModRM.reg values; prefixes and gaps stay unclaimed.
    CHECK(t.claimed_cells() > 2000);
    CHECK(t.claimed_cells() < 512 * 8);
    CHECK(t.entry(0x00, 0).def != nullptr);
    CHECK(t.entry(0x0F, 0).def == nullptr);        // the 0F escape itself is no instruction
    CHECK(t.entry(0x26, 0).def == nullptr);        // a prefix
    CHECK(t.entry(cpu::k0F | 0xFF, 0).def == nullptr);  // unclaimed: #UD
    CHECK(t.has_modrm(0x01));
    CHECK_FALSE(t.has_modrm(0x90));
}

TEST_CASE("HLT stops the run with Halted and EIP after the HLT", "[cpu]") {
    CpuFixture f;
    f.flat32(0x1000, {0x90, 0x90, 0xF4});
    f.run_to_hlt();
    CHECK(f.st.eip == 0x1003);
    CHECK(f.st.instructions == 3);
    CHECK(f.st.halted);
}

TEST_CASE("The cycle deadline stops an endless loop", "[cpu]") {
    CpuFixture f;
    f.flat32(0x1000, {0xEB, 0xFE});  // jmp $
    const u64 start = f.st.cycles;
    CHECK(f.run(1000) == StopReason::CycleLimit);
    CHECK(f.st.cycles >= start + 1000);
    CHECK(f.st.cycles < start + 1000 + 10);  // checked at block boundaries: overshoot < one block
    CHECK(f.st.eip == 0x1000);
}

TEST_CASE("An unclaimed opcode raises #UD through the real-mode IVT", "[cpu][exceptions]") {
    CpuFixture f;
    // 0F FF is not an instruction. Handler for vector 6 at 0000:0500: hlt.
    f.real16(0x0100, 0x0010, {0x90, 0x0F, 0xFF});
    f.poke(0x500, {0xF4});
    f.poke16(6 * 4, 0x0500);
    f.poke16(6 * 4 + 2, 0x0000);
    f.run_to_hlt();
    CHECK(f.st.seg[sreg::CS].selector == 0);
    CHECK(f.st.eip == 0x501);
    // Pushed frame: IP of the faulting instruction, CS, FLAGS.
    CHECK(f.r(reg::ESP) == 0x8000 - 6);
    CHECK(f.peek16(0x8000 - 6) == 0x0011);
    CHECK(f.peek16(0x8000 - 4) == 0x0100);
    CHECK((f.peek16(0x8000 - 2) & 0x0002) == 0x0002);
    CHECK(f.cpu.stats().exceptions[6] == 1);
    // The NOP retired, the faulting instruction did not.
    CHECK(f.st.instructions == 2);  // nop + the handler's hlt
}

TEST_CASE("DIV by zero raises #DE with the faulting IP and no register change", "[cpu][exceptions]") {
    CpuFixture f;
    // mov ax,10 ; mov bl,0 ; div bl ; hlt
    f.real16(0, 0x7C00, {0xB8, 0x0A, 0x00, 0xB3, 0x00, 0xF6, 0xF3, 0xF4});
    f.poke(0x600, {0xF4});
    f.poke32(0, 0x00000600);
    f.run_to_hlt();
    CHECK(f.st.eip == 0x601);
    CHECK(f.peek16(0x8000 - 6) == 0x7C05);
    CHECK((f.r(reg::EAX) & 0xFFFF) == 10);
}

TEST_CASE("Protected-mode #GP pushes the selector error code through an interrupt gate", "[cpu][exceptions]") {
    CpuFixture f;
    // mov ax,0x33 ; mov ds,ax ; hlt   -- 0x33 is beyond the GDT limit: #GP(0x30)
    f.flat32(0x1000, {0x66, 0xB8, 0x33, 0x00, 0x8E, 0xD8, 0xF4});
    f.install_gdt_idt(0x2000, 0x3000, 0x4000);
    f.poke(0x4000, {0xF4});
    f.st.eflags |= flag::IF;
    f.run_to_hlt();
    CHECK(f.st.eip == 0x4001);
    const u32 sp = f.r(reg::ESP);
    CHECK(sp == 0x90000 - 16);
    CHECK(f.peek32(sp) == 0x30);                    // error code
    CHECK(f.peek32(sp + 4) == 0x1004);              // EIP of mov ds,ax
    CHECK(f.peek32(sp + 8) == 0x08);                // CS
    CHECK((f.peek32(sp + 12) & flag::IF) != 0);     // EFLAGS as before
    CHECK((f.st.eflags & flag::IF) == 0);           // an interrupt gate clears IF
    CHECK(f.st.seg[sreg::DS].selector == 0x10);     // DS unchanged
}

TEST_CASE("A fault while delivering #GP becomes #DF - a fault delivering #DF shuts down", "[cpu][exceptions]") {
    CpuFixture f;
    f.flat32(0x1000, {0x66, 0xB8, 0x33, 0x00, 0x8E, 0xD8, 0xF4});
    f.install_gdt_idt(0x2000, 0x3000, 0x4000);
    // Gate 13 not present: delivering #GP raises #NP (contributory) -> #DF.
    f.poke64(0x3000 + 13 * 8, 0);
    f.poke(0x4000, {0xF4});
    f.run_to_hlt();
    CHECK(f.cpu.stats().double_faults == 1);
    CHECK(f.peek32(f.r(reg::ESP)) == 0);  // #DF error code is 0
    CHECK(f.cpu.stats().exceptions[8] == 1);

    // Now the #DF gate is missing too: triple fault.
    CpuFixture g;
    g.flat32(0x1000, {0x66, 0xB8, 0x33, 0x00, 0x8E, 0xD8, 0xF4});
    g.install_gdt_idt(0x2000, 0x3000, 0x4000);
    g.poke64(0x3000 + 13 * 8, 0);
    g.poke64(0x3000 + 8 * 8, 0);
    CHECK(g.run() == StopReason::Shutdown);
    CHECK(g.cpu.shutdown_reason().find("triple fault") != std::string::npos);
    CHECK(g.cpu.shutdown_reason().find("#DF") != std::string::npos);
    CHECK(g.run() == StopReason::Shutdown);  // stays shut down
    CHECK(g.cpu.dump_state().find("EIP=00001004") != std::string::npos);
}

namespace {
struct PicStub : InterruptController {
    u8 vector = 0x20;
    int acks = 0;
    u8 acknowledge() override {
        ++acks;
        return vector;
    }
};
}  // namespace

TEST_CASE("HLT with IF=1 wakes on INTR and delivers the PIC's vector", "[cpu][interrupts]") {
    CpuFixture f;
    // sti ; hlt ; hlt
    f.flat32(0x1000, {0xFB, 0xF4, 0xF4});
    f.install_gdt_idt(0x2000, 0x3000, 0x4000);
    f.poke(0x4000, {0xF4});
    PicStub pic;
    f.cpu.set_interrupt_controller(&pic);
    CHECK(f.run() == StopReason::Halted);
    CHECK(f.st.eip == 0x1002);
    CHECK(f.run() == StopReason::Halted);  // nothing pending: still halted
    CHECK(pic.acks == 0);
    f.cpu.set_intr(true);
    CHECK(f.run() == StopReason::Halted);  // now in the handler's HLT
    f.cpu.set_intr(false);
    CHECK(pic.acks == 1);
    CHECK(f.st.eip == 0x4001);
    CHECK(f.peek32(f.r(reg::ESP)) == 0x1002);  // return to the instruction after HLT
    CHECK(f.cpu.stats().interrupts[0x20] == 1);
}

TEST_CASE("STI delays interrupts by one instruction", "[cpu][interrupts]") {
    CpuFixture f;
    // sti ; inc eax ; inc eax ; hlt
    f.flat32(0x1000, {0xFB, 0x40, 0x40, 0xF4});
    f.install_gdt_idt(0x2000, 0x3000, 0x4000);
    f.poke(0x4000, {0xF4});
    PicStub pic;
    f.cpu.set_interrupt_controller(&pic);
    f.cpu.set_intr(true);
    f.run_to_hlt();
    CHECK(f.st.eip == 0x4001);
    CHECK(f.r(reg::EAX) == 1);                  // exactly one instruction after STI ran
    CHECK(f.peek32(f.r(reg::ESP)) == 0x1002);   // interrupted before the second INC
}

TEST_CASE("A store into the next instruction of the running block takes effect", "[cpu][smc]") {
    CpuFixture f;
    // mov byte [0x100007], 0x40 ; nop ; hlt    -> the nop becomes inc eax
    f.flat32(0x100000, {0xC6, 0x05, 0x07, 0x00, 0x10, 0x00, 0x40, 0x90, 0xF4});
    f.run_to_hlt();
    CHECK(f.r(reg::EAX) == 1);
    CHECK(f.cpu.stats().blocks_invalidated >= 1);
    CHECK(f.st.instructions == 3);
}

TEST_CASE("Code rewritten between runs is decoded again - data writes nearby are harmless", "[cpu][smc]") {
    CpuFixture f;
    // loop: inc eax ; mov [0x5800], eax ; hlt      (data on the same page, far from the code)
    f.flat32(0x5000, {0x40, 0xA3, 0x00, 0x58, 0x00, 0x00, 0xF4});
    f.run_to_hlt();
    CHECK(f.r(reg::EAX) == 1);
    const u64 killed = f.cpu.stats().blocks_invalidated;
    CHECK(killed == 0);  // the store hit another line of the page: nothing invalidated
    // The guest rewrites its first instruction (dec eax) through a store.
    f.poke(0x6000, {0xC6, 0x05, 0x00, 0x50, 0x00, 0x00, 0x48, 0xE9, 0xF4, 0xEF, 0xFF, 0xFF});  // mov byte [0x5000],0x48; jmp 0x5000
    f.st.eip = 0x6000;
    f.st.halted = false;
    f.run_to_hlt();
    CHECK(f.r(reg::EAX) == 0);
    CHECK(f.cpu.stats().blocks_invalidated > killed);
}

TEST_CASE("Instructions that straddle a page boundary execute", "[cpu]") {
    CpuFixture f;
    // mov eax, 0x12345678 starting 2 bytes before a page end, then hlt.
    f.flat32(0x1FFE, {0xB8, 0x78, 0x56, 0x34, 0x12, 0xF4});
    f.run_to_hlt();
    CHECK(f.r(reg::EAX) == 0x12345678);
}

TEST_CASE("Multiboot state: flat 32-bit protected mode, paging and interrupts off", "[cpu]") {
    CpuFixture f;
    f.cpu.enter_multiboot_state(0x100000, 0x2BADB002, 0x9000);
    CHECK(f.st.eip == 0x100000);
    CHECK(f.r(reg::EAX) == 0x2BADB002);
    CHECK(f.r(reg::EBX) == 0x9000);
    CHECK((f.st.cr.cr0 & cr0::kPE) != 0);
    CHECK((f.st.cr.cr0 & cr0::kPG) == 0);
    CHECK((f.eflags() & (flag::IF | flag::VM)) == 0);
    CHECK(f.st.seg[sreg::CS].limit == 0xFFFFFFFF);
    CHECK((f.st.seg[sreg::CS].attr & seg_attr::kDB) != 0);
    CHECK(f.st.seg[sreg::DS].base == 0);
}

TEST_CASE("Reset puts the CPU at F000:FFF0 in real mode", "[cpu]") {
    CpuFixture f;
    f.cpu.reset();
    CHECK(f.st.seg[sreg::CS].selector == 0xF000);
    CHECK(f.st.seg[sreg::CS].base == 0xFFFF0000);
    CHECK(f.st.eip == 0xFFF0);
    CHECK(f.st.cr.cr0 == 0x60000010);
    CHECK(f.eflags() == 0x2);
}

namespace {
struct BrokenDevice : IoDevice {
    u32 io_read(u16, unsigned) override { throw std::logic_error("device model bug"); }
    void io_write(u16, u32, unsigned) override {}
};
}  // namespace

TEST_CASE("Host-side errors escape run() instead of being taken for guest faults", "[cpu]") {
    CpuFixture f;
    BrokenDevice dev;
    f.bus.attach_io(0x80, 1, dev, "broken");
    f.flat32(0x1000, {0x90, 0xE4, 0x80, 0xF4});  // nop ; in al, 0x80 ; hlt
    CHECK_THROWS_AS(f.run(), std::logic_error);
    CHECK(f.st.eip == 0x1001);  // EIP still on the IN
    CHECK(f.cpu.stats().exceptions[13] == 0);
}

TEST_CASE("A rewritten block reached through the same-page successor cache is decoded again", "[cpu][smc]") {
    CpuFixture f;
    // 1000: mov ecx,3 ; 1005: call 1020 ; mov byte [1020],0x47 ; dec ecx ; jnz 1005 ; hlt
    // 1020: inc esi ; ret          (rewritten to inc edi after the first call)
    f.flat32(0x1000, {0xB9, 0x03, 0x00, 0x00, 0x00, 0xE8, 0x16, 0x00, 0x00, 0x00, 0xC6, 0x05, 0x20, 0x10, 0x00, 0x00,
                      0x47, 0x49, 0x75, 0xF1, 0xF4});
    f.poke(0x1020, {0x46, 0xC3});
    f.r(reg::ESI) = 0;
    f.r(reg::EDI) = 0;
    f.run_to_hlt();
    CHECK(f.r(reg::ESI) == 1);
    CHECK(f.r(reg::EDI) == 2);
    CHECK(f.st.eip == 0x1015);
}

TEST_CASE("Debugger breakpoints stop before the instruction and resume past it", "[cpu][debug]") {
    CpuFixture f;
    // 1000: inc eax ; inc eax ; inc eax ; jmp 1000   (one block)
    f.flat32(0x1000, {0x40, 0x40, 0x40, 0xEB, 0xFB});
    f.r(reg::EAX) = 0;
    f.cpu.set_breakpoints({0x1002});
    CHECK(f.run() == StopReason::Breakpoint);
    CHECK(f.st.eip == 0x1002);
    CHECK(f.r(reg::EAX) == 2);
    CHECK(f.run() == StopReason::Breakpoint);  // once round the loop
    CHECK(f.st.eip == 0x1002);
    CHECK(f.r(reg::EAX) == 5);
    f.cpu.set_breakpoints({});
    CHECK(f.run(100) == StopReason::CycleLimit);
    CHECK(f.r(reg::EAX) > 5);
}

// flush_all empties a cache of a few blocks by clearing only their hash
// buckets, and a large one by sweeping every bucket (block_cache.cpp): after
// either, no block decoded before is found again.
TEST_CASE("A flush of the decode cache forgets every block, few or thousands", "[cpu][smc]") {
    CpuFixture f;
    const unsigned blocks = GENERATE(1u, 40u, 5000u);
    // `blocks` blocks of  inc eax ; jmp $+2  (the jump ends each block), then HLT.
    Bytes code;
    for (unsigned i = 0; i < blocks; ++i) code.insert(code.end(), {0x40, 0xEB, 0x00});
    code.push_back(0xF4);
    f.flat32(0x100000, code);
    f.run_to_hlt();
    REQUIRE(f.r(reg::EAX) == blocks);
    REQUIRE(f.cpu.stats().blocks_built >= blocks);

    // The host rewrites the first and the last block behind the cache's back
    // (no invalidation): inc eax becomes inc ecx. The cache still runs the old code...
    const u8 inc_ecx = 0x41;
    f.bus.write_bytes(PhysAddr{0x100000}, &inc_ecx, 1);
    f.bus.write_bytes(PhysAddr{0x100000 + 3 * (blocks - 1)}, &inc_ecx, 1);
    auto rerun = [&] {
        f.r(reg::EAX) = f.r(reg::ECX) = 0;
        f.st.eip = 0x100000;
        f.st.halted = false;
        f.run_to_hlt();
    };
    rerun();
    REQUIRE(f.r(reg::EAX) == blocks);
    // ...until the cache is flushed (restoring the latches does, as a snapshot load).
    f.cpu.restore_latches(f.cpu.latches());
    rerun();
    CHECK(f.r(reg::ECX) == (blocks == 1 ? 1u : 2u));
    CHECK(f.r(reg::EAX) == blocks - f.r(reg::ECX));
}
