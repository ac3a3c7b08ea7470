// The timing rules of docs/cpu.md ("Timing rules"): deadlines stop the CPU at the
// first instruction boundary that reaches them whatever the block size, and block
// execution, single-stepping (instruction tracing) and being stopped often give
// the same cycles, instruction counts, RDTSC values and REP costs.
#include <catch2/catch.hpp>

#include "cpu_fixture.hpp"

using namespace hm;
using namespace hm::test;

namespace {

constexpr u32 kCode = 0x10000;

// A fixture that runs one instruction at a time (as under --trace insn).
struct SteppedFixture : CpuFixture {
    SteppedFixture() { cpu.set_instruction_trace(InstructionTrace::On); }
};

Bytes incs_then_hlt(unsigned n) {
    Bytes b(n, 0x40);  // inc eax
    b.push_back(0xF4);  // hlt
    return b;
}

}  // namespace

TEST_CASE("A deadline inside a block stops at the first boundary that reaches it", "[cpu][timing]") {
    const Bytes code = incs_then_hlt(40);  // one block of 40 INCs (and the HLT)
    for (u64 d = 1; d <= 45; ++d) {
        CpuFixture blocks;
        SteppedFixture steps;
        blocks.flat32(kCode, code);
        steps.flat32(kCode, code);
        INFO("deadline " << d);
        const StopReason rb = blocks.cpu.run(d);
        const StopReason rs = steps.cpu.run(d);
        CHECK(rb == rs);
        CHECK(blocks.st.cycles == steps.st.cycles);
        CHECK(blocks.st.instructions == steps.st.instructions);
        CHECK(blocks.r(reg::EAX) == steps.r(reg::EAX));
        if (rb == StopReason::CycleLimit && d <= 40) {
            // Among the INCs (1 cycle each): reached, and the instruction before
            // had not reached it yet. (Past them, the HLT has run too.)
            CHECK(blocks.st.cycles >= d);
            const u64 before = blocks.st.cycles - (blocks.st.cycles / blocks.st.instructions);
            CHECK(before < d);
            CHECK(blocks.r(reg::EAX) == blocks.st.instructions);
        }
    }
}

TEST_CASE("REP costs do not depend on how often the loop was interrupted", "[cpu][timing][string]") {
    // cld; mov edi, 0x100000; mov ecx, 10000; rep stosb; hlt
    const Bytes code = {0xFC, 0xBF, 0x00, 0x00, 0x10, 0x00, 0xB9, 0x10, 0x27, 0x00, 0x00, 0xF3, 0xAA, 0xF4};
    CpuFixture whole;
    whole.flat32(kCode, code);
    whole.run_to_hlt();

    CpuFixture sliced;  // stopped every 7 cycles: iteration boundaries are stop points
    sliced.flat32(kCode, code);
    unsigned stops = 0;
    while (sliced.cpu.run(sliced.st.cycles + 7) == StopReason::CycleLimit) ++stops;
    CHECK(stops > 1000);

    SteppedFixture stepped;
    stepped.flat32(kCode, code);
    stepped.run_to_hlt();

    for (CpuFixture* f : {static_cast<CpuFixture*>(&sliced), static_cast<CpuFixture*>(&stepped)}) {
        CHECK(f->st.cycles == whole.st.cycles);
        CHECK(f->st.instructions == whole.st.instructions);
        CHECK(f->r(reg::ECX) == 0);
        CHECK(f->r(reg::EDI) == 0x100000 + 10000);
    }
    CHECK(whole.st.instructions == 5);  // CLD, 2 MOVs, REP STOSB (once), HLT
}

TEST_CASE("RDTSC reads the same count in a block and single-stepped", "[cpu][timing]") {
    // nop; inc eax; nop; rdtsc; hlt
    const Bytes code = {0x90, 0x40, 0x90, 0x0F, 0x31, 0xF4};
    CpuFixture blocks;
    SteppedFixture steps;
    blocks.flat32(kCode, code);
    steps.flat32(kCode, code);
    blocks.run_to_hlt();
    steps.run_to_hlt();
    CHECK(blocks.r(reg::EAX) == steps.r(reg::EAX));
    CHECK(blocks.r(reg::EDX) == steps.r(reg::EDX));
    CHECK(blocks.st.cycles == steps.st.cycles);
}

TEST_CASE("An instruction stop lands exactly on its count, inside a block", "[cpu][timing]") {
    const Bytes code = incs_then_hlt(40);
    for (u64 n : {1u, 7u, 39u, 40u}) {
        CpuFixture f;
        f.flat32(kCode, code);
        f.cpu.set_instruction_stop(n);
        CHECK(f.cpu.run(1'000'000) == StopReason::CycleLimit);
        CHECK(f.st.instructions == n);
        CHECK(f.r(reg::EAX) == n);
        f.cpu.set_instruction_stop(~u64{0});
        f.run_to_hlt();
        CHECK(f.r(reg::EAX) == 40);
    }
}
