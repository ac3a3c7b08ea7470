#include "junit_writer.hpp"

#include <cstdio>

namespace hm {

namespace {

void hex_byte(std::string& out, unsigned char b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", b);
    out += buf;
}

// Length of the well-formed UTF-8 sequence at s[i] that encodes a character
// XML 1.0 allows, or 0.
size_t valid_utf8_char(std::string_view s, size_t i) {
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char b0 = byte(i);
    size_t len;
    unsigned cp;
    if (b0 < 0x80) return 0;  // ASCII is handled by the caller
    if (b0 >= 0xC2 && b0 <= 0xDF) len = 2, cp = b0 & 0x1Fu;
    else if (b0 >= 0xE0 && b0 <= 0xEF) len = 3, cp = b0 & 0x0Fu;
    else if (b0 >= 0xF0 && b0 <= 0xF4) len = 4, cp = b0 & 0x07u;
    else return 0;
    if (i + len > s.size()) return 0;
    for (size_t k = 1; k < len; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (byte(i + k) & 0x3Fu);
    }
    const bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    const bool not_a_char = cp == 0xFFFE || cp == 0xFFFF || cp > 0x10FFFF;
    return overlong || surrogate || not_a_char ? 0 : len;
}

void attr(std::string& out, const char* name, std::string_view value) {
    out += ' ';
    out += name;
    out += "=\"";
    out += xml_escape(value, XmlContext::Attribute);
    out += '"';
}

void attr(std::string& out, const char* name, double seconds) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", seconds);
    attr(out, name, buf);
}

void attr(std::string& out, const char* name, size_t n) { attr(out, name, std::to_string(n)); }

}  // namespace

std::string xml_escape(std::string_view raw, XmlContext where) {
    std::string out;
    out.reserve(raw.size());
    for (size_t i = 0; i < raw.size();) {
        const auto c = static_cast<unsigned char>(raw[i]);
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&apos;"; break;
            // In attributes only references survive a parser's normalisation.
            case '\t': out += where == XmlContext::Attribute ? "&#9;" : "\t"; break;
            case '\n': out += where == XmlContext::Attribute ? "&#10;" : "\n"; break;
            case '\r':
                // A line break stays one (parsers fold CR LF to LF anyway); a
                // lone CR is kept as a reference.
                if (where == XmlContext::Attribute || i + 1 >= raw.size() || raw[i + 1] != '\n') out += "&#13;";
                break;
            default:
                if (c < 0x20 || c == 0x7F) {
                    hex_byte(out, c);
                } else if (c < 0x80) {
                    out += static_cast<char>(c);
                } else if (size_t len = valid_utf8_char(raw, i)) {
                    out.append(raw.substr(i, len));
                    i += len;
                    continue;
                } else {
                    hex_byte(out, c);
                }
        }
        ++i;
    }
    return out;
}

std::string junit_xml(std::string_view name, const std::vector<JUnitSuite>& suites) {
    size_t tests = 0, failures = 0, errors = 0, skipped = 0;
    double seconds = 0;
    for (const JUnitSuite& s : suites) {
        tests += s.cases.size();
        seconds += s.seconds;
        for (const JUnitCase& c : s.cases) {
            failures += c.outcome == JUnitOutcome::Failure;
            errors += c.outcome == JUnitOutcome::Error;
            skipped += c.outcome == JUnitOutcome::Skipped;
        }
    }
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites";
    attr(out, "name", name);
    attr(out, "tests", tests);
    attr(out, "failures", failures);
    attr(out, "errors", errors);
    attr(out, "skipped", skipped);
    attr(out, "time", seconds);
    out += ">\n";
    for (const JUnitSuite& s : suites) {
        size_t f = 0, e = 0, sk = 0;
        for (const JUnitCase& c : s.cases) {
            f += c.outcome == JUnitOutcome::Failure;
            e += c.outcome == JUnitOutcome::Error;
            sk += c.outcome == JUnitOutcome::Skipped;
        }
        out += "  <testsuite";
        attr(out, "name", s.name);
        attr(out, "tests", s.cases.size());
        attr(out, "failures", f);
        attr(out, "errors", e);
        attr(out, "skipped", sk);
        attr(out, "time", s.seconds);
        out += ">\n";
        for (const JUnitCase& c : s.cases) {
            out += "    <testcase";
            attr(out, "classname", c.classname);
            attr(out, "name", c.name);
            attr(out, "time", c.seconds);
            if (c.outcome == JUnitOutcome::Passed) {
                out += "/>\n";
                continue;
            }
            out += ">\n";
            if (c.outcome == JUnitOutcome::Skipped) {
                out += "      <skipped";
                attr(out, "message", c.message);
                out += "/>\n";
            } else {
                const char* tag = c.outcome == JUnitOutcome::Failure ? "failure" : "error";
                out += "      <";
                out += tag;
                attr(out, "message", c.message);
                attr(out, "type", tag);
                out += ">";
                out += xml_escape(c.text, XmlContext::Text);
                out += "</";
                out += tag;
                out += ">\n";
            }
            out += "    </testcase>\n";
        }
        if (!s.system_out.empty()) {
            out += "    <system-out>";
            out += xml_escape(s.system_out, XmlContext::Text);
            out += "</system-out>\n";
        }
        out += "  </testsuite>\n";
    }
    out += "</testsuites>\n";
    return out;
}

}  // namespace hm
