#include "app.hpp"

#include <SDL.h>
#include <imgui.h>
#include <imgui_impl_sdl.h>
#include <imgui_impl_sdlrenderer.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "exit_codes.hpp"
#include "layout_audit.hpp"
#include "layout.hpp"
#include "panels/console_panel.hpp"
#include "panels/disassembly_panel.hpp"
#include "panels/events_panel.hpp"
#include "panels/kmap_local_panel.hpp"
#include "panels/log_panel.hpp"
#include "panels/memory_panel.hpp"
#include "panels/page_walk_panel.hpp"
#include "panels/pkmap_panel.hpp"
#include "panels/registers_panel.hpp"
#include "panels/stats_panel.hpp"
#include "panels/tlb_panel.hpp"
#include "panels/widgets.hpp"
#include "png_writer.hpp"

namespace hm::gui {

App::App(Controller& controller, CommandLog& log) : c_(controller), log_(log) {
    panels_.push_back(std::make_unique<DisassemblyPanel>(layout::kDisassembly));
    panels_.push_back(std::make_unique<RegistersPanel>(layout::kRegisters));
    panels_.push_back(std::make_unique<PageWalkPanel>(layout::kPageWalk));
    panels_.push_back(std::make_unique<TlbPanel>(layout::kTlb));
    panels_.push_back(std::make_unique<MemoryPanel>(layout::kMemory));
    panels_.push_back(std::make_unique<PkmapPanel>(layout::kPkmap));
    panels_.push_back(std::make_unique<KmapLocalPanel>(layout::kKmapLocal));
    panels_.push_back(std::make_unique<ConsolePanel>(layout::kConsole));
    panels_.push_back(std::make_unique<EventsPanel>(layout::kEvents));
    panels_.push_back(std::make_unique<StatsPanel>(layout::kStats));
    auto log_panel = std::make_unique<LogPanel>(layout::kCommands, log_);
    log_panel_ = log_panel.get();
    panels_.push_back(std::move(log_panel));
}

App::~App() {
    if (imgui_ready_) {
        ImGui_ImplSDLRenderer_Shutdown();
        ImGui_ImplSDL2_Shutdown();
        ImGui::DestroyContext();
    }
    if (renderer_) SDL_DestroyRenderer(renderer_);
    if (window_) SDL_DestroyWindow(window_);
    SDL_Quit();
}

std::string App::open(WindowSize size, const std::string& title) {
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) return std::string("cannot open a window: ") + SDL_GetError();
    // With no display SDL falls back on its own to a driver nobody can see
    // (offscreen, dummy); the window would run unseen. Only when asked for by
    // name (SDL_VIDEODRIVER=offscreen, for pictures without a window) is that a window.
    const char* driver = SDL_GetCurrentVideoDriver();
    const char* asked = std::getenv("SDL_VIDEODRIVER");
    const bool invisible = driver && (std::strcmp(driver, "offscreen") == 0 || std::strcmp(driver, "dummy") == 0);
    if (invisible && !(asked && *asked)) {
        return std::string("cannot open a window: no display (SDL found none and fell back to its '") + driver +
               "' driver); set DISPLAY or WAYLAND_DISPLAY, or SDL_VIDEODRIVER=offscreen for screenshots without a window";
    }
    window_ = SDL_CreateWindow(title.c_str(), SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, size.width, size.height,
                               SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (!window_) return std::string("cannot open a window: ") + SDL_GetError();
    // Any renderer SDL offers (SDL_RENDER_DRIVER=software forces the software one).
    renderer_ = SDL_CreateRenderer(window_, -1, SDL_RENDERER_PRESENTVSYNC | SDL_RENDERER_ACCELERATED);
    if (!renderer_) renderer_ = SDL_CreateRenderer(window_, -1, SDL_RENDERER_SOFTWARE);
    if (!renderer_) return std::string("cannot create a renderer: ") + SDL_GetError();

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // the layout is the same at every start (and in every screenshot)
    ImGui::StyleColorsDark();
    ImGui::GetStyle().WindowRounding = 3.0f;
    ImGui_ImplSDL2_InitForSDLRenderer(window_);
    ImGui_ImplSDLRenderer_Init(renderer_);
    imgui_ready_ = true;
    return "";
}

int App::run(double timeout_seconds) {
    const auto start = std::chrono::steady_clock::now();
    int quiet_frames = 0;  // frames drawn since anything happened
    while (!closing_ && !c_.quit_requested()) {
        if (timeout_seconds > 0 &&
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > timeout_seconds) {
            log_.error("--timeout: " + std::to_string(timeout_seconds) + " host seconds passed");
            std::fprintf(stderr, "hm386-gui: --timeout reached\n");
            if (c_.busy()) c_.interrupt("--timeout");
            return exit_code::kTimeout;
        }
        SDL_Event ev;
        // Idle: sleep until something happens. Busy or scripted: keep drawing.
        const bool waiting = c_.idle() && quiet_frames > 2;
        bool got = waiting ? SDL_WaitEventTimeout(&ev, 250) : SDL_PollEvent(&ev);
        bool any = got;
        while (got) {
            ImGui_ImplSDL2_ProcessEvent(&ev);
            if (ev.type == SDL_QUIT) closing_ = true;
            if (ev.type == SDL_WINDOWEVENT && ev.window.event == SDL_WINDOWEVENT_CLOSE &&
                ev.window.windowID == SDL_GetWindowID(window_)) {
                closing_ = true;
            }
            if (ev.type == SDL_KEYDOWN) on_key(ev.key.keysym.sym, ev.key.repeat != 0);
            got = SDL_PollEvent(&ev);
        }
        c_.poll();
        quiet_frames = (any || !c_.idle()) ? 0 : quiet_frames + 1;
        frame();
        if (!c_.idle() && c_.busy()) std::this_thread::sleep_for(std::chrono::milliseconds(15));
    }
    // Leave no command running: the worker is joined when the controller goes.
    if (c_.busy()) {
        c_.interrupt("quit");
        while (c_.busy()) {
            c_.poll();
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }
    return c_.exit_status();
}

void App::on_key(int key, bool repeat) {
    // Keys issue commands only when nothing is queued, so holding F11 cannot pile
    // up thousands of steps; F6 always goes through.
    switch (key) {
        case SDLK_F6: c_.interrupt("F6"); return;
        case SDLK_F5:
            if (!repeat && c_.idle()) c_.issue("c", "F5");
            return;
        case SDLK_F9:
            if (!repeat && c_.idle()) {
                const u32 at = c_.view().selected_insn.value_or(c_.snapshot().regs.pc());
                DisassemblyPanel::toggle_breakpoint(c_, at, "F9");
            }
            return;
        case SDLK_F10:
            if (c_.idle()) c_.issue("n", "F10");
            return;
        case SDLK_F11:
            if (!c_.idle()) return;
            if (SDL_GetModState() & KMOD_SHIFT) {
                if (c_.snapshot().recording) c_.issue("rsi", "Shift+F11");
            } else {
                c_.issue("s", "F11");
            }
            return;
        default: return;
    }
}

// Recording and going back (docs/gui.md, "Stepping back"): the checkbox is
// `record on|off`; Back (Shift+F11) is reverse-stepi, Back to break is
// reverse-continue. Both need recording, so they are disabled without it.
void App::draw_reverse_buttons(bool busy) {
    ImGui::Separator();
    ImGui::BeginDisabled(busy);
    bool rec = c_.snapshot().recording;
    if (ImGui::Checkbox("Record", &rec)) c_.issue(rec ? "record on" : "record off", "Record checkbox");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("keep checkpoints from here on, so that the machine can step back");
    ImGui::EndDisabled();
    ImGui::BeginDisabled(busy || !c_.snapshot().recording);
    if (ImGui::Button("Back")) c_.issue("rsi", "Step back button");
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) ImGui::SetTooltip("reverse-stepi (Shift+F11)");
    if (ImGui::Button("Back to break")) c_.issue("rc", "Reverse continue button");
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
        ImGui::SetTooltip("reverse-continue: the previous breakpoint or watchpoint hit, or where recording began");
    }
    ImGui::EndDisabled();
}

