// The vocabulary shared by the CPU and the MMU: what kind of access, at which
// privilege, and the control registers that govern paging.
#pragma once
#include "core/types.hpp"

namespace hm {

enum class Access : u8 { Read = 0, Write = 1, Execute = 2 };
enum class Priv : u8 { Supervisor = 0, User = 1 };

// Owned by the CPU state; the MMU reads them and commits paging-relevant writes.
struct ControlRegs {
    u32 cr0 = 0x60000010;  // reset value: CD, NW, ET
    u32 cr2 = 0;
    u32 cr3 = 0;
    u32 cr4 = 0;
    u64 efer = 0;
};

namespace cr0 {
constexpr u32 kPE = 1u << 0, kMP = 1u << 1, kEM = 1u << 2, kTS = 1u << 3, kET = 1u << 4, kNE = 1u << 5;
constexpr u32 kWP = 1u << 16, kAM = 1u << 18, kNW = 1u << 29, kCD = 1u << 30, kPG = 1u << 31;
}  // namespace cr0
namespace cr4 {
constexpr u32 kVME = 1u << 0, kPVI = 1u << 1, kTSD = 1u << 2, kDE = 1u << 3, kPSE = 1u << 4;
constexpr u32 kPAE = 1u << 5, kMCE = 1u << 6, kPGE = 1u << 7, kPCE = 1u << 8;
}  // namespace cr4
namespace efer {
constexpr u64 kNXE = 1u << 11;
}  // namespace efer

enum class PagingMode : u8 { None, TwoLevel, Pae };

const char* access_name(Access a);
const char* paging_mode_name(PagingMode m);

}  // namespace hm
