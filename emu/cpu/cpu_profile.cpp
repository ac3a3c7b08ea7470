// The CPU profiles' data. Sources, figure by figure: docs/cycle-costs.md,
// "CPU profiles". A profile lists only what differs from the dispatch table's
// rows (whose base costs are the Intel486's, docs/cycle-costs.md "The table").
#include "cpu/cpu_profile.hpp"

#include "cpu/cpuid.hpp"
#include "cpu/state.hpp"
#include "decode/opcode_def.hpp"

namespace hm::cpu {

namespace {

using namespace cpuid_bit;
using form_bit::kBoth;
using form_bit::kMem;
using form_bit::kReg;

// The Intel486 extras, as ops/*.cpp and exceptions.cpp charged them before
// profiles existed (docs/cycle-costs.md, "What is added to the base cost").
constexpr ExtraCosts k486Extra{2, 5, 13, 8, 24, 30, 44, 71, 82};

// The x87 P6 additions: FCMOVcc (DA /0-/3, DB /0-/3), FUCOMI/FCOMI (DB /5, /6)
// and FUCOMIP/FCOMIP (DF /5, /6), register forms only.
#define HM_P6_X87_MISSING                                                                             \
    {0xDA, 0, kReg}, {0xDA, 1, kReg}, {0xDA, 2, kReg}, {0xDA, 3, kReg}, {0xDB, 0, kReg}, {0xDB, 1, kReg}, \
        {0xDB, 2, kReg}, {0xDB, 3, kReg}, {0xDB, 5, kReg}, {0xDB, 6, kReg}, {0xDF, 5, kReg}, {0xDF, 6, kReg}

// CMOVcc (0F 40-4F) and the long NOP (0F 1F /0): P6 additions.
#define HM_P6_INTEGER_MISSING                                                                              \
    {k0F | 0x1F, 0, kBoth}, {k0F | 0x40, -1, kBoth}, {k0F | 0x41, -1, kBoth}, {k0F | 0x42, -1, kBoth},     \
        {k0F | 0x43, -1, kBoth}, {k0F | 0x44, -1, kBoth}, {k0F | 0x45, -1, kBoth}, {k0F | 0x46, -1, kBoth}, \
        {k0F | 0x47, -1, kBoth}, {k0F | 0x48, -1, kBoth}, {k0F | 0x49, -1, kBoth}, {k0F | 0x4A, -1, kBoth}, \
        {k0F | 0x4B, -1, kBoth}, {k0F | 0x4C, -1, kBoth}, {k0F | 0x4D, -1, kBoth}, {k0F | 0x4E, -1, kBoth}, \
        {k0F | 0x4F, -1, kBoth}

constexpr MissingEncoding kPentiumMissing[] = {HM_P6_INTEGER_MISSING, HM_P6_X87_MISSING};

// The Pentium additions too: WRMSR, RDTSC, RDMSR, CMPXCHG8B.
constexpr MissingEncoding k486Missing[] = {
    HM_P6_INTEGER_MISSING,
    HM_P6_X87_MISSING,
    {k0F | 0x30, -1, kBoth},
    {k0F | 0x31, -1, kBoth},
    {k0F | 0x32, -1, kBoth},
    {k0F | 0xC7, 1, kMem},
};

// An Intel486 before CPUID: the 486's gaps and CPUID itself.
constexpr MissingEncoding k486NoCpuidMissing[] = {
    HM_P6_INTEGER_MISSING,
    HM_P6_X87_MISSING,
    {k0F | 0x30, -1, kBoth},
    {k0F | 0x31, -1, kBoth},
    {k0F | 0x32, -1, kBoth},
    {k0F | 0xA2, -1, kBoth},
    {k0F | 0xC7, 1, kMem},
};

#undef HM_P6_X87_MISSING
#undef HM_P6_INTEGER_MISSING

// Pentium: Agner Fog's P1/PMMX table where it differs from the Intel486's
// (his ALU, MOV, INC/DEC, NEG/NOT, MOVZX, LEA, PUSH/POP r and XCHG r,r figures are
// the Intel486's already), and INVLPG from the Pentium instruction set reference.
// Jumps, string, far and system instructions keep the Intel486 table.
constexpr CostOverride kPentiumCosts[] = {
    {0xF6, 0xF6, 4, 11, 11}, {0xF6, 0xF6, 5, 11, 11},  // MUL/IMUL r/m8: 11
    {0xF7, 0xF7, 4, 9, 9},   {0xF7, 0xF7, 5, 9, 9},    // MUL/IMUL r/m32: 9 (r/m16: + ExtraCosts::mul16 = 11)
    {k0F | 0xAF, k0F | 0xAF, -1, 9, 9}, {0x69, 0x69, -1, 9, 9}, {0x6B, 0x6B, -1, 9, 9},
    {0xF6, 0xF7, 6, 17, 17},  // DIV r/m8 17 (16-bit 25, 32-bit 41 with the extras)
    {0xF6, 0xF7, 7, 22, 22},  // IDIV r/m8 22 (30, 46)
    {0x99, 0x99, -1, 2, kKeep},  // CWD/CDQ 2
    {0x91, 0x97, -1, 2, kKeep},  // XCHG eAX,r 2
    {0x9F, 0x9F, -1, 2, kKeep},  // LAHF 2
    {0xFF, 0xFF, 6, 1, 2},       // PUSH r 1, PUSH m 2
    {0x8F, 0x8F, 0, 1, 3},       // POP r 1, POP m 3
    {k0F | 0x01, k0F | 0x01, 7, kKeep, 25},  // INVLPG
};

// P6: Agner Fog's PPro/PII/PIII table (latency where he gives one, one clock
// for a one-uop instruction where he gives none) plus the P6's 3-clock L1 load
// latency for a memory source operand. docs/cycle-costs.md, "The p6 profile".
constexpr u8 kLoad = 3;
constexpr CostOverride kP6Costs[] = {
    // ADD OR AND SUB XOR CMP: r,r/i 1; with a memory operand, the load + 1.
    {0x00, 0x05, -1, 1, 1 + kLoad}, {0x08, 0x0D, -1, 1, 1 + kLoad}, {0x20, 0x25, -1, 1, 1 + kLoad},
    {0x28, 0x2D, -1, 1, 1 + kLoad}, {0x30, 0x35, -1, 1, 1 + kLoad}, {0x38, 0x3D, -1, 1, 1 + kLoad},
    // ADC SBB: two uops, 2.
    {0x10, 0x15, -1, 2, 2 + kLoad}, {0x18, 0x1D, -1, 2, 2 + kLoad},
    {0x80, 0x83, 0, 1, 1 + kLoad}, {0x80, 0x83, 1, 1, 1 + kLoad}, {0x80, 0x83, 2, 2, 2 + kLoad},
    {0x80, 0x83, 3, 2, 2 + kLoad}, {0x80, 0x83, 4, 1, 1 + kLoad}, {0x80, 0x83, 5, 1, 1 + kLoad},
    {0x80, 0x83, 6, 1, 1 + kLoad}, {0x80, 0x83, 7, 1, 1 + kLoad},
    {0x84, 0x85, -1, 1, 1 + kLoad},  // TEST
    // MOV: loads take the load latency, stores 1.
    {0x8A, 0x8B, -1, 1, kLoad}, {0xA0, 0xA1, -1, kLoad, kLoad},
    // MOVZX/MOVSX 1; CMOVcc two uops, 2.
    {k0F | 0xB6, k0F | 0xB7, -1, 1, kLoad}, {k0F | 0xBE, k0F | 0xBF, -1, 1, kLoad},
    {k0F | 0x40, k0F | 0x4F, -1, 2, 2 + kLoad},
    // CBW/CWD one uop.
    {0x98, 0x99, -1, 1, kKeep},
    // MUL/IMUL 4 at every width; DIV/IDIV 19 (8-bit; ExtraCosts add 4 / 20 for 16 / 32 bits).
    {0xF6, 0xF7, 4, 4, 4 + kLoad}, {0xF6, 0xF7, 5, 4, 4 + kLoad}, {0xF6, 0xF7, 6, 19, 19}, {0xF6, 0xF7, 7, 19, 19},
    {k0F | 0xAF, k0F | 0xAF, -1, 4, 4 + kLoad}, {0x69, 0x69, -1, 4, 4 + kLoad}, {0x6B, 0x6B, -1, 4, 4 + kLoad},
    // Shifts and rotates by 1/imm/CL (not RCL/RCR): 1.
    {0xC0, 0xC1, 0, 1, 1 + kLoad}, {0xC0, 0xC1, 1, 1, 1 + kLoad}, {0xC0, 0xC1, 4, 1, 1 + kLoad},
    {0xC0, 0xC1, 5, 1, 1 + kLoad}, {0xC0, 0xC1, 6, 1, 1 + kLoad}, {0xC0, 0xC1, 7, 1, 1 + kLoad},
    {0xD0, 0xD3, 0, 1, 1 + kLoad}, {0xD0, 0xD3, 1, 1, 1 + kLoad}, {0xD0, 0xD3, 4, 1, 1 + kLoad},
    {0xD0, 0xD3, 5, 1, 1 + kLoad}, {0xD0, 0xD3, 6, 1, 1 + kLoad}, {0xD0, 0xD3, 7, 1, 1 + kLoad},
    // SETcc 1.
    {k0F | 0x90, k0F | 0x9F, -1, 1, 1},
    // Near JMP, CALL, RET, JMP/CALL r/m: one per 2 clocks (reciprocal throughput 2).
    {0xE8, 0xE9, -1, 2, kKeep}, {0xEB, 0xEB, -1, 2, kKeep}, {0xC2, 0xC3, -1, 2, kKeep},
    {0xFF, 0xFF, 2, 2, 2 + kLoad}, {0xFF, 0xFF, 4, 2, 2 + kLoad},
    // CPUID 23-48: the low end; RDTSC 31.
    {k0F | 0xA2, k0F | 0xA2, -1, 23, kKeep}, {k0F | 0x31, k0F | 0x31, -1, 31, kKeep},
    // INVLPG: no P6 figure published; the Pentium's 25 (docs/cycle-costs.md).
    {k0F | 0x01, k0F | 0x01, 7, kKeep, 25},
};

// P6-class TLBs (CPUID leaf 2 of a Pentium Pro / Pentium III, cost-facts.md).
constexpr TlbConfig kP6Tlb{};
// Pentium (P54C): code TLB 32 entries 4-way; data TLB 64 entries 4-way for 4 KiB
// and 8 entries 4-way for 4 MiB pages (Pentium manual vol. 1, "On-chip caches").
// The code TLB's 4 MiB entries are shared with its 4 KiB ones on the part; here
// they are a separate 2-entry array.
constexpr TlbConfig kPentiumTlb{{32, 4}, {2, 2}, {64, 4}, {8, 4}};
// Intel486: one 32-entry 4-way TLB for code and data; modelled as two such arrays.
// No PSE, so the large-page arrays are never filled.
constexpr TlbConfig k486Tlb{{32, 4}, {2, 2}, {32, 4}, {8, 4}};

constexpr u32 kP6Features = kFpu | kPse | kTsc | kMsr | kPae | kCx8 | kPge | kMca | kCmov | kPse36;
constexpr u32 kCr4All = cr4::kTSD | cr4::kPSE | cr4::kPAE | cr4::kPGE;

constexpr CpuProfile kProfiles[] = {
    {CpuModel::Default, "default", "P6 CPUID (with NX) and TLBs, Intel486 instruction timings (hm386's model before profiles)",
     1, kCpuSignature, kP6Features, kExtNx, kCr4All, true, 0, kP6Tlb, 20, k486Extra, {}, {}},
    {CpuModel::I486, "486", "Intel486 DX4: no TSC, MSRs, CMPXCHG8B, CMOV, PSE/PAE/PGE; Intel486 timings",
     1, 0x0480, kFpu, 0, 0, true, 0, k486Tlb, 20, k486Extra, k486Missing, {}},
    {CpuModel::Pentium, "pentium", "Pentium (P54C): TSC, MSRs, CMPXCHG8B, PSE; no CMOV, PAE, PGE; Agner Fog's P1 timings",
     1, 0x0525, kFpu | kPse | kTsc | kMsr | kCx8, 0, cr4::kTSD | cr4::kPSE, true, 0, kPentiumTlb, 20,
     // Interrupt delivery: INT imm8 in real mode is 16 on the Pentium; its
     // protected-mode figures are published only as a range (27-82), which the
     // Intel486's 44, 71 and 82 lie in (docs/cycle-costs.md).
     ExtraCosts{2, 2, 0, 8, 24, 16, 44, 71, 82}, kPentiumMissing, kPentiumCosts},
    // No NX and no extended leaves: the XD bit came with the later Pentium 4s
    // (Prescott), CPUID 80000000h with the Pentium 4 (docs/cycle-costs.md).
    {CpuModel::P6, "p6", "Pentium Pro / II: CMOV, PAE, PGE, no NX; Agner Fog's PPro/PII latencies",
     1, kCpuSignature, kP6Features, 0, kCr4All, true, 0, kP6Tlb, 20,
     ExtraCosts{1, 0, 0, 4, 20, 30, 44, 71, 82}, {}, kP6Costs},
    // The first Intel486 DX steppings (1989): no CPUID (EFLAGS.ID stays 0, 0F A2
    // is #UD), no CR4; EDX at reset holds the signature (family 4, model 0).
    // CPUID's fields below are what no instruction can read.
    {CpuModel::I486NoCpuid, "486-nocpuid", "early Intel486 DX: the 486 profile without CPUID, EFLAGS.ID or CR4",
     0, 0x0400, kFpu, 0, 0, false, flag::ID, k486Tlb, 20, k486Extra, k486NoCpuidMissing, {}},
};

constexpr CpuModel kModels[] = {CpuModel::Default, CpuModel::I486, CpuModel::Pentium, CpuModel::P6,
                                CpuModel::I486NoCpuid};

}  // namespace

const CpuProfile& cpu_profile(CpuModel m) {
    for (const CpuProfile& p : kProfiles) {
        if (p.model == m) return p;
    }
    return kProfiles[0];
}

std::optional<CpuModel> parse_cpu_model(std::string_view name) {
    for (const CpuProfile& p : kProfiles) {
        if (name == p.name) return p.model;
    }
    return std::nullopt;
}

const char* cpu_model_names() { return "default, 486, pentium, p6, 486-nocpuid"; }

std::span<const CpuModel> all_cpu_models() { return kModels; }

}  // namespace hm::cpu
