// The model-specific registers of the CPU model CPUID presents, as one table
// (emu/cpu/msr.cpp; docs/cpu.md lists it). RDMSR/WRMSR of an MSR that is not in
// the table, or absent on this CPU (IA32_APIC_BASE without a local APIC), raise
// #GP(0), reads and writes alike; so does a write that sets a reserved bit or
// changes a read-only register.
#pragma once
#include <span>

#include "core/types.hpp"
#include "cpu/state.hpp"

namespace hm::cpu {

struct Core;
struct Insn;

namespace msr_index {
constexpr u32 kTsc = 0x10, kApicBase = 0x1B, kMcgCap = 0x179, kMcgStatus = 0x17A, kMiscEnable = 0x1A0;
constexpr u32 kEfer = 0xC0000080;
}  // namespace msr_index

struct MsrInfo {
    u32 index;
    const char* name;
};
// The MSRs the model has (whether present also depends on the machine: see above).
std::span<const MsrInfo> msr_table();

// ECX's MSR for RDMSR / WRMSR (CPL 0 already checked): raise #GP(0) as above.
u64 read_msr(Core& c, const Insn* i, u32 index);
void write_msr(Core& c, const Insn* i, u32 index, u64 value);

// Power-on values (the local APIC configuration in s.msr is kept).
void reset_msrs(CpuState& s);

}  // namespace hm::cpu
