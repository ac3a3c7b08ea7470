#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "time/event_queue.hpp"

using namespace hm;

TEST_CASE("Timers fire in deadline order, ties in creation order", "[time]") {
    EventQueue q;
    std::vector<std::string> log;
    auto a = q.create("a", [&](u64 now) { log.push_back("a@" + std::to_string(now)); });
    auto b = q.create("b", [&](u64) { log.push_back("b"); });
    auto c = q.create("c", [&](u64) { log.push_back("c"); });
    CHECK(q.next_deadline() == EventQueue::kNever);
    q.schedule(c, 100);
    q.schedule(b, 50);
    q.schedule(a, 100);
    CHECK(q.next_deadline() == 50);
    CHECK(q.run_due(49) == 0);
    CHECK(q.run_due(100) == 3);
    CHECK(log == std::vector<std::string>{"b", "a@100", "c"});
    CHECK(q.next_deadline() == EventQueue::kNever);
    CHECK(q.fired() == 3);
}

TEST_CASE("A handler can re-arm itself and cancel disarms", "[time]") {
    EventQueue q;
    int ticks = 0;
    EventQueue::TimerId t = 0;
    t = q.create("periodic", [&](u64 now) {
        ++ticks;
        q.schedule(t, now + 10);
    });
    q.schedule(t, 10);
    q.run_due(35);  // fires at 10; re-armed at 45 (now + 10 with now = 35)
    CHECK(ticks == 1);
    CHECK(q.deadline(t) == 45);
    q.cancel(t);
    CHECK_FALSE(q.armed(t));
    CHECK(q.run_due(1000) == 0);
}

TEST_CASE("A timer that never advances is reported, not spun on", "[time]") {
    EventQueue q;
    EventQueue::TimerId t = 0;
    t = q.create("stuck", [&](u64 now) { q.schedule(t, now); });
    q.schedule(t, 5);
    CHECK_THROWS_AS(q.run_due(5), std::logic_error);
}
