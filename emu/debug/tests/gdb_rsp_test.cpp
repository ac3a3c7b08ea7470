// The RSP transport (gdb_rsp.cpp) over a socketpair: packets, acks, and the
// out-of-band ^C. A read takes whatever the socket holds at once; the bytes it
// took ahead must mean what they would have meant left in the socket.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "debug/gdb_rsp.hpp"

using namespace hm::dbg;

namespace {
struct Pair {
    RspConnection rsp;
    int gdb = -1;
    Pair() {
        int sv[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
        rsp.attach(sv[0]);
        gdb = sv[1];
    }
    ~Pair() { ::close(gdb); }
    void send(const std::string& s) { REQUIRE(::write(gdb, s.data(), s.size()) == static_cast<ssize_t>(s.size())); }
    std::string received() {
        char buf[256];
        const ssize_t n = ::recv(gdb, buf, sizeof buf, MSG_DONTWAIT);
        return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
    }
};
}  // namespace

TEST_CASE("RSP: packets sent in one write are read one at a time, each acknowledged", "[unit][debugger][gdb]") {
    Pair p;
    p.send("+$g#67$m100,4#5e--noise$p8#a8");
    CHECK(p.rsp.read_packet() == std::optional<std::string>("g"));
    CHECK(p.received() == "+");
    CHECK(p.rsp.read_packet() == std::optional<std::string>("m100,4"));
    CHECK(p.rsp.read_packet() == std::optional<std::string>("p8"));
    CHECK(p.received() == "++");
    ::shutdown(p.gdb, SHUT_WR);
    CHECK(p.rsp.read_packet() == std::nullopt);
}

TEST_CASE("RSP: a ^C behind a packet in the same write interrupts the run that packet starts", "[unit][debugger][gdb]") {
    Pair p;
    p.rsp.set_no_ack(true);
    p.send("$c#63\x03$g#67");
    REQUIRE(p.rsp.read_packet() == std::optional<std::string>("c"));
    bool hung_up = true;
    CHECK(p.rsp.poll_interrupt(hung_up));  // the ^C the read took ahead
    CHECK_FALSE(hung_up);
    CHECK(p.rsp.read_packet() == std::optional<std::string>("g"));
    CHECK_FALSE(p.rsp.poll_interrupt(hung_up));
    CHECK_FALSE(hung_up);
    ::shutdown(p.gdb, SHUT_WR);
    CHECK_FALSE(p.rsp.poll_interrupt(hung_up));
    CHECK(hung_up);
}

TEST_CASE("RSP: a bad checksum is refused and the resent packet read", "[unit][debugger][gdb]") {
    Pair p;
    p.send("$g#00$g#67");
    CHECK(p.rsp.read_packet() == std::optional<std::string>("g"));
    CHECK(p.received() == "-+");
}
