// The x87 as an operating system sees it: #NM for CR0.EM and lazy switching
// with CR0.TS (WAIT only with CR0.MP), unmasked exceptions pending until the
// next waiting instruction (#MF with CR0.NE; FERR#/IGNNE# without it), the
// non-waiting control instructions, the FNSAVE/FRSTOR/FNSTENV/FLDENV layouts
// in real and protected mode with 16- and 32-bit operands, and the loud #UD of
// the instructions not implemented yet. Arithmetic and stack semantics are
// compared against the host x87 in isa_x87_oracle_test.cpp.
#include "pm_fixture.hpp"

using namespace hm;
using namespace hm::test;

namespace {
constexpr u32 kData = 0x9000;
const Bytes kFninit = {0xDB, 0xE3};
}  // namespace

TEST_CASE("x87: every escape raises #NM under CR0.EM or CR0.TS, WAIT only with MP and TS", "[cpu][x87][exceptions]") {
    for (u8 op = 0xD8; op <= 0xDF; ++op) {
        for (u8 modrm : {u8{0x00}, u8{0xC1}, u8{0xE3}, u8{0xF9}}) {
            for (u32 bits : {cr0::kEM, cr0::kTS, cr0::kEM | cr0::kMP}) {
                PmFixture f;
                f.st.cr.cr0 |= bits;
                f.r(reg::EAX) = kData;
                f.exec({op, modrm});
                INFO(std::hex << int(op) << " " << int(modrm) << " cr0 bits " << bits);
                CHECK(f.exceptions(7) == 1);
                CHECK(f.frame(0) == 0x1000);
            }
        }
    }
    PmFixture ts_only;
    ts_only.st.cr.cr0 |= cr0::kTS;
    ts_only.exec({0x9B, 0x90});  // wait: TS without MP does not trap
    CHECK(ts_only.exceptions(7) == 0);
    PmFixture mp_ts;
    mp_ts.st.cr.cr0 |= cr0::kMP | cr0::kTS;
    mp_ts.exec({0x9B});
    CHECK(mp_ts.exceptions(7) == 1);
    // CLTS, as a lazy-switching kernel's #NM handler does, lets the instruction run.
    PmFixture lazy;
    lazy.st.cr.cr0 |= cr0::kTS;
    lazy.exec({0x0F, 0x06, 0xDB, 0xE3, 0xD9, 0xE8});  // clts ; fninit ; fld1
    CHECK(lazy.exceptions(7) == 0);
    CHECK(lazy.st.fpu.st[7] == fpu::Float80{0x8000000000000000ull, 0x3FFF});
    CHECK(((lazy.st.fpu.sw >> 11) & 7) == 7);
}

TEST_CASE("x87: undefined escape encodings raise #UD", "[cpu][x87][exceptions]") {
    // D9 D1, D9 E2, D9 EF, DA E8, DB E5, DD F0, DE D8, DF E1, and the FISTTP memory forms (SSE3).
    const Bytes cases[] = {{0xD9, 0xD1}, {0xD9, 0xE2}, {0xD9, 0xEF}, {0xDA, 0xE8}, {0xDB, 0xE5},
                           {0xDD, 0xF0}, {0xDE, 0xD8}, {0xDF, 0xE1}, {0xDB, 0x08}, {0xDD, 0x08}};
    for (const Bytes& code : cases) {
        PmFixture f;
        f.exec(code);
        INFO(std::hex << int(code[0]) << " " << int(code[1]));
        CHECK(f.exceptions(6) == 1);
        CHECK(f.frame(0) == 0x1000);
    }
}

