#include "run_options.hpp"

#include <cmath>
#include <fstream>

#include "boot/boot_error.hpp"
#include "boot/linux_boot.hpp"
#include "boot/multiboot.hpp"
#include "cpu/cpu_profile.hpp"
#include "time/civil_time.hpp"

namespace hm {

void add_run_options(CLI::App& cmd, RunOptions& o) {
    cmd.add_option("image", o.image, "a Multiboot kernel (ELF), a Linux bzImage or an image manifest (images/NAME)");
    cmd.add_option("--kernel", o.kernel, "Multiboot kernel or Linux bzImage (QEMU: -kernel)");
    o.mem_opt = cmd.add_option("-m,--mem", o.mem, "RAM size, e.g. 64M, 8G (default 128M; QEMU: -m)");
    o.append_opt = cmd.add_option("--append", o.append, "kernel command line (QEMU: -append)");
    cmd.add_option("--module", o.modules, "Multiboot module \"PATH [ARGS]\" (repeatable)");
    cmd.add_option("--initrd", o.initrd, "Linux: the initrd; Multiboot: modules as QEMU's -initrd list \"PATH [ARGS],PATH2\"");
    cmd.add_option("--rom", o.rom, "raw ROM image at the reset vector (QEMU: -bios)");
    cmd.add_option("--serial", o.serial, "COM1: stdio, none or file:PATH (default stdio)");
    cmd.add_option("--debugcon", o.debugcon, "port 0xE9 console: stdio, none or file:PATH (default stdio)");
    o.cpu_mhz_opt = cmd.add_option("--cpu-mhz", o.cpu_mhz, "virtual CPU clock in MHz (default 100)");
    cmd.add_option("--cpu", o.cpu, "CPU profile: 486, pentium, p6 or default (docs/cycle-costs.md, \"CPU profiles\")");
    o.smp_opt = cmd.add_option("--smp", o.smp, "CPUs: N or cpus=N, 1 to 8 (default 1; QEMU: -smp)");
    cmd.add_option("--smp-quantum", o.smp_quantum,
                   "cycles each CPU runs before the next one's turn (default 1000; docs/devices.md \"SMP\")");
    cmd.add_option("--max-cycles", o.max_cycles, "stop after this many CPU cycles (exit 125)");
    o.timeout_opt = cmd.add_option("--timeout", o.timeout, "stop after this many host seconds (exit 124)");
    cmd.add_option("--itlb-4k", o.itlb_4k, "instruction TLB, 4 KiB pages: ENTRIESxWAYS (default 32x4)");
    cmd.add_option("--itlb-large", o.itlb_large, "instruction TLB, large pages (default 2x2)");
    cmd.add_option("--dtlb-4k", o.dtlb_4k, "data TLB, 4 KiB pages (default 64x4)");
    cmd.add_option("--dtlb-large", o.dtlb_large, "data TLB, large pages (default 8x4)");
    cmd.add_flag("--tlb-check", o.tlb_check, "TLB coherence checker: report stale translations");
    cmd.add_flag("--stats", o.stats, "print statistics after the run (stderr)");
    cmd.add_option("--stats-json", o.stats_json, "write statistics as JSON to FILE");
    cmd.add_option("--trace", o.trace, "write a compressed event trace to FILE (read it with hm386 trace)");
    cmd.add_option("--trace-events", o.trace_events, "events to trace: all or a list of insn,walk,flush,exc,int,io,stale");
    cmd.add_option("--post-log", o.post_log, "log POST codes (port 0x80 and --post-port) to FILE");
    cmd.add_option("--post-port", o.post_port, "a second POST-code port, e.g. 0x84");
    cmd.add_option("--device", o.devices, "an optional device: pc-testdev (QEMU's test device; docs/devices.md)")
        ->allow_extra_args(false);  // one name per --device, so an image may follow
    cmd.add_flag("--debug-exit-qemu", o.debug_exit_qemu, "exit status (value << 1) | 1, as QEMU's isa-debug-exit");
    cmd.add_option("--rtc-base", o.rtc_base, "RTC start: YYYY-MM-DD[THH:MM:SS] or Unix seconds (default 2024-01-01)");
    cmd.add_flag("-v,--verbose", o.verbose, "print where the kernel, modules and boot information went");
    cmd.add_option("--state-hash-every", o.state_hash_every,
                   "print a hash of the guest-visible state every N instructions, and at the end (stderr)");
    cmd.add_option("--gdb", o.gdb, "wait for gdb on 127.0.0.1:PORT before running (0: any free port; QEMU: -s -S)");
}

LinuxBootRequest linux_boot_request(const RunPlan& plan) {
    LinuxBootRequest req;
    req.kernel_name = plan.kernel;
    req.kernel = read_file_bytes(plan.kernel, plan.ram_bytes, "kernel");
    req.cmdline = plan.append;  // Linux gets the append string alone, as from QEMU
    if (!plan.initrd.empty()) {
        req.initrd_name = plan.initrd;
        req.initrd = read_file_bytes(plan.initrd, plan.ram_bytes, "initrd");
    }
    return req;
}

std::optional<unsigned> parse_smp(const std::string& text) {
    std::string digits = text.rfind("cpus=", 0) == 0 ? text.substr(5) : text;
    if (digits.empty() || digits.size() > 2) return std::nullopt;
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
    }
    const unsigned n = static_cast<unsigned>(std::stoul(digits));
    if (n < 1 || n > 8) return std::nullopt;
    return n;
}

