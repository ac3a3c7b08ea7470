// Fuzz target: the gdb stub (emu/debug/gdb_rsp.cpp framing and acks,
// gdb_server.cpp packet meanings) over a small running machine
// (fuzz_machine.hpp). The input is the byte stream gdb would send: it is written
// into one end of a socketpair, whose other end the stub serves until the stream
// ends, a `k` or a `D`. Packets are taken as they come, so a bad checksum, a
// truncated packet or noise between packets all reach the parser. The first byte
// chooses paging and whether acknowledgements are off from the start.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "debug/gdb_server.hpp"
#include "fuzz_machine.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // The whole stream must fit the socket buffer: the stub reads only after the
    // write (one thread). Its end is non-blocking so that replies nobody reads
    // are dropped when the buffer fills (the stub treats that as gdb gone)
    // instead of blocking; reads still see every byte, then the end of stream.
    if (size == 0 || size > 16384) return 0;
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) __builtin_trap();
    int buf = 1 << 20;
    ::setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    ::setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    const ssize_t n = ::write(sv[1], data + 1, size - 1);
    if (n != static_cast<ssize_t>(size - 1)) __builtin_trap();
    ::shutdown(sv[1], SHUT_WR);
    ::fcntl(sv[0], F_SETFL, ::fcntl(sv[0], F_GETFL) | O_NONBLOCK);

    hm::fuzz::FuzzInput in((data[0] & 1) != 0);
    hm::dbg::GdbServer server(in.debugger());
    server.attach(sv[0], (data[0] & 2) != 0);  // the server owns sv[0] now
    (void)server.serve();
    ::close(sv[1]);
    return 0;
}
