#include <catch2/catch.hpp>

#include <random>

#include "junit_writer.hpp"

using namespace hm;

namespace {

size_t count_of(const std::string& hay, const std::string& needle) {
    size_t n = 0;
    for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1)) ++n;
    return n;
}

// A small well-formedness check for what the writer emits: every '<' opens a
// tag of known shape, tags balance, and every '&' starts a known reference.
bool well_formed(const std::string& xml, std::string* why) {
    std::vector<std::string> stack;
    for (size_t i = 0; i < xml.size(); ++i) {
        const auto c = static_cast<unsigned char>(xml[i]);
        if (c < 0x20 && c != '\n' && c != '\t') {
            *why = "raw control character at " + std::to_string(i);
            return false;
        }
        if (c == '&') {
            size_t semi = xml.find(';', i);
            std::string ref = semi == std::string::npos ? "" : xml.substr(i, semi - i + 1);
            static const char* known[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#9;", "&#10;", "&#13;"};
            if (std::find(std::begin(known), std::end(known), ref) == std::end(known)) {
                *why = "unknown reference at " + std::to_string(i);
                return false;
            }
        }
        if (c != '<') continue;
        size_t end = xml.find('>', i);
        if (end == std::string::npos) return *why = "unclosed tag", false;
        std::string tag = xml.substr(i + 1, end - i - 1);
        if (tag[0] == '?') {
        } else if (tag[0] == '/') {
            if (stack.empty() || stack.back() != tag.substr(1)) return *why = "unbalanced </" + tag.substr(1) + ">", false;
            stack.pop_back();
        } else {
            std::string name = tag.substr(0, tag.find_first_of(" /"));
            if (tag.back() != '/') stack.push_back(name);
            // attribute values must not contain a raw '<' or a raw quote mismatch
            if (count_of(tag, "\"") % 2) return *why = "odd number of quotes in <" + name + ">", false;
        }
        i = end;
    }
    if (!stack.empty()) return *why = "unclosed <" + stack.back() + ">", false;
    return true;
}

}  // namespace

TEST_CASE("xml_escape: markup, control characters, line breaks") {
    CHECK(xml_escape("a<b & \"c\" 'd'>", XmlContext::Text) == "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
    CHECK(xml_escape("esc\x1b[0m\x7f", XmlContext::Text) == "esc\\x1b[0m\\x7f");
    CHECK(xml_escape(std::string("nul\0!", 5), XmlContext::Text) == "nul\\x00!");
    CHECK(xml_escape("l1\nl2\tx\r", XmlContext::Text) == "l1\nl2\tx&#13;");
    CHECK(xml_escape("crlf\r\nnext", XmlContext::Text) == "crlf\nnext");
    CHECK(xml_escape("crlf\r\n", XmlContext::Attribute) == "crlf&#13;&#10;");
    CHECK(xml_escape("l1\nl2\tx", XmlContext::Attribute) == "l1&#10;l2&#9;x");
}

TEST_CASE("xml_escape: valid UTF-8 passes, malformed bytes are written as hex") {
    CHECK(xml_escape("caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80", XmlContext::Text) == "caf\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80");
    CHECK(xml_escape("\xff\xfe", XmlContext::Text) == "\\xff\\xfe");
    CHECK(xml_escape("\xc0\xaf", XmlContext::Text) == "\\xc0\\xaf");              // overlong '/'
    CHECK(xml_escape("\xed\xa0\x80", XmlContext::Text) == "\\xed\\xa0\\x80");     // a surrogate
    CHECK(xml_escape("\xef\xbf\xbe", XmlContext::Text) == "\\xef\\xbf\\xbe");     // U+FFFE
    CHECK(xml_escape("\xe2\x86", XmlContext::Text) == "\\xe2\\x86");              // cut short
    CHECK(xml_escape("\xf4\x90\x80\x80", XmlContext::Text) == "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
}

TEST_CASE("junit_xml: counts, outcomes and content") {
    JUnitSuite s;
    s.name = "64M-2level/buddy";
    s.seconds = 0.5;
    s.system_out = "console <text>\n";
    JUnitCase pass{"64M-2level.buddy", "ok_case", 0.25, JUnitOutcome::Passed, "", ""};
    JUnitCase fail{"64M-2level.buddy", "bad_case", 0.25, JUnitOutcome::Failure, "EXPECT_EQ(a, b) failed at x.cpp:3",
                   "#   a = 1\nnot ok 2 - buddy.bad_case\n"};
    JUnitCase skip{"64M-2level.buddy", "skipped_case", 0, JUnitOutcome::Skipped, "needs \"hm386\"", ""};
    JUnitCase err{"64M-2level.boot", "ktest", 3, JUnitOutcome::Error, "triple fault", "cpu state"};
    s.cases = {pass, fail, skip, err};
    std::string xml = junit_xml("hm386 test", {s});
    std::string why;
    CHECK(well_formed(xml, &why));
    INFO(why);
    CHECK(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"hm386 test\" tests=\"4\" failures=\"1\" "
                    "errors=\"1\" skipped=\"1\" time=\"0.500\">",
                    0) == 0);
    CHECK(xml.find("<testsuite name=\"64M-2level/buddy\" tests=\"4\" failures=\"1\" errors=\"1\" skipped=\"1\"") !=
          std::string::npos);
    CHECK(xml.find("<testcase classname=\"64M-2level.buddy\" name=\"ok_case\" time=\"0.250\"/>") != std::string::npos);
    CHECK(xml.find("<failure message=\"EXPECT_EQ(a, b) failed at x.cpp:3\" type=\"failure\">#   a = 1\nnot ok 2 - "
                   "buddy.bad_case\n</failure>") != std::string::npos);
    CHECK(xml.find("<skipped message=\"needs &quot;hm386&quot;\"/>") != std::string::npos);
    CHECK(xml.find("<error message=\"triple fault\" type=\"error\">cpu state</error>") != std::string::npos);
    CHECK(xml.find("<system-out>console &lt;text&gt;\n</system-out>") != std::string::npos);
    CHECK(count_of(xml, "<testcase ") == 4);
}

TEST_CASE("junit_xml: hostile guest output stays well-formed") {
    std::mt19937 rng(99);
    for (int round = 0; round < 200; ++round) {
        std::string junk;
        for (int i = 0; i < 300; ++i) junk += static_cast<char>(rng() & 0xFF);
        JUnitSuite s;
        s.name = junk.substr(0, 40);
        s.system_out = junk + "]]></system-out><x>";
        s.cases.push_back({junk.substr(10, 20), junk.substr(30, 20), 0, JUnitOutcome::Failure, junk, junk});
        std::string xml = junit_xml(junk.substr(0, 8), {s});
        std::string why;
        INFO(why);
        REQUIRE(well_formed(xml, &why));
        CHECK(xml.find("</system-out><x>") == std::string::npos);
    }
}

TEST_CASE("junit_xml: no suites is an empty, valid document") {
    std::string xml = junit_xml("empty", {});
    std::string why;
    CHECK(well_formed(xml, &why));
    CHECK(xml.find("tests=\"0\"") != std::string::npos);
}
