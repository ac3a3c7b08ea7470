// The x87 instruction layer against the host's x87: random programs of x87
// instructions (register forms, and memory forms addressing [EDX]/[RDX],
// which encode the same in 32- and 64-bit code) run from the same FRSTOR image
// on the emulated CPU and on the host, and the FNSAVE images (control, status
// and tag words, all eight registers, the reserved fields), the data block
// and, after FCOMI-type instructions, ZF/PF/CF must be identical. Programs
// with all exceptions masked are several instructions long; programs with
// unmasked exceptions are one instruction followed by FNSAVE (a non-waiting
// instruction), so the host never takes #MF. Only FIP/FCS/FOP/FDP/FDS are not
// compared (later host CPUs no longer keep FCS/FDS/FOP as a P6 does).
#include <sys/mman.h>

#include <array>
#include <cstdlib>
#include <cstring>

#include "cpu_fixture.hpp"
#include "operand_gen.hpp"

using namespace hm;
using namespace hm::test;
using hm::fpu::Float80;
using hm::fpu::testgen::Rng;

#if defined(__x86_64__)

namespace {

constexpr u32 kImageIn = 0x20000, kImageOut = 0x21000, kData = 0x22000, kDataSize = 64;

// Register-form and [EDX]-form instructions a random program picks from.
// {bytes, uses_eflags_result, pops/pushes don't matter: the oracle decides}
struct Template {
    u8 b0, b1;       // b1: ModRM; for register forms the low 3 bits get a random ST(i)
    bool random_i = false;     // add a random 0-7 to b1
    bool sets_flags = false;   // FCOMI family: ZF/PF/CF become comparable
    bool needs_flags = false;  // FCMOVcc: only after a flag-setting instruction
};

const Template kTemplates[] = {
    // D8 register forms: FADD FMUL FCOM FCOMP FSUB FSUBR FDIV FDIVR ST(0),ST(i)
    {0xD8, 0xC0, true}, {0xD8, 0xC8, true}, {0xD8, 0xD0, true}, {0xD8, 0xD8, true},
    {0xD8, 0xE0, true}, {0xD8, 0xE8, true}, {0xD8, 0xF0, true}, {0xD8, 0xF8, true},
    // DC register forms (ST(i) destination) and DE popping forms
    {0xDC, 0xC0, true}, {0xDC, 0xC8, true}, {0xDC, 0xE0, true}, {0xDC, 0xE8, true},
    {0xDC, 0xF0, true}, {0xDC, 0xF8, true}, {0xDE, 0xC0, true}, {0xDE, 0xC8, true},
    {0xDE, 0xE0, true}, {0xDE, 0xE8, true}, {0xDE, 0xF0, true}, {0xDE, 0xF8, true}, {0xDE, 0xD9, false},
    // FLD ST(i), FXCH, FST, FSTP, FFREE, FUCOM, FUCOMP, FUCOMPP
    {0xD9, 0xC0, true}, {0xD9, 0xC8, true}, {0xDD, 0xD0, true}, {0xDD, 0xD8, true},
    {0xDD, 0xC0, true}, {0xDD, 0xE0, true}, {0xDD, 0xE8, true}, {0xDA, 0xE9, false},
    // FCHS FABS FTST FXAM, constants, FDECSTP FINCSTP FSQRT FRNDINT FNOP FNCLEX
    {0xD9, 0xE0}, {0xD9, 0xE1}, {0xD9, 0xE4}, {0xD9, 0xE5}, {0xD9, 0xE8}, {0xD9, 0xE9}, {0xD9, 0xEA},
    {0xD9, 0xEB}, {0xD9, 0xEC}, {0xD9, 0xED}, {0xD9, 0xEE}, {0xD9, 0xF6}, {0xD9, 0xF7}, {0xD9, 0xFA},
    {0xD9, 0xFC}, {0xD9, 0xD0}, {0xDB, 0xE2},
    // FSCALE FXTRACT FPREM FPREM1
    {0xD9, 0xFD}, {0xD9, 0xF4}, {0xD9, 0xF8}, {0xD9, 0xF5},
    // FCOMI FUCOMI FCOMIP FUCOMIP
    {0xDB, 0xF0, true, true}, {0xDB, 0xE8, true, true}, {0xDF, 0xF0, true, true}, {0xDF, 0xE8, true, true},
    // FCMOVcc
    {0xDA, 0xC0, true, false, true}, {0xDA, 0xC8, true, false, true}, {0xDA, 0xD0, true, false, true},
    {0xDA, 0xD8, true, false, true}, {0xDB, 0xC0, true, false, true}, {0xDB, 0xC8, true, false, true},
    {0xDB, 0xD0, true, false, true}, {0xDB, 0xD8, true, false, true},
    // [EDX] memory forms: arithmetic and compares with m32/m64/m16int/m32int
    {0xD8, 0x02}, {0xD8, 0x0A}, {0xD8, 0x12}, {0xD8, 0x1A}, {0xD8, 0x22}, {0xD8, 0x2A}, {0xD8, 0x32}, {0xD8, 0x3A},
    {0xDC, 0x02}, {0xDC, 0x0A}, {0xDC, 0x12}, {0xDC, 0x1A}, {0xDC, 0x22}, {0xDC, 0x2A}, {0xDC, 0x32}, {0xDC, 0x3A},
    {0xDA, 0x02}, {0xDA, 0x0A}, {0xDA, 0x12}, {0xDA, 0x22}, {0xDA, 0x2A}, {0xDA, 0x32}, {0xDA, 0x3A},
    {0xDE, 0x02}, {0xDE, 0x0A}, {0xDE, 0x12}, {0xDE, 0x1A}, {0xDE, 0x22}, {0xDE, 0x32},
    // loads and stores: FLD m32/m64/m80, FILD m16/m32/m64, FBLD (valid digits only: see data), FST(P), FIST(P), FBSTP
    {0xD9, 0x02}, {0xDD, 0x02}, {0xDB, 0x2A}, {0xDF, 0x02}, {0xDB, 0x02}, {0xDF, 0x2A},
    {0xD9, 0x12}, {0xD9, 0x1A}, {0xDD, 0x12}, {0xDD, 0x1A}, {0xDB, 0x3A}, {0xDF, 0x12}, {0xDF, 0x1A},
    {0xDB, 0x12}, {0xDB, 0x1A}, {0xDF, 0x3A}, {0xDF, 0x32},
    // FLDCW [EDX] (last in a program: it may unmask exceptions), FNSTCW, FNSTSW m16
    {0xD9, 0x2A}, {0xD9, 0x3A}, {0xDD, 0x3A},
};

// The host side: FRSTOR [RDI]; program; PUSHFQ; POP RAX; FNSAVE [RSI]; RET.
class HostRunner {
public:
    HostRunner() {
        mem_ = static_cast<u8*>(mmap(nullptr, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
        if (mem_ == MAP_FAILED) mem_ = nullptr;
    }
    ~HostRunner() {
        if (mem_) munmap(mem_, 4096);
    }
    bool ok() const { return mem_ != nullptr; }
    u64 run(const std::vector<u8>& program, const u8* in, u8* out, u8* data) {
        size_t n = 0;
        mem_[n++] = 0xDD;
        mem_[n++] = 0x27;  // frstor [rdi]
        for (u8 b : program) mem_[n++] = b;
        for (u8 b : {0x9C, 0x58, 0xDD, 0x36, 0xC3}) mem_[n++] = b;  // pushfq; pop rax; fnsave [rsi]; ret
        using Fn = u64 (*)(const u8*, u8*, u8*);
        const Fn fn = reinterpret_cast<Fn>(mem_);
        return fn(in, out, data);
    }

private:
    u8* mem_ = nullptr;
};

void put_f80(u8* p, Float80 v) {
    std::memcpy(p, &v.sig, 8);
    std::memcpy(p + 8, &v.se, 2);
}

int cases() {
    if (const char* env = std::getenv("HM386_FPU_CASES")) return std::atoi(env) / 10;
    return 6000;
}

}  // namespace

TEST_CASE("x87 instruction sequences match the host x87 (FNSAVE images, memory, EFLAGS)", "[cpu][x87][oracle]") {
    HostRunner host;
    if (!host.ok()) {
        WARN("cannot map executable memory: host oracle skipped");
        return;
    }
    CpuFixture f;
    f.flat32(0x1000, {0xF4});
    Rng r(0x87);
    int mismatches = 0;
    std::vector<std::string> reports;
    const int n = cases();
    for (int c = 0; c < n && mismatches < 10; ++c) {
        const bool unmasked = r.below(3) == 0;
        // The starting image: control word, TOP, tags, registers; status flags clear.
        u8 in[108] = {};
        const u16 pc = static_cast<u16>(std::array<u16, 3>{0, 2, 3}[r.below(3)] << 8);
        const u16 rc = static_cast<u16>(r.below(4) << 10);
        const u16 masks = unmasked ? static_cast<u16>(r.below(64)) : 0x3F;
        const u16 cw = static_cast<u16>(0x40 | masks | pc | rc);
        const u16 sw = static_cast<u16>(r.below(8) << 11);
        u16 tag = 0;
        for (int k = 0; k < 8; ++k) tag = static_cast<u16>(tag | ((r.below(4) == 0 ? 3 : 0) << (2 * k)));
        std::memcpy(in + 0, &cw, 2);
        std::memcpy(in + 4, &sw, 2);
        std::memcpy(in + 8, &tag, 2);
        for (int k = 0; k < 8; ++k) put_f80(in + 28 + 10 * k, fpu::testgen::random_operand(r));
        // The data block: an operand for every format at [EDX] (valid BCD digits
        // at offset 0 one time in four so FBLD is meaningful).
        u8 data[kDataSize];
        for (u8& b : data) b = static_cast<u8>(r.next());
        const Float80 m = fpu::testgen::random_operand(r);
        switch (r.below(5)) {
            case 0: put_f80(data, m); break;
            case 1: {
                for (int k = 0; k < 9; ++k) data[k] = static_cast<u8>((r.below(10) << 4) | r.below(10));
                data[9] &= 0x80;
                break;
            }
            case 2: {  // a control word for FLDCW
                const u16 w = static_cast<u16>((r.next() & 0x0F3F) | 0x40 | (unmasked ? 0 : 0x3F));
                std::memcpy(data, &w, 2);
                break;
            }
            default: break;  // random bits: f32/f64 NaNs, denormals, ints
        }
        // The program.
        std::vector<u8> prog;
        bool flags_set = false;
        const int len = unmasked ? 1 : 1 + static_cast<int>(r.below(6));
        for (int k = 0; k < len; ++k) {
            const Template& t = kTemplates[r.below(sizeof kTemplates / sizeof kTemplates[0])];
            if (t.needs_flags && !flags_set) continue;
            if (t.b0 == 0xD9 && t.b1 == 0x2A && k != len - 1) continue;
            prog.push_back(t.b0);
            prog.push_back(static_cast<u8>(t.b1 + (t.random_i ? r.below(8) : 0)));
            flags_set |= t.sets_flags;
        }
        if (prog.empty()) continue;
        // Host.
        u8 host_out[108];
        u8 host_data[kDataSize];
        std::memcpy(host_data, data, kDataSize);
        const u64 host_flags = host.run(prog, in, host_out, host_data);
        // Emulator: frstor [esi]; program; pushfd; pop eax; fnsave [edi]; hlt
        f.poke(kImageIn, std::vector<u8>(in, in + 108));
        f.poke(kData, std::vector<u8>(data, data + kDataSize));
        Bytes code = {0xDD, 0x26};
        code.insert(code.end(), prog.begin(), prog.end());
        for (u8 b : {0x9C, 0x58, 0xDD, 0x37}) code.push_back(b);
        f.r(reg::ESI) = kImageIn;
        f.r(reg::EDI) = kImageOut;
        f.r(reg::EDX) = kData;
        f.exec(code);
        u8 out[108], mine_data[kDataSize];
        for (u32 k = 0; k < 108; ++k) out[k] = f.peek8(kImageOut + k);
        for (u32 k = 0; k < kDataSize; ++k) mine_data[k] = f.peek8(kData + k);
        bool same = std::memcmp(out, host_out, 12) == 0 && std::memcmp(out + 28, host_out + 28, 80) == 0 &&
                    std::memcmp(mine_data, host_data, kDataSize) == 0;
        const u32 fmask = flag::ZF | flag::PF | flag::CF;
        if (flags_set) same = same && ((f.r(reg::EAX) & fmask) == (host_flags & fmask));
        if (!same) {
            ++mismatches;
            std::string s = "program:";
            char buf[64];
            for (u8 b : prog) {
                std::snprintf(buf, sizeof buf, " %02x", b);
                s += buf;
            }
            std::snprintf(buf, sizeof buf, "\ncw %04x sw %04x tag %04x", cw, sw, tag);
            s += buf;
            auto dump = [&](const char* who, const u8* img, const u8* d, u64 fl) {
                s += std::string("\n") + who + ": cw/sw/tw";
                for (int k = 0; k < 12; ++k) {
                    std::snprintf(buf, sizeof buf, " %02x", img[k]);
                    s += buf;
                }
                for (int k = 0; k < 8; ++k) {
                    u64 sig;
                    u16 se;
                    std::memcpy(&sig, img + 28 + 10 * k, 8);
                    std::memcpy(&se, img + 36 + 10 * k, 2);
                    std::snprintf(buf, sizeof buf, "\n  st%d %04x:%016llx", k, se, static_cast<unsigned long long>(sig));
                    s += buf;
                }
                s += "\n  data";
                for (int k = 0; k < 16; ++k) {
                    std::snprintf(buf, sizeof buf, " %02x", d[k]);
                    s += buf;
                }
                std::snprintf(buf, sizeof buf, " flags %llx", static_cast<unsigned long long>(fl & fmask));
                s += buf;
            };
            dump("mine", out, mine_data, f.r(reg::EAX));
            dump("host", host_out, host_data, host_flags);
            reports.push_back(s);
        }
    }
    for (const std::string& s : reports) UNSCOPED_INFO(s);
    INFO(n << " programs");
    CHECK(mismatches == 0);
}

#else
TEST_CASE("x87 instruction sequences match the host x87 (FNSAVE images, memory, EFLAGS)", "[cpu][x87][oracle]") {
    WARN("not an x86-64 host: instruction-level x87 oracle skipped");
}
#endif
