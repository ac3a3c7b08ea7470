#include "snapshot_options.hpp"

#include "boot/boot_error.hpp"
#include "core/state_hasher.hpp"
#include "snapshot/snapshot_error.hpp"

namespace hm {

namespace {

constexpr const char* kBootDescVersion = "hm386-boot-1";

const char* boot_kind_name(BootKind k) {
    switch (k) {
        case BootKind::Multiboot: return "multiboot";
        case BootKind::Rom: return "rom";
        case BootKind::Linux: return "linux";
    }
    return "?";
}

struct BootDesc {
    BootKind kind = BootKind::Multiboot;
    std::string kernel, rom, initrd, append;
    std::vector<std::string> modules;
};

// Fields separated by NUL bytes (no path or command line holds one).
std::vector<std::string> split_nul(const std::string& s) {
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        const size_t end = s.find('\0', start);
        if (end == std::string::npos) {
            out.push_back(s.substr(start));
            return out;
        }
        out.push_back(s.substr(start, end - start));
        start = end + 1;
    }
}

BootDesc parse_boot_description(const std::string& text) {
    const std::vector<std::string> f = split_nul(text);
    auto bad = [] { return snap::SnapshotError("the snapshot's boot description is malformed"); };
    if (f.size() < 6 || f[0] != kBootDescVersion) throw bad();
    BootDesc d;
    if (f[1] == "multiboot") d.kind = BootKind::Multiboot;
    else if (f[1] == "rom") d.kind = BootKind::Rom;
    else if (f[1] == "linux") d.kind = BootKind::Linux;
    else throw bad();
    d.kernel = f[2], d.rom = f[3], d.initrd = f[4], d.append = f[5];
    d.modules.assign(f.begin() + 6, f.end());
    if ((d.kind == BootKind::Rom) == d.rom.empty() || (d.kind != BootKind::Rom && d.kernel.empty())) throw bad();
    return d;
}

std::string mib(u64 bytes) { return std::to_string(bytes / kMiB) + " MiB"; }
std::string geometry(const TlbGeometry& g) { return std::to_string(g.entries) + "x" + std::to_string(g.ways); }

}  // namespace

void add_snapshot_options(CLI::App& cmd, SnapshotOptions& o) {
    cmd.add_option("--snapshot-at", o.at, "write a snapshot (--snapshot FILE) when the cycle count reaches CYCLES, then run on");
    cmd.add_option("--snapshot", o.file, "the snapshot file --snapshot-at writes");
    cmd.add_option("--resume", o.resume, "continue from a snapshot (the image and machine flags come from it)");
    cmd.add_option("--record", o.record, "log the serial input read from stdin, with when the guest got it, to FILE")
        ->excludes("--resume");
    cmd.add_option("--replay", o.replay, "feed the serial input logged by --record FILE back at the same points (stdin is not read)")
        ->excludes("--resume")
        ->excludes("--record");
}

SnapshotPlan resolve_snapshot_plan(const SnapshotOptions& o) {
    SnapshotPlan p;
    if (o.at.empty() != o.file.empty()) throw UsageError("--snapshot-at CYCLES and --snapshot FILE go together");
    if (o.at.empty()) return p;
    try {
        size_t used = 0;
        p.at = std::stoull(o.at, &used, 0);
        if (used != o.at.size() || o.at[0] == '-') throw std::invalid_argument(o.at);
    } catch (const std::logic_error&) {
        throw UsageError("--snapshot-at " + o.at + ": expected a positive number of cycles");
    }
    if (p.at == 0) throw UsageError("--snapshot-at 0: give a positive number of cycles");
    p.file = o.file;
    return p;
}

std::string boot_description(const RunPlan& plan) {
    std::string s = kBootDescVersion;
    for (const std::string& f : {std::string(boot_kind_name(plan.boot)), plan.kernel, plan.rom, plan.initrd, plan.append}) {
        s += '\0';
        s += f;
    }
    for (const std::string& m : plan.modules) {
        s += '\0';
        s += m;
    }
    return s;
}

u64 image_identity(const RunPlan& plan) {
    StateHasher h;
    auto text = [&](const std::string& t) { h.value(t.size()), h.bytes(t.data(), t.size()); };
    auto file = [&](const std::string& path, const char* what) {
        const std::vector<u8> bytes = read_file_bytes(path, PhysicalMemory::kMaxRam, what);
        h.value(bytes.size());
        h.bytes(bytes.data(), bytes.size());
    };
    h.value(static_cast<u8>(plan.boot));
    if (plan.boot == BootKind::Rom) file(plan.rom, "ROM image");
    else file(plan.kernel, "kernel");
    if (!plan.initrd.empty()) file(plan.initrd, "initrd");
    text(plan.append);
    for (const std::string& m : plan.modules) {
        text(m);
        file(m.substr(0, m.find_first_of(" \t")), "module");
    }
    return h.digest();
}

