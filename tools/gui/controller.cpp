#include "controller.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace hm::gui {

namespace {

std::vector<std::string> words(const std::string& line) {
    std::istringstream in(line);
    std::vector<std::string> w;
    for (std::string s; in >> s;) w.push_back(s);
    return w;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string trim(const std::string& s) {
    const size_t a = s.find_first_not_of(" \t\r\n");
    if (a == std::string::npos) return "";
    const size_t b = s.find_last_not_of(" \t\r\n");
    return s.substr(a, b - a + 1);
}

constexpr const char* kGuiPrefix = "#gui ";

}  // namespace

std::string command_verb(const std::string& line) {
    const std::vector<std::string> w = words(line);
    if (w.empty() || w[0][0] == '#') return "";
    return lower(w[0]);
}

bool is_step_command(const std::string& line) {
    static const char* const kSteps[] = {"s", "si", "stepi", "step", "n", "ni", "nexti", "next", "rsi", "reverse-stepi"};
    const std::string v = command_verb(line);
    return std::any_of(std::begin(kSteps), std::end(kSteps), [&](const char* s) { return v == s; });
}

Controller::Controller(Session& session, CommandLog& log) : session_(session), log_(log), worker_(session.interpreter()) {
    refresh(NewStop::Yes);
}

void Controller::issue(const std::string& line, const std::string& how) {
    queue_.push_back({trim(line), how, false, 0});
}

void Controller::repeat_step() { issue(last_step_, "Enter repeats the last step"); }

void Controller::interrupt(const std::string& how) {
    if (!busy()) return;
    session_.debugger().interrupt();
    log_.note("stop requested (" + how + ") while `" + (running_ ? running_->line : std::string("?")) + "` runs");
}

bool Controller::load_script(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        log_.error("cannot read script '" + path + "'");
        return false;
    }
    script_name_ = path;
    int n = 0;
    for (std::string line; std::getline(in, line);) {
        ++n;
        line = trim(line);
        if (line.empty()) continue;
        if (line[0] == '#' && line.rfind(kGuiPrefix, 0) != 0) continue;
        script_.push_back({line, "", true, n});
    }
    return true;
}

void Controller::screenshot_and_quit(const std::string& path) {
    script_.push_back({std::string(kGuiPrefix) + "screenshot " + path, "--screenshot", true, 0});
    script_.push_back({"quit", "--screenshot", true, 0});
}

void Controller::poll() {
    if (busy()) {
        if (std::optional<CommandDone> done = worker_.take()) finish(*done);
        if (busy()) return;
    }
    if (quit_ || screenshot_) return;
    // A view changed by a panel (an address typed in a box) since the last refresh.
    if (view_.version != view_version_seen_) refresh(NewStop::No);
    if (queue_.empty() && !script_.empty()) {
        queue_.push_back(script_.front());
        script_.pop_front();
    }
    if (queue_.empty()) return;
    const Queued q = queue_.front();
    queue_.pop_front();
    start(q);
}

void Controller::start(const Queued& q) {
    std::string line = q.line;
    if (line.rfind(kGuiPrefix, 0) == 0) line = trim(line.substr(5));
    if (line.empty() || line[0] == '#') return;
    if (handle_gui_command(line, q)) return;
    log_.command(line, q.how);
    if (is_step_command(line)) last_step_ = line;
    follow_views(line);
    running_ = q;
    worker_.submit(line);
}

bool Controller::handle_gui_command(const std::string& line, const Queued& q) {
    const std::vector<std::string> w = words(line);
    if (lower(w[0]) != "screenshot") return false;
    log_.gui_command(line, q.how);
    if (w.size() != 2) {
        log_.error("usage: screenshot FILE.png");
        if (q.from_script) {
            quit_ = true;
            exit_status_ = 1;
        }
        return true;
    }
    // Drawn twice before the capture: ImGui sizes windows on their first frame.
    screenshot_ = Screenshot{w[1], 2, false};
    return true;
}

std::optional<std::string> Controller::screenshot_due() {
    if (!screenshot_) return std::nullopt;
    if (screenshot_->frames_left > 0) {
        --screenshot_->frames_left;
        return std::nullopt;
    }
    return screenshot_->path;
}

void Controller::screenshot_done(const std::string& path, const std::string& error, int width, int height) {
    screenshot_.reset();
    if (!error.empty()) {
        log_.error(error);
        exit_status_ = 1;
        if (!script_.empty()) {
            log_.error("the script stops here");
            script_.clear();
            quit_ = true;
        }
        return;
    }
    log_.output("wrote " + path + " (" + std::to_string(width) + "x" + std::to_string(height) + ")");
}

void Controller::finish(const CommandDone& done) {
    const std::optional<Queued> q = running_;
    running_.reset();
    log_.output(done.result.output);
    // A run moved some CPU's counters (-smp N: any CPU's; the one on view may
    // have changed without anything running).
    Machine& m = session_.machine();
    bool ran = snap_.cpus_now.size() != m.cpu_count();
    for (unsigned i = 0; !ran && i < m.cpu_count(); ++i) {
        ran = m.cpu_state(i).cycles != snap_.cpus_now[i].regs.cycles ||
              m.cpu_state(i).instructions != snap_.cpus_now[i].regs.instructions;
    }
    refresh(ran ? NewStop::Yes : NewStop::No);
    if (done.result.quit) quit_ = true;
    if (!done.result.ok && q && q->from_script) {
        log_.error(script_name_ + ":" + std::to_string(q->script_line) + ": the script stops at this failing command");
        script_.clear();
        exit_status_ = 1;
        quit_ = true;
    }
}

void Controller::refresh(NewStop new_stop) {
    view_version_seen_ = view_.version;
    try {
        snap_ = take_snapshot(session_.debugger(), view_, snap_, new_stop);
    } catch (const std::exception& e) {
        log_.error(std::string("cannot read the machine's state: ") + e.what());
    }
}

void Controller::follow_views(const std::string& line) {
    const std::vector<std::string> w = words(line);
    const std::string verb = lower(w[0]);
    dbg::CommandInterpreter& interp = session_.interpreter();
    try {
        if ((verb == "walk" || verb == "page") && w.size() >= 2) {
            view_.walk_addr = static_cast<u32>(interp.eval(w[1]));
            view_.walk_access = Access::Read;
            view_.walk_priv = Priv::Supervisor;
            for (size_t i = 2; i < w.size(); ++i) {
                const std::string a = lower(w[i]);
                if (a == "w") view_.walk_access = Access::Write;
                if (a == "x") view_.walk_access = Access::Execute;
                if (a == "user") view_.walk_priv = Priv::User;
            }
            view_.changed();
        } else if ((verb == "x" || verb == "xp") && w.size() >= 2) {
            const std::string& expr = (w[1][0] == '/' && w.size() >= 3) ? w[2] : w[1];
            if (expr[0] == '/') return;
            view_.mem_addr = interp.eval(expr) & ~u64{0xF};
            view_.mem_space = verb == "xp" ? dbg::Space::Physical : dbg::Space::Linear;
            view_.changed();
        }
    } catch (const std::exception&) {
        // A bad address: the command itself reports it in the log.
    }
}

}  // namespace hm::gui
