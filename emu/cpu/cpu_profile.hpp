// CPU profiles: each one plain, constant data object that says everything the
// chosen processor model changes: CPUID, the instructions it lacks (they decode to
// #UD), the CR4 bits it has, TLB geometry, per-instruction base costs and the
// data-dependent extras, the page-walk, INVLPG, CR3-write and interrupt-delivery
// costs. CpuState::model selects one (cpu_model.hpp); nothing here is mutable.
// Every figure names its source in docs/cycle-costs.md, "CPU profiles".
#pragma once
#include <optional>
#include <span>
#include <string_view>

#include "core/types.hpp"
#include "cpu/cpu_model.hpp"
#include "mmu/tlb.hpp"

namespace hm::cpu {

// An encoding the profile lacks: opcode (0x000-0x1FF), ModRM.reg group (-1: every
// row of the opcode) and which operand forms go (bit 0 register, bit 1 memory).
struct MissingEncoding {
    u16 opcode;
    i8 group;
    u8 forms;
};
namespace form_bit {
constexpr u8 kReg = 1, kMem = 2, kBoth = 3;
}

// A base-cost replacement for the rows of opcodes first..last (group -1: every
// group). kKeep leaves that form's figure as the row has it.
struct CostOverride {
    u16 first, last;
    i8 group;
    u8 cost_reg, cost_mem;
};
constexpr u8 kKeep = 0xFF;

// Costs charged by instructions on top of their base cost.
struct ExtraCosts {
    u32 jcc_taken;                  // Jcc taken (not taken: the base cost)
    u32 mul16, mul32;               // MUL/IMUL with 16- / 32-bit operands
    u32 div16, div32;               // DIV/IDIV with 16- / 32-bit operands
    u32 int_real, int_same, int_inner, int_v86;  // interrupt/exception delivery
};

struct CpuProfile {
    CpuModel model;
    const char* name;         // as --cpu spells it
    const char* description;  // one line for --help and the docs
    u32 cpuid_max_leaf;       // CPUID.0:EAX
    u32 signature;            // CPUID.1:EAX (family, model, stepping)
    u32 features;             // CPUID.1:EDX, without the APIC bit (it follows IA32_APIC_BASE)
    u32 ext_features;         // CPUID.80000001h:EDX (0: no extended leaves beyond 80000000h)
    u32 cr4_bits;             // CR4 bits that can be set; the others #GP
    bool has_cr4;             // false: MOV to or from CR4 raises #UD (the early 486 has no CR4)
    u32 eflags_fixed0;        // EFLAGS bits hardwired to 0 (ID without CPUID: SDM vol. 1, 20.1.2)
    TlbConfig tlb;
    u64 walk_access_cycles;   // per page-table memory access of a walk or a PDPTE load
    ExtraCosts extra;
    std::span<const MissingEncoding> missing;
    std::span<const CostOverride> costs;
};

const CpuProfile& cpu_profile(CpuModel m);
// "486", "pentium", "p6", "default", "486-nocpuid"; nullopt for anything else.
std::optional<CpuModel> parse_cpu_model(std::string_view name);
// The names parse_cpu_model accepts, for messages: "default, 486, pentium, p6, 486-nocpuid".
const char* cpu_model_names();
std::span<const CpuModel> all_cpu_models();

}  // namespace hm::cpu

namespace hm::cpu {

// The base cost model m charges for an encoding (opcode 0x000-0x1FF, ModRM.reg,
// register or memory form), as its dispatch table has it; nullopt when the
// model has no such encoding. For reports that name the figures they rest on.
std::optional<u32> base_cost(CpuModel m, u16 opcode, u8 reg, bool mem);

}  // namespace hm::cpu
