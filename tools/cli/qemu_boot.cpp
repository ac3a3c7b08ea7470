#include "qemu_boot.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "exit_codes.hpp"
#include "qemu_args.hpp"

extern char** environ;

namespace hm {

namespace {

// The script enforces the timeout itself; this is the backstop should it not.
constexpr double kBackstopSeconds = 30;

struct Pipe {
    int fd[2] = {-1, -1};
    Pipe() {
        if (pipe2(fd, O_CLOEXEC) != 0) throw UsageError(std::string("pipe: ") + std::strerror(errno));
    }
    ~Pipe() {
        for (int f : fd)
            if (f >= 0) close(f);
    }
    void close_end(int i) {
        if (fd[i] >= 0) close(fd[i]);
        fd[i] = -1;
    }
};

BootRecord record_for_status(int status, std::string out, std::string err) {
    BootRecord r;
    r.console = std::move(out);
    r.message = std::move(err);
    while (!r.message.empty() && r.message.back() == '\n') r.message.pop_back();
    switch (status) {
        case exit_code::kShutdown: r.end = BootEnd::Shutdown; break;
        case exit_code::kTimeout: r.end = BootEnd::Timeout; break;
        case exit_code::kInternal:
        case exit_code::kUsage: r.end = BootEnd::InternalError; break;
        default:
            r.end = BootEnd::Exited;
            r.guest_status = status;
    }
    return r;
}

}  // namespace

QemuBoot run_qemu_boot(const QemuBootSpec& spec) {
    char timeout[32];
    std::snprintf(timeout, sizeof timeout, "%g", spec.timeout_seconds);
    std::vector<std::string> args = {spec.script, "--mem", spec.mem, "--timeout", timeout, "--cpu", spec.cpu};
    if (!spec.append.empty()) {
        args.push_back("--append");
        args.push_back(spec.append);
    }
    args.push_back(spec.image);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    Pipe out, err;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);  // its own group: the backstop kills QEMU too
    posix_spawnattr_setpgroup(&attr, 0);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, spec.script.c_str(), &actions, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) throw UsageError("cannot run " + spec.script + ": " + std::strerror(rc));
    out.close_end(1);
    err.close_end(1);

    std::string text[2];
    pollfd fds[2] = {{out.fd[0], POLLIN, 0}, {err.fd[0], POLLIN, 0}};
    const auto start = std::chrono::steady_clock::now();
    bool killed = false;
    int open = 2;
    while (open > 0) {
        if (poll(fds, 2, 1000) < 0 && errno != EINTR) break;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            char buf[65536];
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                text[i].append(buf, static_cast<size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                fds[i].fd = -1;
                --open;
            }
        }
        double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!killed && elapsed > spec.timeout_seconds + kBackstopSeconds) {
            kill(-pid, SIGKILL);
            killed = true;
        }
    }
    int wstatus = 0;
    while (waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    QemuBoot result;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (killed) {
        result.record = record_for_status(exit_code::kTimeout, std::move(text[0]), "killed: run-qemu.sh overran its timeout");
        result.record.host_seconds = seconds;
        return result;
    }
    int status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : exit_code::kInternal;
    result.qemu_missing = status == 77;
    result.record = record_for_status(status, std::move(text[0]), std::move(text[1]));
    result.record.host_seconds = seconds;
    return result;
}

}  // namespace hm
