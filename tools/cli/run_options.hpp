// `hm386 run`: its options, and their resolution (with the image's manifest, if
// any) into a validated RunPlan. Resolution is separate from running so that it
// can be tested without a machine. Bad options raise UsageError (exit 64); an
// unreadable or malformed image or manifest raises BootError (exit 65).
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "boot/linux_boot.hpp"
#include "boot/manifest.hpp"
#include "cpu/cpu_model.hpp"
#include "debug/trace_format.hpp"
#include "devices/debug_exit.hpp"
#include "mmu/tlb.hpp"
#include "qemu_args.hpp"

namespace hm {

struct RunOptions {
    std::string image;
    std::string kernel;
    std::string mem;
    std::string append;
    std::vector<std::string> modules;
    std::string initrd;
    std::string rom;
    std::string serial = "stdio";
    std::string debugcon = "stdio";
    std::string cpu_mhz;
    std::string cpu;  // --cpu: a CPU profile name
    std::string smp;          // -smp N (QEMU: -smp N or cpus=N)
    std::string smp_quantum;  // --smp-quantum CYCLES
    std::string max_cycles;
    double timeout = 0;
    std::string itlb_4k, itlb_large, dtlb_4k, dtlb_large;
    bool tlb_check = false;
    bool stats = false;
    std::string stats_json;
    std::string trace;
    std::string trace_events = "all";
    std::string post_log;
    std::string post_port;
    bool debug_exit_qemu = false;
    std::vector<std::string> devices;  // --device NAME (repeatable)
    std::string rtc_base;
    bool verbose = false;
    std::string gdb;  // --gdb PORT
    std::string state_hash_every;
    // which options were given (so a manifest supplies the rest)
    CLI::Option* append_opt = nullptr;
    CLI::Option* mem_opt = nullptr;
    CLI::Option* cpu_mhz_opt = nullptr;
    CLI::Option* smp_opt = nullptr;
    CLI::Option* timeout_opt = nullptr;
};

void add_run_options(CLI::App& cmd, RunOptions& o);

enum class BootKind : unsigned char { Multiboot, Rom, Linux };  // Linux: a bzImage (boot protocol)

struct RunPlan {
    BootKind boot = BootKind::Multiboot;
    std::string kernel;  // path as given: the first word of the guest's command line
    std::string rom;
    std::string append;
    std::vector<std::string> modules;  // "PATH [ARGS]"
    std::string initrd;                // Linux: the initrd file (empty: none)
    std::string symbols;               // the manifest's `symbols` (debugger front ends; empty: none)
    std::optional<std::string> manifest;
    std::optional<std::string> description;
    u64 ram_bytes = 128 * kMiB;
    u64 cpu_hz = 100'000'000;
    CpuModel cpu_model = CpuModel::Default;  // --cpu (its TLB geometry is already in `tlb`)
    unsigned cpus = 1;               // -smp N
    u64 smp_quantum = 1000;          // --smp-quantum (kDefaultSmpQuantum)
    u64 max_cycles = 0;
    double timeout = 0;
    TlbConfig tlb;
    bool tlb_check = false;
    std::string serial, debugcon;
    bool stats = false;
    std::string stats_json;
    std::string trace;
    TraceMask trace_mask = kTraceAll;
    std::string post_log;
    std::optional<u16> post_port2;
    bool pc_testdev = false;
    DebugExitStyle exit_style = DebugExitStyle::Plain;
    i64 rtc_epoch = 0;
    bool verbose = false;
    std::optional<u16> gdb_port;  // --gdb PORT: serve the gdb remote protocol on 127.0.0.1 (0: any free port)
    u64 state_hash_every = 0;     // --state-hash-every N (0: off)
};

RunPlan resolve_run_plan(const RunOptions& o, const ManifestVars& vars);

// A Linux plan's bzImage, initrd and command line read into a boot request.
// Throws BootError for a file that cannot be read.
LinuxBootRequest linux_boot_request(const RunPlan& plan);

// "4" or "cpus=4" -> 4 (1..8); nullopt otherwise.
std::optional<unsigned> parse_smp(const std::string& text);

// "64x4" -> {64, 4}; UsageError otherwise.
TlbGeometry parse_tlb_geometry(const std::string& text, const std::string& option);

}  // namespace hm
