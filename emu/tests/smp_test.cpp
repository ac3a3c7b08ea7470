// -smp N on the machine with hand-assembled programs: APs wait for a SIPI and
// start in real mode at vector << 12; the scheduler keeps every CPU within a
// quantum of the others, reports a hang only when no CPU can go on, and is
// deterministic; code one CPU writes reaches another CPU's decode cache.
// (The full start-up guest, also run on QEMU, is guest-tests/smp.)
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "debug/trace_reader.hpp"
#include "debug/trace_writer.hpp"
#include "machine.hpp"

using namespace hm;

namespace {

constexpr u32 kBspCode = 0x100000;
constexpr u32 kApCode = 0x9000;  // SIPI vector 0x09

// 32-bit code for the BSP, with the few encodings the tests need.
struct Code {
    std::vector<u8> b;
    u32 at(size_t i) const { return kBspCode + static_cast<u32>(i); }
    void bytes(std::initializer_list<u8> l) { b.insert(b.end(), l); }
    void u32_(u32 v) {
        for (int i = 0; i < 4; ++i) b.push_back(static_cast<u8>(v >> (8 * i)));
    }
    void icr(u32 low) {  // mov dword [0xFEE00300], low  (ICR high left 0)
        bytes({0xC7, 0x05, 0x00, 0x03, 0xE0, 0xFE});
        u32_(low);
    }
    void start_aps() {
        icr(0x000C4500);                 // INIT to all excluding self
        icr(0x000C4600 | (kApCode >> 12));  // SIPI
    }
    void call(u32 target) {
        bytes({0xE8});
        u32_(target - at(b.size() + 4));
    }
    void wait_byte(u32 addr, u8 value) {  // cmp byte [addr], value; jne back
        const size_t top = b.size();
        bytes({0x80, 0x3D});
        u32_(addr);
        bytes({value, 0x75});
        b.push_back(static_cast<u8>(top - (b.size() + 1)));
    }
    void exit_eax() { bytes({0xE7, 0xF4}); }  // out 0xF4, eax
};

struct SmpMachine {
    std::unique_ptr<Machine> m;
    SmpMachine(unsigned cpus, const std::vector<u8>& bsp, const std::vector<u8>& ap, u64 quantum = kDefaultSmpQuantum) {
        MachineConfig cfg;
        cfg.ram_bytes = 16 * kMiB;
        cfg.cpus = cpus;
        cfg.smp_quantum = quantum;
        m = std::make_unique<Machine>(cfg);
        m->bus().load_bytes(PhysAddr{kBspCode}, bsp.data(), bsp.size());
        m->bus().load_bytes(PhysAddr{kApCode}, ap.data(), ap.size());
        m->invalidate_code(0, 2 * kMiB);
        m->cpu().enter_multiboot_state(kBspCode, 0, 0);
    }
    RunResult run(u64 max_cycles = 0) { return m->run(RunLimits{max_cycles, 10.0}); }
};

// Real-mode AP code: records CS at 0x502, sets the byte at 0x500, halts.
const std::vector<u8> kApRecordsCs = {
    0x8C, 0xC8,                    // mov ax, cs
    0xA3, 0x02, 0x05,              // mov [0x502], ax   (DS = 0 after INIT)
    0xC6, 0x06, 0x00, 0x05, 0x01,  // mov byte [0x500], 1
    0xFA, 0xF4,                    // cli; hlt
};

}  // namespace