TEST_CASE("x87: an unmasked exception is reported by #MF at the next waiting instruction (CR0.NE)", "[cpu][x87][exceptions]") {
    PmFixture f;
    f.st.cr.cr0 |= cr0::kNE;
    f.poke16(kData, 0x037B);  // all masked but ZE
    // fninit ; fldcw [0x9000] ; fld1 ; fldz ; fdivp st1 (1/0: ZE pending) ; fnstsw ax ; fnstcw [0x9002] ;
    // fld1 (waiting: #MF here, at 0x1014)
    Bytes code = kFninit;
    code.insert(code.end(), {0xD9, 0x2D, 0x00, 0x90, 0x00, 0x00, 0xD9, 0xE8, 0xD9, 0xEE, 0xDE, 0xF9, 0xDF, 0xE0,
                             0xD9, 0x3D, 0x02, 0x90, 0x00, 0x00, 0xD9, 0xE8});
    f.exec(code);
    CHECK(f.exceptions(16) == 1);
    CHECK(f.frame(0) == 0x1000 + 22);
    // B, ES, ZE, TOP = 6: an unmasked ZE leaves the destination alone and does not pop.
    CHECK((f.r(reg::EAX) & 0xFFFF) == (0x3000 | 0x8000 | 0x80 | 0x04));
    CHECK(f.peek16(kData + 2) == 0x037B);
    CHECK(((f.st.fpu.sw >> 11) & 7) == 6);  // the faulting FLD did not push
    // The handler's FNCLEX clears the error; the restarted FLD then runs.
    PmFixture g;
    g.st.cr.cr0 |= cr0::kNE;
    g.poke16(kData, 0x037B);
    g.poke(kHandler, {0xDB, 0xE2, 0xCF});  // fnclex ; iretd
    Bytes again = code;
    again.push_back(0xF4);
    g.exec(again);
    CHECK(g.exceptions(16) == 1);
    CHECK(g.st.eip == 0x1000 + 25);
    CHECK(((g.st.fpu.sw >> 11) & 7) == 5);
    CHECK((g.st.fpu.sw & fpu::sw::ES) == 0);
    // WAIT reports it too.
    PmFixture w;
    w.st.cr.cr0 |= cr0::kNE;
    w.poke16(kData, 0x037B);
    w.exec({0xDB, 0xE3, 0xD9, 0x2D, 0x00, 0x90, 0x00, 0x00, 0xD9, 0xE8, 0xD9, 0xEE, 0xDE, 0xF9, 0x9B});
    CHECK(w.exceptions(16) == 1);
    CHECK(w.frame(0) == 0x1000 + 14);
}

TEST_CASE("x87: without CR0.NE the error goes out on FERR# and the next waiting instruction waits for IGNNE#",
          "[cpu][x87][exceptions]") {
    PmFixture f;
    std::vector<bool> levels;
    f.cpu.set_ferr_handler([&](bool level) { levels.push_back(level); });
    f.poke16(kData, 0x037B);
    // fninit ; fldcw [0x9000] ; fld1 ; fldz ; fdivp st1 ; fld1 (frozen) ; hlt
    const Bytes code = {0xDB, 0xE3, 0xD9, 0x2D, 0x00, 0x90, 0x00, 0x00, 0xD9, 0xE8, 0xD9, 0xEE, 0xDE, 0xF9, 0xD9, 0xE8};
    f.poke(0x1000, code);
    f.poke(0x1000 + code.size(), {0xF4});
    f.st.eip = 0x1000;
    REQUIRE(f.run() == StopReason::Halted);
    CHECK(f.st.eip == 0x1000 + 14);  // waiting on the FLD, which has not run
    CHECK(f.exceptions(16) == 0);
    CHECK(f.st.fpu.ferr);
    REQUIRE(levels == std::vector<bool>{true});
    const u64 retired = f.st.instructions;
    // The chipset asserts IGNNE# (a write to port F0h): the FLD proceeds despite the error.
    f.st.fpu.ignne = true;
    f.st.halted = false;
    REQUIRE(f.run() == StopReason::Halted);
    CHECK(f.st.eip == 0x1000 + 17);
    CHECK(f.st.instructions == retired + 2);
    CHECK(((f.st.fpu.sw >> 11) & 7) == 5);
    // FNCLEX drops FERR# (and with it IGNNE#).
    f.exec({0xDB, 0xE2});
    CHECK_FALSE(f.st.fpu.ferr);
    CHECK_FALSE(f.st.fpu.ignne);
    CHECK(levels == std::vector<bool>{true, false});
}

