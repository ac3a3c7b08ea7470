// Runs debugger commands on a thread of their own, so that a long `c` never
// freezes the window: the UI thread keeps drawing (from the last snapshot) and
// can stop the run with Debugger::interrupt(), which is safe from any thread.
//
// Contract: while busy(), only the worker touches the Debugger and the Machine;
// the UI thread reads them again only after take() handed back the result.
#pragma once
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "debug/command_interpreter.hpp"

namespace hm::gui {

struct CommandDone {
    std::string line;
    dbg::CommandInterpreter::Result result;
    double seconds = 0;  // host time the command took
};

class CommandWorker {
public:
    explicit CommandWorker(dbg::CommandInterpreter& interp);
    ~CommandWorker();  // waits for the command in progress (interrupt it first)
    CommandWorker(const CommandWorker&) = delete;
    CommandWorker& operator=(const CommandWorker&) = delete;

    // False once a command was submitted, until its result has been taken.
    bool busy() const;
    // Precondition: !busy().
    void submit(const std::string& line);
    // The finished command, once (nullopt while it runs or when idle).
    std::optional<CommandDone> take();

private:
    void loop();

    dbg::CommandInterpreter& interp_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::optional<std::string> pending_;
    std::optional<CommandDone> done_;
    bool busy_ = false;
    bool quit_ = false;
    std::thread thread_;
};

}  // namespace hm::gui
