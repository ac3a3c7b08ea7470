// The GDB Remote Serial Protocol's transport: a TCP listener bound to 127.0.0.1
// only, one connection, packet framing ($data#checksum), acknowledgements (and
// QStartNoAckMode), the binary escapes of X packets and the out-of-band ^C.
// What the packets mean is gdb_server.cpp's business.
#pragma once
#include <chrono>
#include <deque>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/types.hpp"

namespace hm::dbg {

// The host-time deadline passed while waiting for gdb.
struct RspDeadlineReached : std::runtime_error {
    RspDeadlineReached() : std::runtime_error("the host --timeout passed while waiting for gdb") {}
};

class RspConnection {
public:
    RspConnection() = default;
    ~RspConnection();
    RspConnection(const RspConnection&) = delete;
    RspConnection& operator=(const RspConnection&) = delete;

    // Binds 127.0.0.1:port (0: the system picks a free port) and listens.
    // Returns the port. Throws std::runtime_error with the reason.
    u16 listen(u16 port);
    // Blocks until gdb connects (the listener is closed afterwards: one client).
    // Throws RspDeadlineReached once the deadline (if any) passes first.
    void accept();
    // Host time after which accept and read_packet stop waiting (hm386's --timeout).
    void set_deadline(std::optional<std::chrono::steady_clock::time_point> d) { deadline_ = d; }
    bool deadline_passed() const { return deadline_ && std::chrono::steady_clock::now() >= *deadline_; }
    // Serves an already connected stream socket instead (the fuzz target's
    // socketpair); the connection owns `fd` from now on.
    void attach(int fd);
    bool connected() const { return fd_ >= 0; }

    // The next packet's payload, or nullopt when gdb hung up. A ^C received
    // while waiting is reported as the payload "\x03".
    std::optional<std::string> read_packet();
    void send(const std::string& payload);
    // While the target runs: true when gdb sent ^C; `hung_up` is set when the
    // connection closed. Never blocks.
    bool poll_interrupt(bool& hung_up);
    void set_no_ack(bool on) { no_ack_ = on; }
    void close();

private:
    bool read_byte(u8& b);
    void wait_readable(int fd);  // until fd has data, or throws RspDeadlineReached
    bool write_all(const std::string& s);

    int listen_fd_ = -1;
    int fd_ = -1;
    bool no_ack_ = false;
    std::vector<u8> pending_;  // bytes read ahead by poll_interrupt
    // Bytes a read took from the socket beyond the one it wanted: one recv per
    // read, not per byte. They count as still in the socket (poll_interrupt
    // looks at them first), so reading ahead changes no meaning.
    std::deque<u8> ahead_;
    std::optional<std::chrono::steady_clock::time_point> deadline_;
};

// Hex helpers shared by the server.
std::string to_hex(const u8* data, size_t n);
std::string to_hex(const std::string& s);
// Little-endian value as 2*size hex digits (register contents).
std::string le_hex(u64 v, unsigned size);
// Decodes hex pairs; nullopt on a bad digit or an odd length.
std::optional<std::vector<u8>> from_hex(const std::string& s);
// Unescapes the binary payload of an X packet (0x7d, byte ^ 0x20).
std::vector<u8> unescape_binary(const std::string& s);

}  // namespace hm::dbg
