#include "command_worker.hpp"

#include <chrono>

namespace hm::gui {

CommandWorker::CommandWorker(dbg::CommandInterpreter& interp) : interp_(interp), thread_([this] { loop(); }) {}

CommandWorker::~CommandWorker() {
    {
        std::lock_guard lock(mu_);
        quit_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

bool CommandWorker::busy() const {
    std::lock_guard lock(mu_);
    return busy_;
}

void CommandWorker::submit(const std::string& line) {
    {
        std::lock_guard lock(mu_);
        if (busy_) return;  // the caller broke the precondition: drop rather than race
        busy_ = true;
        pending_ = line;
    }
    cv_.notify_all();
}

std::optional<CommandDone> CommandWorker::take() {
    std::lock_guard lock(mu_);
    if (!done_) return std::nullopt;
    std::optional<CommandDone> d = std::move(done_);
    done_.reset();
    busy_ = false;
    return d;
}

void CommandWorker::loop() {
    for (;;) {
        std::string line;
        {
            std::unique_lock lock(mu_);
            cv_.wait(lock, [this] { return quit_ || pending_.has_value(); });
            if (quit_) return;
            line = std::move(*pending_);
            pending_.reset();
        }
        CommandDone d;
        d.line = line;
        const auto t0 = std::chrono::steady_clock::now();
        try {
            d.result = interp_.execute(line);
        } catch (const std::exception& e) {
            // The interpreter turns every refused request into an error line; what
            // reaches here is an emulator failure, reported instead of crashing.
            d.result.ok = false;
            d.result.output = std::string("error: internal error: ") + e.what() + "\n";
        }
        d.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        {
            std::lock_guard lock(mu_);
            done_ = std::move(d);
        }
    }
}

}  // namespace hm::gui
