// hm386-gui's command line: `hm386-gui IMAGE [the run options of hm386 run]
// [GUI options]`. The run options are hm386 run's own (tools/cli/run_options.hpp),
// so an image boots the same way in both; the GUI adds a script, screenshots, a
// command record and the window size. Parsing is separate from the window so that
// it can be tested without a display.
#pragma once
#include <string>

#include <CLI/CLI.hpp>

#include "run_options.hpp"

namespace hm::gui {

struct GuiOptions {
    RunOptions run;
    std::string script;      // debugger commands run one after the other at start
    std::string screenshot;  // write a PNG of the window after the script, then quit
    std::string record;      // every command issued, as a script for `hm386-gui --script`
    std::string size = "1600x1000";
    std::string symbols;     // ELF with the symbols (default: the kernel when it is an ELF)
    bool echo = false;       // print the command log on stdout as it grows
};

void add_gui_options(CLI::App& app, GuiOptions& o);

struct WindowSize {
    int width = 0, height = 0;
};
// "1600x1000" -> {1600, 1000}; UsageError for anything else or a size outside 640x400..8192x8192.
WindowSize parse_window_size(const std::string& text);

}  // namespace hm::gui
