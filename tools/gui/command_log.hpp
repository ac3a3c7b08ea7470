// The log panel's contents: every command issued, whatever issued it (typed in
// the command box, a click or key in a panel, a script line), echoed as the
// command-language line it is equivalent to, followed by its output. The same
// commands can go to a record file (--record) that replays the session with
// `hm386-gui --script FILE` (or `hm386 debug --script FILE`, which sees the
// GUI-only lines as comments: they are written as "#gui COMMAND").
#pragma once
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace hm::gui {

struct LogLine {
    enum class Kind : unsigned char { Command, Output, Error, Note };
    Kind kind;
    std::string text;
};

class CommandLog {
public:
    enum class Echo { No, Yes };
    explicit CommandLog(Echo echo = Echo::No) : echo_(echo) {}
    ~CommandLog();

    // Opens the record file; returns an error message or "".
    std::string open_record(const std::string& path);

    // `how` is the GUI action that issued it ("F11", "click in disassembly"),
    // empty for typed and scripted commands.
    void command(const std::string& line, const std::string& how = "");
    // A GUI-only command (screenshot): recorded as "#gui LINE".
    void gui_command(const std::string& line, const std::string& how = "");
    // The command's output; error lines (starting "error:") are coloured.
    void output(const std::string& text);
    // A line that is no command's output (a stop by F6, the script's end...);
    // recorded as a comment so a replay shows it.
    void note(const std::string& text);
    void error(const std::string& text);

    const std::vector<LogLine>& lines() const { return lines_; }
    size_t version() const { return version_; }  // grows with every line (auto-scroll)
    void clear();

private:
    void add(LogLine::Kind kind, const std::string& text);
    void record(const std::string& line);

    std::vector<LogLine> lines_;
    size_t version_ = 0;
    Echo echo_;
    std::FILE* record_ = nullptr;
};

}  // namespace hm::gui
