// The gdb remote stub: `gdb kernel.elf -ex 'target remote :PORT'` works as with
// QEMU's -s. It speaks the packets gdb needs for a bare-metal i386 target —
// qSupported, qXfer target.xml (i386 core registers plus CR0/CR2/CR3/CR4/EFER),
// g/G, p/P, m/M/X, c/s and vCont, Z0/Z1 breakpoints, Z2/Z3/Z4 watchpoints, ?,
// ^C, k, D — and `monitor CMD` runs a command of the debugger's own language
// (walk, tlb, pkmap, info mem ...). QEMU's `maint packet Qqemu.PhyMemMode:1`
// switches m/M to physical addresses. Breakpoints are the emulator's own: guest
// memory is never patched with int3.
#pragma once
#include <string>

#include "debug/command_interpreter.hpp"
#include "debug/gdb_rsp.hpp"

namespace hm::dbg {

class GdbServer {
public:
    enum class End : u8 { Detached, Killed, Disconnected, TimedOut };

    explicit GdbServer(Debugger& d);

    // Listens on 127.0.0.1:port (0: any free port); returns the port.
    u16 listen(u16 port) { return conn_.listen(port); }
    // Waits for gdb (unless attach() gave a connection), then serves it until
    // it detaches, kills or hangs up, or until the deadline (hm386's --timeout)
    // passes: waiting, serving or running.
    End serve(std::optional<std::chrono::steady_clock::time_point> deadline = std::nullopt);
    // Uses an already connected stream socket (tools/fuzz); owns `fd` from now on.
    void attach(int fd, bool no_ack) {
        conn_.attach(fd);
        conn_.set_no_ack(no_ack);
    }

private:
    // Handles one packet; returns false when the session ends.
    bool handle(const std::string& p);
    void reverse(bool to_hit);
    // step_cpu: the CPU whose instruction a step counts (kCurrent: Hc's, else the selected one).
    static constexpr long kCurrent = -1;
    void resume(bool step, long step_cpu = kCurrent);
    // vCont;ACTION[:TID]...: which action applies, and to which thread.
    bool vcont(const std::string& actions);
    std::string stop_reply(const StopInfo& s);
    // A thread id of H/T/qThreadExtraInfo: -1 (all), a hex number, or -2 (malformed).
    static long thread_id(const std::string& text);
    std::string read_registers();
    bool write_registers(const std::string& hex);
    std::string read_register(unsigned n);
    bool write_register(unsigned n, const std::string& hex);
    std::string read_memory(const std::string& args);
    bool write_memory(u64 addr, const std::vector<u8>& bytes);
    std::string breakpoint(bool insert, const std::string& args);
    std::string xfer_features(const std::string& args);
    std::string monitor(const std::string& hex);

    Debugger& d_;
    CommandInterpreter cli_;
    RspConnection conn_;
    bool phys_mode_ = false;  // m/M/X address physical memory
    long hc_thread_ = 0;      // Hc: the thread `s` steps (0/-1: the selected CPU)
    End end_ = End::Disconnected;
    StopInfo last_;
};

// The i386 target description gdb reads through qXfer:features:read.
const std::string& gdb_target_xml();

}  // namespace hm::dbg
