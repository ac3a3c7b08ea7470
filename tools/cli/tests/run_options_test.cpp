#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "boot/boot_error.hpp"
#include "run_options.hpp"

using namespace hm;

namespace {
struct TempDir {
    std::string path;
    TempDir() {
        char tmpl[] = "/tmp/hm386-cli-XXXXXX";
        REQUIRE(mkdtemp(tmpl));
        path = tmpl;
    }
    ~TempDir() { std::system(("rm -rf " + path).c_str()); }
    std::string file(const std::string& name, const std::string& content) {
        std::string p = path + "/" + name;
        std::ofstream(p, std::ios::binary) << content;
        return p;
    }
};

// Parses `hm386 run ARGS...` into a plan the way main() does.
RunPlan plan_for(std::vector<std::string> args, const ManifestVars& vars = {"/build"}) {
    CLI::App app;
    CLI::App* run = app.add_subcommand("run");
    RunOptions o;
    add_run_options(*run, o);
    args.insert(args.begin(), "run");
    std::reverse(args.begin(), args.end());
    app.parse(args);
    return resolve_run_plan(o, vars);
}

const std::string kElf = std::string("\x7f" "ELF", 4) + std::string(60, '\0');
}  // namespace

TEST_CASE("SMP: -smp N in QEMU's spellings, the manifest key, and the quantum", "[cli]") {
    TempDir d;
    std::string k = d.file("k.elf", kElf);
    CHECK(plan_for({k}).cpus == 1);
    CHECK(plan_for({k, "--smp", "4"}).cpus == 4);
    CHECK(plan_for({k, "--smp", "cpus=8"}).cpus == 8);
    CHECK(plan_for({k, "--smp", "1"}).cpus == 1);
    CHECK(plan_for({k}).smp_quantum == 1000);
    CHECK(plan_for({k, "--smp-quantum", "250"}).smp_quantum == 250);
    std::string m = d.file("demo", "kernel = k.elf\nsmp = 2\n");
    CHECK(plan_for({m}).cpus == 2);
    CHECK(plan_for({m, "--smp", "3"}).cpus == 3);  // the command line wins
    std::string bad = d.file("bad", "kernel = k.elf\n\nsmp = 16\n");
    try {
        plan_for({bad});
        FAIL("a manifest asking for 16 CPUs was accepted");
    } catch (const BootError& e) {
        CHECK(std::string(e.what()).find("bad:3: smp = 16: expected N or cpus=N") != std::string::npos);
    }
}

TEST_CASE("A kernel with QEMU-style options resolves to a plan", "[cli]") {
    TempDir d;
    std::string k = d.file("k.elf", kElf);
    RunPlan p = plan_for({k, "-m", "8G", "--append", "exit=3", "--cpu-mhz", "33.5", "--max-cycles", "1000000",
                          "--timeout", "2.5", "--dtlb-4k", "128x8", "--tlb-check", "--post-port", "0x84",
                          "--debug-exit-qemu", "--rtc-base", "2000-01-01", "--module", "m1 a b", "--initrd", "m2,m3 x"});
    CHECK(p.boot == BootKind::Multiboot);
    CHECK(p.kernel == k);
    CHECK(p.ram_bytes == 8 * kGiB);
    CHECK(p.append == "exit=3");
    CHECK(p.cpu_hz == 33'500'000);
    CHECK(p.max_cycles == 1'000'000);
    CHECK(p.timeout == 2.5);
    CHECK(p.tlb.dtlb_4k.entries == 128);
    CHECK(p.tlb.dtlb_4k.ways == 8);
    CHECK(p.tlb.itlb_4k.entries == 32);  // untouched default
    CHECK(p.tlb_check);
    CHECK(p.post_port2 == u16{0x84});
    CHECK(p.exit_style == DebugExitStyle::Qemu);
    CHECK(p.rtc_epoch == 946684800);
    CHECK(p.modules == std::vector<std::string>{"m1 a b", "m2", "m3 x"});
    CHECK_FALSE(p.gdb_port.has_value());
    CHECK_FALSE(p.pc_testdev);
    CHECK(plan_for({"--device", "pc-testdev", k}).pc_testdev);
    CHECK(plan_for({"--device", "pc-testdev", k}).kernel == k);
    CHECK(plan_for({k, "--gdb", "1234"}).gdb_port == u16{1234});
    CHECK(plan_for({k, "--gdb", "0"}).gdb_port == u16{0});
}

