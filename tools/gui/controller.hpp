// The GUI's one way to act on the machine: every action (typed, clicked, a key,
// a script line) becomes a command-language line that is echoed in the log,
// recorded, and run by the command interpreter on the worker thread. Commands
// queue up while one runs and go one at a time; the snapshot is refreshed after
// each. The few commands only the GUI knows (`screenshot FILE`) are handled here.
//
// Commands that show something also move the matching panel: `walk ADDR` sets
// the page-walk panel's address, `x ADDR` / `xp ADDR` the memory panel's.
#pragma once
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "command_log.hpp"
#include "command_worker.hpp"
#include "session.hpp"
#include "snapshot.hpp"
#include "view_state.hpp"

namespace hm::gui {

class Controller {
public:
    Controller(Session& session, CommandLog& log);

    // Queues a command. `how` names the GUI action that issued it (shown in the
    // log as a comment: "s    # F11"); empty for typed and scripted lines.
    void issue(const std::string& line, const std::string& how = "");
    // Enter on an empty command box: repeats the last step/next command.
    void repeat_step();
    // F6 / the Stop button: stops the command that is running (a `c`).
    void interrupt(const std::string& how);

    // Script lines run after everything already queued, one at a time; the first
    // failing line ends the script and hm386-gui (status 1).
    bool load_script(const std::string& path);
    // After the script: write a PNG of the window and quit (--screenshot).
    void screenshot_and_quit(const std::string& path);

    // Once per frame, on the UI thread: collects a finished command, refreshes
    // the snapshot, starts the next queued command.
    void poll();

    bool busy() const { return worker_.busy(); }
    bool idle() const { return !busy() && queue_.empty() && script_.empty() && !screenshot_; }
    const Snapshot& snapshot() const { return snap_; }
    ViewState& view() { return view_; }
    Session& session() { return session_; }
    const std::string& last_step() const { return last_step_; }

    // The window calls these around a screenshot request.
    std::optional<std::string> screenshot_due();  // the path, when the frame to capture is being drawn
    void screenshot_done(const std::string& path, const std::string& error, int width, int height);
    // After a screenshot: the layout audit's verdict on the captured frame ("none", or
    // the panels whose text runs past their edge; layout_audit.hpp).
    void log_clipped_text(const std::string& verdict) { log_.output("clipped text: " + verdict); }

    bool quit_requested() const { return quit_; }
    int exit_status() const { return exit_status_; }

private:
    struct Queued {
        std::string line;
        std::string how;
        bool from_script = false;
        int script_line = 0;
    };

    void start(const Queued& q);
    void finish(const CommandDone& done);
    void refresh(NewStop new_stop);
    void follow_views(const std::string& line);
    bool handle_gui_command(const std::string& line, const Queued& q);

    Session& session_;
    CommandLog& log_;
    CommandWorker worker_;
    ViewState view_;
    u64 view_version_seen_ = 0;
    Snapshot snap_;

    std::deque<Queued> queue_;
    std::deque<Queued> script_;
    std::string script_name_;
    std::optional<Queued> running_;
    std::string last_step_ = "s";

    struct Screenshot {
        std::string path;
        int frames_left;  // frames drawn before the capture (ImGui settles its layout)
        bool quit_after;
    };
    std::optional<Screenshot> screenshot_;
    bool quit_ = false;
    int exit_status_ = 0;
};

// The first word of a command line, lower case ("" for blank lines and comments).
std::string command_verb(const std::string& line);
// s, si, stepi, step, n, ni, nexti, next, rsi, reverse-stepi.
bool is_step_command(const std::string& line);

}  // namespace hm::gui
