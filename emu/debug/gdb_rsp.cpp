#include "debug/gdb_rsp.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace hm::dbg {

namespace {
int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

RspConnection::~RspConnection() { close(); }

void RspConnection::close() {
    if (fd_ >= 0) ::close(fd_);
    if (listen_fd_ >= 0) ::close(listen_fd_);
    fd_ = listen_fd_ = -1;
    pending_.clear();  // what the old connection sent is not the next one's
    ahead_.clear();
}

u16 RspConnection::listen(u16 port) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (listen_fd_ < 0) throw std::runtime_error(std::string("gdb stub: socket: ") + std::strerror(errno));
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // localhost only: the stub gives full control of the machine
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        const std::string why = std::strerror(errno);
        close();
        throw std::runtime_error("gdb stub: cannot listen on 127.0.0.1:" + std::to_string(port) + ": " + why);
    }
    if (::listen(listen_fd_, 1) != 0) {
        const std::string why = std::strerror(errno);
        close();
        throw std::runtime_error("gdb stub: listen: " + why);
    }
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    return ntohs(a.sin_port);
}

void RspConnection::wait_readable(int fd) {
    if (!deadline_) return;  // no deadline: the blocking call waits
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline_ - std::chrono::steady_clock::now());
        if (left.count() <= 0) throw RspDeadlineReached();
        pollfd p{fd, POLLIN, 0};
        const int n = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (n > 0) return;
        if (n < 0 && errno != EINTR) return;  // let the call itself report the error
    }
}

void RspConnection::accept() {
    for (;;) {
        wait_readable(listen_fd_);
        fd_ = ::accept(listen_fd_, nullptr, nullptr);
        if (fd_ >= 0) break;
        if (errno != EINTR) throw std::runtime_error(std::string("gdb stub: accept: ") + std::strerror(errno));
    }
    ::close(listen_fd_);
    listen_fd_ = -1;
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void RspConnection::attach(int fd) {
    close();
    fd_ = fd;
}

bool RspConnection::read_byte(u8& b) {
    if (!pending_.empty()) {
        b = pending_.front();
        pending_.erase(pending_.begin());
        return true;
    }
    if (!ahead_.empty()) {
        b = ahead_.front();
        ahead_.pop_front();
        return true;
    }
    for (;;) {
        wait_readable(fd_);
        u8 buf[4096];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n > 0) {
            b = buf[0];
            ahead_.insert(ahead_.end(), buf + 1, buf + n);
            return true;
        }
        if (n < 0 && errno == EINTR) continue;
        return false;
    }
}

bool RspConnection::write_all(const std::string& s) {
    size_t done = 0;
    while (done < s.size()) {
        const ssize_t n = ::send(fd_, s.data() + done, s.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

std::optional<std::string> RspConnection::read_packet() {
    u8 b;
    for (;;) {
        if (!read_byte(b)) return std::nullopt;
        if (b == 0x03) return std::string("\x03");
        if (b != '$') continue;  // acks and noise between packets
        std::string data;
        u8 sum = 0;
        for (;;) {
            if (!read_byte(b)) return std::nullopt;
            if (b == '#') break;
            data += static_cast<char>(b);
            sum = static_cast<u8>(sum + b);
        }
        u8 c1, c2;
        if (!read_byte(c1) || !read_byte(c2)) return std::nullopt;
        const int h = hex_digit(static_cast<char>(c1)), l = hex_digit(static_cast<char>(c2));
        const bool ok = h >= 0 && l >= 0 && static_cast<u8>(h * 16 + l) == sum;
        if (!no_ack_) {
            if (!write_all(ok ? "+" : "-")) return std::nullopt;
            if (!ok) continue;  // gdb resends
        }
        // Run-length encoding is only for replies; gdb never sends it.
        return data;
    }
}

void RspConnection::send(const std::string& payload) {
    u8 sum = 0;
    std::string framed = "$";
    for (char c : payload) {
        // '$', '#', '}' and '*' must be escaped in a packet body.
        if (c == '$' || c == '#' || c == '}' || c == '*') {
            framed += '}';
            framed += static_cast<char>(c ^ 0x20);
            sum = static_cast<u8>(sum + '}' + (c ^ 0x20));
        } else {
            framed += c;
            sum = static_cast<u8>(sum + static_cast<u8>(c));
        }
    }
    static const char* const digits = "0123456789abcdef";
    framed += '#';
    framed += digits[sum >> 4];
    framed += digits[sum & 15];
    for (int attempt = 0; attempt < 3; ++attempt) {
        if (!write_all(framed)) return;
        if (no_ack_) return;
        u8 b;
        if (!read_byte(b)) return;
        if (b == '+') return;
        if (b == 0x03) {  // ^C racing the reply: keep it for later
            pending_.push_back(b);
            return;
        }
    }
}

bool RspConnection::poll_interrupt(bool& hung_up) {
    hung_up = false;
    u8 buf[64];
    for (;;) {
        // What a read took ahead comes first, as if still in the socket.
        ssize_t n;
        if (!ahead_.empty()) {
            n = static_cast<ssize_t>(std::min<size_t>(ahead_.size(), sizeof buf));
            std::copy_n(ahead_.begin(), n, buf);
            ahead_.erase(ahead_.begin(), ahead_.begin() + n);
        } else {
            n = ::recv(fd_, buf, sizeof buf, MSG_DONTWAIT);
        }
        if (n == 0) {
            hung_up = true;
            return false;
        }
        if (n < 0) return false;  // nothing to read (or an error the next read reports)
        bool intr = false;
        for (ssize_t i = 0; i < n; ++i) {
            if (buf[i] == 0x03) intr = true;
            else pending_.push_back(buf[i]);
        }
        if (intr) return true;
    }
}

std::string to_hex(const u8* data, size_t n) {
    static const char* const digits = "0123456789abcdef";
    std::string s;
    s.reserve(n * 2);
    for (size_t i = 0; i < n; ++i) {
        s += digits[data[i] >> 4];
        s += digits[data[i] & 15];
    }
    return s;
}

std::string to_hex(const std::string& s) { return to_hex(reinterpret_cast<const u8*>(s.data()), s.size()); }

std::string le_hex(u64 v, unsigned size) {
    u8 b[8] = {};
    for (unsigned i = 0; i < size && i < 8; ++i) b[i] = static_cast<u8>(v >> (8 * i));
    std::string s = to_hex(b, size < 8 ? size : 8);
    for (unsigned i = 8; i < size; ++i) s += "00";
    return s;
}

std::optional<std::vector<u8>> from_hex(const std::string& s) {
    if (s.size() % 2) return std::nullopt;
    std::vector<u8> out(s.size() / 2);
    for (size_t i = 0; i < out.size(); ++i) {
        const int h = hex_digit(s[2 * i]), l = hex_digit(s[2 * i + 1]);
        if (h < 0 || l < 0) return std::nullopt;
        out[i] = static_cast<u8>(h * 16 + l);
    }
    return out;
}

std::vector<u8> unescape_binary(const std::string& s) {
    std::vector<u8> out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '}' && i + 1 < s.size()) out.push_back(static_cast<u8>(s[++i] ^ 0x20));
        else out.push_back(static_cast<u8>(s[i]));
    }
    return out;
}

}  // namespace hm::dbg
