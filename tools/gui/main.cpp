// hm386-gui: the debugger's window. `hm386-gui IMAGE [hm386 run options] [--script
// FILE] [--screenshot FILE] ...` boots IMAGE as `hm386 run` would and stops at the
// first instruction. See docs/gui.md.

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include <CLI/CLI.hpp>

#include "app.hpp"
#include "controller.hpp"
#include "boot/boot_error.hpp"
#include "build_dir.hpp"
#include "exit_codes.hpp"
#include "gui_options.hpp"
#include "session.hpp"

namespace {

void say(const std::string& msg) { std::fprintf(stderr, "hm386-gui: %s\n", msg.c_str()); }

std::string build_dir() { return hm::locate_build_dir("/tools/gui/hm386-gui", HM386_BUILD_DIR); }

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    try {
        args = hm::translate_qemu_args(args);
    } catch (const hm::UsageError& e) {
        say(e.what());
        return hm::exit_code::kUsage;
    }
    CLI::App cli{"hm386-gui: the highmem386 debugger window (paging, TLBs and highmem made visible)"};
    cli.name("hm386-gui");  // the usage line names the program
    hm::gui::GuiOptions o;
    hm::gui::add_gui_options(cli, o);
    std::reverse(args.begin(), args.end());  // CLI11 takes the vector back to front
    try {
        cli.parse(args);
    } catch (const CLI::ParseError& e) {
        const int rc = cli.exit(e);
        return rc == 0 ? 0 : hm::exit_code::kUsage;
    }

    hm::RunPlan plan;
    hm::gui::WindowSize size;
    try {
        plan = hm::resolve_run_plan(o.run, hm::ManifestVars{build_dir()});
        size = hm::gui::parse_window_size(o.size);
        if (plan.gdb_port) throw hm::UsageError("--gdb: hm386-gui has no gdb stub; use hm386 debug IMAGE --gdb PORT");
    } catch (const hm::UsageError& e) {
        say(e.what());
        return hm::exit_code::kUsage;
    } catch (const hm::BootError& e) {
        say(e.what());
        return hm::exit_code::kBadImage;
    }

    hm::gui::CommandLog log(o.echo ? hm::gui::CommandLog::Echo::Yes : hm::gui::CommandLog::Echo::No);
    if (!o.record.empty()) {
        const std::string err = log.open_record(o.record);
        if (!err.empty()) {
            say(err);
            return hm::exit_code::kUsage;
        }
    }
    std::unique_ptr<hm::gui::Session> session;
    try {
        session = std::make_unique<hm::gui::Session>(plan);
    } catch (const hm::gui::SessionError& e) {
        say(e.message);
        return e.exit_status;
    }
    const std::string image = !o.run.image.empty() ? o.run.image : !plan.kernel.empty() ? plan.kernel : plan.rom;
    log.note("hm386-gui " + image + ": stopped at the first instruction");
    log.note(session->load_symbols(o.symbols));

    int status = 0;
    {
        hm::gui::Controller controller(*session, log);
        hm::gui::App app(controller, log);
        const std::string err = app.open(size, "hm386-gui: " + image);
        if (!err.empty()) {
            say(err);
            return hm::gui::kNoDisplay;
        }
        if (!o.script.empty() && !controller.load_script(o.script)) {
            say("cannot read script '" + o.script + "'");
            return hm::exit_code::kUsage;
        }
        if (!o.screenshot.empty()) controller.screenshot_and_quit(o.screenshot);
        status = app.run(plan.timeout);
        if (status != 0 && status != hm::exit_code::kTimeout) {
            // A failed script: its last lines explain why, for whoever reads stderr.
            const auto& lines = log.lines();
            for (size_t i = lines.size() > 4 ? lines.size() - 4 : 0; i < lines.size(); ++i) say(lines[i].text);
        }
    }
    const std::string warn = session->close();
    if (!warn.empty()) say("warning: " + warn);
    return status;
}
