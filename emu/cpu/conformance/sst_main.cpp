// hm386-sst: runs the SingleStepTests 80286 real-mode suite against the CPU and
// prints the pass rate per opcode file. Every failing test is either a bug or
// matches a rule of the exclusion list (a documented 286/386 difference); the
// exit status is 0 only when nothing outside the exclusions fails.
//
//   hm386-sst DIR [--exclusions FILE] [--only NAME] [--show N] [--list-excluded]
//
// Exit status: 0 all non-excluded tests pass, 1 failures, 2 usage or data
// error, 77 (CTest SKIP) when DIR does not exist.
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>

#include "exclusions.hpp"
#include "metadata.hpp"
#include "moo_reader.hpp"
#include "sst_runner.hpp"

using namespace hm;
using namespace hm::sst;

namespace {

struct Options {
    std::string dir;
    std::string exclusions;
    std::string only;
    unsigned show = 3;
    bool list_excluded = false;
};

int usage() {
    std::fprintf(stderr, "usage: hm386-sst DIR [--exclusions FILE] [--only NAME] [--show N] [--list-excluded]\n");
    return 2;
}

// "80.3.MOO.gz" -> key "80", reg 3; "0F01.2.MOO.gz" likewise; "C3.MOO.gz" -> "C3", -1.
void split_name(const std::string& file, std::string& key, int& reg) {
    std::string stem = file.substr(0, file.find(".MOO"));
    size_t dot = stem.find('.');
    key = stem.substr(0, dot);
    reg = dot == std::string::npos ? -1 : std::atoi(stem.c_str() + dot + 1);
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--exclusions" && i + 1 < argc) o.exclusions = argv[++i];
        else if (a == "--only" && i + 1 < argc) o.only = argv[++i];
        else if (a == "--show" && i + 1 < argc) o.show = static_cast<unsigned>(std::atoi(argv[++i]));
        else if (a == "--list-excluded") o.list_excluded = true;
        else if (!a.empty() && a[0] != '-' && o.dir.empty()) o.dir = a;
        else return usage();
    }
    if (o.dir.empty()) return usage();
    if (!std::filesystem::is_directory(o.dir)) {
        std::printf("SKIP: conformance data not found at %s\n", o.dir.c_str());
        return 77;
    }
    try {
        const SuiteMetadata meta = SuiteMetadata::load(o.dir);
        const ExclusionList excl = o.exclusions.empty() ? ExclusionList{} : ExclusionList::load(o.exclusions);
        std::vector<std::string> files;
        for (const auto& e : std::filesystem::directory_iterator(o.dir)) {
            const std::string n = e.path().filename().string();
            if (n.find(".MOO") != std::string::npos) files.push_back(n);
        }
        std::sort(files.begin(), files.end());
        if (files.empty()) {
            std::fprintf(stderr, "hm386-sst: no .MOO files in %s\n", o.dir.c_str());
            return 2;
        }

        SstMachine machine;
        u64 total = 0, passed = 0, failed = 0, excluded = 0, revoked = 0;
        std::map<std::string, u64> by_rule;
        std::printf("%-12s %6s %6s %8s %6s %8s\n", "file", "tests", "pass", "excluded", "fail", "pass%");
        for (const std::string& file : files) {
            std::string key;
            int reg;
            split_name(file, key, reg);
            if (!o.only.empty() && file.rfind(o.only, 0) != 0) continue;
            const OpcodeMeta om = meta.lookup(key, reg);
            const MooFile mf = read_moo(o.dir + "/" + file);
            u64 f_pass = 0, f_fail = 0, f_excl = 0;
            unsigned shown = 0;
            for (const MooTest& t : mf.tests) {
                if (meta.revoked(t.hash)) {
                    ++revoked;
                    continue;
                }
                TestOutcome r = machine.run(t, om.flags_mask);
                if (r.passed) {
                    ++f_pass;
                    continue;
                }
                if (const ExclusionRule* rule = excl.match(file, t, r)) {
                    ++f_excl;
                    ++by_rule[rule->id];
                    if (o.list_excluded) std::printf("  excluded [%s] %s #%u %s\n", rule->id.c_str(), file.c_str(), t.index, t.name.c_str());
                    continue;
                }
                ++f_fail;
                if (shown++ < o.show) {
                    std::printf("  FAIL %s #%u \"%s\" bytes", file.c_str(), t.index, t.name.c_str());
                    for (u8 b : t.bytes) std::printf(" %02x", b);
                    std::printf(": %s\n", r.diff.c_str());
                }
            }
            const u64 n = f_pass + f_fail + f_excl;
            const u64 counted = f_pass + f_fail;
            std::printf("%-12s %6llu %6llu %8llu %6llu %7.2f%%\n", file.substr(0, file.find(".MOO")).c_str(),
                        static_cast<unsigned long long>(n), static_cast<unsigned long long>(f_pass),
                        static_cast<unsigned long long>(f_excl), static_cast<unsigned long long>(f_fail),
                        counted ? 100.0 * static_cast<double>(f_pass) / static_cast<double>(counted) : 100.0);
            total += n;
            passed += f_pass;
            failed += f_fail;
            excluded += f_excl;
        }
        std::printf("\nexcluded by rule:\n");
        for (const auto& [id, n] : by_rule) std::printf("  %-24s %llu\n", id.c_str(), static_cast<unsigned long long>(n));
        const u64 counted = passed + failed;
        std::printf("\nconformance: %llu tests, %llu passed, %llu excluded, %llu failed, %llu revoked; "
                    "pass rate %.2f%% of non-excluded (%.2f%% of all)\n",
                    static_cast<unsigned long long>(total), static_cast<unsigned long long>(passed),
                    static_cast<unsigned long long>(excluded), static_cast<unsigned long long>(failed),
                    static_cast<unsigned long long>(revoked),
                    counted ? 100.0 * static_cast<double>(passed) / static_cast<double>(counted) : 100.0,
                    total ? 100.0 * static_cast<double>(passed) / static_cast<double>(total) : 100.0);
        return failed == 0 ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "hm386-sst: %s\n", e.what());
        return 2;
    }
}
