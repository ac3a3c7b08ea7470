// The layout audit on frames drawn by Dear ImGui itself, without a window or a
// renderer: a context with the default font, a few frames, then the audit on the
// draw data, as App::capture runs it after a screenshot.
#include <catch2/catch.hpp>

#include <string>

#include "layout_audit.hpp"

using hm::gui::audit_layout;
using hm::gui::describe;

namespace {

struct Context {
    Context() {
        ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = ImVec2(800, 600);
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);  // builds the atlas: glyph and line UVs
    }
    ~Context() { ImGui::DestroyContext(); }

    // Draws `body` in a 300 px wide window three times (ImGui measures content on
    // one frame and sizes on the next) and audits the last frame.
    template <typename Body>
    std::string frames(Body body, ImGuiWindowFlags flags = 0) {
        for (int i = 0; i < 3; ++i) {
            ImGui::GetIO().DeltaTime = 1.0f / 60;
            ImGui::NewFrame();
            ImGui::SetNextWindowPos(ImVec2(10, 10));
            ImGui::SetNextWindowSize(ImVec2(300, 200));
            ImGui::Begin("Panel", nullptr, flags);
            body();
            ImGui::End();
            ImGui::Render();
        }
        return describe(audit_layout(*ImGui::GetDrawData(), *ImGui::GetIO().Fonts));
    }
};

const char* const kLong = "a line far wider than three hundred pixels of the default font: 0123456789 abcdefghij";

}  // namespace

TEST_CASE("text that fits is not reported", "[gui][layout]") {
    Context ctx;
    CHECK(ctx.frames([] { ImGui::TextUnformatted("short"); }) == "none");
}

TEST_CASE("a line wider than its window is reported with both widths", "[gui][layout]") {
    Context ctx;
    const std::string verdict = ctx.frames([] { ImGui::TextUnformatted(kLong); });
    CHECK(verdict.find("Panel (content ") == 0);
    CHECK(verdict.find(" shown)") != std::string::npos);
    // The same line cut through a glyph at the edge is seen in the draw data too.
    CHECK(verdict.find("cut at the edge") != std::string::npos);
}

TEST_CASE("wrapped text and a horizontal scroll bar are not clipping", "[gui][layout]") {
    Context ctx;
    CHECK(ctx.frames([] { ImGui::TextWrapped("%s", kLong); }) == "none");
    CHECK(ctx.frames([] { ImGui::TextUnformatted(kLong); }, ImGuiWindowFlags_HorizontalScrollbar) == "none");
}

TEST_CASE("a table cell running past the window edge is seen through its glyphs", "[gui][layout]") {
    Context ctx;
    const std::string verdict = ctx.frames([] {
        if (ImGui::BeginTable("t", 2)) {
            ImGui::TableNextColumn();
            ImGui::TextUnformatted("name");
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(kLong);
            ImGui::EndTable();
        }
    });
    CHECK(verdict.find("Panel (") != std::string::npos);
    CHECK(verdict.find("cut at the edge") != std::string::npos);
}

TEST_CASE("rows below a scrolled window's bottom are not clipping", "[gui][layout]") {
    Context ctx;
    CHECK(ctx.frames([] {
        for (int i = 0; i < 200; ++i) ImGui::Text("row %d", i);
    }) == "none");
}