TEST_CASE("A manifest supplies defaults that the command line overrides", "[cli]") {
    TempDir d;
    d.file("k.elf", kElf);
    std::string m = d.file("demo", "kernel = k.elf\nmem = 32M\nappend = exit=7\ncpu-mhz = 50\nmodule = ${BUILD}/x.img y\n");
    RunPlan p = plan_for({m});
    CHECK(p.manifest == m);
    CHECK(p.kernel == d.path + "/k.elf");
    CHECK(p.ram_bytes == 32 * kMiB);
    CHECK(p.append == "exit=7");
    CHECK(p.cpu_hz == 50'000'000);
    CHECK(p.modules == std::vector<std::string>{"/build/x.img y"});
    p = plan_for({m, "-m", "64M", "--append", "", "--cpu-mhz", "100"});
    CHECK(p.ram_bytes == 64 * kMiB);
    CHECK(p.append.empty());  // an explicit empty command line wins
    CHECK(p.cpu_hz == 100'000'000);
}

TEST_CASE("Bad option values are usage errors with the option named", "[cli]") {
    TempDir d;
    std::string k = d.file("k.elf", kElf);
    auto usage = [&](std::vector<std::string> args) -> std::string {
        try {
            plan_for(args);
        } catch (const UsageError& e) {
            return e.what();
        }
        return "";
    };
    CHECK(usage({}).find("nothing to run") != std::string::npos);
    CHECK(usage({k, "--rom", k}).find("only one") != std::string::npos);
    CHECK(usage({k, "-m", "lots"}).find("--mem lots") == 0);
    CHECK(usage({k, "--gdb", "65536"}).find("--gdb 65536") == 0);
    CHECK(usage({k, "--gdb", "port"}).find("--gdb port") == 0);
    CHECK(usage({k, "-m", "100G"}).find("between 1 MiB and 64 GiB") != std::string::npos);
    CHECK(usage({k, "--cpu-mhz", "0"}).find("--cpu-mhz 0") == 0);
    CHECK(usage({k, "--cpu-mhz", "fast"}).find("--cpu-mhz fast") == 0);
    for (const char* n : {"0", "9", "two", "cpus=", "cpus=12", "4,sockets=2", "-1"}) {
        INFO("--smp " << n);
        CHECK(usage({k, "--smp", n}).find(std::string("-smp ") + n + ": expected N or cpus=N") == 0);
    }
    CHECK(usage({k, "--smp-quantum", "0"}).find("--smp-quantum 0") == 0);
    CHECK(usage({k, "--max-cycles", "-5"}).find("--max-cycles -5") == 0);
    CHECK(usage({k, "--max-cycles", "0"}).find("positive") != std::string::npos);
    CHECK(usage({k, "--itlb-4k", "32"}).find("ENTRIESxWAYS") != std::string::npos);
    CHECK(usage({k, "--itlb-4k", "30x4"}).find("itlb-4k") != std::string::npos);  // not a power-of-two set count
    // Right syntax, wrong numbers: the message says which rule (issue 22).
    CHECK(usage({k, "--dtlb-4k", "3x5"}) == "--dtlb-4k: more ways than entries");
    CHECK(usage({k, "--dtlb-4k", "0x4"}) == "--dtlb-4k: entries and ways must be at least 1");
    CHECK(usage({k, "--dtlb-4k", "99999999999x4"}).find("too many") != std::string::npos);
    for (const char* t : {"nan", "inf", "1e400", "0", "-1"}) {
        INFO("--timeout " << t);
        CHECK(usage({k, "--timeout", t}).find("--timeout") != std::string::npos);
    }
    CHECK(usage({k, "--serial", "tcp:1234"}).find("--serial tcp:1234") == 0);
    CHECK(usage({k, "--trace-events", "walk,nope"}).find("--trace-events") == 0);
    CHECK(usage({k, "--post-port", "0x10000"}).find("0 to 0xffff") != std::string::npos);
    CHECK(usage({k, "--rtc-base", "someday"}).find("--rtc-base someday") == 0);
    CHECK(usage({k, "--device", "e1000"}).find("--device e1000") == 0);
    CHECK(usage({"--rom", k, "--append", "x"}).find("--append needs a Multiboot kernel") == 0);
    CHECK(usage({"--rom", k, "--module", "m"}).find("modules need") == 0);
}