namespace {

// Loads a recognisable state (CW, TOP = 5 after three pushes, an exception
// flag, last pointers from FADD [data]) and saves it with the given save
// instruction bytes; returns the saved image.
std::vector<u8> save_image(CpuFixture& f, bool real, const Bytes& save, u32 size, u16 seg = 0) {
    f.poke16(kData, 0x0A5F);                     // RC up, PC 53, all masked but PE
    f.poke64(kData + 8, 0x3FF8000000000000ull);  // 1.5
    Bytes code;
    if (real) {
        // fninit ; fldcw [0x9000] ; fld1 ; fldpi ; fldz ; fcom qword [0x9008] ; fdiv st0 (0/0: IE) ; save
        code = {0xDB, 0xE3, 0xD9, 0x2E, 0x00, 0x90, 0xD9, 0xE8, 0xD9, 0xEB, 0xD9, 0xEE,
                0xDC, 0x16, 0x08, 0x90, 0xD8, 0xF0};
    } else {
        code = {0xDB, 0xE3, 0xD9, 0x2D, 0x00, 0x90, 0x00, 0x00, 0xD9, 0xE8, 0xD9, 0xEB, 0xD9, 0xEE,
                0xDC, 0x15, 0x08, 0x90, 0x00, 0x00, 0xD8, 0xF0};
    }
    code.insert(code.end(), save.begin(), save.end());
    code.push_back(0xF4);
    if (real) {
        f.real16(seg, 0x100, code);
        f.run_to_hlt();
    } else {
        f.exec(code);
    }
    std::vector<u8> img(size);
    for (u32 k = 0; k < size; ++k) img[k] = f.peek8(0xA000 + k);
    return img;
}

u16 w16(const std::vector<u8>& v, u32 at) { return static_cast<u16>(v[at] | (v[at + 1] << 8)); }
u32 w32(const std::vector<u8>& v, u32 at) { return w16(v, at) | (u32{w16(v, at + 2)} << 16); }

}  // namespace

