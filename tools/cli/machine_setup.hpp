// The part of `hm386 run` and `hm386 debug` that turns a RunPlan into a booted
// Machine: the host side of the devices (serial, port 0xE9, POST log), the
// machine itself and the image loaded into it. Failures are printed as one line
// and returned as hm386's exit status.
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "devices/host_char_backend.hpp"
#include "machine.hpp"
#include "run_options.hpp"
#include "snapshot/input_log.hpp"

namespace hm {

// Host side of the run: character back ends and files, opened before the guest starts.
struct HostIo {
    std::unique_ptr<CharSink> serial, debugcon, post_log;
    std::unique_ptr<StdinSource> serial_in;
    // --record / --replay (hm386 run): set before build_machine, which puts the
    // recorder in front of stdin, or the player in its place.
    std::unique_ptr<snap::InputRecorder> recorder;
    std::unique_ptr<snap::InputPlayer> player;
};

// Serial input from stdin, unless stdin belongs to someone else (the debugger's REPL).
enum class SerialInput : u8 { FromStdin, Off };

void say(const std::string& msg);  // "hm386: msg" on stderr

// Opens the host side, builds the machine and boots the plan's image. Returns
// nullopt on success, else the exit status (the reason already printed).
std::optional<int> build_machine(const RunPlan& plan, SerialInput input, HostIo& io, std::unique_ptr<Machine>& machine);

}  // namespace hm
