// The eight claims of ../shared/docs/cost-facts.md decided from a cost report's
// figures (both paging modes), each verdict naming the model numbers that drive
// it: the CPU profile's page-walk access, INVLPG and MOV-to-CR4 costs, or "TLB
// events only" where no cost figure enters. docs/highmem-costs.md, "The claims".
#pragma once
#include <string>

#include "cost_table.hpp"

namespace hm {

// The cost figures of the CPU profile the report ran with.
struct CostModelNumbers {
    std::string cpu;          // the profile's name
    u64 walk_access = 0;      // cycles per page-table memory access
    u64 invlpg = 0;           // INVLPG's base cost
    u64 mov_cr = 0;           // MOV to CR3/CR4's base cost
};

// One line per claim: "N. claim: VERDICT (figures); driven by: ...".
std::string cost_claims_text(const CostRun& two_level, const CostRun& pae, const CostModelNumbers& model);

}  // namespace hm
