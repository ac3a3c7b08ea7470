#include "machine_setup.hpp"

#include <cstdio>
#include <fstream>

#include "boot/boot_error.hpp"
#include "exit_codes.hpp"

namespace hm {

namespace {
std::vector<BootModule> read_modules(const std::vector<std::string>& specs, u64 ram) {
    std::vector<BootModule> mods;
    for (const std::string& spec : specs) {
        std::string path = spec.substr(0, spec.find_first_of(" \t"));
        mods.push_back({spec, read_file_bytes(path, ram, "module")});
    }
    return mods;
}
}  // namespace

void say(const std::string& msg) { std::fprintf(stderr, "hm386: %s\n", msg.c_str()); }

std::optional<int> build_machine(const RunPlan& plan, SerialInput input, HostIo& io, std::unique_ptr<Machine>& machine) {
    try {
        io.serial = open_char_sink(plan.serial);
        io.debugcon = open_char_sink(plan.debugcon);
        if (!plan.post_log.empty()) io.post_log = open_char_sink("file:" + plan.post_log);
    } catch (const std::invalid_argument& e) {
        say(e.what());
        return exit_code::kUsage;
    }
    if (!io.player && input == SerialInput::FromStdin && char_spec_is_stdio(plan.serial) && StdinSource::usable()) {
        io.serial_in = std::make_unique<StdinSource>();
    }
    CharSource* serial_in = io.serial_in.get();
    if (io.player) {
        serial_in = io.player.get();  // a replay reads nothing from the host
    } else if (io.recorder) {
        io.recorder->set_host(io.serial_in.get());
        serial_in = io.recorder.get();
    }
    if (!plan.stats_json.empty()) {
        std::ofstream probe(plan.stats_json);
        if (!probe) {
            say("cannot write --stats-json file '" + plan.stats_json + "'");
            return exit_code::kUsage;
        }
    }

    MachineConfig cfg;
    cfg.ram_bytes = plan.ram_bytes;
    cfg.cpu_hz = plan.cpu_hz;
    cfg.rtc_epoch = plan.rtc_epoch;
    cfg.serial_out = io.serial.get();
    cfg.serial_in = serial_in;
    cfg.debugcon_out = io.debugcon.get();
    cfg.post_log = io.post_log.get();
    cfg.post_port2 = plan.post_port2;
    cfg.pc_testdev = plan.pc_testdev;
    cfg.cpu_model = plan.cpu_model;
    cfg.tlb = plan.tlb;
    cfg.tlb_checker = plan.tlb_check ? CoherenceChecker::On : CoherenceChecker::Off;
    cfg.cpus = plan.cpus;
    cfg.smp_quantum = plan.smp_quantum;

    try {
        machine = std::make_unique<Machine>(cfg);
        if (io.player) io.player->attach(machine->cpu_state());
        if (io.recorder) io.recorder->attach(machine->cpu_state());
    } catch (const std::invalid_argument& e) {
        say(e.what());
        return exit_code::kUsage;
    } catch (const std::logic_error& e) {  // e.g. --post-port on a port a device owns
        say(std::string("cannot build the machine: ") + e.what());
        return exit_code::kUsage;
    } catch (const std::runtime_error& e) {
        say(e.what());
        return exit_code::kInternal;
    }

    try {
        if (plan.boot == BootKind::Rom) {
            std::vector<u8> rom = read_file_bytes(plan.rom, kMaxRomBytes + 1, "ROM image");
            RomPlacement p = machine->boot_rom(rom, plan.rom);
            if (plan.verbose) {
                say("ROM " + plan.rom + " at " + hex32(p.high_base) + "-0xffffffff and " + hex32(p.low_base) + "-0x000fffff");
            }
        } else if (plan.boot == BootKind::Linux) {
            LinuxBootLoad load = machine->boot_linux(linux_boot_request(plan));
            if (plan.verbose) {
                for (const LoadedRange& r : load.ranges) say(hex32(r.start) + "-" + hex32(r.end - 1) + " " + r.what);
                for (const MemoryMapEntry& e : load.e820) {
                    say("e820 " + hex32(e.base) + "-" + hex32(e.base + e.length - 1) + (e.type == 1 ? " usable" : " reserved"));
                }
                say("entry " + hex32(load.entry) + " (ESI = boot_params " + hex32(load.boot_params) + ")");
            }
        } else {
            MultibootRequest req;
            req.kernel_name = plan.kernel;
            req.kernel = read_file_bytes(plan.kernel, plan.ram_bytes, "kernel");
            req.append = plan.append;
            req.modules = read_modules(plan.modules, plan.ram_bytes);
            MultibootLoad load = machine->boot_multiboot(req);
            for (const std::string& w : load.warnings) say("warning: " + w);
            if (plan.verbose) {
                for (const LoadedRange& r : load.ranges) say(hex32(r.start) + "-" + hex32(r.end - 1) + " " + r.what);
                say("entry " + hex32(load.entry));
            }
        }
    } catch (const BootError& e) {
        say(e.what());
        return exit_code::kBadImage;
    }
    return std::nullopt;
}

}  // namespace hm
