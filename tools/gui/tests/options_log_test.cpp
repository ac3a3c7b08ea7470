// hm386-gui's options, the command log and its record file, the console buffer,
// and how command lines are classified.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <thread>
#include <unistd.h>

#include "command_log.hpp"
#include "console_buffer.hpp"
#include "controller.hpp"
#include "gui_options.hpp"

using namespace hm;
using namespace hm::gui;

TEST_CASE("the size option takes WIDTHxHEIGHT within bounds") {
    const WindowSize s = parse_window_size("1280x800");
    CHECK(s.width == 1280);
    CHECK(s.height == 800);
    for (const char* bad : {"", "1280", "x800", "1280x", "12a0x800", "1280x800x2", "100x100", "9000x800", "-640x480"}) {
        INFO(bad);
        CHECK_THROWS_AS(parse_window_size(bad), UsageError);
    }
}

TEST_CASE("hm386-gui takes hm386 run's options and its own") {
    CLI::App app;
    GuiOptions o;
    add_gui_options(app, o);
    std::vector<std::string> args = {"kernel.elf", "-m", "256M", "--script", "s.txt", "--screenshot", "shot.png", "--echo"};
    std::reverse(args.begin(), args.end());  // CLI11 takes the vector back to front
    app.parse(args);
    CHECK(o.run.image == "kernel.elf");
    CHECK(o.run.mem == "256M");
    CHECK(o.script == "s.txt");
    CHECK(o.screenshot == "shot.png");
    CHECK(o.echo);
    // The consoles go to the window unless asked for.
    CHECK(o.run.serial == "none");
    CHECK(o.run.debugcon == "none");
}

TEST_CASE("command_verb and is_step_command") {
    CHECK(command_verb("  S 10") == "s");
    CHECK(command_verb("# a comment") == "");
    CHECK(command_verb("") == "");
    CHECK(is_step_command("s"));
    CHECK(is_step_command("stepi 4"));
    CHECK(is_step_command("n"));
    CHECK(is_step_command("next"));
    CHECK_FALSE(is_step_command("c"));
    CHECK_FALSE(is_step_command("set eax 1"));
    CHECK_FALSE(is_step_command("# s"));
}

TEST_CASE("the command log echoes commands with their origin and records a replayable script") {
    const std::string path = "/tmp/hm386_gui_record_" + std::to_string(::getpid()) + ".txt";
    {
        CommandLog log;
        REQUIRE(log.open_record(path).empty());
        log.command("s", "F11");
        log.output("stepped to 0xc0100000\nerror: nothing\n");
        log.gui_command("screenshot a.png", "--screenshot");
        log.note("stop requested (F6)");
        const auto& l = log.lines();
        REQUIRE(l.size() == 5);
        CHECK(l[0].kind == LogLine::Kind::Command);
        CHECK(l[0].text == "(hm386) s    # F11");
        CHECK(l[1].kind == LogLine::Kind::Output);
        CHECK(l[2].kind == LogLine::Kind::Error);
        CHECK(l[3].text == "(hm386) screenshot a.png    # --screenshot");
        CHECK(l[4].kind == LogLine::Kind::Note);
    }
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    std::remove(path.c_str());
    const std::string rec = ss.str();
    // Commands as they are; GUI-only ones and notes as comments hm386 debug skips.
    CHECK(rec.find("\ns\n") != std::string::npos);
    CHECK(rec.find("\n#gui screenshot a.png\n") != std::string::npos);
    CHECK(rec.find("\n# stop requested (F6)\n") != std::string::npos);
    CHECK(rec.find("stepped to") == std::string::npos);  // outputs are not replayed
}

TEST_CASE("the command log cannot record into a missing folder") {
    CommandLog log;
    CHECK_FALSE(log.open_record("/nonexistent-dir/rec.txt").empty());
}

TEST_CASE("the console buffer keeps the newest text cut at a line boundary and counts all of it") {
    const std::string lines = "line one\nline two\nline three\nline four\n";  // 39 bytes
    ConsoleBuffer b(29);  // the last three lines are 30 bytes: only two fit
    b.write(reinterpret_cast<const u8*>(lines.data()), lines.size());
    CHECK(b.total() == lines.size());
    CHECK(b.text() == "line three\nline four\n");

    ConsoleBuffer exact(30);  // the cut falls on a line's start: that line stays
    exact.write(reinterpret_cast<const u8*>(lines.data()), lines.size());
    CHECK(exact.text() == "line two\nline three\nline four\n");
}

TEST_CASE("the console buffer takes writes from another thread") {
    ConsoleBuffer b;
    std::thread t([&] {
        for (int i = 0; i < 1000; ++i) b.write_text("x");
    });
    size_t seen = 0;
    while (seen < 1000) seen = b.total();
    t.join();
    CHECK(b.text() == std::string(1000, 'x'));
}
