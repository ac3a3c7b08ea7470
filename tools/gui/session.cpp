#include "session.hpp"

#include "boot/boot_error.hpp"
#include "devices/host_char_backend.hpp"
#include "snapshot_options.hpp"
#include "exit_codes.hpp"

namespace hm::gui {

namespace {

std::vector<BootModule> read_modules(const std::vector<std::string>& specs, u64 ram) {
    std::vector<BootModule> mods;
    for (const std::string& spec : specs) {
        const std::string path = spec.substr(0, spec.find_first_of(" \t"));
        mods.push_back({spec, read_file_bytes(path, ram, "module")});
    }
    return mods;
}

// "none" needs no tee; anything else (stdio, file:PATH) gets its host sink.
std::unique_ptr<CharSink> open_tee(const std::string& spec) {
    if (spec == "none") return nullptr;
    return open_char_sink(spec);
}

}  // namespace

Session::Session(const RunPlan& plan) : plan_(plan) {
    try {
        serial_tee_ = open_tee(plan.serial);
        debugcon_tee_ = open_tee(plan.debugcon);
        if (!plan.post_log.empty()) post_log_ = open_char_sink("file:" + plan.post_log);
    } catch (const std::invalid_argument& e) {
        throw SessionError{exit_code::kUsage, e.what()};
    }
    serial_.set_tee(serial_tee_.get());
    debugcon_.set_tee(debugcon_tee_.get());

    MachineConfig cfg;
    cfg.ram_bytes = plan.ram_bytes;
    cfg.cpu_hz = plan.cpu_hz;
    cfg.rtc_epoch = plan.rtc_epoch;
    cfg.serial_out = &serial_;
    cfg.debugcon_out = &debugcon_;
    cfg.post_log = post_log_.get();
    cfg.post_port2 = plan.post_port2;
    cfg.cpu_model = plan.cpu_model;
    cfg.tlb = plan.tlb;
    cfg.tlb_checker = plan.tlb_check ? CoherenceChecker::On : CoherenceChecker::Off;
    cfg.pc_testdev = plan.pc_testdev;
    // -smp N and its quantum, as hm386 run builds the machine (tools/cli/machine_setup.cpp).
    cfg.cpus = plan.cpus;
    cfg.smp_quantum = plan.smp_quantum;
    try {
        machine_ = std::make_unique<Machine>(cfg);
    } catch (const std::invalid_argument& e) {
        throw SessionError{exit_code::kUsage, e.what()};
    } catch (const std::logic_error& e) {
        throw SessionError{exit_code::kUsage, std::string("cannot build the machine: ") + e.what()};
    } catch (const std::runtime_error& e) {
        throw SessionError{exit_code::kInternal, e.what()};
    }

    try {
        if (plan.boot == BootKind::Rom) {
            const std::vector<u8> rom = read_file_bytes(plan.rom, kMaxRomBytes + 1, "ROM image");
            machine_->boot_rom(rom, plan.rom);
        } else if (plan.boot == BootKind::Linux) {
            machine_->boot_linux(linux_boot_request(plan));
        } else {
            MultibootRequest req;
            req.kernel_name = plan.kernel;
            req.kernel = read_file_bytes(plan.kernel, plan.ram_bytes, "kernel");
            req.append = plan.append;
            req.modules = read_modules(plan.modules, plan.ram_bytes);
            machine_->boot_multiboot(req);
        }
    } catch (const BootError& e) {
        throw SessionError{exit_code::kBadImage, e.what()};
    }

    debugger_ = std::make_unique<dbg::Debugger>(*machine_);
    // savevm files carry the image's identity, as hm386 run's and hm386 debug's:
    // they resume with `hm386 run --resume`, and loadvm refuses another image's.
    debugger_->set_snapshot_identity(session_identity(plan));
    // The TLB panel marks the entries each run used: every hit must reach the model.
    machine_->mmu().set_hit_tracking(true);
    if (!plan.trace.empty()) {
        try {
            trace_ = std::make_unique<TraceWriter>(plan.trace, plan.cpu_hz, plan.trace_mask);
        } catch (const std::runtime_error& e) {
            throw SessionError{exit_code::kUsage, e.what()};
        }
        debugger_->set_forward_sink(trace_.get());
    }
    debugger_->set_cycle_limit(plan.max_cycles);
    interp_ = std::make_unique<dbg::CommandInterpreter>(*debugger_);
}

Session::~Session() {
    close();
    interp_.reset();
    debugger_.reset();  // detaches from the machine before it goes
}

std::string Session::load_symbols(const std::string& elf_path) {
    std::string path = elf_path;
    if (path.empty()) path = plan_.symbols;  // the manifest's `symbols` key
    if (path.empty()) {
        if (plan_.boot == BootKind::Rom) return "no symbols (a ROM image)";
        if (plan_.boot == BootKind::Linux) return "no symbols (a Linux bzImage: give its System.map with --symbols)";
        path = plan_.kernel;
    }
    try {
        debugger_->load_symbols(path);
    } catch (const dbg::DebugError& e) {
        return std::string("no symbols: ") + e.what();
    }
    return "symbols: " + std::to_string(debugger_->symbols().size()) + " from " + path;
}

std::string Session::close() {
    if (!trace_) return "";
    debugger_->set_forward_sink(nullptr);
    std::string err = trace_->close();
    trace_.reset();
    return err;
}

}  // namespace hm::gui
