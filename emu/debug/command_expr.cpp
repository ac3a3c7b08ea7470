// Expressions of the command language, by recursive descent:
//   expr    := term (('+' | '-') term)*
//   term    := unary ('*' unary)*
//   unary   := '-' unary | primary
//   primary := NUMBER | '$'REGISTER | SYMBOL | '(' expr ')' | '[' expr ']'
// NUMBER is decimal or 0x hex (no bare hex: "c0100000" is read as a symbol and
// refused with a hint). '[' expr ']' is the 32-bit value at that linear address.
// Arithmetic is on 64 bits, so physical addresses above 4 GiB work too.
// Nesting ('(', '[', unary '-') is bounded: the parser recurses once per level,
// and a line of 20,000 '(' would otherwise overflow the host's stack.
#include <cctype>
#include <string>

#include "debug/command_interpreter.hpp"

namespace hm::dbg {

namespace {

constexpr unsigned kMaxNesting = 64;

struct Parser {
    const std::string& s;
    const Debugger& d;
    size_t i = 0;
    unsigned depth = 0;

    [[noreturn]] void fail(const std::string& why) const {
        // A long expression is named by its start: the message stays one short line.
        const std::string shown = s.size() > 60 ? s.substr(0, 60) + "..." : s;
        throw DebugError("bad expression '" + shown + "': " + why);
    }
    bool at(char c) const { return i < s.size() && s[i] == c; }
    // Enters one level of nesting; the guard leaves it.
    struct Nest {
        Parser& p;
        explicit Nest(Parser& parser) : p(parser) {
            if (++p.depth > kMaxNesting) p.fail("nested too deeply (more than " + std::to_string(kMaxNesting) + " levels)");
        }
        ~Nest() { --p.depth; }
        Nest(const Nest&) = delete;
        Nest& operator=(const Nest&) = delete;
    };

    u64 expr() {
        u64 v = term();
        while (at('+') || at('-')) {
            const char op = s[i++];
            const u64 r = term();
            v = op == '+' ? v + r : v - r;
        }
        return v;
    }
    u64 term() {
        u64 v = unary();
        while (at('*')) {
            ++i;
            v *= unary();
        }
        return v;
    }
    u64 unary() {
        if (at('-')) {
            ++i;
            const Nest nest(*this);
            return ~unary() + 1;
        }
        return primary();
    }
    u64 primary() {
        if (i >= s.size()) fail("ends too early");
        const char c = s[i];
        if (c == '(') {
            ++i;
            const Nest nest(*this);
            const u64 v = expr();
            if (!at(')')) fail("missing ')'");
            ++i;
            return v;
        }
        if (c == '[') {
            ++i;
            const Nest nest(*this);
            const u64 addr = expr();
            if (!at(']')) fail("missing ']'");
            ++i;
            if (addr > 0xFFFFFFFFu) fail("[...] reads a linear address, which is 32 bits");
            return d.read_value(Space::Linear, addr, 4);
        }
        if (std::isdigit(static_cast<unsigned char>(c))) return number();
        if (c == '$') {
            size_t j = i + 1;
            while (j < s.size() && std::isalnum(static_cast<unsigned char>(s[j]))) ++j;
            const std::string name = s.substr(i, j - i);
            const auto r = reg_from_name(name);
            if (!r) fail("no register '" + name + "'");
            i = j;
            return d.registers().get(*r);
        }
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == '.') {
            size_t j = i;
            while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_' || s[j] == '.' ||
                                    (s[j] == ':' && j + 1 < s.size() && s[j + 1] == ':'))) {
                j += s[j] == ':' ? 2 : 1;
            }
            const std::string name = s.substr(i, j - i);
            i = j;
            if (const auto a = d.symbols().address_of(name)) return *a;
            bool hexish = true;
            for (char h : name) hexish = hexish && std::isxdigit(static_cast<unsigned char>(h));
            if (hexish) fail("no symbol '" + name + "' (write hex numbers as 0x" + name + ")");
            if (d.symbols().empty()) fail("no symbol '" + name + "' (no symbols loaded)");
            fail("no symbol '" + name + "'");
        }
        fail(std::string("unexpected '") + c + "'");
    }
    u64 number() {
        size_t j = i;
        int base = 10;
        if (s.compare(i, 2, "0x") == 0 || s.compare(i, 2, "0X") == 0) {
            base = 16;
            j += 2;
        }
        const size_t digits = j;
        u64 v = 0;
        while (j < s.size() && std::isxdigit(static_cast<unsigned char>(s[j]))) {
            const int dgt = std::isdigit(static_cast<unsigned char>(s[j])) ? s[j] - '0' : (std::tolower(s[j]) - 'a' + 10);
            if (dgt >= base) fail("'" + s.substr(i, j - i + 1) + "' is not a decimal number (hex needs 0x)");
            if (v > (~u64{0} - static_cast<u64>(dgt)) / static_cast<u64>(base)) fail("number too large");
            v = v * static_cast<u64>(base) + static_cast<u64>(dgt);
            ++j;
        }
        if (j == digits) fail("a number needs digits");
        if (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) {
            fail("'" + s.substr(i, j - i + 1) + "' is not a number");
        }
        i = j;
        return v;
    }
};

}  // namespace

u64 CommandInterpreter::eval(const std::string& text) const {
    if (text.empty()) throw DebugError("empty expression");
    Parser p{text, d_};
    const u64 v = p.expr();
    if (p.i != text.size()) p.fail("unexpected '" + text.substr(p.i) + "'");
    return v;
}

}  // namespace hm::dbg
