// Reverse execution over a long run (docs/snapshots.md, "Measured"): the CPU
// workload guest runs ~1e9 instructions under one `continue` with recording on
// (checkpoints every Debugger::kCheckpointEvery cycles, thinned to the limits),
// then steps back R times; each reverse-stepi is timed. The same run without
// recording gives the cost of taking the checkpoints.
//
//   bench_reverse [--iters N] [--steps R]   (N = 270: about 1.0e9 instructions)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "debug/debugger.hpp"
#include "machine.hpp"

using namespace hm;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct Run {
    std::unique_ptr<Machine> machine;
    std::unique_ptr<dbg::Debugger> d;
};

Run boot(u32 iters) {
    Run r;
    MachineConfig cfg;
    cfg.ram_bytes = 128 * kMiB;
    r.machine = std::make_unique<Machine>(cfg);
    std::ifstream in(HM386_REVERSE_BENCH_ELF, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "bench_reverse: cannot read %s\n", HM386_REVERSE_BENCH_ELF);
        std::exit(1);
    }
    MultibootRequest req;
    req.kernel_name = HM386_REVERSE_BENCH_ELF;
    req.kernel.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    req.append = "iters=" + std::to_string(iters);
    r.machine->boot_multiboot(req);
    r.d = std::make_unique<dbg::Debugger>(*r.machine);
    r.d->load_symbols(HM386_REVERSE_BENCH_ELF);
    r.d->add_breakpoint(dbg::Space::Linear, r.d->symbols().find("guest_exit").at(0)->addr);
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    u32 iters = 270;
    int steps = 10;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--iters" && i + 1 < argc) iters = static_cast<u32>(std::atoi(argv[++i]));
        else if (a == "--steps" && i + 1 < argc) steps = std::atoi(argv[++i]);
        else {
            std::fprintf(stderr, "usage: bench_reverse [--iters N] [--steps R]\n");
            return 2;
        }
    }
    try {
        Run plain = boot(iters);
        auto t0 = Clock::now();
        plain.d->cont();
        const double plain_s = seconds_since(t0);

        Run rec = boot(iters);
        rec.d->set_recording(true);
        t0 = Clock::now();
        const dbg::StopInfo s = rec.d->cont();
        const double rec_s = seconds_since(t0);
        const CpuState& st = rec.machine->cpu_state();
        if (s.kind != dbg::StopKind::Breakpoint) {
            std::fprintf(stderr, "bench_reverse: the run did not reach guest_exit: %s\n", s.message.c_str());
            return 1;
        }
        std::printf("run: %llu instructions, %llu cycles to guest_exit\n",
                    static_cast<unsigned long long>(st.instructions), static_cast<unsigned long long>(st.cycles));
        std::printf("continue without recording: %.2f s; with recording: %.2f s (%zu checkpoints kept, %.1f MB)\n",
                    plain_s, rec_s, rec.d->checkpoints(), rec.d->checkpoint_bytes() / 1e6);
        double worst = 0, total = 0;
        for (int i = 0; i < steps; ++i) {
            t0 = Clock::now();
            rec.d->reverse_step();
            const double t = seconds_since(t0);
            worst = std::max(worst, t);
            total += t;
        }
        std::printf("reverse-stepi x %d: %.3f s each on average, %.3f s the slowest\n", steps, total / steps, worst);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_reverse: %s\n", e.what());
        return 1;
    }
    return 0;
}
