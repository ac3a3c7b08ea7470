#include "metadata.hpp"

#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace hm::sst {

namespace {

// A small JSON reader: objects, strings, numbers, true/false/null; arrays skipped.
struct Json {
    enum class Kind { Null, Number, String, Object, Other } kind = Kind::Null;
    double number = 0;
    std::string text;
    std::vector<std::pair<std::string, Json>> members;

    const Json* get(const std::string& k) const {
        for (const auto& [name, v] : members)
            if (name == k) return &v;
        return nullptr;
    }
};

class Parser {
public:
    Parser(const std::string& s, const std::string& file) : s_(s), file_(file) {}
    Json value() {
        ws();
        if (pos_ >= s_.size()) fail("unexpected end");
        char c = s_[pos_];
        if (c == '{') return object();
        if (c == '[') return array();
        if (c == '"') {
            Json j;
            j.kind = Json::Kind::String;
            j.text = string();
            return j;
        }
        if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
            size_t end = pos_;
            while (end < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[end])) || s_[end] == '-' ||
                                       s_[end] == '.' || s_[end] == 'e' || s_[end] == 'E' || s_[end] == '+'))
                ++end;
            Json j;
            j.kind = Json::Kind::Number;
            j.number = std::stod(s_.substr(pos_, end - pos_));
            pos_ = end;
            return j;
        }
        for (const char* lit : {"true", "false", "null"}) {
            if (s_.compare(pos_, std::char_traits<char>::length(lit), lit) == 0) {
                pos_ += std::char_traits<char>::length(lit);
                Json j;
                j.kind = Json::Kind::Other;
                return j;
            }
        }
        fail("unexpected character");
    }

private:
    [[noreturn]] void fail(const std::string& why) {
        throw std::runtime_error(file_ + ": " + why + " at offset " + std::to_string(pos_));
    }
    void ws() {
        while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
    }
    void expect(char c) {
        ws();
        if (pos_ >= s_.size() || s_[pos_] != c) fail(std::string("expected '") + c + "'");
        ++pos_;
    }
    std::string string() {
        expect('"');
        std::string out;
        while (pos_ < s_.size() && s_[pos_] != '"') {
            if (s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
            out.push_back(s_[pos_++]);
        }
        expect('"');
        return out;
    }
    Json object() {
        Json j;
        j.kind = Json::Kind::Object;
        expect('{');
        ws();
        if (s_[pos_] == '}') {
            ++pos_;
            return j;
        }
        for (;;) {
            ws();
            std::string k = string();
            expect(':');
            j.members.emplace_back(k, value());
            ws();
            if (s_[pos_] == ',') {
                ++pos_;
                continue;
            }
            expect('}');
            return j;
        }
    }
    Json array() {
        expect('[');
        ws();
        if (s_[pos_] == ']') {
            ++pos_;
            return Json{Json::Kind::Other, 0, {}, {}};
        }
        for (;;) {
            value();
            ws();
            if (s_[pos_] == ',') {
                ++pos_;
                continue;
            }
            expect(']');
            return Json{Json::Kind::Other, 0, {}, {}};
        }
    }

    const std::string& s_;
    const std::string& file_;
    size_t pos_ = 0;
};

OpcodeMeta to_meta(const Json& j, const OpcodeMeta& inherit) {
    OpcodeMeta m = inherit;
    if (const Json* st = j.get("status")) m.status = st->text;
    if (const Json* fm = j.get("flags-mask")) m.flags_mask = static_cast<u16>(fm->number);
    return m;
}

}  // namespace

SuiteMetadata SuiteMetadata::load(const std::string& dir) {
    SuiteMetadata md;
    const std::string path = dir + "/metadata.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    Json root = Parser(text, path).value();
    const Json* ops = root.get("opcodes");
    if (!ops) throw std::runtime_error(path + ": no \"opcodes\" object");
    for (const auto& [key, body] : ops->members) {
        OpcodeMeta base = to_meta(body, OpcodeMeta{});
        md.entries_[key] = base;
        if (const Json* regs = body.get("reg")) {
            for (const auto& [r, rb] : regs->members) md.entries_[key + "." + r] = to_meta(rb, base);
        }
    }
    std::ifstream rev(dir + "/revocation_list.txt");
    std::string line;
    while (std::getline(rev, line)) {
        if (line.empty() || line[0] == '#') continue;
        while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
        if (!line.empty()) md.revoked_.insert(line);
    }
    return md;
}

OpcodeMeta SuiteMetadata::lookup(const std::string& key, int reg) const {
    if (reg >= 0) {
        auto it = entries_.find(key + "." + std::to_string(reg));
        if (it != entries_.end()) return it->second;
    }
    auto it = entries_.find(key);
    return it != entries_.end() ? it->second : OpcodeMeta{};
}

}  // namespace hm::sst
