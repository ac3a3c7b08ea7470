#include "sst_runner.hpp"

#include <cstdio>
#include <vector>

#include "cpu/flags.hpp"

namespace hm::sst {

namespace {

constexpr u16 kFlagsCompared = 0x0FFF;  // bits 12-15: see the header
constexpr u64 kCycleBudget = 2'000'000;

struct ExceptionRecorder : EventSink {
    int first = -1;
    void on_exception(const ExceptionEvent& e) override {
        if (first < 0) first = e.vector;
    }
    void on_interrupt(const InterruptEvent& e) override {
        if (first < 0) first = e.vector;
    }
};

// PUSHF (9C) after any prefixes.
bool is_pushf(const MooTest& t) {
    for (u8 b : t.bytes) {
        if (b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E || b == 0xF0 || b == 0xF2 || b == 0xF3) continue;
        return b == 0x9C;
    }
    return false;
}

std::string hex16(u32 v) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%04x", v & 0xFFFF);
    return buf;
}

}  // namespace

struct SstMachine::Impl {
    PhysicalMemory ram{16 * kMiB};
    Bus bus{ram};
    std::vector<u8> hole = std::vector<u8>(PhysicalMemory::kLegacyHoleEnd - PhysicalMemory::kLegacyHoleStart);
    CpuState st;
    Mmu mmu{bus, st.cr, st.cycles};
    Cpu cpu{st, mmu, bus};
    ExceptionRecorder recorder;

    Impl() {
        // The whole 16 MiB is RAM for these tests, the legacy hole included.
        bus.attach_device_ram(PhysAddr{PhysicalMemory::kLegacyHoleStart}, hole.size(), hole.data(), "sst-ram");
        cpu.reset();
        cpu.set_event_sink(&recorder);
    }
};

SstMachine::SstMachine() : impl_(std::make_unique<Impl>()) {}
SstMachine::~SstMachine() = default;

TestOutcome SstMachine::run(const MooTest& t, u16 flags_mask) {
    Impl& m = *impl_;
    CpuState& s = m.st;
    for (const auto& [addr, byte] : t.init_ram) {
        m.bus.write(PhysAddr{addr}, byte, 1);
        m.cpu.invalidate_code(addr, 1);
    }
    const u16* v = t.init.v;
    static constexpr u8 kGpr[8] = {AX, CX, DX, BX, SP, BP, SI, DI};  // CpuState order
    for (unsigned r = 0; r < 8; ++r) s.r[r] = v[kGpr[r]];
    s.seg[sreg::ES].selector = v[ES];
    s.seg[sreg::CS].selector = v[CS];
    s.seg[sreg::SS].selector = v[SS];
    s.seg[sreg::DS].selector = v[DS];
    s.seg[sreg::FS].selector = 0;
    s.seg[sreg::GS].selector = 0;
    m.cpu.sync_real_mode_segments();
    s.eflags = (v[FLAGS] & flag::kImplemented & 0xFFFF) | flag::kFixed1;
    s.lazy.kind = FlagKind::None;
    s.eip = v[IP];
    // The suite says nothing about the coprocessor: every test starts from the
    // x87's RESET state (all exceptions unmasked), so a pending exception of
    // one test cannot freeze the next test's escape (CR0.NE is 0).
    s.fpu = FpuState{};
    s.halted = false;
    s.interrupt_shadow = false;
    m.recorder.first = -1;

    TestOutcome out;
    const StopReason why = m.cpu.run(s.cycles + kCycleBudget);
    out.our_exception = m.recorder.first;
    std::string diff;
    if (why != StopReason::Halted) {
        diff += std::string("stopped: ") + stop_reason_name(why) + "; ";
        out.stopped_early = true;
    }

    auto expected = [&](unsigned r) { return (t.final.mask & (1u << r)) ? t.final.v[r] : t.init.v[r]; };
    auto compare = [&](unsigned r, u32 ours, u32 mask = 0xFFFF) {
        const u32 want = expected(r);
        if ((ours ^ want) & mask) {
            out.reg_mismatch |= static_cast<u16>(1u << r);
            diff += std::string(reg16_name(r)) + " " + hex16(ours) + " want " + hex16(want) + "; ";
        }
    };
    for (unsigned r = 0; r < 8; ++r) {
        compare(kGpr[r], s.r[r]);
        if (s.r[r] >> 16) {
            out.reg_mismatch |= static_cast<u16>(1u << kGpr[r]);
            diff += std::string(reg16_name(kGpr[r])) + " upper half changed; ";
        }
    }
    compare(ES, s.seg[sreg::ES].selector);
    compare(CS, s.seg[sreg::CS].selector);
    compare(SS, s.seg[sreg::SS].selector);
    compare(DS, s.seg[sreg::DS].selector);
    compare(IP, s.eip);
    compare(FLAGS, cpu::read_eflags(s), flags_mask & kFlagsCompared);

    // The FLAGS image an exception or interrupt pushed: at SS:SP+4 after the
    // push (the file's "flags address" is off by one for odd stack pointers).
    u32 flags_image = ~0u;
    if (t.exception >= 0) flags_image = (u32{expected(SS)} << 4) + ((expected(SP) + 4u) & 0xFFFF);
    if (is_pushf(t)) flags_image = (u32{expected(SS)} << 4) + expected(SP);
    for (const auto& [addr, byte] : t.final_ram) {
        u32 mask = 0xFF;
        if (addr == flags_image) mask = flags_mask & 0xFF;
        if (addr == ((flags_image + 1) & 0xFFFFFF)) mask = (flags_mask & kFlagsCompared) >> 8;
        const u8 ours = static_cast<u8>(m.bus.read(PhysAddr{addr}, 1));
        if ((ours ^ byte) & mask) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "[%06x] %02x want %02x; ", addr, ours, byte);
            diff += buf;
            out.ram_mismatch = true;
        }
    }
    if (out.our_exception != t.exception) {
        diff += "exception " + std::to_string(out.our_exception) + " want " + std::to_string(t.exception) + "; ";
    }
    if (why == StopReason::Shutdown) {
        diff += m.cpu.shutdown_reason() + "; ";
        m.cpu.reset();  // leave shutdown for the next test
    }
    out.passed = diff.empty();
    out.diff = diff;
    return out;
}

}  // namespace hm::sst
