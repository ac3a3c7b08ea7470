// Debugger breakpoints and stops, as seen by the run loop (run_loop.cpp).
//
// Linear breakpoints match CS.base + EIP; physical ones match the physical
// address of the instruction's first byte, so one physical breakpoint catches
// every linear alias of the code (and code run before paging is on). Blocks are
// keyed by physical address, so the block check is exact for both kinds. Nothing
// here runs unless `breakpoints_armed` is set: with no breakpoints the hot path
// tests that one flag per block.
#include <algorithm>

#include "cpu/core.hpp"

namespace hm {

using namespace cpu;

namespace {
template <typename T>
bool any_in(const std::vector<T>& sorted, T first, u64 span) {
    auto it = std::lower_bound(sorted.begin(), sorted.end(), first);
    return it != sorted.end() && u64{*it} - u64{first} < span;
}
}  // namespace

void Cpu::set_breakpoints(std::vector<u32> linear_addresses) {
    std::sort(linear_addresses.begin(), linear_addresses.end());
    core_->breakpoints = std::move(linear_addresses);
    core_->breakpoints_armed = !core_->breakpoints.empty() || !core_->phys_breakpoints.empty();
}

void Cpu::set_physical_breakpoints(std::vector<u64> physical_addresses) {
    std::sort(physical_addresses.begin(), physical_addresses.end());
    core_->phys_breakpoints = std::move(physical_addresses);
    core_->breakpoints_armed = !core_->breakpoints.empty() || !core_->phys_breakpoints.empty();
}

void Cpu::request_stop_after_instruction() {
    Core& c = *core_;
    c.request_stop();
    // The executing block stops after this instruction (step_one stops by
    // itself); nothing is decoded again, so the guest sees no difference.
    c.block_stop = 0;
}

}  // namespace hm

namespace hm::cpu {

bool Core::breakpoint_at(u32 lin) const {
    if (any_in(breakpoints, lin, 1)) return true;
    if (phys_breakpoints.empty()) return false;
    // The physical address the fetch would use now (TLB first), without side effects.
    const std::optional<PhysAddr> phys = mmu.probe(LinearAddr{lin}, Access::Execute, data_priv);
    return phys && any_in(phys_breakpoints, phys->value, 1);
}

bool Core::breakpoint_in_block(const Block& b, u32 lin) const {
    if (any_in(breakpoints, lin, b.span)) return true;
    if (phys_breakpoints.empty()) return false;
    // Only a block of one page-straddling instruction leaves its first page.
    const u64 first_room = kPageSize - (b.phys & 0xFFF);
    if (any_in(phys_breakpoints, b.phys, std::min<u64>(b.span, first_room))) return true;
    return b.cross_page && b.span > first_room && any_in(phys_breakpoints, b.phys2, b.span - first_room);
}

bool Core::breakpoint_at_block_start(const Block& b, u32 lin) const {
    return any_in(breakpoints, lin, 1) || any_in(phys_breakpoints, b.phys, 1);
}

}  // namespace hm::cpu