void App::draw_menu_bar() {
    if (!ImGui::BeginMainMenuBar()) return;
    if (ImGui::BeginMenu("View")) {
        if (ImGui::MenuItem("Reset layout")) relayout_ = true;
        ImGui::Separator();
        for (auto& p : panels_) ImGui::MenuItem(p->title().c_str(), nullptr, &p->visible());
        ImGui::EndMenu();
    }
    const bool busy = c_.busy();
    ImGui::BeginDisabled(busy || !c_.snapshot().can_continue);
    if (ImGui::Button("Run F5")) c_.issue("c", "Run button");
    ImGui::EndDisabled();
    ImGui::BeginDisabled(!busy);
    if (ImGui::Button("Stop F6")) c_.interrupt("Stop button");
    ImGui::EndDisabled();
    ImGui::BeginDisabled(busy || !c_.snapshot().can_continue);
    if (ImGui::Button("Step F11")) c_.issue("s", "Step button");
    if (ImGui::Button("Over F10")) c_.issue("n", "Step over button");
    if (ImGui::Button("Finish")) c_.issue("finish", "Finish button");
    ImGui::EndDisabled();
    draw_reverse_buttons(busy);
    const Snapshot& s = c_.snapshot();
    draw_cpu_selector(s, busy);
    ImGui::Separator();
    if (busy) {
        ImGui::TextColored(colors::kNote, "running...");
    } else {
        // The stop message can be longer than the bar (a watchpoint names both
        // values and both addresses): shortened with "...", whole in the tooltip
        // and in the command log.
        const std::string& msg = s.stop.message;
        const float room = ImGui::GetContentRegionAvail().x;
        std::string shown = msg;
        if (ImGui::CalcTextSize(msg.c_str()).x > room) {
            const float dots = ImGui::CalcTextSize("...").x;
            size_t n = msg.size();
            while (n > 0 && ImGui::CalcTextSize(msg.c_str(), msg.c_str() + n).x + dots > room) --n;
            shown = msg.substr(0, n) + "...";
        }
        ImGui::TextColored(s.can_continue ? colors::kFilled : colors::kFault, "%s", shown.c_str());
        if (shown.size() != msg.size() && ImGui::IsItemHovered()) ImGui::SetTooltip("%s", msg.c_str());
    }
    ImGui::EndMainMenuBar();
}

