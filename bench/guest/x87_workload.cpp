// The x87 benchmark's guest: integer C++ driving x87 kernels written in
// inline assembly (the guest toolchain emits no x87 code of its own). Each
// iteration runs dot products and square roots over integer vectors, a
// polynomial evaluated with FMUL/FADD chains, sines and cosines, and
// logarithms, storing the results as integers into a checksum, so the work
// cannot be skipped. Run with bench_cpu --elf build/bench/x87_workload.elf; the
// same source built for the host (its x87 doing the work) prints the same
// checksum (0xf494ccb9 for iters=400). Command line: "iters=N" (default 20).
#include "baremetal.hpp"
#include "identity_paging.hpp"

namespace {

using bench::enable_paging;
using bench::kPages;
using bench::page_directory;
using bench::page_tables;


int32_t va[1024], vb[1024];

uint32_t rng_state = 777;
int32_t next_random() {
    rng_state = rng_state * 1103515245u + 12345u;
    return static_cast<int32_t>(rng_state >> 12) - (1 << 19);
}

// sum(a[i] * b[i]) then sqrt(|sum|), rounded to an integer.
int32_t dot_sqrt() {
    int32_t out;
    asm volatile("fldz\n\t" ::: "memory");
    for (int i = 0; i < 1024; ++i) asm volatile("fildl %0\n\tfimull %1\n\tfaddp\n\t" ::"m"(va[i]), "m"(vb[i]) : "memory");
    asm volatile("fabs\n\tfsqrt\n\tfistpl %0\n\t" : "=m"(out) : : "memory");
    return out;
}

// A degree-8 polynomial by Horner's rule at 256 points, summed.
int32_t polynomial() {
    static const int32_t coef[9] = {3, -7, 11, -13, 17, -19, 23, -29, 31};
    static const int32_t scale = 1000;
    int32_t out;
    asm volatile("fldz\n\t" ::: "memory");
    for (int32_t x = -128; x < 128; ++x) {
        asm volatile("fildl %0\n\tfidivl %1\n\tfldz\n\t" ::"m"(x), "m"(scale) : "memory");  // t 0 (acc)
        for (int k = 0; k < 9; ++k) asm volatile("fmul %%st(1), %%st\n\tfiaddl %0\n\t" ::"m"(coef[k]) : "memory");
        asm volatile("faddp %%st, %%st(2)\n\tfstp %%st(0)\n\t" ::: "memory");  // sum += acc ; drop t
    }
    asm volatile("fimull %1\n\tfistpl %0\n\t" : "=m"(out) : "m"(scale) : "memory");
    return out;
}

// sin and cos of 256 angles, and log2 of 256 values, scaled and summed.
int32_t transcendental() {
    static const int32_t scale = 1 << 20, divisor = 64;
    int32_t out, sum = 0;
    for (int32_t k = 1; k <= 256; ++k) {
        asm volatile("fildl %1\n\tfidivl %2\n\tfsincos\n\tfaddp\n\tfimull %3\n\tfistpl %0\n\t"
                     : "=m"(out) : "m"(k), "m"(divisor), "m"(scale) : "memory");
        sum += out;
        asm volatile("fld1\n\tfildl %1\n\tfyl2x\n\tfimull %2\n\tfistpl %0\n\t" : "=m"(out) : "m"(k), "m"(scale) : "memory");
        sum += out;
    }
    return sum;
}

}  // namespace

extern "C" uint32_t guest_main(uint32_t magic, const bm::MultibootInfo* mbi) {
    bm::serial_init();
    const uint32_t iters = magic == bm::kMultibootBootloaderMagic ? bm::cmdline_uint(mbi, "iters", 20) : 20;
    enable_paging();
    asm volatile("fninit" ::: "memory");
    for (int i = 0; i < 1024; ++i) {
        va[i] = next_random();
        vb[i] = next_random();
    }
    uint32_t checksum = 0;
    for (uint32_t it = 0; it < iters; ++it) {
        va[it % 1024] += 1;
        checksum = checksum * 31 + static_cast<uint32_t>(dot_sqrt());
        checksum = checksum * 31 + static_cast<uint32_t>(polynomial());
        checksum = checksum * 31 + static_cast<uint32_t>(transcendental());
    }
    bm::puts("x87 workload checksum ");
    bm::put_hex(checksum);
    bm::putc('\n');
    return 0;
}
