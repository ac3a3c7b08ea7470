// CPU profiles (emu/cpu/cpu_profile.cpp): each model's CPUID, the instructions
// it lacks decoding to #UD (and only those forms), its CR4 bits and MSRs, and
// its costs as charged by the interpreter.
#include <catch2/catch.hpp>

#include "cpu/cpu_profile.hpp"
#include "cpu/cpuid.hpp"
#include "cpu_fixture.hpp"

using namespace hm;
using namespace hm::test;

namespace {

// Flat protected mode with every vector's gate pointing at a HLT at 0x4000.
struct ProfileFixture : CpuFixture {
    explicit ProfileFixture(CpuModel m) {
        cpu.set_model(m);
        flat32(0x1000, {0xF4});
        install_gdt_idt(0x2000, 0x3000, 0x4000);
        poke(0x4000, {0xF4});
    }
    u64 count(unsigned vector) { return cpu.stats().exceptions[vector]; }
    // Runs code + HLT; returns the vector raised (-1: none). The handler halts,
    // so a raised exception ends the run in it.
    int raised(Bytes code) {
        u64 before[32];
        for (unsigned v = 0; v < 32; ++v) before[v] = count(v);
        const u32 esp = r(reg::ESP);
        exec(std::move(code));
        for (unsigned v = 0; v < 32; ++v) {
            if (count(v) != before[v]) {
                r(reg::ESP) = esp;
                return static_cast<int>(v);
            }
        }
        return -1;
    }
    // Cycles code + HLT take, minus the HLT's own base cost.
    u64 cycles_of(Bytes code) {
        const u64 before = st.cycles;
        REQUIRE(raised(std::move(code)) == -1);
        const u64 spent = st.cycles - before;
        return spent - hlt_cost();
    }
    u64 hlt_cost() {
        const u64 before = st.cycles;
        exec({});
        return st.cycles - before;
    }
};

constexpr int kUD = 6, kGP = 13;

const Bytes kCmovEaxEbx = {0x0F, 0x44, 0xC3};     // cmove eax, ebx
const Bytes kRdtsc = {0x0F, 0x31};
const Bytes kCmpxchg8b = {0x0F, 0xC7, 0x0D, 0x00, 0x80, 0x00, 0x00};  // cmpxchg8b [0x8000]
const Bytes kLongNop = {0x0F, 0x1F, 0x00};       // nop dword [eax]
const Bytes kFcmovb = {0xDA, 0xC1};               // fcmovb st0, st1
const Bytes kFiaddMem = {0xDA, 0x05, 0x00, 0x80, 0x00, 0x00};  // fiadd dword [0x8000]: same row, memory form
const Bytes kFcomi = {0xDB, 0xF1};                // fcomi st0, st1
const Bytes kFninit = {0xDB, 0xE3};

}  // namespace

TEST_CASE("Each profile's CPUID names its part and only the features it has", "[cpu][profile]") {
    struct Want {
        CpuModel m;
        u32 signature;
        bool cmov, tsc, pae, pge, pse, nx;
    };
    for (const Want& w : {Want{CpuModel::Default, 0x0633, true, true, true, true, true, true},
                          Want{CpuModel::I486, 0x0480, false, false, false, false, false, false},
                          Want{CpuModel::Pentium, 0x0525, false, true, false, false, true, false},
                          Want{CpuModel::P6, 0x0633, true, true, true, true, true, false}}) {
        CpuState s;
        s.model = w.m;
        INFO(cpu::cpu_profile(w.m).name);
        const cpu::CpuidResult l1 = cpu::cpuid(s, 1);
        CHECK(l1.eax == w.signature);
        CHECK(((l1.edx & cpu::cpuid_bit::kCmov) != 0) == w.cmov);
        CHECK(((l1.edx & cpu::cpuid_bit::kTsc) != 0) == w.tsc);
        CHECK(((l1.edx & cpu::cpuid_bit::kPae) != 0) == w.pae);
        CHECK(((l1.edx & cpu::cpuid_bit::kPge) != 0) == w.pge);
        CHECK(((l1.edx & cpu::cpuid_bit::kPse) != 0) == w.pse);
        CHECK((l1.edx & cpu::cpuid_bit::kFpu) != 0);
        const u32 max_ext = cpu::cpuid(s, 0x80000000u).eax;
        CHECK((max_ext == 0x80000001u) == w.nx);
        if (w.nx) CHECK(cpu::cpuid(s, 0x80000001u).edx == cpu::cpuid_bit::kExtNx);
        else CHECK(cpu::cpuid(s, 0x80000001u).eax == w.signature);  // no extended leaves: leaf 1 answers
    }
}