// -smp N: which CPU the per-CPU panels show, and the one run control counts
// (docs/debugger.md, "Several CPUs"). Choosing one issues `cpu N`, like every
// other action of the window. With one CPU there is nothing to choose.
void App::draw_cpu_selector(const Snapshot& s, bool busy) {
    if (s.cpu_labels.size() < 2) return;
    ImGui::Separator();
    ImGui::BeginDisabled(busy);
    ImGui::SetNextItemWidth(ImGui::CalcTextSize("CPU 0 (waiting for SIPI)").x + ImGui::GetFrameHeight() * 1.5f);
    if (ImGui::BeginCombo("##cpu", s.cpu_labels[s.cpu].c_str())) {
        for (unsigned i = 0; i < s.cpu_labels.size(); ++i) {
            if (ImGui::Selectable(s.cpu_labels[i].c_str(), i == s.cpu) && i != s.cpu) {
                c_.issue("cpu " + std::to_string(i), "CPU selector");
            }
        }
        ImGui::EndCombo();
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("the CPU the registers, page walk, TLB, memory, kmap_local and statistics panels show, and the one steps count");
    ImGui::EndDisabled();
}

void App::frame() {
    ImGui_ImplSDLRenderer_NewFrame();
    ImGui_ImplSDL2_NewFrame();
    ImGui::NewFrame();

    draw_menu_bar();
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    if (display.x != last_w_ || display.y != last_h_) {
        relayout_ = true;
        last_w_ = display.x;
        last_h_ = display.y;
    }
    const float top = ImGui::GetFrameHeight();
    const ImVec2 area_pos(0, top), area_size(display.x, display.y - top);
    for (auto& p : panels_) p->draw(c_, area_pos, area_size, relayout_);
    relayout_ = false;

    ImGui::Render();
    SDL_SetRenderDrawColor(renderer_, 30, 30, 34, 255);
    SDL_RenderClear(renderer_);
    ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
    if (std::optional<std::string> path = c_.screenshot_due()) capture(*path);
    SDL_RenderPresent(renderer_);
}

void App::capture(const std::string& path) {
    int w = 0, h = 0;
    if (SDL_GetRendererOutputSize(renderer_, &w, &h) != 0 || w <= 0 || h <= 0) {
        c_.screenshot_done(path, std::string("screenshot: ") + SDL_GetError(), 0, 0);
        return;
    }
    RgbaImage img;
    img.width = static_cast<unsigned>(w);
    img.height = static_cast<unsigned>(h);
    img.pixels.resize(size_t{img.width} * img.height * 4);
    // ABGR8888 is R, G, B, A in memory order on a little-endian host.
    if (SDL_RenderReadPixels(renderer_, nullptr, SDL_PIXELFORMAT_ABGR8888, img.pixels.data(), w * 4) != 0) {
        c_.screenshot_done(path, std::string("screenshot: ") + SDL_GetError(), 0, 0);
        return;
    }
    for (size_t i = 3; i < img.pixels.size(); i += 4) img.pixels[i] = 0xFF;  // the window is opaque
    const dbg::RegisterFile& r = c_.snapshot().regs;
    img.text.push_back({"hm386-stop", "cycles " + std::to_string(r.cycles) + " instructions " + std::to_string(r.instructions)});
    try {
        write_png(path, img);
    } catch (const std::runtime_error& e) {
        c_.screenshot_done(path, std::string("screenshot: ") + e.what(), w, h);
        return;
    }
    c_.screenshot_done(path, "", w, h);
    c_.log_clipped_text(describe(audit_layout(*ImGui::GetDrawData(), *ImGui::GetIO().Fonts)));
}

}  // namespace hm::gui