TEST_CASE("Unreadable images and broken manifests are image errors", "[cli]") {
    TempDir d;
    CHECK_THROWS_AS(plan_for({d.path + "/missing.elf"}), BootError);
    std::string m = d.file("broken", "kernel = k.elf\nfrobnicate = yes\n");
    CHECK_THROWS_WITH(plan_for({m}), Catch::Contains("broken:2: unknown key 'frobnicate'"));
    d.file("k.elf", kElf);
    std::string bad_mem = d.file("badmem", "kernel = k.elf\nmem = lots\n");
    CHECK_THROWS_AS(plan_for({bad_mem}), BootError);  // a manifest's value: a bad image (65)
    // The manifest's own words and line, not the command line's option (issue 22).
    CHECK_THROWS_WITH(plan_for({bad_mem}), Catch::Contains("badmem:2: mem = lots: expected a size"));
    std::string bad_mhz = d.file("badmhz", "kernel = k.elf\ncpu-mhz = 0\n");
    CHECK_THROWS_AS(plan_for({bad_mhz}), BootError);
    CHECK_THROWS_WITH(plan_for({bad_mhz}), Catch::Contains("badmhz:2: cpu-mhz = 0: must be between"));
    std::string empty = d.file("empty", "");
    CHECK_THROWS_WITH(plan_for({empty}), Catch::Contains("empty: the file is empty"));
    CHECK_NOTHROW(plan_for({bad_mem, "-m", "64M"}));  // the command line overrides it
}

namespace {
// The first 0x206 bytes of a bzImage: boot flag and "HdrS" are what hm386 looks at.
std::string bzimage_head() {
    std::string f(0x400, '\0');
    f[0x1FE] = '\x55', f[0x1FF] = '\xAA';
    f.replace(0x202, 4, "HdrS");
    return f;
}
}  // namespace

TEST_CASE("A bzImage, positional or --kernel, is a Linux boot with one initrd", "[cli][linux]") {
    TempDir d;
    std::string k = d.file("vmlinuz", bzimage_head());
    RunPlan p = plan_for({k, "--initrd", "/x/initramfs,odd.gz", "--append", "console=ttyS0 quiet", "-m", "6G"});
    CHECK(p.boot == BootKind::Linux);
    CHECK(p.kernel == k);
    CHECK(p.initrd == "/x/initramfs,odd.gz");  // one file, commas and all, as QEMU takes it for Linux
    CHECK(p.modules.empty());
    CHECK(p.append == "console=ttyS0 quiet");
    CHECK(p.ram_bytes == 6 * kGiB);
    RunPlan q = plan_for({"--kernel", k});
    CHECK(q.boot == BootKind::Linux);
    CHECK(q.initrd.empty());
    // -kernel/-initrd/-append: QEMU's spellings reach the same options
    RunPlan qemu = plan_for(translate_qemu_args({"-kernel", k, "-initrd", "i.gz", "-append", "x=1"}));
    CHECK(qemu.boot == BootKind::Linux);
    CHECK(qemu.initrd == "i.gz");
    CHECK_THROWS_WITH(plan_for({k, "--module", "m"}), Catch::Contains("a Linux bzImage takes no Multiboot modules"));
    // An ELF kernel is still Multiboot, and --initrd is still its module list there
    std::string elf = d.file("k.elf", kElf);
    RunPlan mb = plan_for({elf, "--initrd", "a x,b"});
    CHECK(mb.boot == BootKind::Multiboot);
    CHECK(mb.modules == std::vector<std::string>{"a x", "b"});
    CHECK(mb.initrd.empty());
}