TEST_CASE("CPUID.1:EDX.APIC only on parts with an on-chip APIC (MSRs), whatever the machine has", "[cpu][profile]") {
    for (CpuModel m : {CpuModel::Default, CpuModel::I486, CpuModel::Pentium, CpuModel::P6}) {
        CpuState s;
        s.model = m;
        s.msr.local_apic = true;
        s.msr.apic_base = 0xFEE00000u | msr_bit::kApicBsp | msr_bit::kApicGlobalEnable;
        INFO(cpu::cpu_profile(m).name);
        const bool has_msr = (cpu::cpuid(s, 1).edx & cpu::cpuid_bit::kMsr) != 0;
        CHECK(has_msr == (m != CpuModel::I486));
        CHECK(((cpu::cpuid(s, 1).edx & cpu::cpuid_bit::kApic) != 0) == has_msr);
    }
}

TEST_CASE("The --cpu names parse, and nothing else does", "[cpu][profile]") {
    CHECK(cpu::parse_cpu_model("486") == CpuModel::I486);
    CHECK(cpu::parse_cpu_model("pentium") == CpuModel::Pentium);
    CHECK(cpu::parse_cpu_model("p6") == CpuModel::P6);
    CHECK(cpu::parse_cpu_model("default") == CpuModel::Default);
    CHECK_FALSE(cpu::parse_cpu_model("P6"));
    CHECK_FALSE(cpu::parse_cpu_model("i686"));
    CHECK_FALSE(cpu::parse_cpu_model(""));
}

TEST_CASE("An instruction the profile lacks raises #UD, and the part's own instructions run", "[cpu][profile]") {
    struct Want {
        CpuModel m;
        bool cmov, rdtsc, cx8, long_nop, p6_x87;
    };
    for (const Want& w : {Want{CpuModel::Default, true, true, true, true, true},
                          Want{CpuModel::I486, false, false, false, false, false},
                          Want{CpuModel::Pentium, false, true, true, false, false},
                          Want{CpuModel::P6, true, true, true, true, true}}) {
        ProfileFixture f(w.m);
        INFO(cpu::cpu_profile(w.m).name);
        CHECK(f.raised(kCmovEaxEbx) == (w.cmov ? -1 : kUD));
        CHECK(f.raised(kRdtsc) == (w.rdtsc ? -1 : kUD));
        CHECK(f.raised(kCmpxchg8b) == (w.cx8 ? -1 : kUD));
        CHECK(f.raised(kLongNop) == (w.long_nop ? -1 : kUD));
        CHECK(f.raised(kFninit) == -1);
        CHECK(f.raised(kFcmovb) == (w.p6_x87 ? -1 : kUD));
        CHECK(f.raised(kFcomi) == (w.p6_x87 ? -1 : kUD));
        // The memory form sharing FCMOVB's row (DA /0) is the 8087's FIADD: always there.
        CHECK(f.raised(kFiaddMem) == -1);
    }
}

TEST_CASE("CR4 takes only the bits the profile's CPUID reports, and IA32_EFER exists only with NX", "[cpu][profile]") {
    auto mov_cr4 = [](u32 v) {  // mov eax, v; mov cr4, eax
        return Bytes{0xB8, static_cast<u8>(v), static_cast<u8>(v >> 8), static_cast<u8>(v >> 16), static_cast<u8>(v >> 24),
                     0x0F, 0x22, 0xE0};
    };
    const Bytes rdmsr_efer = {0xB9, 0x80, 0x00, 0x00, 0xC0, 0x0F, 0x32};  // mov ecx, 0xC0000080; rdmsr
    {
        ProfileFixture f(CpuModel::I486);
        CHECK(f.raised(mov_cr4(cr4::kPSE)) == kGP);
        CHECK(f.raised(mov_cr4(0)) == -1);
    }
    {
        ProfileFixture f(CpuModel::Pentium);
        CHECK(f.raised(mov_cr4(cr4::kPSE)) == -1);
        CHECK(f.raised(mov_cr4(cr4::kPGE)) == kGP);
        CHECK(f.raised(mov_cr4(cr4::kPAE)) == kGP);
    }
    {
        ProfileFixture f(CpuModel::P6);
        CHECK(f.raised(mov_cr4(cr4::kPSE | cr4::kPGE | cr4::kPAE)) == -1);
    }
    // A Pentium Pro / II has no NX, so no IA32_EFER either.
    for (CpuModel m : {CpuModel::I486, CpuModel::Pentium, CpuModel::P6}) {
        ProfileFixture f(m);
        CHECK(f.raised(rdmsr_efer) == (m == CpuModel::I486 ? kUD : kGP));  // the 486 has no RDMSR at all
    }
    {
        ProfileFixture f(CpuModel::Default);
        CHECK(f.raised(rdmsr_efer) == -1);
    }
}

