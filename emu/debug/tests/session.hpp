// A debugging session over a real guest for the debugger's tests: a Machine that
// booted an image from the build tree (kernel.elf, ktest.elf, the small guests),
// a Debugger on it with the image's symbols, and the serial output captured.
#pragma once
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "debug/command_interpreter.hpp"
#include "debug/debugger.hpp"
#include "machine.hpp"

namespace hm::dbg::test {

inline std::string build_path(const std::string& rel) { return std::string(HM386_BUILD_DIR) + "/" + rel; }

struct Session {
    CaptureSink serial;
    std::unique_ptr<Machine> machine;
    std::unique_ptr<Debugger> dbg;
    std::unique_ptr<CommandInterpreter> cli;

    explicit Session(const std::string& image_rel, const std::string& append = "", u64 ram = 64 * kMiB,
                     unsigned cpus = 1, u64 smp_quantum = kDefaultSmpQuantum, bool pc_testdev = false) {
        MachineConfig cfg;
        cfg.ram_bytes = ram;
        cfg.cpus = cpus;
        cfg.smp_quantum = smp_quantum;
        cfg.pc_testdev = pc_testdev;
        cfg.serial_out = &serial;
        cfg.debugcon_out = &serial;
        machine = std::make_unique<Machine>(cfg);
        const std::string path = build_path(image_rel);
        std::ifstream in(path, std::ios::binary);
        if (!in) throw std::runtime_error("missing guest image " + path + " (build it first)");
        MultibootRequest req;
        req.kernel_name = path;
        req.kernel.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
        req.append = append;
        machine->boot_multiboot(req);
        dbg = std::make_unique<Debugger>(*machine);
        dbg->load_symbols(path);
        cli = std::make_unique<CommandInterpreter>(*dbg);
    }
    ~Session() {
        cli.reset();
        dbg.reset();
    }

    // Runs one command; the test fails with the command's output if it did not succeed.
    std::string run(const std::string& cmd) {
        auto r = cli->execute(cmd);
        INFO("command: " << cmd << "\n" << r.output);
        REQUIRE(r.ok);
        return r.output;
    }
    // Runs one command that must fail; returns its message.
    std::string fail(const std::string& cmd) {
        auto r = cli->execute(cmd);
        INFO("command: " << cmd << "\n" << r.output);
        REQUIRE_FALSE(r.ok);
        return r.output;
    }
    u32 sym(const std::string& name) {
        auto a = dbg->symbols().address_of(name);
        INFO("symbol " << name);
        REQUIRE(a.has_value());
        return *a;
    }
};

}  // namespace hm::dbg::test
