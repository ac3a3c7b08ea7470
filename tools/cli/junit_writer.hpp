// JUnit XML for CI systems (the de-facto schema read by Jenkins, GitLab,
// GitHub actions' reporters): <testsuites> of <testsuite> of <testcase>, with
// <failure>, <error> or <skipped> and <system-out>.
//
// Everything that goes into the file comes from a guest and is untrusted: the
// writer produces well-formed XML 1.0 whatever the bytes. Markup characters
// are escaped; bytes XML 1.0 cannot carry at all (control characters other
// than tab, newline and carriage return, malformed UTF-8) become the visible
// text "\xNN", so a console log with escape sequences or binary noise still
// yields a file every parser accepts.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace hm {

enum class JUnitOutcome { Passed, Failure, Error, Skipped };

struct JUnitCase {
    std::string classname;  // e.g. "64M-2level.buddy"
    std::string name;       // e.g. "split_and_merge_bookkeeping"
    double seconds = 0;
    JUnitOutcome outcome = JUnitOutcome::Passed;
    std::string message;  // one line: the failure headline or the skip reason
    std::string text;     // the failure's full report (body of <failure>/<error>)
};

struct JUnitSuite {
    std::string name;  // e.g. "64M-2level/buddy"
    double seconds = 0;
    std::vector<JUnitCase> cases;
    std::string system_out;  // console output that belongs to the suite
};

// The whole document (with the XML declaration). `name` names <testsuites>.
std::string junit_xml(std::string_view name, const std::vector<JUnitSuite>& suites);

enum class XmlContext { Text, Attribute };
// Element text or attribute value, escaped as described above (tabs and line
// breaks become character references in attributes, where a parser would
// otherwise turn them into spaces; CR LF is written as LF in text).
std::string xml_escape(std::string_view raw, XmlContext where);

}  // namespace hm