TEST_CASE("SMP: an AP waits for a SIPI and starts in real mode at vector << 12", "[machine][smp]") {
    Code c;
    c.start_aps();
    c.wait_byte(0x500, 1);
    c.bytes({0xB8, 5, 0, 0, 0});  // mov eax, 5
    c.exit_eax();
    SmpMachine t(2, c.b, kApRecordsCs);
    CHECK(t.m->cpu_count() == 2);
    CHECK(t.m->cpu_state(1).wait_for_sipi);
    CHECK_FALSE(t.m->cpu_state(0).wait_for_sipi);
    CHECK((t.m->cpu_state(1).msr.apic_base & msr_bit::kApicBsp) == 0);
    CHECK((t.m->cpu_state(0).msr.apic_base & msr_bit::kApicBsp) != 0);
    RunResult r = t.run();
    REQUIRE(r.outcome == RunOutcome::DebugExit);
    CHECK(r.exit_value == 5);
    const CpuState& ap = t.m->cpu_state(1);
    CHECK_FALSE(ap.wait_for_sipi);
    CHECK(ap.halted);
    CHECK(ap.seg[sreg::CS].base == kApCode);
    CHECK(ap.seg[sreg::CS].selector == (kApCode >> 4));
    CHECK((ap.cr.cr0 & 1) == 0);  // real mode
    u8 cs_seen[2] = {};
    t.m->bus().read_bytes(PhysAddr{0x502}, cs_seen, 2);
    CHECK(cs_seen[0] == 0x00);
    CHECK(cs_seen[1] == 0x09);
    CHECK(t.m->lapic(1).state().id == 1);
    // --stats: totals over the CPUs, and each CPU's own share.
    const MachineStats st = t.m->stats();
    REQUIRE(st.per_cpu.size() == 2);
    CHECK(st.cpus == 2);
    CHECK(st.per_cpu[1].instructions == ap.instructions);
    CHECK(st.per_cpu[1].instructions == 5);  // the five instructions of kApRecordsCs, HLT included
    CHECK(st.instructions == st.per_cpu[0].instructions + st.per_cpu[1].instructions);
    CHECK(st.cycles == std::max(st.per_cpu[0].cycles, st.per_cpu[1].cycles));
    CHECK(st.per_cpu[0].ipis_sent == 2);  // INIT and SIPI
    CHECK(st.per_cpu[1].sipis_received == 1);
    CHECK(st.per_cpu[1].halted_cycles > 0);  // it waited for the SIPI
    CHECK(t.m->stats().per_cpu.size() == 2);
}

TEST_CASE("SMP: every CPU stays within one quantum of the others", "[machine][smp]") {
    Code c;
    c.start_aps();
    c.bytes({0xEB, 0xFE});  // jmp $
    const std::vector<u8> spin = {0xEB, 0xFE};
    for (u64 quantum : {u64{100}, u64{1000}, u64{7777}}) {
        SmpMachine t(4, c.b, spin, quantum);
        RunResult r = t.run(1'000'000);
        REQUIRE(r.outcome == RunOutcome::CycleLimit);
        u64 lo = ~u64{0}, hi = 0;
        for (unsigned i = 0; i < 4; ++i) {
            lo = std::min(lo, t.m->cpu_state(i).cycles);
            hi = std::max(hi, t.m->cpu_state(i).cycles);
            CHECK(t.m->cpu_state(i).instructions > 1000);  // each CPU ran
        }
        CHECK(lo >= 1'000'000);
        CHECK(hi - lo < 50);  // each stops within one instruction of the round's end
    }
}

