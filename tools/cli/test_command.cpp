#include "test_command.hpp"

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>

#include "boot/boot_error.hpp"
#include "cross_check.hpp"
#include "exit_codes.hpp"
#include "guest_boot.hpp"
#include "qemu_boot.hpp"
#include "test_matrix.hpp"
#include "test_report.hpp"
#include "write_file.hpp"

namespace hm {

namespace {

constexpr int kSkipped = 77;  // CTest's SKIP_RETURN_CODE: --qemu without QEMU

void say(const std::string& msg) { std::fprintf(stderr, "hm386 test: %s\n", msg.c_str()); }

std::string image_label(const std::string& path) {
    std::string base = std::filesystem::path(path).filename().string();
    if (base.size() > 4 && base.compare(base.size() - 4, 4, ".elf") == 0) base.resize(base.size() - 4);
    return base.empty() ? path : base;
}

std::string join_words(std::initializer_list<std::string> words) {
    std::string out;
    for (const std::string& w : words)
        if (!w.empty()) out += (out.empty() ? "" : " ") + w;
    return out;
}

bool on_path(const std::string& program) {
    const char* path = std::getenv("PATH");
    if (!path) return false;
    std::string dirs = path;
    size_t pos = 0;
    while (pos <= dirs.size()) {
        size_t colon = dirs.find(':', pos);
        if (colon == std::string::npos) colon = dirs.size();
        std::string dir = dirs.substr(pos, colon - pos);
        if (dir.empty()) dir = ".";
        if (access((dir + "/" + program).c_str(), X_OK) == 0) return true;
        pos = colon + 1;
    }
    return false;
}

// One boot to run: under hm386 (a plan) or under QEMU (a spec).
struct Job {
    std::string image;
    std::string config;
    bool qemu = false;
    RunPlan plan;
    QemuBootSpec qemu_spec;
};

struct JobResult {
    BootVerdict verdict;
    std::string setup_error;  // the image could not be loaded (exit 65)
    bool qemu_missing = false;
};

JobResult run_job(const Job& job) {
    JobResult out;
    try {
        if (job.qemu) {
            QemuBoot q = run_qemu_boot(job.qemu_spec);
            out.qemu_missing = q.qemu_missing;
            out.verdict = judge_boot(job.image, job.config, std::move(q.record));
            out.verdict.emulator = "qemu";
        } else {
            out.verdict = judge_boot(job.image, job.config, run_boot(job.plan));
        }
    } catch (const BootError& e) {
        out.setup_error = e.what();
    } catch (const UsageError& e) {
        out.setup_error = e.what();
    }
    return out;
}

// Runs every job, `jobs` at a time; results in job order.
std::vector<JobResult> run_all(const std::vector<Job>& work, unsigned jobs) {
    std::vector<JobResult> results(work.size());
    std::atomic<size_t> next{0};
    std::mutex progress;
    size_t done = 0;
    auto worker = [&] {
        for (size_t i; (i = next++) < work.size();) {
            results[i] = run_job(work[i]);
            std::lock_guard<std::mutex> lock(progress);
            ++done;
            const JobResult& r = results[i];
            std::string what = r.setup_error.empty() ? boot_summary_line(r.verdict)
                                                     : work[i].image + " " + work[i].config + ": " + r.setup_error;
            std::fprintf(stderr, "[%zu/%zu] %s\n", done, work.size(), what.c_str());
        }
    };
    const unsigned n = std::max(1u, std::min<unsigned>(jobs, static_cast<unsigned>(work.size())));
    std::vector<std::thread> threads;
    for (unsigned t = 1; t < n; ++t) threads.emplace_back(worker);
    worker();
    for (std::thread& t : threads) t.join();
    return results;
}

}  // namespace

void add_test_options(CLI::App& cmd, TestOptions& o, const std::string& source_dir) {
    cmd.add_option("images", o.images, "test images: Multiboot kernels or manifests (default: ${BUILD}/guest/ktest.elf)");
    // Repeatable options take one value each, so a following image is not swallowed.
    cmd.add_option("--config", o.configs, "configurations to boot, shell globs over the matrix's names (repeatable; default all)")
        ->expected(1)
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    cmd.add_option("--suite", o.suites, "ktest suites or cases to run, passed as ktest=GLOB (repeatable)")
        ->expected(1)
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    cmd.add_option("--append", o.append, "more kernel command-line words for every boot (e.g. highpte)");
    cmd.add_option("--run-arg", o.run_args, "one more `hm386 run` option for every boot, e.g. --run-arg=--dtlb-4k=16x4 (repeatable)")
        ->expected(1)
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    cmd.add_option("--junit", o.junit, "write JUnit XML to FILE ('-': to stdout, after the report)");
    cmd.add_option("--log-dir", o.log_dir, "keep each boot's console log in DIR (created if needed)");
    cmd.add_option("-j,--jobs", o.jobs, "boots to run at once, each in its own thread (default 1; 0: one per host CPU)");
    cmd.add_option("--max-cycles", o.max_cycles, "guest cycle limit per boot (default 40000000000: 400 s of guest time)");
    cmd.add_option("--timeout", o.timeout, "host seconds per boot (default 1800)");
    cmd.add_flag("--no-tlb-check", o.no_tlb_check, "boot without the TLB coherence checker (faster; stale entries go unseen)");
    cmd.add_flag("--list-configs", o.list_configs, "print the configuration matrix and exit");
    cmd.add_flag("--qemu", o.qemu, "also boot every configuration under qemu-system-i386 and compare the results case by case");
    o.qemu_script = source_dir + "/tools/scripts/run-qemu.sh";
    cmd.add_option("--qemu-script", o.qemu_script, "the QEMU runner (default: the source tree's tools/scripts/run-qemu.sh)");
    cmd.add_option("--qemu-cpu", o.qemu_cpu, "QEMU -cpu model (default pentium3,+nx: PAE, PGE and NX, as hm386's CPU)");
    cmd.add_option("--qemu-timeout", o.qemu_timeout, "host seconds per QEMU boot (default 300)");
}

namespace {

// Every boot to run, hm386's and (with --qemu) QEMU's twin after each. Throws
// UsageError or BootError for bad options or an image that cannot be planned.
std::vector<Job> plan_jobs(const TestOptions& o, const ManifestVars& vars) {
    const std::vector<TestConfig> configs = select_test_configs(o.configs);
    const std::string selection = ktest_selection(o.suites);
    std::vector<std::string> images = o.images;
    if (images.empty()) images.push_back(vars.build_dir + "/guest/ktest.elf");
    // NaN passes a "<= 0" test: ask for what is wanted instead.
    const auto positive = [](double v) { return std::isfinite(v) && v > 0; };
    if (!positive(o.timeout) || !positive(o.qemu_timeout)) throw UsageError("--timeout and --qemu-timeout must be positive");
    std::vector<std::string> labels;
    for (const std::string& image : images) {
        std::string label = image_label(image);
        for (int k = 2; std::find(labels.begin(), labels.end(), label) != labels.end(); ++k)
            label = image_label(image) + "#" + std::to_string(k);
        labels.push_back(label);
    }
    std::vector<Job> work;
    for (size_t i = 0; i < images.size(); ++i) {
        for (const TestConfig& c : configs) {
            const std::string append = join_words({c.append, selection, o.append});
            std::vector<std::string> args = {images[i], "-m", c.mem, "--append", append, "--max-cycles", o.max_cycles,
                                             "--timeout", std::to_string(o.timeout)};
            if (!o.no_tlb_check) args.push_back("--tlb-check");
            args.insert(args.end(), o.run_args.begin(), o.run_args.end());
            Job job{labels[i], c.name, false, boot_plan(args, vars), {}};
            if (o.qemu && job.plan.boot != BootKind::Multiboot)
                throw UsageError("--qemu needs a Multiboot kernel, not a ROM: " + images[i]);
            QemuBootSpec qemu{o.qemu_script, job.plan.kernel, c.mem, append, o.qemu_cpu, o.qemu_timeout};
            work.push_back(std::move(job));
            if (o.qemu) work.push_back(Job{labels[i], c.name, true, {}, std::move(qemu)});
        }
    }
    return work;
}

struct Summary {
    std::string report;
    std::vector<JUnitSuite> suites;
    int status = test_status::kPassed;
};

Summary summarise(const TestOptions& o, const std::vector<BootVerdict>& hm386, const std::vector<BootVerdict>& qemu) {
    Summary out;
    std::vector<int> statuses;
    if (o.qemu) out.report += "== hm386\n";
    out.report += test_report_text(hm386);
    for (const BootVerdict& b : hm386) statuses.push_back(b.status);
    out.suites = junit_suites(hm386);
    if (o.qemu) {
        out.report += "== qemu (" + o.qemu_cpu + ")\n" + test_report_text(qemu);
        std::vector<CrossCheck> checks;
        for (size_t i = 0; i < hm386.size(); ++i) {
            checks.push_back(cross_check(hm386[i], qemu[i]));
            statuses.push_back(qemu[i].status);
            if (!checks.back().differences.empty()) statuses.push_back(test_status::kFailed);
            out.suites.push_back(cross_check_junit(checks.back()));
        }
        std::vector<JUnitSuite> q = junit_suites(qemu);
        out.suites.insert(out.suites.end(), q.begin(), q.end());
        out.report += cross_check_text(checks);
    }
    out.status = combined_status(statuses);
    out.report += "exit status " + std::to_string(out.status) + "\n";
    return out;
}

}  // namespace

int test_command(const TestOptions& o, const ManifestVars& vars) {
    if (o.list_configs) {
        for (const TestConfig& c : default_test_matrix())
            std::printf("%-12s -m %-4s --append \"%s\"\n", c.name.c_str(), c.mem.c_str(), c.append.c_str());
        return 0;
    }
    std::vector<Job> work;
    try {
        if (o.qemu) {
            if (access(o.qemu_script.c_str(), X_OK) != 0) throw UsageError("--qemu: cannot run " + o.qemu_script);
            if (!on_path("qemu-system-i386")) {
                say("SKIP: --qemu needs qemu-system-i386, which is not installed");
                return kSkipped;
            }
        }
        work = plan_jobs(o, vars);
        if (!o.log_dir.empty()) {
            std::error_code ec;
            std::filesystem::create_directories(o.log_dir, ec);
            if (ec) throw UsageError("--log-dir " + o.log_dir + ": " + ec.message());
        }
        if (!o.junit.empty() && o.junit != "-" && !open_for_writing(o.junit))
            throw UsageError("--junit " + o.junit + ": cannot write the file");
    } catch (const UsageError& e) {
        say(e.what());
        return exit_code::kUsage;
    } catch (const BootError& e) {
        say(e.what());
        return exit_code::kBadImage;
    }

    const unsigned jobs = o.jobs ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
    std::vector<JobResult> results = run_all(work, jobs);
    std::vector<BootVerdict> hm386_boots, qemu_boots;
    for (size_t i = 0; i < results.size(); ++i) {
        if (!results[i].setup_error.empty()) {
            say(work[i].image + " " + work[i].config + ": " + results[i].setup_error);
            return exit_code::kBadImage;
        }
        if (results[i].qemu_missing) {
            say("SKIP: run-qemu.sh reports that QEMU is missing");
            return kSkipped;
        }
        (work[i].qemu ? qemu_boots : hm386_boots).push_back(std::move(results[i].verdict));
    }

    const Summary summary = summarise(o, hm386_boots, qemu_boots);
    std::fputs(summary.report.c_str(), stdout);
    std::fflush(stdout);
    bool io_ok = true;
    if (!o.log_dir.empty()) {
        for (const auto* boots : {&hm386_boots, &qemu_boots})
            for (const BootVerdict& b : *boots)
                io_ok = write_file(o.log_dir + "/" + boot_log_name(b), boot_log_text(b)) && io_ok;
    }
    if (o.junit == "-") {
        std::fputs(junit_xml("hm386 test", summary.suites).c_str(), stdout);
    } else if (!o.junit.empty()) {
        io_ok = write_file(o.junit, junit_xml("hm386 test", summary.suites)) && io_ok;
    }
    if (!io_ok) say("warning: could not write every log or JUnit file");
    return summary.status;
}

}  // namespace hm
