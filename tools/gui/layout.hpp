// Where each panel goes by default, as fractions of the area under the menu bar:
// three columns — code and registers; the MMU (page walk, TLB, memory); the
// kernel's highmem views, the consoles, events, statistics and the command log.
#pragma once
#include "panels/panel.hpp"

namespace hm::gui::layout {

inline constexpr PanelRect kDisassembly{0.00f, 0.00f, 0.31f, 0.55f};
inline constexpr PanelRect kRegisters{0.00f, 0.55f, 0.31f, 0.45f};
inline constexpr PanelRect kPageWalk{0.31f, 0.00f, 0.33f, 0.45f};
inline constexpr PanelRect kTlb{0.31f, 0.45f, 0.33f, 0.30f};
inline constexpr PanelRect kMemory{0.31f, 0.75f, 0.33f, 0.25f};
inline constexpr PanelRect kPkmap{0.64f, 0.00f, 0.36f, 0.27f};
inline constexpr PanelRect kKmapLocal{0.64f, 0.27f, 0.36f, 0.12f};
inline constexpr PanelRect kConsole{0.64f, 0.39f, 0.36f, 0.18f};
// The statistics get the wider half: names and 8-digit totals fit at the default size.
inline constexpr PanelRect kEvents{0.64f, 0.57f, 0.15f, 0.16f};
inline constexpr PanelRect kStats{0.79f, 0.57f, 0.21f, 0.16f};
inline constexpr PanelRect kCommands{0.64f, 0.73f, 0.36f, 0.27f};

}  // namespace hm::gui::layout