TEST_CASE("SMP: a hang needs every CPU halted or waiting for a SIPI", "[machine][smp]") {
    SECTION("the BSP halts with IF=0 and the AP was never started") {
        SmpMachine t(2, {0xFA, 0xF4}, kApRecordsCs);
        RunResult r = t.run();
        CHECK(r.outcome == RunOutcome::Hang);
        CHECK(r.message.find("every CPU is halted or waiting for a SIPI") != std::string::npos);
        CHECK(r.message.find("CPU 1: waiting for SIPI") != std::string::npos);
    }
    SECTION("the BSP halts, but the AP it started spins: no hang") {
        Code c;
        c.start_aps();
        c.bytes({0xFA, 0xF4});  // cli; hlt
        SmpMachine t(2, c.b, {0xEB, 0xFE});
        RunResult r = t.run(500'000);
        CHECK(r.outcome == RunOutcome::CycleLimit);
        CHECK(t.m->cpu_state(0).halted);
        CHECK(t.m->cpu_state(1).cycles >= 500'000);
    }
}

TEST_CASE("SMP: code one CPU writes reaches the other CPU's decode cache", "[machine][smp]") {
    // The BSP runs `mov eax, 1; ret` at 0x80000 (now decoded in its cache), starts
    // the AP, which patches the immediate to 2 in real mode, then calls it again.
    constexpr u32 kFunc = 0x80000;
    const std::vector<u8> func = {0xB8, 0x01, 0x00, 0x00, 0x00, 0xC3};
    Code c;
    c.bytes({0xBC, 0x00, 0x70, 0x00, 0x00});  // mov esp, 0x7000
    c.call(kFunc);
    c.bytes({0x89, 0xC3});  // mov ebx, eax
    c.start_aps();
    c.wait_byte(0x500, 1);
    c.call(kFunc);
    c.bytes({0xC1, 0xE3, 0x04, 0x01, 0xD8});  // shl ebx, 4; add eax, ebx
    c.exit_eax();
    const std::vector<u8> ap = {
        0xB8, 0x00, 0x80, 0x8E, 0xD8,  // mov ax, 0x8000; mov ds, ax
        0xC6, 0x06, 0x01, 0x00, 0x02,  // mov byte [1], 2
        0x31, 0xC0, 0x8E, 0xD8,        // xor ax, ax; mov ds, ax
        0xC6, 0x06, 0x00, 0x05, 0x01,  // mov byte [0x500], 1
        0xFA, 0xF4,                    // cli; hlt
    };
    SmpMachine t(2, c.b, ap);
    t.m->bus().load_bytes(PhysAddr{kFunc}, func.data(), func.size());
    t.m->invalidate_code(kFunc, func.size());
    RunResult r = t.run();
    REQUIRE(r.outcome == RunOutcome::DebugExit);
    CHECK(r.exit_value == 0x12);  // 1 before the patch, 2 after
}

TEST_CASE("SMP: the same run twice gives the same cycles and state hash, which covers every CPU", "[machine][smp]") {
    Code c;
    c.start_aps();
    c.wait_byte(0x500, 1);
    c.bytes({0xB8, 5, 0, 0, 0});
    c.exit_eax();
    u64 hash[2], cycles[2];
    for (int i = 0; i < 2; ++i) {
        SmpMachine t(3, c.b, kApRecordsCs, 333);
        REQUIRE(t.run().outcome == RunOutcome::DebugExit);
        hash[i] = t.m->state_hash();
        cycles[i] = t.m->cpu_state(0).cycles;
    }
    CHECK(hash[0] == hash[1]);
    CHECK(cycles[0] == cycles[1]);
    // An AP's state is in the digest: the same machine with its AP edited differs.
    SmpMachine t(3, c.b, kApRecordsCs, 333);
    REQUIRE(t.run().outcome == RunOutcome::DebugExit);
    CHECK(t.m->state_hash() == hash[0]);
    t.m->cpu_state(2).r[reg::EBP] ^= 1;
    CHECK(t.m->state_hash() != hash[0]);
}

TEST_CASE("SMP: bad CPU counts and quanta are refused", "[machine][smp]") {
    MachineConfig cfg;
    cfg.ram_bytes = 16 * kMiB;
    cfg.cpus = 0;
    CHECK_THROWS_AS(Machine(cfg), std::invalid_argument);
    cfg.cpus = 9;
    CHECK_THROWS_AS(Machine(cfg), std::invalid_argument);
    cfg.cpus = 2;
    cfg.smp_quantum = 0;
    CHECK_THROWS_AS(Machine(cfg), std::invalid_argument);
}

TEST_CASE("SMP: a trace names the CPU of every record", "[machine][smp]") {
    // The AP writes POST code 0x5A; the BSP, once it sees the flag, 0xB5.
    Code c;
    c.start_aps();
    c.wait_byte(0x500, 1);
    c.bytes({0xB0, 0xB5, 0xE6, 0x80});  // mov al, 0xB5; out 0x80, al
    c.bytes({0xB8, 5, 0, 0, 0});
    c.exit_eax();
    const std::vector<u8> ap = {0xB0, 0x5A, 0xE6, 0x80,          // mov al, 0x5A; out 0x80, al
                                0xC6, 0x06, 0x00, 0x05, 0x01,    // mov byte [0x500], 1
                                0xFA, 0xF4};
    const std::string path = "/tmp/hm386-smp-trace-" + std::to_string(::getpid()) + ".trace";
    {
        SmpMachine t(2, c.b, ap);
        TraceWriter w(path, kDefaultCpuHz, trace_bit(TraceKind::PortIo));
        t.m->set_event_sink(&w, InstructionTrace::Off);
        REQUIRE(t.run().outcome == RunOutcome::DebugExit);
        t.m->set_event_sink(nullptr, InstructionTrace::Off);
        REQUIRE(w.close().empty());
    }
    TraceReader r(path);
    int cpu = -1;
    std::vector<std::pair<int, u32>> posts;  // (CPU, value) of each POST write
    bool first = true;
    while (auto rec = r.next()) {
        if (first) CHECK(std::holds_alternative<CpuSwitchEvent>(*rec));  // CPU 0 is named first
        first = false;
        if (auto* sw = std::get_if<CpuSwitchEvent>(&*rec)) cpu = sw->cpu;
        if (auto* io = std::get_if<PortIoEvent>(&*rec); io && io->port == 0x80) posts.emplace_back(cpu, io->value);
    }
    std::remove(path.c_str());
    REQUIRE(posts.size() == 2);
    CHECK(posts[0] == std::make_pair(1, u32{0x5A}));
    CHECK(posts[1] == std::make_pair(0, u32{0xB5}));
}

TEST_CASE("SMP: the coherence checker names the CPU that used a stale entry and the CPU that changed it",
          "[machine][smp]") {
    // The BSP turns paging on (4 MiB identity pages, and linear 16 MiB through a
    // page table onto physical 5 MiB), reads linear 16 MiB (its DTLB now holds the
    // translation), starts the AP and waits. The AP, in real mode, points the PTE
    // at physical 6 MiB and sets the flag: no invalidation reaches the BSP, whose
    // second read uses the stale entry (and still sees physical 5 MiB's value).
    constexpr u32 kPd = 0x20000, kPt = 0x21000;
    Code c;
    c.bytes({0x0F, 0x20, 0xE0, 0x83, 0xC8, 0x10, 0x0F, 0x22, 0xE0});  // CR4.PSE
    c.bytes({0xB8, 0x00, 0x00, 0x02, 0x00, 0x0F, 0x22, 0xD8});        // CR3 = kPd
    c.bytes({0x0F, 0x20, 0xC0, 0x0D, 0x00, 0x00, 0x00, 0x80, 0x0F, 0x22, 0xC0});  // CR0.PG
    c.bytes({0xA1, 0x00, 0x00, 0x00, 0x01});  // mov eax, [0x1000000]
    c.start_aps();
    c.wait_byte(0x500, 1);
    c.bytes({0xA1, 0x00, 0x00, 0x00, 0x01});  // mov eax, [0x1000000] again
    c.exit_eax();
    const std::vector<u8> ap = {
        0xB8, 0x00, 0x21, 0x8E, 0xD8,                          // mov ax, 0x2100; mov ds, ax
        0x66, 0xC7, 0x06, 0x00, 0x00, 0x03, 0x00, 0x60, 0x00,  // mov dword [0], 0x00600003
        0x31, 0xC0, 0x8E, 0xD8,                                // xor ax, ax; mov ds, ax
        0xC6, 0x06, 0x00, 0x05, 0x01,                          // mov byte [0x500], 1
        0xFA, 0xF4,
    };
    struct StaleSink : EventSink {
        std::vector<StaleTranslationEvent> seen;
        void on_stale_translation(const StaleTranslationEvent& e) override { seen.push_back(e); }
    } sink;
    MachineConfig cfg;
    cfg.ram_bytes = 32 * kMiB;
    cfg.cpus = 2;
    cfg.tlb_checker = CoherenceChecker::On;
    Machine m(cfg);
    auto put32 = [&](u64 pa, u32 v) {
        const u8 b[4] = {static_cast<u8>(v), static_cast<u8>(v >> 8), static_cast<u8>(v >> 16), static_cast<u8>(v >> 24)};
        m.bus().load_bytes(PhysAddr{pa}, b, 4);
    };
    for (u32 i = 0; i < 4; ++i) put32(kPd + 4 * i, (i << 22) | 0x83);  // 0-16 MiB: 4 MiB pages
    put32(kPd + 4 * 4, kPt | 0x03);                                    // 16 MiB: the page table
    put32(kPd + 4 * 0x3FB, 0xFEC00083);                                // the APICs' 4 MiB
    put32(kPt, 0x00500003);
    put32(0x500000, 0x11111111);
    put32(0x600000, 0x22222222);
    m.bus().load_bytes(PhysAddr{kBspCode}, c.b.data(), c.b.size());
    m.bus().load_bytes(PhysAddr{kApCode}, ap.data(), ap.size());
    m.invalidate_code(0, 2 * kMiB);
    m.cpu().enter_multiboot_state(kBspCode, 0, 0);
    m.set_event_sink(&sink, InstructionTrace::Off);
    RunResult r = m.run(RunLimits{0, 10.0});
    m.set_event_sink(nullptr, InstructionTrace::Off);
    REQUIRE(r.outcome == RunOutcome::DebugExit);
    CHECK(r.exit_value == 0x11111111u);  // the stale translation was used
    REQUIRE(sink.seen.size() == 1);
    const StaleTranslationEvent& e = sink.seen[0];
    CHECK(e.linear == 0x1000000u);
    CHECK(e.tlb_phys == 0x500000u);
    CHECK(e.memory_phys == 0x600000u);
    CHECK(e.cpu == 0);
    CHECK(e.writer_cpu == 1);
    CHECK(e.write_cycle > 0);
    CHECK(e.write_cycle <= m.cpu_state(1).cycles);
}

// Linux's check_tsc_sync_source fails ("Marking TSC unstable") when a CPU reads
// a TSC below one another CPU read and published before: with the CPUs taking
// turns at their own cycle counts, that happened whenever a peer's turn began
// at a lower count. Here the BSP and the AP take turns through a flag, each
// reading the TSC and comparing it with the value the other published; every
// comparison that goes backwards is counted (the exit value).
TEST_CASE("SMP: a TSC one CPU reads is never below one another CPU read before", "[machine][smp]") {
    Code c;
    auto jcc = [&](u8 op) {  // rel8 jump, patched by land()
        c.bytes({op, 0});
        return c.b.size() - 1;
    };
    auto land = [&](size_t at) { c.b[at] = static_cast<u8>(c.b.size() - (at + 1)); };
    c.start_aps();
    c.bytes({0xB9, 200, 0, 0, 0});  // mov ecx, 200
    const size_t loop = c.b.size();
    c.wait_byte(0x500, 0);
    c.bytes({0x0F, 0x31});                          // rdtsc
    c.bytes({0x3B, 0x15, 0x0C, 0x06, 0x00, 0x00});  // cmp edx, [0x60C]  (the AP's TSC, high)
    const size_t warp1 = jcc(0x72);                 // jb warp
    const size_t ok1 = jcc(0x77);                   // ja ok
    c.bytes({0x3B, 0x05, 0x08, 0x06, 0x00, 0x00});  // cmp eax, [0x608]
    const size_t ok2 = jcc(0x73);                   // jae ok
    land(warp1);
    c.bytes({0xFE, 0x05, 0x11, 0x05, 0x00, 0x00});  // inc byte [0x511]
    land(ok1);
    land(ok2);
    c.bytes({0xA3, 0x00, 0x06, 0x00, 0x00});        // mov [0x600], eax
    c.bytes({0x89, 0x15, 0x04, 0x06, 0x00, 0x00});  // mov [0x604], edx
    c.bytes({0xC6, 0x05, 0x00, 0x05, 0x00, 0x00, 0x01});  // mov byte [0x500], 1: the AP's turn
    c.bytes({0x49, 0x75});                          // dec ecx; jnz loop
    c.b.push_back(static_cast<u8>(loop - (c.b.size() + 1)));
    c.wait_byte(0x500, 0);
    c.bytes({0x0F, 0xB6, 0x05, 0x10, 0x05, 0x00, 0x00});  // movzx eax, byte [0x510]
    c.bytes({0x0F, 0xB6, 0x1D, 0x11, 0x05, 0x00, 0x00});  // movzx ebx, byte [0x511]
    c.bytes({0x01, 0xD8});                                // add eax, ebx
    c.exit_eax();
    // The AP, in real mode (DS = 0): the same with the roles swapped.
    const std::vector<u8> ap = {
        0x80, 0x3E, 0x00, 0x05, 0x01,        // 0: cmp byte [0x500], 1
        0x75, 0xF9,                          // 5: jne 0
        0x0F, 0x31,                          // 7: rdtsc
        0x66, 0x3B, 0x16, 0x04, 0x06,        // 9: cmp edx, [0x604]
        0x72, 0x09,                          // 14: jb 25
        0x77, 0x0B,                          // 16: ja 29
        0x66, 0x3B, 0x06, 0x00, 0x06,        // 18: cmp eax, [0x600]
        0x73, 0x04,                          // 23: jae 29
        0xFE, 0x06, 0x10, 0x05,              // 25: inc byte [0x510]
        0x66, 0xA3, 0x08, 0x06,              // 29: mov [0x608], eax
        0x66, 0x89, 0x16, 0x0C, 0x06,        // 33: mov [0x60C], edx
        0xC6, 0x06, 0x00, 0x05, 0x00,        // 38: mov byte [0x500], 0
        0xEB, 0xD3,                          // 43: jmp 0
    };
    for (u64 quantum : {u64{100}, u64{1000}}) {
        SmpMachine t(2, c.b, ap, quantum);
        RunResult r = t.run(200'000'000);
        REQUIRE(r.outcome == RunOutcome::DebugExit);
        INFO("quantum " << quantum);
        CHECK(r.exit_value == 0);
        u8 last[8] = {};
        t.m->bus().read_bytes(PhysAddr{0x608}, last, 8);
        CHECK(last[0] != 0);  // the AP did publish its readings
    }
}

TEST_CASE("SMP: the diag device's CPU_CYCLES ports read the reading CPU's own counter, unfloored", "[machine][smp]") {
    // The BSP reads the TSC in a loop (raising the machine's TSC floor to about
    // the end of each of its turns) until the AP is done. The AP, whose turn
    // follows in the same round with its counter behind that floor, times one
    // MOV + IN by the CPU_CYCLES ports and by RDTSC, and reads CPU 0's counter
    // by the CYCLES command; then the BSP times the same pair itself.
    Code c;
    c.start_aps();
    const size_t top = c.b.size();
    c.bytes({0x0F, 0x31});                                      // rdtsc
    c.bytes({0x80, 0x3D, 0x00, 0x05, 0x00, 0x00, 0x01, 0x75});  // cmp byte [0x500], 1; jne top
    c.b.push_back(static_cast<u8>(top - (c.b.size() + 1)));
    c.bytes({0xBA, 0x10, 0x0D, 0x00, 0x00});  // mov edx, 0xD10 (CPU_CYCLES_LO)
    c.bytes({0xED, 0x89, 0xC3, 0xED});        // in eax, dx; mov ebx, eax; in eax, dx
    c.bytes({0x29, 0xD8});                    // sub eax, ebx
    c.bytes({0xA3, 0x10, 0x06, 0x00, 0x00});  // mov [0x610], eax
    c.bytes({0x31, 0xC0});                    // xor eax, eax
    c.exit_eax();
    const std::vector<u8> ap = {
        0xBA, 0x10, 0x0D,                    // mov dx, 0xD10
        0x66, 0xED, 0x66, 0x89, 0xC3,        // in eax, dx; mov ebx, eax
        0x66, 0xED, 0x66, 0x29, 0xD8,        // in eax, dx; sub eax, ebx
        0x66, 0xA3, 0x00, 0x06,              // mov [0x600], eax: by CPU_CYCLES
        0x0F, 0x31, 0x66, 0x89, 0xC3,        // rdtsc; mov ebx, eax
        0x0F, 0x31, 0x66, 0x29, 0xD8,        // rdtsc; sub eax, ebx
        0x66, 0xA3, 0x04, 0x06,              // mov [0x604], eax: by RDTSC
        0xBA, 0x04, 0x0D,                    // mov dx, 0xD04 (COMMAND)
        0x66, 0xB8, 0x02, 0x00, 0x00, 0x00,  // mov eax, HM386_DIAG_CMD_CYCLES
        0x66, 0xEF, 0xBA, 0x08, 0x0D,        // out dx, eax; mov dx, 0xD08
        0x66, 0xED, 0x66, 0xA3, 0x08, 0x06,  // in eax, dx; mov [0x608], eax: CPU 0's counter
        0xBA, 0x10, 0x0D,                    // mov dx, 0xD10
        0x66, 0xED, 0x66, 0xA3, 0x0C, 0x06,  // in eax, dx; mov [0x60C], eax: its own, after
        0xC6, 0x06, 0x00, 0x05, 0x01,        // mov byte [0x500], 1
        0xFA, 0xF4,                          // cli; hlt
    };
    SmpMachine t(2, c.b, ap);
    RunResult r = t.run(10'000'000);
    REQUIRE(r.outcome == RunOutcome::DebugExit);
    u32 v[5] = {};
    t.m->bus().read_bytes(PhysAddr{0x600}, reinterpret_cast<u8*>(v), 16);
    t.m->bus().read_bytes(PhysAddr{0x610}, reinterpret_cast<u8*>(&v[4]), 4);
    const u32 ap_own = v[0], ap_tsc = v[1], cpu0_by_command = v[2], ap_own_after = v[3], bsp_own = v[4];
    CHECK(bsp_own > 0);
    CHECK(ap_own == bsp_own);  // the same MOV + IN on each CPU's own counter
    CHECK(ap_tsc == 0);        // RDTSC behind the floor does not move: why the ports exist
    CHECK(ap_own_after < cpu0_by_command);  // the command reads CPU 0's counter, ahead in the round
    CHECK(ap_own_after > 0);
}
