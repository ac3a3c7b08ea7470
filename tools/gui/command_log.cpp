#include "command_log.hpp"

#include <cerrno>
#include <cstring>

namespace hm::gui {

namespace {
constexpr size_t kMaxLines = 20000;  // the oldest lines go first
}

CommandLog::~CommandLog() {
    if (record_) std::fclose(record_);
}

std::string CommandLog::open_record(const std::string& path) {
    record_ = std::fopen(path.c_str(), "w");
    if (!record_) return "cannot write --record file '" + path + "': " + std::strerror(errno);
    std::fputs("# hm386-gui session: replay with hm386-gui --script FILE (or hm386 debug --script FILE)\n", record_);
    std::fflush(record_);
    return "";
}

void CommandLog::command(const std::string& line, const std::string& how) {
    add(LogLine::Kind::Command, "(hm386) " + line + (how.empty() ? "" : "    # " + how));
    record(line);
}

void CommandLog::gui_command(const std::string& line, const std::string& how) {
    add(LogLine::Kind::Command, "(hm386) " + line + (how.empty() ? "" : "    # " + how));
    record("#gui " + line);
}

void CommandLog::output(const std::string& text) {
    size_t start = 0;
    while (start < text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string::npos) nl = text.size();
        const std::string line = text.substr(start, nl - start);
        add(line.rfind("error:", 0) == 0 ? LogLine::Kind::Error : LogLine::Kind::Output, line);
        start = nl + 1;
    }
}

void CommandLog::note(const std::string& text) {
    add(LogLine::Kind::Note, "# " + text);
    record("# " + text);
}

void CommandLog::error(const std::string& text) { add(LogLine::Kind::Error, "error: " + text); }

void CommandLog::clear() {
    lines_.clear();
    ++version_;
}

void CommandLog::add(LogLine::Kind kind, const std::string& text) {
    lines_.push_back({kind, text});
    if (lines_.size() > kMaxLines) lines_.erase(lines_.begin(), lines_.begin() + static_cast<long>(kMaxLines / 10));
    ++version_;
    if (echo_ == Echo::Yes) {
        std::fputs(text.c_str(), stdout);
        std::fputc('\n', stdout);
        std::fflush(stdout);
    }
}

void CommandLog::record(const std::string& line) {
    if (!record_) return;
    std::fputs(line.c_str(), record_);
    std::fputc('\n', record_);
    std::fflush(record_);
}

}  // namespace hm::gui
