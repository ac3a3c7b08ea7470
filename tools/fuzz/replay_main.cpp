// The fuzz targets' driver in the normal (gcc) trees, where libFuzzer is not
// available: every file of the corpus folders given, then a fixed-seed set of
// mutated inputs derived from them, each passed to LLVMFuzzerTestOneInput. The
// run is the same every time (the mutations come from std::mt19937's raw output,
// which the standard defines exactly), so a failure in CI reproduces locally.
//
//   fuzz_replay_NAME [--mutations N] [--seed S] [--max-len BYTES] DIR|FILE...
//
// A crash, a sanitizer report or an exception out of the target ends the process
// abnormally, which fails the CTest. Exit 0 after the last input.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

using Input = std::vector<uint8_t>;

Input read_whole(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return Input(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void run_one(const Input& in) {
    // An empty input still gets a valid pointer, as libFuzzer gives it.
    static const uint8_t empty = 0;
    LLVMFuzzerTestOneInput(in.empty() ? &empty : in.data(), in.size());
}

// One of libFuzzer's simpler mutations, chosen by the generator.
void mutate(Input& in, const std::vector<Input>& corpus, std::mt19937& rng, size_t max_len) {
    auto pick = [&](size_t n) { return n ? static_cast<size_t>(rng() % n) : 0; };
    static const uint8_t interesting[] = {0x00, 0x01, 0x7F, 0x80, 0xFF, 0x0F, 0xF0, 0x20, 0x40, 0x66, 0x67, 0xCD, 0xF3};
    switch (rng() % 8) {
    case 0:  // flip a bit
        if (!in.empty()) in[pick(in.size())] ^= static_cast<uint8_t>(1u << (rng() % 8));
        break;
    case 1:  // set a byte to a random value
        if (!in.empty()) in[pick(in.size())] = static_cast<uint8_t>(rng());
        break;
    case 2:  // set a byte to an interesting value
        if (!in.empty()) in[pick(in.size())] = interesting[pick(sizeof interesting)];
        break;
    case 3:  // insert random bytes
        if (in.size() < max_len) {
            const size_t n = 1 + pick(std::min<size_t>(8, max_len - in.size()));
            const size_t at = pick(in.size() + 1);
            Input bytes(n);
            for (auto& b : bytes) b = static_cast<uint8_t>(rng());
            in.insert(in.begin() + static_cast<long>(at), bytes.begin(), bytes.end());
        }
        break;
    case 4:  // erase a run
        if (!in.empty()) {
            const size_t at = pick(in.size());
            const size_t n = 1 + pick(std::min<size_t>(16, in.size() - at));
            in.erase(in.begin() + static_cast<long>(at), in.begin() + static_cast<long>(at + n));
        }
        break;
    case 5:  // truncate
        in.resize(pick(in.size() + 1));
        break;
    case 6:  // splice in a piece of another corpus file
        if (!corpus.empty()) {
            const Input& other = corpus[pick(corpus.size())];
            if (!other.empty()) {
                const size_t from = pick(other.size());
                const size_t n = 1 + pick(std::min<size_t>(64, other.size() - from));
                const size_t at = pick(in.size() + 1);
                in.insert(in.begin() + static_cast<long>(at), other.begin() + static_cast<long>(from),
                          other.begin() + static_cast<long>(from + n));
            }
        }
        break;
    default:  // copy a run within the input (repeats structures)
        if (in.size() >= 2 && in.size() < max_len) {
            const size_t from = pick(in.size());
            const size_t n = 1 + pick(std::min<size_t>(32, in.size() - from));
            const size_t at = pick(in.size() + 1);
            Input piece(in.begin() + static_cast<long>(from), in.begin() + static_cast<long>(from + n));
            in.insert(in.begin() + static_cast<long>(at), piece.begin(), piece.end());
        }
        break;
    }
    if (in.size() > max_len) in.resize(max_len);
}

[[noreturn]] void usage(const char* prog) {
    std::fprintf(stderr, "usage: %s [--mutations N] [--seed S] [--max-len BYTES] DIR|FILE...\n", prog);
    std::exit(64);
}

}  // namespace

int main(int argc, char** argv) {
    unsigned long mutations = 1000, seed = 1, max_len = 8192;
    std::vector<std::filesystem::path> paths;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> unsigned long {
            if (i + 1 >= argc) usage(argv[0]);
            char* end = nullptr;
            const unsigned long v = std::strtoul(argv[++i], &end, 10);
            if (*end) usage(argv[0]);
            return v;
        };
        if (a == "--mutations") mutations = value();
        else if (a == "--seed") seed = value();
        else if (a == "--max-len") max_len = value();
        else if (!a.empty() && a[0] == '-') usage(argv[0]);
        else paths.emplace_back(a);
    }
    if (paths.empty()) usage(argv[0]);

    std::vector<std::filesystem::path> files;
    for (const auto& p : paths) {
        if (std::filesystem::is_directory(p)) {
            for (const auto& e : std::filesystem::directory_iterator(p))
                if (e.is_regular_file()) files.push_back(e.path());
        } else if (std::filesystem::is_regular_file(p)) {
            files.push_back(p);
        } else {
            std::fprintf(stderr, "%s: no such corpus file or folder\n", p.c_str());
            return 66;
        }
    }
    std::sort(files.begin(), files.end());  // directory order is not stable
    if (files.empty()) {
        std::fprintf(stderr, "empty corpus: a smoke run over nothing would prove nothing\n");
        return 66;
    }

    std::vector<Input> corpus;
    for (const auto& f : files) {
        corpus.push_back(read_whole(f));
        run_one(corpus.back());
    }
    std::mt19937 rng(static_cast<std::mt19937::result_type>(seed));
    for (unsigned long n = 0; n < mutations; ++n) {
        Input in = corpus[rng() % corpus.size()];
        const unsigned rounds = 1 + rng() % 4;
        for (unsigned r = 0; r < rounds; ++r) mutate(in, corpus, rng, max_len);
        run_one(in);
    }
    std::printf("%zu corpus files and %lu mutated inputs ran\n", files.size(), mutations);
    return 0;
}
