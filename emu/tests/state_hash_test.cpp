// Machine::state_hash and --state-hash-every's exact stops (docs/state-hash.md).
#include <catch2/catch.hpp>

#include <vector>

#include "machine.hpp"

using namespace hm;

namespace {
struct HashMachine {
    std::unique_ptr<Machine> m;
    explicit HashMachine(const std::vector<u8>& code, u64 ram = 16 * kMiB) {
        MachineConfig cfg;
        cfg.ram_bytes = ram;
        m = std::make_unique<Machine>(cfg);
        m->bus().load_bytes(PhysAddr{0x100000}, code.data(), code.size());
        m->cpu().enter_multiboot_state(0x100000, 0, 0);
    }
};
// inc eax; inc ebx; loop: jmp short back to the first inc (3 bytes, forever)
const std::vector<u8> kSpin = {0x40, 0x43, 0xEB, 0xFC};
}  // namespace

TEST_CASE("State hash: equal states hash alike, any change shows", "[machine][hash]") {
    HashMachine a(kSpin), b(kSpin);
    const u64 h = a.m->state_hash();
    CHECK(h == b.m->state_hash());
    CHECK(h == a.m->state_hash());  // taking it changes nothing

    SECTION("a RAM byte far from everything else") {
        const u8 one = 1, zero = 0;
        a.m->bus().load_bytes(PhysAddr{0xC00123}, &one, 1);
        CHECK(a.m->state_hash() != h);
        a.m->bus().load_bytes(PhysAddr{0xC00123}, &zero, 1);  // the page is committed now, but all zeros again
        CHECK(a.m->state_hash() == h);
    }
    SECTION("a register") {
        a.m->cpu_state().r[reg::ESI] = 1;
        CHECK(a.m->state_hash() != h);
    }
    SECTION("a segment's descriptor cache, not just its selector") {
        a.m->cpu_state().seg[sreg::FS].limit = 0xFFFF;
        CHECK(a.m->state_hash() != h);
    }
    SECTION("the cycle counter") {
        a.m->cpu_state().cycles += 1;
        CHECK(a.m->state_hash() != h);
    }
    SECTION("a PIC mask") {
        a.m->bus().io_write(0x21, 0xFF, 1);
        CHECK(a.m->state_hash() != h);
    }
    SECTION("an x87 register's exponent, and the control word") {
        a.m->cpu_state().fpu.st[5].se ^= 1;
        CHECK(a.m->state_hash() != h);
        a.m->cpu_state().fpu.st[5].se ^= 1;
        CHECK(a.m->state_hash() == h);
        a.m->cpu_state().fpu.cw ^= 0x0C00;
        CHECK(a.m->state_hash() != h);
    }
    SECTION("an MSR") {
        a.m->cpu_state().msr.misc_enable ^= 1;
        CHECK(a.m->state_hash() != h);
    }
    SECTION("a data breakpoint held over by MOV SS") {
        a.m->cpu_state().held_dr6 = 1;
        CHECK(a.m->state_hash() != h);
    }
    SECTION("the local APIC's TPR, written through its MMIO page") {
        a.m->bus().write(PhysAddr{0xFEE00080}, 0x20, 4);
        CHECK(a.m->state_hash() != h);
    }
    SECTION("an I/O APIC redirection entry") {
        a.m->bus().write(PhysAddr{0xFEC00000}, 0x10, 4);      // IOREGSEL: entry 0, low half
        const u64 after_select = a.m->state_hash();  // IOREGSEL is state too
        CHECK(after_select != h);
        a.m->bus().write(PhysAddr{0xFEC00010}, 0x30, 4);      // IOWIN: vector 0x30
        CHECK(a.m->state_hash() != after_select);
    }
}

TEST_CASE("State hash: reported exactly every N instructions, and neutral", "[machine][hash]") {
    HashMachine hashed(kSpin), plain(kSpin);
    std::vector<std::pair<u64, u64>> seen;  // (instructions, hash)
    hashed.m->set_state_hash_every(1000, [&](u64 insns, u64, u64 hash) { seen.emplace_back(insns, hash); });
    hashed.m->run(RunLimits{100'000, 10.0});
    plain.m->run(RunLimits{100'000, 10.0});
    REQUIRE(seen.size() >= 20);
    for (size_t k = 0; k < seen.size(); ++k) CHECK(seen[k].first == 1000 * (k + 1));
    // Stopping for the hashes changed nothing.
    CHECK(hashed.m->cpu_state().cycles == plain.m->cpu_state().cycles);
    CHECK(hashed.m->cpu_state().instructions == plain.m->cpu_state().instructions);
    CHECK(hashed.m->state_hash() == plain.m->state_hash());
}