TEST_CASE("Each profile charges its own base costs and extras", "[cpu][profile]") {
    const Bytes imul32 = {0x0F, 0xAF, 0xC3};   // imul eax, ebx
    const Bytes div32 = {0xF7, 0xF3};          // div ebx
    const Bytes jz_taken = {0x74, 0x00};       // jz +0 (ZF set below)
    const Bytes invlpg = {0x0F, 0x01, 0x38};   // invlpg [eax]
    struct Want {
        CpuModel m;
        u64 imul, div, jz, invlpg;
    };
    // 486: IMUL 13 + 13 (32-bit), DIV 16 + 24, Jcc 1 + 2 taken, INVLPG 12.
    // Pentium (Agner Fog's P1 table): IMUL r32 9, DIV r32 41; jumps as the 486; INVLPG 25.
    // P6 (Agner Fog): IMUL 4, DIV r32 39, a taken jump 2, INVLPG the Pentium's 25.
    for (const Want& w : {Want{CpuModel::Default, 26, 40, 3, 12}, Want{CpuModel::I486, 26, 40, 3, 12},
                          Want{CpuModel::Pentium, 9, 41, 3, 25}, Want{CpuModel::P6, 4, 39, 2, 25}}) {
        ProfileFixture f(w.m);
        INFO(cpu::cpu_profile(w.m).name);
        f.r(reg::EAX) = 7;
        f.r(reg::EBX) = 3;
        CHECK(f.cycles_of(imul32) == w.imul);
        f.r(reg::EDX) = 0;
        CHECK(f.cycles_of(div32) == w.div);
        f.exec({0x31, 0xC9});  // xor ecx, ecx: ZF = 1
        CHECK(f.cycles_of(jz_taken) == w.jz);
        f.r(reg::EAX) = 0x5000;
        CHECK(f.cycles_of(invlpg) == w.invlpg);
    }
}

TEST_CASE("The p6 table replaces the rows docs/cycle-costs.md lists, with Agner Fog's figures", "[cpu][profile]") {
    using cpu::base_cost;
    constexpr u16 k0F = 0x100;
    struct Row {
        const char* what;
        u16 opcode;
        u8 reg;
        u32 p6_reg, p6_mem;  // 0: no such form
    };
    // One representative of each line of the p6 table in docs/cycle-costs.md:
    // the latency (or one clock per single uop), plus the 3-clock load for a
    // memory source.
    for (const Row& r : {Row{"ADD r/m32,r32", 0x01, 0, 1, 4}, Row{"CMP r32,r/m32", 0x3B, 0, 1, 4},
                         Row{"ADC r/m32,r32", 0x11, 0, 2, 5}, Row{"SBB r/m32,imm8", 0x83, 3, 2, 5},
                         Row{"TEST r/m32,r32", 0x85, 0, 1, 4}, Row{"MOV r32,r/m32", 0x8B, 0, 1, 3},
                         Row{"MOVZX r32,r/m8", k0F | 0xB6, 0, 1, 3}, Row{"CMOVE r32,r/m32", k0F | 0x44, 0, 2, 5},
                         Row{"CWD", 0x99, 0, 1, 0}, Row{"MUL r/m32", 0xF7, 4, 4, 7}, Row{"IMUL r32,r/m32", k0F | 0xAF, 0, 4, 7},
                         Row{"IMUL r32,r/m32,imm8", 0x6B, 0, 4, 7}, Row{"DIV r/m32 (8-bit base)", 0xF7, 6, 19, 19},
                         Row{"IDIV r/m8", 0xF6, 7, 19, 19}, Row{"SHL r/m32,imm8", 0xC1, 4, 1, 4},
                         Row{"SAR r/m32,CL", 0xD3, 7, 1, 4}, Row{"SETNE r/m8", k0F | 0x95, 0, 1, 1},
                         Row{"JMP rel32", 0xE9, 0, 2, 0}, Row{"CALL rel32", 0xE8, 0, 2, 0}, Row{"RET", 0xC3, 0, 2, 0},
                         Row{"JMP r/m32", 0xFF, 4, 2, 5}, Row{"Jcc rel8 (not taken)", 0x75, 0, 1, 0},
                         Row{"CPUID", k0F | 0xA2, 0, 23, 0}, Row{"RDTSC", k0F | 0x31, 0, 31, 0},
                         Row{"INVLPG m", k0F | 0x01, 7, 0, 25}}) {
        INFO(r.what);
        if (r.p6_reg) CHECK(base_cost(CpuModel::P6, r.opcode, r.reg, false) == r.p6_reg);
        if (r.p6_mem) CHECK(base_cost(CpuModel::P6, r.opcode, r.reg, true) == r.p6_mem);
    }
    // Rows the p6 table does not list keep their Intel486 figures (RCL by CL, LOOP, IN).
    for (const Row& r : {Row{"RCL r/m32,CL", 0xD3, 2, 0, 0}, Row{"LOOP", 0xE2, 0, 0, 0}, Row{"IN AL,imm8", 0xE4, 0, 0, 0}}) {
        INFO(r.what);
        CHECK(base_cost(CpuModel::P6, r.opcode, r.reg, false) == base_cost(CpuModel::I486, r.opcode, r.reg, false));
    }
    // What a profile lacks has no cost at all; what it has keeps its row.
    CHECK_FALSE(base_cost(CpuModel::Pentium, k0F | 0x44, 0, false));
    CHECK_FALSE(base_cost(CpuModel::I486, k0F | 0x31, 0, false));
    CHECK(base_cost(CpuModel::Pentium, k0F | 0x31, 0, false) == 20u);
    CHECK(base_cost(CpuModel::Pentium, k0F | 0x01, 7, true) == 25u);
    CHECK(base_cost(CpuModel::Default, k0F | 0x01, 7, true) == 12u);
}

