#include "gui_options.hpp"

#include <cstdlib>

#include "qemu_args.hpp"

namespace hm::gui {

void add_gui_options(CLI::App& app, GuiOptions& o) {
    // The GUI shows the guest's consoles in its own panel: nothing goes to stdout
    // unless asked (--serial stdio or file:PATH also copies it there).
    o.run.serial = "none";
    o.run.debugcon = "none";
    add_run_options(app, o.run);
    app.get_option("--serial")->description("COM1 is shown in the console panel; also copy it to stdio or file:PATH (default none)");
    app.get_option("--debugcon")->description("port 0xE9 is shown in the console panel; also copy it to stdio or file:PATH (default none)");
    app.get_option("--timeout")->description("quit hm386-gui (status 124) after this many host seconds: a guard for scripted runs");
    app.add_option("--script", o.script, "debugger commands to run at start, one per line (see docs/gui.md)");
    app.add_option("--screenshot", o.screenshot, "after the script, write a PNG of the window to FILE and quit");
    app.add_option("--record", o.record, "write every command issued (typed, clicked or scripted) to FILE as a replayable script");
    app.add_option("--size", o.size, "window size WIDTHxHEIGHT (default 1600x1000)");
    app.add_option("--symbols", o.symbols, "ELF file or Linux System.map with the symbols (default: the kernel, when it is an ELF file)");
    app.add_flag("--echo", o.echo, "print the command log (commands and their output) on stdout as well");
}

WindowSize parse_window_size(const std::string& text) {
    const size_t x = text.find_first_of("xX");
    auto bad = [&] { return UsageError("--size " + text + ": expected WIDTHxHEIGHT between 640x400 and 8192x8192"); };
    if (x == std::string::npos || x == 0 || x + 1 == text.size()) throw bad();
    char* end = nullptr;
    const long w = std::strtol(text.c_str(), &end, 10);
    if (end != text.c_str() + x) throw bad();
    const long h = std::strtol(text.c_str() + x + 1, &end, 10);
    if (*end != '\0') throw bad();
    if (w < 640 || h < 400 || w > 8192 || h > 8192) throw bad();
    return {static_cast<int>(w), static_cast<int>(h)};
}

}  // namespace hm::gui
