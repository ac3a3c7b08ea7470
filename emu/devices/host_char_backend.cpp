#include "devices/host_char_backend.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace hm {

FdSink::~FdSink() {
    if (owns_ == Owns::Yes) close(fd_);
}

void FdSink::write(const u8* data, size_t n) {
    while (n > 0) {
        ssize_t w = ::write(fd_, data, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return;  // a closed pipe or full disk must not stop the guest
        }
        data += w;
        n -= static_cast<size_t>(w);
    }
}

bool StdinSource::usable() {
    struct stat st {};
    if (fstat(STDIN_FILENO, &st) != 0) return false;
    return isatty(STDIN_FILENO) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
}

size_t StdinSource::read(u8* data, size_t max) {
    if (!open_ || max == 0) return 0;
    pollfd p{STDIN_FILENO, POLLIN, 0};
    if (poll(&p, 1, 0) <= 0) return 0;
    if (!(p.revents & (POLLIN | POLLHUP))) return 0;
    ssize_t r = ::read(STDIN_FILENO, data, max);
    if (r <= 0) {
        if (r == 0 || (errno != EINTR && errno != EAGAIN)) open_ = false;
        return 0;
    }
    return static_cast<size_t>(r);
}

bool StdinSource::wait(int timeout_ms) {
    if (!open_) return false;
    pollfd p{STDIN_FILENO, POLLIN, 0};
    return poll(&p, 1, timeout_ms) > 0;
}

bool char_spec_is_stdio(const std::string& spec) { return spec == "stdio"; }

std::unique_ptr<CharSink> open_char_sink(const std::string& spec) {
    if (spec == "stdio") return std::make_unique<FdSink>(STDOUT_FILENO, FdSink::Owns::No);
    if (spec == "none" || spec == "null") return std::make_unique<NullSink>();
    if (spec.rfind("file:", 0) == 0) {
        std::string path = spec.substr(5);
        if (path.empty()) throw std::invalid_argument("file: needs a path");
        int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) throw std::invalid_argument("cannot open " + path + ": " + std::strerror(errno));
        return std::make_unique<FdSink>(fd, FdSink::Owns::Yes);
    }
    throw std::invalid_argument("'" + spec + "' is not stdio, none or file:PATH");
}

}  // namespace hm