TEST_CASE("Real-mode interrupt delivery costs the part's published INT imm8 figure", "[cpu][profile]") {
    // Intel486 manual: 30; the Pentium's table: 16; no P6 figure is published, so
    // p6 keeps the Intel486's (docs/cycle-costs.md, "Costs the parts' own
    // documents do not pin down").
    for (auto [m, delivery] : {std::pair{CpuModel::Default, 30u}, std::pair{CpuModel::I486, 30u},
                               std::pair{CpuModel::Pentium, 16u}, std::pair{CpuModel::P6, 30u}}) {
        INFO(cpu::cpu_profile(m).name);
        CpuFixture f;
        f.real16(0, 0x1000, {0xCD, 0x20});  // int 0x20
        f.cpu.set_model(m);
        f.poke16(0x20 * 4, 0x2000);  // IVT: 0000:2000, a HLT
        f.poke16(0x20 * 4 + 2, 0);
        f.poke(0x2000, {0xF4});
        const u64 before = f.st.cycles;
        f.run_to_hlt();
        CHECK(f.st.eip == 0x2001);
        const u64 base = *cpu::base_cost(m, 0xCD, 0, false) + *cpu::base_cost(m, 0xF4, 0, false);
        CHECK(f.st.cycles - before == base + delivery);
    }
}

TEST_CASE("486-nocpuid has no CPUID, no EFLAGS.ID and no CR4, and the DX4 profile has all three", "[cpu][profile]") {
    const Bytes cpuid = {0x31, 0xC0, 0x0F, 0xA2};  // xor eax, eax; cpuid
    // pushfd; pop eax; xor eax, 1 << 21; push eax; popfd; pushfd; pop ebx
    const Bytes toggle_id = {0x9C, 0x58, 0x35, 0x00, 0x00, 0x20, 0x00, 0x50, 0x9D, 0x9C, 0x5B};
    const Bytes read_cr4 = {0x0F, 0x20, 0xE0};   // mov eax, cr4
    const Bytes write_cr4 = {0x31, 0xC0, 0x0F, 0x22, 0xE0};  // xor eax, eax; mov cr4, eax
    for (CpuModel m : {CpuModel::I486NoCpuid, CpuModel::I486}) {
        const bool early = m == CpuModel::I486NoCpuid;
        INFO(cpu::cpu_profile(m).name);
        ProfileFixture f(m);
        CHECK(f.raised(cpuid) == (early ? kUD : -1));
        REQUIRE(f.raised(toggle_id) == -1);
        // EAX: the flags with ID flipped, as pushed; EBX: as POPFD left them.
        CHECK(((f.r(reg::EAX) ^ f.r(reg::EBX)) & flag::ID) == (early ? flag::ID : 0u));
        CHECK(f.raised(read_cr4) == (early ? kUD : -1));
        CHECK(f.raised(write_cr4) == (early ? kUD : -1));
        CHECK(f.raised(kCmovEaxEbx) == kUD);
    }
    CHECK(cpu::parse_cpu_model("486-nocpuid") == CpuModel::I486NoCpuid);
}