SnapshotIdentity session_identity(const RunPlan& plan) {
    SnapshotIdentity id{0, boot_description(plan)};
    try {
        id.image_hash = image_identity(plan);
    } catch (const BootError&) {
    }
    return id;
}

RunPlan resume_run_plan(const RunOptions& o, const SnapshotHeader& h, const ManifestVars& vars) {
    const BootDesc d = parse_boot_description(h.identity.boot);
    if (!o.image.empty() || !o.kernel.empty() || !o.rom.empty() || !o.modules.empty() || !o.initrd.empty() ||
        (o.append_opt && o.append_opt->count())) {
        throw UsageError("--resume takes the image, its modules and command line from the snapshot: give no image, "
                         "--kernel, --rom, --module, --initrd or --append");
    }
    RunOptions o2 = o;
    (d.kind == BootKind::Rom ? o2.rom : o2.kernel) = d.kind == BootKind::Rom ? d.rom : d.kernel;
    RunPlan p = resolve_run_plan(o2, vars);  // the command line's own flags, checked as usual

    // Machine flags given on the command line must say what the snapshot says.
    const MachineConfig& c = h.config;
    auto conflict = [](const std::string& flag, const std::string& given, const std::string& snap) {
        throw UsageError("--resume: " + flag + " " + given + " conflicts with the snapshot's " + snap +
                         " (machine flags come from the snapshot; leave it out)");
    };
    if (o.mem_opt && o.mem_opt->count() && p.ram_bytes != c.ram_bytes) conflict("-m", o.mem, mib(c.ram_bytes));
    if (o.cpu_mhz_opt && o.cpu_mhz_opt->count() && p.cpu_hz != c.cpu_hz) {
        conflict("--cpu-mhz", o.cpu_mhz, std::to_string(c.cpu_hz) + " Hz");
    }
    const std::tuple<const std::string&, const char*, const TlbGeometry&, const TlbGeometry&> tlbs[] = {
        {o.itlb_4k, "--itlb-4k", p.tlb.itlb_4k, c.tlb.itlb_4k},
        {o.itlb_large, "--itlb-large", p.tlb.itlb_large, c.tlb.itlb_large},
        {o.dtlb_4k, "--dtlb-4k", p.tlb.dtlb_4k, c.tlb.dtlb_4k},
        {o.dtlb_large, "--dtlb-large", p.tlb.dtlb_large, c.tlb.dtlb_large}};
    for (const auto& [text, flag, given, snap] : tlbs) {
        if (!text.empty() && (given.entries != snap.entries || given.ways != snap.ways)) conflict(flag, text, geometry(snap));
    }
    if (o.tlb_check && c.tlb_checker != CoherenceChecker::On) conflict("--tlb-check", "", "machine without the checker");
    if (!o.devices.empty() && p.pc_testdev != c.pc_testdev) conflict("--device", o.devices.front(), "device set");
    if (!o.cpu.empty() && p.cpu_model != c.cpu_model) conflict("--cpu", o.cpu, "CPU profile");
    if (!o.rtc_base.empty() && p.rtc_epoch != c.rtc_epoch) conflict("--rtc-base", o.rtc_base, "RTC base time");
    if (!o.post_port.empty() && p.post_port2 != c.post_port2) conflict("--post-port", o.post_port, "POST ports");
    if (!o.smp.empty() && p.cpus != c.cpus) conflict("-smp", o.smp, std::to_string(c.cpus) + " CPUs");
    if (!o.smp_quantum.empty() && p.smp_quantum != c.smp_quantum) {
        conflict("--smp-quantum", o.smp_quantum, std::to_string(c.smp_quantum) + " cycles");
    }

    p.boot = d.kind;
    p.kernel = d.kernel;
    p.rom = d.rom;
    p.initrd = d.initrd;
    p.append = d.append;
    p.modules = d.modules;
    p.manifest.reset();
    p.ram_bytes = c.ram_bytes;
    p.cpu_hz = c.cpu_hz;
    p.rtc_epoch = c.rtc_epoch;
    p.cpu_model = c.cpu_model;
    p.tlb = c.tlb;
    p.tlb_check = c.tlb_checker == CoherenceChecker::On;
    p.pc_testdev = c.pc_testdev;
    p.post_port2 = c.post_port2;
    p.cpus = c.cpus;
    p.smp_quantum = c.smp_quantum;
    return p;
}

}  // namespace hm
