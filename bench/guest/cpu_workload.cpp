// The CPU benchmark's guest: compiled integer C++ running with paging on.
// It identity-maps the first 64 MiB with 4 KiB pages (so every access goes
// through the TLB model), then repeats a mix of ordinary integer work: a
// sieve, table-driven CRC-32, an insertion sort and a heap sort, an integer
// matrix product, byte copies, and recursive calls. The checksum it prints
// lets the host check that the work really happened.
//
// Command line: "iters=N" (default 20) rounds of that mix, then "tlb=N"
// (default 0) rounds of TLB churn: each remaps one page of a 1 MiB window to
// another frame, INVLPGs it and touches it (a DTLB miss and a walk every time),
// then reads one word in each of 64 pages spread over 16 MiB (more pages than
// any modelled DTLB holds). bench/run-all.sh's "memory" workload. Then
// "touch=M" (default 0): maps M MiB from 64 MiB up with 4 MiB pages (CR4.PSE)
// and writes one word in each 4 KiB page of it, so the host commits M MiB of
// guest RAM (bench/memory-footprint.sh).
#include "baremetal.hpp"
#include "identity_paging.hpp"

namespace {

using bench::enable_paging;
using bench::kMappedBytes;
using bench::kPages;
using bench::page_directory;
using bench::page_tables;


uint32_t rng_state = 12345;
uint32_t next_random() {
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

uint8_t sieve_buf[65536];
uint32_t sieve() {
    for (uint32_t i = 0; i < sizeof sieve_buf; ++i) sieve_buf[i] = 1;
    uint32_t count = 0;
    for (uint32_t i = 2; i < sizeof sieve_buf; ++i) {
        if (!sieve_buf[i]) continue;
        ++count;
        for (uint32_t j = i * 2; j < sizeof sieve_buf; j += i) sieve_buf[j] = 0;
    }
    return count;
}

uint32_t crc_table[256];
uint8_t crc_data[32768];
uint32_t crc32() {
    for (uint32_t i = 0; i < 256; ++i) {
        uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
    for (uint32_t i = 0; i < sizeof crc_data; ++i) crc_data[i] = static_cast<uint8_t>(next_random());
    uint32_t crc = 0xFFFFFFFFu;
    for (uint32_t i = 0; i < sizeof crc_data; ++i) crc = crc_table[(crc ^ crc_data[i]) & 0xFF] ^ (crc >> 8);
    return ~crc;
}

int32_t sort_buf[2048];
uint32_t insertion_sort() {
    constexpr uint32_t n = 768;
    for (uint32_t i = 0; i < n; ++i) sort_buf[i] = static_cast<int32_t>(next_random());
    for (uint32_t i = 1; i < n; ++i) {
        int32_t v = sort_buf[i];
        uint32_t j = i;
        while (j > 0 && sort_buf[j - 1] > v) {
            sort_buf[j] = sort_buf[j - 1];
            --j;
        }
        sort_buf[j] = v;
    }
    return static_cast<uint32_t>(sort_buf[n / 2]);
}

void sift_down(int32_t* a, uint32_t start, uint32_t end) {
    uint32_t root = start;
    while (2 * root + 1 <= end) {
        uint32_t child = 2 * root + 1, swap = root;
        if (a[swap] < a[child]) swap = child;
        if (child + 1 <= end && a[swap] < a[child + 1]) swap = child + 1;
        if (swap == root) return;
        int32_t t = a[root];
        a[root] = a[swap];
        a[swap] = t;
        root = swap;
    }
}

uint32_t heap_sort() {
    constexpr uint32_t n = 2048;
    for (uint32_t i = 0; i < n; ++i) sort_buf[i] = static_cast<int32_t>(next_random());
    for (int32_t start = (n - 2) / 2; start >= 0; --start) sift_down(sort_buf, static_cast<uint32_t>(start), n - 1);
    for (uint32_t end = n - 1; end > 0; --end) {
        int32_t t = sort_buf[end];
        sort_buf[end] = sort_buf[0];
        sort_buf[0] = t;
        sift_down(sort_buf, 0, end - 1);
    }
    return static_cast<uint32_t>(sort_buf[100]);
}

int32_t ma[32][32], mb[32][32], mc[32][32];
uint32_t matrix() {
    for (int i = 0; i < 32; ++i)
        for (int j = 0; j < 32; ++j) {
            ma[i][j] = static_cast<int32_t>(next_random() & 0xFF) - 128;
            mb[i][j] = static_cast<int32_t>(next_random() & 0xFF) - 128;
        }
    uint32_t sum = 0;
    for (int i = 0; i < 32; ++i)
        for (int j = 0; j < 32; ++j) {
            int32_t acc = 0;
            for (int k = 0; k < 32; ++k) acc += ma[i][k] * mb[k][j];
            mc[i][j] = acc;
            sum += static_cast<uint32_t>(acc);
        }
    return sum;
}

uint8_t copy_src[16384], copy_dst[16384];
uint32_t copy_bytes() {
    for (uint32_t i = 0; i < sizeof copy_src; ++i) copy_src[i] = static_cast<uint8_t>(i * 7);
    for (int round = 0; round < 4; ++round) {
        for (uint32_t i = 0; i < sizeof copy_src; ++i) copy_dst[(i + round * 13) % sizeof copy_dst] = copy_src[i];
    }
    uint32_t sum = 0;
    for (uint32_t i = 0; i < sizeof copy_dst; i += 64) sum += copy_dst[i];
    return sum;
}

// The window: 256 pages at 60 MiB, remapped onto frames 32..48 MiB (mapped
// identically too, so the touched data is ordinary RAM the guest owns).
constexpr uint32_t kWindow = 60u << 20;
uint32_t tlb_churn(uint32_t round) {
    const uint32_t slot = next_random() & 255;
    const uint32_t frame = (32u << 20) + ((next_random() & 4095) << 12);
    const uint32_t lin = kWindow + (slot << 12);
    page_tables[lin >> 12] = frame | 0x3;
    asm volatile("invlpg (%0)" ::"r"(lin) : "memory");
    volatile uint32_t* p = reinterpret_cast<volatile uint32_t*>(lin + ((round * 4) & 0xFFC));
    *p = *p + round;
    uint32_t sum = *p;
    for (uint32_t k = 0; k < 64; ++k) sum += *reinterpret_cast<volatile uint32_t*>((16u << 20) + k * 0x40000u + (round & 0xFF) * 4);
    return sum;
}

// One word in every 4 KiB page of [64 MiB, 64 MiB + mib MiB), mapped with
// 4 MiB pages (whole large pages: mib rounded up to 4).
uint32_t touch_memory(uint32_t mib) {
    const uint32_t large = (mib + 3) / 4;
    uint32_t cr4;
    asm volatile("mov %%cr4, %0" : "=r"(cr4));
    cr4 |= 1u << 4;  // PSE
    asm volatile("mov %0, %%cr4" ::"r"(cr4) : "memory");
    for (uint32_t n = 0; n < large && 16 + n < 1024; ++n) page_directory[16 + n] = ((16 + n) << 22) | 0x83;  // P, W, PS
    asm volatile("mov %%cr3, %%eax; mov %%eax, %%cr3" ::: "eax", "memory");
    uint32_t sum = 0;
    for (uint32_t a = kMappedBytes; a < kMappedBytes + (mib << 20); a += 4096) {
        *reinterpret_cast<volatile uint32_t*>(a) = a;
        sum += a >> 12;
    }
    return sum;
}

__attribute__((noinline)) uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

}  // namespace

extern "C" uint32_t guest_main(uint32_t magic, const bm::MultibootInfo* mbi) {
    bm::serial_init();
    const uint32_t iters = magic == bm::kMultibootBootloaderMagic ? bm::cmdline_uint(mbi, "iters", 20) : 20;
    enable_paging();
    uint32_t checksum = 0;
    for (uint32_t it = 0; it < iters; ++it) {
        checksum = checksum * 31 + sieve();
        checksum = checksum * 31 + crc32();
        checksum = checksum * 31 + insertion_sort();
        checksum = checksum * 31 + heap_sort();
        checksum = checksum * 31 + matrix();
        checksum = checksum * 31 + copy_bytes();
        checksum = checksum * 31 + fib(20);
    }
    const uint32_t tlb_rounds = magic == bm::kMultibootBootloaderMagic ? bm::cmdline_uint(mbi, "tlb", 0) : 0;
    for (uint32_t r = 0; r < tlb_rounds; ++r) checksum = checksum * 31 + tlb_churn(r);
    const uint32_t touch_mib = magic == bm::kMultibootBootloaderMagic ? bm::cmdline_uint(mbi, "touch", 0) : 0;
    if (touch_mib) checksum = checksum * 31 + touch_memory(touch_mib);
    bm::puts("cpu workload checksum ");
    bm::put_hex(checksum);
    bm::putc('\n');
    return 0;
}