TEST_CASE("x87: FNSAVE/FNSTENV layouts in protected mode, 32- and 16-bit", "[cpu][x87][env]") {
    PmFixture f;
    // fnsave [0xA000]
    const std::vector<u8> img = save_image(f, false, {0xDD, 0x35, 0x00, 0xA0, 0x00, 0x00}, 108);
    CHECK(w32(img, 0) == 0xFFFF0A5F);
    const u16 saved_sw = w16(img, 4);
    CHECK(((saved_sw >> 11) & 7) == 5);
    CHECK((saved_sw & 0x3F) == fpu::sw::IE);
    CHECK(w16(img, 6) == 0xFFFF);
    // Tags: R5 (ST(0), the indefinite from 0/0: special) = 10, R6 (pi) = R7 (1) = 00, others empty.
    CHECK(w16(img, 8) == 0x0BFF);
    CHECK(w32(img, 12) == 0x1000 + 20);                         // FIP: the FDIV
    CHECK(w16(img, 16) == 0x08);                                // FCS
    CHECK(((w32(img, 16) >> 16) & 0x7FF) == ((0 << 8) | 0xF0));  // FOP: D8 F0
    CHECK(w32(img, 20) == 0x9008);                              // FDP: FCOM's operand
    CHECK(w32(img, 24) == 0xFFFF0010);                          // FDS = DS
    // ST(0) is the indefinite, ST(1) pi rounded up (RC = up), ST(2) 1.
    CHECK(w32(img, 28 + 4) == 0xC0000000);
    CHECK(w16(img, 28 + 8) == 0xFFFF);
    CHECK(w32(img, 38) == 0x2168C235);
    CHECK(w16(img, 56) == 0x3FFF);
    // FNSAVE re-initialised the FPU.
    CHECK(f.st.fpu.cw == 0x037F);
    CHECK(f.st.fpu.tag == 0xFFFF);
    // FRSTOR then FNSAVE again gives the same image.
    f.exec({0xDD, 0x25, 0x00, 0xA0, 0x00, 0x00, 0xDD, 0x35, 0x00, 0xB0, 0x00, 0x00});  // frstor [a000] ; fnsave [b000]
    for (u32 k = 0; k < 108; ++k) {
        INFO("byte " << k);
        CHECK(f.peek8(0xB000 + k) == img[k]);
    }
    // 16-bit operand size: the 14-byte environment.
    PmFixture g;
    const std::vector<u8> env16 = save_image(g, false, {0x66, 0xD9, 0x35, 0x00, 0xA0, 0x00, 0x00}, 14);
    CHECK(w16(env16, 0) == 0x0A5F);
    CHECK(w16(env16, 2) == saved_sw);
    CHECK(w16(env16, 4) == 0x0BFF);
    CHECK(w16(env16, 6) == 0x1000 + 20);
    CHECK(w16(env16, 8) == 0x08);
    CHECK(w16(env16, 10) == 0x9008);
    CHECK(w16(env16, 12) == 0x10);
    CHECK(g.st.fpu.cw == 0x0A7F);  // FNSTENV masks every exception
    // FLDENV of it restores the words.
    g.exec({0xDB, 0xE3, 0x66, 0xD9, 0x25, 0x00, 0xA0, 0x00, 0x00});  // fninit ; fldenv [a000] (o16)
    CHECK(g.st.fpu.cw == 0x0A5F);
    CHECK(g.st.fpu.sw == saved_sw);
    CHECK(g.st.fpu.fip == 0x1000 + 20);
    CHECK(g.st.fpu.fdp == 0x9008);
}

TEST_CASE("x87: FNSAVE/FNSTENV layouts in real mode keep 20-bit linear pointers", "[cpu][x87][env]") {
    CpuFixture f;
    // fnsave [0xA000] (16-bit: 94 bytes), code at 0x0123:0x0100
    const std::vector<u8> img = save_image(f, true, {0xDD, 0x36, 0x00, 0xA0}, 94, 0x0123);
    const u32 fdiv_linear = 0x1230 + 0x100 + 16;
    CHECK(w16(img, 0) == 0x0A5F);
    CHECK(w16(img, 4) == 0x0BFF);
    CHECK(w16(img, 6) == (fdiv_linear & 0xFFFF));
    CHECK(w16(img, 8) == (((fdiv_linear >> 16) << 12) | 0x0F0));  // FIP 19..16, FOP
    CHECK(w16(img, 10) == 0x9008);
    CHECK(w16(img, 12) == 0);
    CHECK(w16(img, 20) == 0xC000);  // ST(0): the indefinite's significand, top 16 bits
    CHECK(w16(img, 30) == 0xC90F);  // ST(1): pi
    // 32-bit operand size in real mode: 28-byte environment, FIP bits 31..16 at bits 27..12.
    CpuFixture g;
    const std::vector<u8> env32 = save_image(g, true, {0x66, 0xD9, 0x36, 0x00, 0xA0}, 28, 0x0123);
    CHECK(w32(env32, 0) == 0xFFFF0A5F);
    CHECK(w32(env32, 12) == (0xFFFF0000u | (fdiv_linear & 0xFFFF)));
    CHECK(w32(env32, 16) == (((fdiv_linear >> 16) << 12) | 0x0F0));
    CHECK(w32(env32, 20) == 0xFFFF9008u);
    CHECK(w32(env32, 24) == 0);
    // FRSTOR (16-bit) restores registers and pointers.
    f.real16(0x0123, 0x200, {0xDB, 0xE3, 0xDD, 0x26, 0x00, 0xA0, 0xF4});  // fninit ; frstor [0xa000] ; hlt
    f.run_to_hlt();
    CHECK(f.st.fpu.cw == 0x0A5F);
    CHECK(((f.st.fpu.sw >> 11) & 7) == 5);
    CHECK(f.st.fpu.fip == fdiv_linear);
    CHECK(f.st.fpu.fcs == 0);
    CHECK(f.st.fpu.st[6].sig == 0xC90FDAA22168C235ull);
}

