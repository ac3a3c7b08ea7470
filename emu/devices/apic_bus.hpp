// The APIC bus: how interrupt messages travel between local APICs (IPIs) and
// from the I/O APIC to local APICs, and how a local APIC's EOI of a
// level-triggered vector reaches the I/O APICs. Designed for N CPUs: a message
// names its destination as the SDM describes (physical ID, logical flat or
// cluster, or a shorthand), and every present local APIC decides whether it is
// addressed. Messages to APIC IDs that no CPU has are dropped, as on hardware.
#pragma once
#include <functional>
#include <vector>

#include "core/types.hpp"

namespace hm {

class Lapic;

namespace apic_mode {  // delivery modes (ICR / LVT / redirection entry bits 10:8)
constexpr u8 kFixed = 0, kLowestPriority = 1, kSmi = 2, kNmi = 4, kInit = 5, kStartup = 6, kExtInt = 7;
}

struct ApicMessage {
    u8 vector = 0;
    u8 mode = apic_mode::kFixed;
    bool logical = false;         // destination mode
    bool level_trigger = false;   // trigger mode (sets TMR; EOI is broadcast)
    bool assert_level = true;     // INIT level de-assert has this clear
    u8 destination = 0;           // APIC ID (physical) or MDA (logical); 0xFF = all
};

enum class ApicShorthand : u8 { None, Self, AllIncludingSelf, AllExcludingSelf };

class ApicBus {
public:
    void attach(Lapic& lapic) { lapics_.push_back(&lapic); }
    // Delivers `m` from `source` (nullptr: the I/O APIC) to every addressed local
    // APIC; lowest-priority picks one of them. Returns how many accepted it.
    unsigned send(const ApicMessage& m, ApicShorthand shorthand = ApicShorthand::None, Lapic* source = nullptr);
    // A local APIC's EOI for a level-triggered vector (the I/O APIC clears remote IRR).
    void broadcast_eoi(u8 vector) {
        for (auto& f : eoi_listeners_) f(vector);
    }
    void on_eoi(std::function<void(u8)> f) { eoi_listeners_.push_back(std::move(f)); }
    const std::vector<Lapic*>& lapics() const { return lapics_; }

private:
    std::vector<Lapic*> lapics_;
    std::vector<std::function<void(u8)>> eoi_listeners_;
};

}  // namespace hm
