// What the user chose to look at, apart from the machine itself: the memory
// panel's address and space, the page walk's address, the selected disassembly
// line. Panels edit it; the controller refreshes the snapshot when `version`
// moves. Plain data.
#pragma once
#include <optional>

#include "debug/debugger_types.hpp"

namespace hm::gui {

struct ViewState {
    // Memory panel: nullopt follows ESP (linear) until an address is chosen.
    dbg::Space mem_space = dbg::Space::Linear;
    std::optional<u64> mem_addr;
    unsigned mem_rows = 32;  // of 16 bytes

    // Page-walk panel: nullopt walks EIP.
    std::optional<u32> walk_addr;
    Access walk_access = Access::Read;
    Priv walk_priv = Priv::Supervisor;

    // Disassembly: the line F9 toggles (nullopt: EIP's line).
    std::optional<u32> selected_insn;

    u64 version = 0;  // bump after any change above
    void changed() { ++version; }
};

}  // namespace hm::gui
