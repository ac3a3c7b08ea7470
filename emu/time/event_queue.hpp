// Device events on virtual time. A device owns named timers and arms them at an
// absolute cycle; the machine's run loop asks for the earliest deadline, lets the
// CPU run up to it, then fires what is due. Halting CPUs skip straight to the next
// deadline. A handful of timers exist (PIT, RTC, UART, ...), so a linear scan is
// the right data structure. Firing order is deterministic: earliest deadline
// first, ties in creation order.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "core/state_visitor.hpp"

namespace hm {

class EventQueue {
public:
    static constexpr u64 kNever = ~u64{0};
    using TimerId = u32;
    using Handler = std::function<void(u64 now)>;

    static constexpr int kNoIrq = -1;
    // `irq` is the interrupt line the handler may raise: the machine asks which
    // armed timers could still wake a halted CPU. kNoIrq: the timer's effect is
    // not known, so it always counts as able to wake.
    TimerId create(std::string name, Handler handler, int irq = kNoIrq);
    // Arms (or re-arms) a timer to fire once at cycle `when`.
    void schedule(TimerId id, u64 when);
    void cancel(TimerId id);
    bool armed(TimerId id) const { return timers_[id].deadline != kNever; }
    u64 deadline(TimerId id) const { return timers_[id].deadline; }

    u64 next_deadline() const { return next_; }
    // Told when schedule() makes a deadline earlier than every other: the
    // machine passes it on to a CPU running towards a later one (Cpu::lower_deadline).
    using EarlierHook = void (*)(void* context, u64 when);
    void on_earlier(EarlierHook hook, void* context) {
        earlier_ = hook;
        earlier_context_ = context;
    }
    // Fires every timer due at or before `now`, earliest first. A handler may
    // re-arm timers; one that keeps re-arming at or before `now` is a device bug
    // and ends the run with std::logic_error instead of spinning forever.
    unsigned run_due(u64 now);

    u64 fired() const { return fired_; }
    const std::string& name(TimerId id) const { return timers_[id].name; }
    int irq(TimerId id) const { return timers_[id].irq; }
    size_t size() const { return timers_.size(); }

    // Every timer's deadline and the count of events fired, for the state hash and
    // snapshots (core/state_visitor.hpp). The timers themselves (names,
    // handlers) follow from the machine's wiring, so their number must match.
    template <class V>
    void visit_state(V& v) {
        v.section(0x45565451);  // "EVTQ"
        v.fixed(timers_.size(), "the number of device timers");
        for (Timer& t : timers_) v.value(t.deadline);
        v.value(fired_);
        if constexpr (V::kLoading) recompute_next();
    }

private:
    struct Timer {
        std::string name;
        Handler handler;
        u64 deadline = kNever;
        int irq = kNoIrq;
    };
    void recompute_next();

    std::vector<Timer> timers_;
    u64 next_ = kNever;
    u64 fired_ = 0;
    EarlierHook earlier_ = nullptr;
    void* earlier_context_ = nullptr;
};

}  // namespace hm
