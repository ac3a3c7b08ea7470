// What the controller tests share: a run plan for a guest of the build tree and
// the wait for the worker thread, done as the window's frame loop does it.
#pragma once
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "controller.hpp"

namespace hm::gui::test {

// A guest from the build tree (path relative to it), both consoles off.
inline RunPlan guest_plan(const std::string& image, u64 ram_bytes, const std::string& append = "", unsigned cpus = 1) {
    RunPlan p;
    p.kernel = std::string(HM386_BUILD_DIR) + "/" + image;
    p.ram_bytes = ram_bytes;
    p.append = append;
    p.cpus = cpus;
    p.serial = "none";
    p.debugcon = "none";
    return p;
}

// Polls like the window's frame loop until everything queued has run.
inline void settle(Controller& c) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!c.idle() || c.busy()) {
        c.poll();
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
        REQUIRE(std::chrono::steady_clock::now() < deadline);
    }
    c.poll();
}

}  // namespace hm::gui::test
