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
    CHECK(usage({k, "--max-cycles", "-5"}).find("--max-cycles -5") == 0);
    CHECK(usage({k, "--max-cycles", "0"}).find("positive") != std::string::npos);
    CHECK(usage({k, "--itlb-4k", "32"}).find("ENTRIESxWAYS") != std::string::npos);
    CHECK(usage({k, "--itlb-4k", "30x4"}).find("itlb-4k") != std::string::npos);  // not a power-of-two set count
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
    CHECK_THROWS_WITH(plan_for({bad_mem}), Catch::Contains("badmem: --mem lots"));
    std::string bad_mhz = d.file("badmhz", "kernel = k.elf\ncpu-mhz = 0\n");
    CHECK_THROWS_AS(plan_for({bad_mhz}), BootError);
    CHECK_NOTHROW(plan_for({bad_mem, "-m", "64M"}));  // the command line overrides it
}
