#include "time/event_queue.hpp"

#include <stdexcept>

namespace hm {

EventQueue::TimerId EventQueue::create(std::string name, Handler handler, int irq) {
    timers_.push_back(Timer{std::move(name), std::move(handler), kNever, irq});
    return static_cast<TimerId>(timers_.size() - 1);
}

void EventQueue::schedule(TimerId id, u64 when) {
    timers_.at(id).deadline = when;
    if (when < next_) {
        next_ = when;
        if (earlier_) earlier_(earlier_context_, when);
    } else {
        recompute_next();
    }
}

void EventQueue::cancel(TimerId id) {
    timers_.at(id).deadline = kNever;
    recompute_next();
}

void EventQueue::recompute_next() {
    u64 n = kNever;
    for (const Timer& t : timers_) n = t.deadline < n ? t.deadline : n;
    next_ = n;
}

unsigned EventQueue::run_due(u64 now) {
    // A device that re-arms at `now` forever would hang the host; this many firings
    // in one call cannot happen with timers that move forward.
    constexpr unsigned kMaxFiringsPerCall = 1'000'000;
    unsigned count = 0;
    while (next_ <= now) {
        size_t best = timers_.size();
        for (size_t i = 0; i < timers_.size(); ++i) {
            if (timers_[i].deadline <= now && (best == timers_.size() || timers_[i].deadline < timers_[best].deadline)) {
                best = i;
            }
        }
        if (best == timers_.size()) break;
        Timer& t = timers_[best];
        t.deadline = kNever;
        recompute_next();
        if (++count > kMaxFiringsPerCall) {
            throw std::logic_error("device timer '" + t.name + "' keeps re-arming without advancing time");
        }
        ++fired_;
        t.handler(now);
    }
    return count;
}

}  // namespace hm
