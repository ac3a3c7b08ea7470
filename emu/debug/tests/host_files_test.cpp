// Debugger::set_host_files(false): savevm, loadvm and sym-file refuse, whichever
// way a command reaches them. The fuzz targets rely on it (a fuzzer must not name
// host files); their first guard, a filter over the input's lines, missed
// "savevm\vFILE" and "display savevm FILE".
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "debug/gdb_server.hpp"
#include "session.hpp"

using namespace hm;
using namespace hm::dbg;
using hm::dbg::test::build_path;
using hm::dbg::test::Session;

namespace {

// A fresh path in the test's temporary folder (nothing there yet).
std::string scratch_file(const std::string& name) {
    const auto dir = std::filesystem::temp_directory_path() / ("hm386-host-files-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto p = dir / name;
    std::filesystem::remove(p);
    return p.string();
}

std::string rsp_packet(const std::string& body) {
    unsigned sum = 0;
    for (unsigned char c : body) sum += c;
    char tail[4];
    std::snprintf(tail, sizeof tail, "#%02x", sum & 0xFF);
    return "$" + body + tail;
}

}  // namespace

TEST_CASE("host files off: savevm, loadvm and sym-file refuse by every path", "[unit][debugger]") {
    Session s("guest/dbg_target.elf");
    const std::string kept = scratch_file("kept.hmsnap");
    s.run("savevm " + kept);  // allowed by default: the control
    REQUIRE(std::filesystem::exists(kept));

    s.dbg->set_host_files(false);
    const std::string written = scratch_file("written.hmsnap");
    SECTION("directly, behind any white space") {
        for (const char* sep : {" ", "\t", "\v", "\f", "\r"}) {
            INFO("separator " << static_cast<int>(sep[0]));
            CHECK(s.fail(std::string("savevm") + sep + written).find("host files are off") != std::string::npos);
        }
        CHECK(s.fail("loadvm " + kept).find("loadvm: host files are off") != std::string::npos);
        CHECK(s.fail("symbol-file " + build_path("guest/dbg_target.elf")).find("sym-file: host files are off") !=
              std::string::npos);
    }
    SECTION("through a display run at a stop") {
        s.run("display savevm " + written);
        const std::string out = s.run("step");
        CHECK(out.find("savevm: host files are off") != std::string::npos);
    }
    SECTION("through gdb's monitor") {
        int sv[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
        const std::string stream = rsp_packet("qRcmd," + to_hex("savevm " + written)) + rsp_packet("D");
        REQUIRE(::write(sv[1], stream.data(), stream.size()) == static_cast<ssize_t>(stream.size()));
        ::shutdown(sv[1], SHUT_WR);
        GdbServer server(*s.dbg);
        server.attach(sv[0], true);  // no acks: nobody here would send them
        CHECK(server.serve() == GdbServer::End::Detached);
        std::string replies(4096, '\0');
        const ssize_t n = ::recv(sv[1], replies.data(), replies.size(), MSG_DONTWAIT);
        ::close(sv[1]);
        replies.resize(n > 0 ? static_cast<size_t>(n) : 0);
        // monitor output goes back hex-encoded in an O packet or the reply.
        CHECK(replies.find(to_hex("host files are off")) != std::string::npos);
    }
    CHECK_FALSE(std::filesystem::exists(written));
    // The machine did not move for the refused loadvm: the session goes on.
    s.dbg->set_host_files(true);
    s.run("loadvm " + kept);
    std::filesystem::remove_all(std::filesystem::path(kept).parent_path());
}