TEST_CASE("A manifest's initrd: the initrd of a bzImage, one more module of a Multiboot kernel", "[cli][linux]") {
    TempDir d;
    d.file("vmlinuz", bzimage_head());
    d.file("k.elf", kElf);
    std::string lin = d.file("linux", "kernel = vmlinuz\ninitrd = ${BUILD}/initramfs.cpio.gz\nappend = console=ttyS0\nmem = 3G\n");
    RunPlan p = plan_for({lin});
    CHECK(p.boot == BootKind::Linux);
    CHECK(p.initrd == "/build/initramfs.cpio.gz");
    CHECK(p.append == "console=ttyS0");
    CHECK(plan_for({lin, "--initrd", "other.gz"}).initrd == "other.gz");  // the command line wins
    CHECK(p.symbols.empty());
    std::string with_map = d.file("linux-map", "kernel = vmlinuz\nsymbols = ${BUILD}/linux/System.map\n");
    CHECK(plan_for({with_map}).symbols == "/build/linux/System.map");  // for hm386 debug / hm386-gui
    std::string mb = d.file("mb", "kernel = k.elf\ninitrd = mod.img\n");
    RunPlan q = plan_for({mb});
    CHECK(q.boot == BootKind::Multiboot);
    CHECK(q.modules == std::vector<std::string>{d.path + "/mod.img"});
    std::string bad = d.file("bad", "kernel = vmlinuz\nmodule = mod.img\n");
    CHECK_THROWS_AS(plan_for({bad}), BootError);
    CHECK_THROWS_WITH(plan_for({bad}), Catch::Contains("'module' needs a Multiboot kernel"));
}

TEST_CASE("The --cpu option picks a CPU profile and its TLBs, and a manifest cpu key is the fallback", "[cli][profile]") {
    TempDir d;
    std::string k = d.file("k.elf", kElf);
    RunPlan p = plan_for({k});
    CHECK(p.cpu_model == CpuModel::Default);
    CHECK(p.tlb.dtlb_4k.entries == 64);
    p = plan_for({k, "--cpu", "486"});
    CHECK(p.cpu_model == CpuModel::I486);
    CHECK(p.tlb.dtlb_4k.entries == 32);  // the 486 profile's TLB
    p = plan_for({k, "--cpu", "486", "--dtlb-4k", "128x8"});
    CHECK(p.tlb.dtlb_4k.entries == 128);  // an explicit geometry wins over the profile's
    CHECK(p.tlb.itlb_4k.entries == 32);
    CHECK(plan_for({k, "--cpu", "p6"}).cpu_model == CpuModel::P6);
    CHECK(plan_for({k, "--cpu", "pentium"}).cpu_model == CpuModel::Pentium);
    std::string m = d.file("m", "kernel = k.elf\ncpu = pentium\n");
    CHECK(plan_for({m}).cpu_model == CpuModel::Pentium);
    CHECK(plan_for({m, "--cpu", "p6"}).cpu_model == CpuModel::P6);
    try {
        plan_for({k, "--cpu", "i686"});
        FAIL("no usage error");
    } catch (const UsageError& e) {
        CHECK(std::string(e.what()) == "--cpu i686: expected one of default, 486, pentium, p6, 486-nocpuid");
    }
    std::string bad = d.file("bad", "kernel = k.elf\n\ncpu = k7\n");
    try {
        plan_for({bad});
        FAIL("no manifest error");
    } catch (const BootError& e) {
        CHECK(std::string(e.what()) == bad + ":3: cpu = k7: expected one of default, 486, pentium, p6, 486-nocpuid");
    }
}
