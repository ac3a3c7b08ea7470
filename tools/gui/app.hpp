// The window: SDL2 + SDL_Renderer (software rendering works, e.g. under Xvfb) +
// Dear ImGui. Owns the panels and their layout, turns keys into commands (F5
// run, F6 stop, F9 breakpoint, F10 step over, F11 step), and captures the
// window into a PNG when the controller asks for a screenshot.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "command_log.hpp"
#include "controller.hpp"
#include "gui_options.hpp"

struct SDL_Window;
struct SDL_Renderer;

namespace hm::gui {

class Panel;
class LogPanel;

// hm386-gui could not open its window (no display): the screenshot test skips.
constexpr int kNoDisplay = 69;

class App {
public:
    App(Controller& controller, CommandLog& log);
    ~App();
    App(const App&) = delete;
    App& operator=(const App&) = delete;

    // Opens the window; returns "" or why it could not.
    std::string open(WindowSize size, const std::string& title);
    // Runs until quit (the `quit` command, the window closed, the end of a
    // --screenshot script) or the host timeout; returns the exit status.
    int run(double timeout_seconds);

private:
    void frame();
    void draw_menu_bar();
    void draw_reverse_buttons(bool busy);
    void draw_cpu_selector(const Snapshot& s, bool busy);
    void on_key(int sdl_keycode, bool repeat);
    void capture(const std::string& path);

    Controller& c_;
    CommandLog& log_;
    SDL_Window* window_ = nullptr;
    SDL_Renderer* renderer_ = nullptr;
    bool imgui_ready_ = false;
    std::vector<std::unique_ptr<Panel>> panels_;
    LogPanel* log_panel_ = nullptr;
    bool relayout_ = true;
    float last_w_ = 0, last_h_ = 0;
    bool closing_ = false;
};

}  // namespace hm::gui