TlbGeometry parse_tlb_geometry(const std::string& text, const std::string& option) {
    size_t x = text.find_first_of("xX:");
    auto bad = [&] { return UsageError(option + " " + text + ": expected ENTRIESxWAYS, e.g. 64x4"); };
    if (x == std::string::npos || x == 0 || x + 1 == text.size()) throw bad();
    unsigned long e, w;
    try {
        size_t used = 0;
        e = std::stoul(text.substr(0, x), &used);
        if (used != x) throw bad();
        w = std::stoul(text.substr(x + 1), &used);
        if (used != text.size() - x - 1) throw bad();
    } catch (const std::logic_error&) {
        throw bad();
    }
    // The syntax is right from here on: check_geometry says what is wrong with the numbers.
    if (e > 0xFFFFFFFFul || w > 0xFFFFFFFFul) throw UsageError(option + " " + text + ": too many entries or ways");
    TlbGeometry g{static_cast<unsigned>(e), static_cast<unsigned>(w)};
    std::string why = check_geometry(g, option.c_str());
    if (!why.empty()) throw UsageError(why);
    return g;
}

namespace {

constexpr double kMaxTimeoutSeconds = 365.0 * 24 * 3600;

u64 parse_u64(const std::string& text, const std::string& option) {
    try {
        size_t used = 0;
        unsigned long long v = std::stoull(text, &used, 0);
        if (used != text.size() || text[0] == '-') throw std::invalid_argument(text);
        return v;
    } catch (const std::logic_error&) {
        throw UsageError(option + " " + text + ": expected a non-negative integer");
    }
}

enum class ImageKind { Kernel, Manifest };

// A bzImage is told by its setup header ("HdrS" at 0x202), whatever its name.
bool is_bzimage(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<u8> head(bp::kHeader + 4);
    in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
    return in && has_bzimage_magic(head);
}

ImageKind classify_image(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw BootError("cannot read image '" + path + "'");
    std::vector<u8> head(kMultibootSearchBytes);
    in.read(reinterpret_cast<char*>(head.data()), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<size_t>(in.gcount()));
    // An empty file has no NUL byte either, but it is no manifest.
    if (head.empty()) throw BootError(path + ": the file is empty");
    if (head.size() >= 4 && head[0] == 0x7F && head[1] == 'E' && head[2] == 'L' && head[3] == 'F') return ImageKind::Kernel;
    if (looks_like_manifest(head)) return ImageKind::Manifest;
    // a raw Multiboot image (a.out kludge) or garbage: let the loader say which
    return ImageKind::Kernel;
}

}  // namespace