TEST_CASE("x87: FNSTSW AX, FXAM and stack overflow through the instruction stream", "[cpu][x87]") {
    PmFixture f;
    // fninit ; 8 x fld1 ; fld1 (overflow: IE|SF|C1, masked -> indefinite) ; fxam ; fnstsw ax
    Bytes code = kFninit;
    for (int k = 0; k < 9; ++k) code.insert(code.end(), {0xD9, 0xE8});
    code.insert(code.end(), {0xD9, 0xE5, 0xDF, 0xE0});
    f.exec(code);
    const u16 sw = static_cast<u16>(f.r(reg::EAX));
    CHECK((sw & (fpu::sw::IE | fpu::sw::SF)) == (fpu::sw::IE | fpu::sw::SF));
    CHECK((sw & (fpu::sw::C3 | fpu::sw::C2 | fpu::sw::C0)) == fpu::sw::C0);  // FXAM: a NaN (the indefinite)
    CHECK((sw & fpu::sw::C1) != 0);                                          // its sign
    CHECK(((sw >> 11) & 7) == 7);
}

TEST_CASE("x87: FPTAN pushes 1.0, FSINCOS leaves the cosine on top, an operand beyond 2^63 sets C2", "[cpu][x87]") {
    PmFixture f;
    f.poke64(kData, 0x3FE0000000000000ull);  // 0.5
    f.poke64(kData + 8, 0x43E0000000000000ull);  // 2^63
    // fninit ; fld qword [0x9000] ; fptan ; fnstsw ax
    f.exec({0xDB, 0xE3, 0xDD, 0x05, 0x00, 0x90, 0x00, 0x00, 0xD9, 0xF2, 0xDF, 0xE0});
    CHECK(((f.st.fpu.sw >> 11) & 7) == 6);
    CHECK(f.st.fpu.st[6] == fpu::Float80{0x8000000000000000ull, 0x3FFF});  // ST(0) = 1.0
    CHECK(f.st.fpu.st[7] == fpu::Float80{0x8BDA7ADF9A3A5219ull, 0x3FFE});  // ST(1) = tan 0.5
    CHECK((f.r(reg::EAX) & fpu::sw::C2) == 0);
    // fninit ; fld qword [0x9000] ; fsincos: ST(0) = cos 0.5, ST(1) = sin 0.5
    f.exec({0xDB, 0xE3, 0xDD, 0x05, 0x00, 0x90, 0x00, 0x00, 0xD9, 0xFB});
    CHECK(((f.st.fpu.sw >> 11) & 7) == 6);
    CHECK(f.st.fpu.st[6] == fpu::Float80{0xE0A94032DBEA7CEEull, 0x3FFE});
    CHECK(f.st.fpu.st[7] == fpu::Float80{0xF57743A2582F7F44ull, 0x3FFD});
    // fninit ; fld qword [0x9008] (2^63) ; fsin ; fnstsw ax: C2 set, ST(0) unchanged, nothing pushed
    f.exec({0xDB, 0xE3, 0xDD, 0x05, 0x08, 0x90, 0x00, 0x00, 0xD9, 0xFE, 0xDF, 0xE0});
    CHECK((f.r(reg::EAX) & fpu::sw::C2) != 0);
    CHECK(((f.st.fpu.sw >> 11) & 7) == 7);
    CHECK(f.st.fpu.st[7] == fpu::Float80{0x8000000000000000ull, 0x403E});
}
