// The string benchmark's guest: what kernels and C libraries do with REP
// MOVS/STOS, with paging on (4 KiB pages, so every element goes through the
// modelled TLB). Each iteration clears 64 pages with REP STOSD (clear_page),
// copies them with REP MOVSD (copy_page), copies 64 unaligned byte runs of
// 3000 bytes that cross page boundaries with REP MOVSB (memcpy), fills 64
// runs downwards with STD; REP STOSB (memset with DF set) and makes one
// overlapping forward REP MOVSB (a pattern replicated by the element order),
// then sums a sample of the memory into a checksum. Run with bench_cpu --elf
// build/bench/string_workload.elf, or hm386 run (bench/run-all.sh's "strings"
// row). Command line: "iters=N" (default 20).
#include "baremetal.hpp"
#include "identity_paging.hpp"

namespace {

using bench::enable_paging;
using bench::kPages;
using bench::page_directory;
using bench::page_tables;


constexpr uint32_t kBufPages = 64;
alignas(4096) uint8_t area_a[kBufPages * 4096];
alignas(4096) uint8_t area_b[kBufPages * 4096];

void stosd(void* dst, uint32_t value, uint32_t words) {
    asm volatile("cld\n rep stosl" : "+D"(dst), "+c"(words) : "a"(value) : "memory");
}
void movsd(void* dst, const void* src, uint32_t words) {
    asm volatile("cld\n rep movsl" : "+D"(dst), "+S"(src), "+c"(words)::"memory");
}
void movsb(void* dst, const void* src, uint32_t n) {
    asm volatile("cld\n rep movsb" : "+D"(dst), "+S"(src), "+c"(n)::"memory");
}
void stosb_down(void* last, uint8_t value, uint32_t n) {
    asm volatile("std\n rep stosb\n cld" : "+D"(last), "+c"(n) : "a"(value) : "memory");
}

uint32_t one_round(uint32_t it) {
    for (uint32_t p = 0; p < kBufPages; ++p) stosd(area_a + p * 4096, 0x01010101u * (p + it), 1024);
    for (uint32_t p = 0; p < kBufPages; ++p) movsd(area_b + p * 4096, area_a + ((p + it) % kBufPages) * 4096, 1024);
    for (uint32_t k = 0; k < 64; ++k) movsb(area_a + k * 4000 + 13, area_b + k * 3900 + it % 7, 3000);
    for (uint32_t k = 0; k < 64; ++k) stosb_down(area_b + k * 4000 + 2999, static_cast<uint8_t>(k ^ it), 2000);
    movsb(area_a + 101, area_a + 100, 5000);  // overlapping: copies byte 100 forward 5000 times
    uint32_t sum = 0;
    for (uint32_t i = 0; i < sizeof area_a; i += 509) sum = sum * 33 + area_a[i] + area_b[i];
    return sum;
}

}  // namespace

extern "C" uint32_t guest_main(uint32_t magic, const bm::MultibootInfo* mbi) {
    bm::serial_init();
    const uint32_t iters = magic == bm::kMultibootBootloaderMagic ? bm::cmdline_uint(mbi, "iters", 20) : 20;
    enable_paging();
    uint32_t checksum = 0;
    for (uint32_t it = 0; it < iters; ++it) checksum = checksum * 31 + one_round(it);
    bm::puts("string workload checksum ");
    bm::put_hex(checksum);
    bm::putc('\n');
    return 0;
}