RunPlan resolve_run_plan(const RunOptions& o, const ManifestVars& vars) {
    RunPlan p;
    std::optional<Manifest> manifest;
    int sources = (!o.image.empty()) + (!o.kernel.empty()) + (!o.rom.empty());
    if (sources == 0) throw UsageError("nothing to run: give an image, a manifest, --kernel or --rom");
    if (sources > 1) throw UsageError("give only one of: an image or manifest, --kernel, --rom");
    if (!o.image.empty()) {
        if (classify_image(o.image) == ImageKind::Manifest) {
            manifest = load_manifest(o.image, vars);
            p.manifest = o.image;
            p.description = manifest->description;
        } else {
            p.kernel = o.image;
        }
    }
    if (!o.kernel.empty()) p.kernel = o.kernel;
    if (!o.rom.empty()) p.rom = o.rom;
    if (manifest) {
        if (manifest->kernel) p.kernel = *manifest->kernel;
        if (manifest->rom) p.rom = *manifest->rom;
        p.modules = manifest->modules;
    }
    p.boot = !p.rom.empty() ? BootKind::Rom : is_bzimage(p.kernel) ? BootKind::Linux : BootKind::Multiboot;

    // Memory, command line and clock: the command line wins over the manifest.
    // A bad value from the manifest is a bad manifest (65), from the command line bad usage (64).
    const bool mem_from_cli = o.mem_opt && o.mem_opt->count();
    std::string mem = mem_from_cli ? o.mem : (manifest && manifest->mem ? *manifest->mem : "");
    // `option` is the command-line spelling; a manifest's error names its key and line.
    auto value_error = [&](bool from_cli, const std::string& option, const std::string& value, const std::string& why) {
        if (from_cli) throw UsageError(option + " " + value + ": " + why);
        const bool is_mem = option == "--mem", is_smp = option == "-smp";
        const unsigned line = is_mem ? manifest->mem_line : is_smp ? manifest->smp_line : manifest->cpu_mhz_line;
        const char* key = is_mem ? "mem" : is_smp ? "smp" : "cpu-mhz";
        throw BootError(*p.manifest + ":" + std::to_string(line) + ": " + key + " = " + value + ": " + why);
    };
    if (!mem.empty()) {
        u64 bytes = 0;
        if (!parse_memory_size(mem, bytes)) value_error(mem_from_cli, "--mem", mem, "expected a size such as 64M or 8G");
        if (bytes < PhysicalMemory::kMinRam || bytes > PhysicalMemory::kMaxRam || bytes % kPageSize) {
            value_error(mem_from_cli, "--mem", mem, "RAM must be a multiple of 4 KiB between 1 MiB and 64 GiB");
        }
        p.ram_bytes = bytes;
    }
    if (o.append_opt && o.append_opt->count()) {
        p.append = o.append;
    } else if (manifest && manifest->append) {
        p.append = *manifest->append;
    }
    const bool mhz_from_cli = o.cpu_mhz_opt && o.cpu_mhz_opt->count();
    std::string mhz = mhz_from_cli ? o.cpu_mhz : (manifest && manifest->cpu_mhz ? *manifest->cpu_mhz : "");
    if (!mhz.empty()) {
        double v = 0;
        bool number = true;
        try {
            size_t used = 0;
            v = std::stod(mhz, &used);
            number = used == mhz.size();
        } catch (const std::logic_error&) {
            number = false;
        }
        if (!number) value_error(mhz_from_cli, "--cpu-mhz", mhz, "expected a number of MHz");
        if (!(v >= 1 && v <= 100000)) value_error(mhz_from_cli, "--cpu-mhz", mhz, "must be between 1 and 100000");
        p.cpu_hz = static_cast<u64>(std::llround(v * 1e6));
    }

    const bool smp_from_cli = o.smp_opt && o.smp_opt->count();
    const std::string smp = smp_from_cli ? o.smp : (manifest && manifest->smp ? *manifest->smp : "");
    if (!smp.empty()) {
        std::optional<unsigned> n = parse_smp(smp);
        if (!n) value_error(smp_from_cli, "-smp", smp, "expected N or cpus=N with N from 1 to 8");
        p.cpus = *n;
    }
    if (!o.smp_quantum.empty()) {
        p.smp_quantum = parse_u64(o.smp_quantum, "--smp-quantum");
        if (p.smp_quantum == 0 || p.smp_quantum > 1'000'000'000) {
            throw UsageError("--smp-quantum " + o.smp_quantum + ": give 1 to 1000000000 cycles");
        }
    }

    for (const std::string& m : o.modules) p.modules.push_back(m);
    if (manifest && manifest->symbols) p.symbols = *manifest->symbols;
    if (p.boot == BootKind::Linux) {
        // QEMU's -initrd for a Linux kernel: one file, no arguments.
        if (manifest && !manifest->modules.empty()) {
            throw BootError(*p.manifest + ": 'module' needs a Multiboot kernel; a Linux bzImage takes one 'initrd'");
        }
        if (!p.modules.empty()) throw UsageError("a Linux bzImage takes no Multiboot modules (--module); use --initrd FILE");
        if (!o.initrd.empty()) {
            p.initrd = o.initrd;
        } else if (manifest && manifest->initrd) {
            p.initrd = *manifest->initrd;
        }
    } else if (manifest && manifest->initrd) {
        p.modules.push_back(*manifest->initrd);  // as QEMU's -initrd does for a Multiboot kernel
    }
    if (p.boot != BootKind::Linux && !o.initrd.empty()) {
        for (const std::string& m : split_initrd_list(o.initrd)) {
            if (m.empty()) throw UsageError("--initrd " + o.initrd + ": empty module name");
            p.modules.push_back(m);
        }
    }
    if (p.boot == BootKind::Rom) {
        if (!p.modules.empty()) throw UsageError("modules need a Multiboot kernel, not --rom");
        if (!p.append.empty()) throw UsageError("--append needs a Multiboot kernel, not --rom");
    }

    if (!o.max_cycles.empty()) p.max_cycles = parse_u64(o.max_cycles, "--max-cycles");
    if (o.max_cycles == "0") throw UsageError("--max-cycles 0: give a positive number of cycles");
    // NaN, infinity and 0 would each mean "no limit" further on; a limit asked for is a limit.
    const bool timeout_given = o.timeout_opt && o.timeout_opt->count();
    if (timeout_given && !(std::isfinite(o.timeout) && o.timeout > 0 && o.timeout <= kMaxTimeoutSeconds)) {
        throw UsageError("--timeout " + o.timeout_opt->as<std::string>() + ": give a positive number of seconds, at most " +
                         std::to_string(static_cast<long long>(kMaxTimeoutSeconds)) + " (one year)");
    }
    if (o.timeout < 0) throw UsageError("--timeout must not be negative");
    p.timeout = o.timeout;

    // The CPU profile: the command line's, else the manifest's. Its TLB geometry
    // is the starting point the --itlb/--dtlb options then change.
    const std::string cpu = !o.cpu.empty() ? o.cpu : (manifest && manifest->cpu ? *manifest->cpu : "");
    if (!cpu.empty()) {
        const std::optional<CpuModel> model = cpu::parse_cpu_model(cpu);
        if (!model) {
            const std::string why = std::string("expected one of ") + cpu::cpu_model_names();
            if (!o.cpu.empty()) throw UsageError("--cpu " + cpu + ": " + why);
            throw BootError(*p.manifest + ":" + std::to_string(manifest->cpu_line) + ": cpu = " + cpu + ": " + why);
        }
        p.cpu_model = *model;
    }
    p.tlb = cpu::cpu_profile(p.cpu_model).tlb;
    if (!o.itlb_4k.empty()) p.tlb.itlb_4k = parse_tlb_geometry(o.itlb_4k, "--itlb-4k");
    if (!o.itlb_large.empty()) p.tlb.itlb_large = parse_tlb_geometry(o.itlb_large, "--itlb-large");
    if (!o.dtlb_4k.empty()) p.tlb.dtlb_4k = parse_tlb_geometry(o.dtlb_4k, "--dtlb-4k");
    if (!o.dtlb_large.empty()) p.tlb.dtlb_large = parse_tlb_geometry(o.dtlb_large, "--dtlb-large");
    p.tlb_check = o.tlb_check;

    auto check_char_spec = [](const std::string& spec, const std::string& option) {
        if (spec == "stdio" || spec == "none" || spec == "null") return;
        if (spec.rfind("file:", 0) == 0 && spec.size() > 5) return;
        throw UsageError(option + " " + spec + ": expected stdio, none or file:PATH");
    };
    check_char_spec(o.serial, "--serial");
    check_char_spec(o.debugcon, "--debugcon");
    p.serial = o.serial;
    p.debugcon = o.debugcon;

    p.stats = o.stats;
    p.stats_json = o.stats_json;
    if (!o.state_hash_every.empty()) {
        p.state_hash_every = parse_u64(o.state_hash_every, "--state-hash-every");
        if (p.state_hash_every == 0) throw UsageError("--state-hash-every 0: give a positive number of instructions");
    }
    p.trace = o.trace;
    if (!parse_trace_mask(o.trace_events, p.trace_mask)) {
        throw UsageError("--trace-events " + o.trace_events + ": expected all or a list of insn,walk,flush,exc,int,io,stale");
    }
    p.post_log = o.post_log;
    if (!o.post_port.empty()) {
        u64 port = parse_u64(o.post_port, "--post-port");
        if (port > 0xFFFF) throw UsageError("--post-port " + o.post_port + ": ports are 0 to 0xffff");
        p.post_port2 = static_cast<u16>(port);
    }
    p.exit_style = o.debug_exit_qemu ? DebugExitStyle::Qemu : DebugExitStyle::Plain;
    for (const std::string& d : o.devices) {
        if (d == "pc-testdev") p.pc_testdev = true;
        else throw UsageError("--device " + d + ": the optional devices are: pc-testdev");
    }
    p.rtc_epoch = kDefaultRtcEpoch;
    if (!o.rtc_base.empty()) {
        std::optional<i64> t = parse_datetime(o.rtc_base);
        if (!t) throw UsageError("--rtc-base " + o.rtc_base + ": expected YYYY-MM-DD[THH:MM:SS] or Unix seconds");
        p.rtc_epoch = *t;
    }
    p.verbose = o.verbose;
    if (!o.gdb.empty()) {
        u64 port = parse_u64(o.gdb, "--gdb");
        if (port > 0xFFFF) throw UsageError("--gdb " + o.gdb + ": ports are 0 to 65535");
        p.gdb_port = static_cast<u16>(port);
    }
    return p;
}

}  // namespace hm
