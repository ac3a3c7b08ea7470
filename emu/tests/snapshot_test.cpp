// Machine::save_snapshot / load_snapshot and the file container (docs/snapshots.md):
// a restored machine hashes like the original and runs on identically, and every
// damaged or foreign file is refused with a reason.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "machine.hpp"
#include "snapshot/snapshot_error.hpp"
#include "snapshot/snapshot_file.hpp"

using namespace hm;

namespace {

constexpr u64 kImage = 0x1234'5678'9ABC'DEF0ull;

// A guest that keeps the devices busy: it programs PIT channel 0 (mode 2), sends
// bytes to COM1, writes the CMOS index, counts in EAX and stores it to RAM, forever.
//   mov al,0x34; out 0x43,al; mov al,0x10; out 0x40,al; out 0x40,al
//   loop: inc eax; mov [0x200000],eax; mov dx,0x3F8; out dx,al; out 0x70,al; jmp loop
const std::vector<u8> kBusy = {0xB0, 0x34, 0xE6, 0x43, 0xB0, 0x10, 0xE6, 0x40, 0xE6, 0x40,
                               0x40, 0xA3, 0x00, 0x00, 0x20, 0x00, 0x66, 0xBA, 0xF8, 0x03,
                               0xEE, 0xE6, 0x70, 0xEB, 0xF3};

std::unique_ptr<Machine> make_machine(const std::vector<u8>& code, u64 ram = 16 * kMiB) {
    MachineConfig cfg;
    cfg.ram_bytes = ram;
    auto m = std::make_unique<Machine>(cfg);
    m->bus().load_bytes(PhysAddr{0x100000}, code.data(), code.size());
    m->cpu().enter_multiboot_state(0x100000, 0, 0);
    return m;
}

void run_to(Machine& m, u64 cycles) { m.run(RunLimits{cycles, 0}); }

}  // namespace

TEST_CASE("Snapshot: a restored machine hashes like the original and runs on identically", "[machine][snapshot]") {
    auto a = make_machine(kBusy);
    const u64 stop = GENERATE(1, 777, 50'000, 300'001);
    run_to(*a, stop);
    const std::vector<u8> file = a->save_snapshot({kImage, "test"});

    auto b = make_machine(kBusy);  // the same machine, booted but not run
    REQUIRE(b->state_hash() != a->state_hash());
    b->load_snapshot(file, kImage);
    CHECK(b->state_hash() == a->state_hash());
    CHECK(b->cpu_state().cycles == a->cpu_state().cycles);

    // Both run on to the same later states.
    for (u64 later : {stop + 1000, stop + 123'457, stop + 2'000'000}) {
        run_to(*a, later);
        run_to(*b, later);
        CHECK(a->cpu_state().instructions == b->cpu_state().instructions);
        CHECK(a->state_hash() == b->state_hash());
    }
    CHECK(a->uart().stats().tx_bytes == b->uart().stats().tx_bytes);
}

TEST_CASE("Snapshot: loading over a machine that ran elsewhere restores RAM exactly", "[machine][snapshot]") {
    auto a = make_machine(kBusy);
    run_to(*a, 10'000);
    const std::vector<u8> file = a->save_snapshot({kImage, ""});
    const u64 h = a->state_hash();
    run_to(*a, 900'000);
    const u8 junk = 0x5A;
    a->bus().load_bytes(PhysAddr{0xE00000}, &junk, 1);  // a page the snapshot holds as zeros
    REQUIRE(a->state_hash() != h);
    a->load_snapshot(file, kImage);
    CHECK(a->state_hash() == h);
}

TEST_CASE("Snapshot: the header names the configuration and the image", "[machine][snapshot]") {
    auto a = make_machine(kBusy, 32 * kMiB);
    const std::vector<u8> file = a->save_snapshot({kImage, "boot words"});
    const SnapshotHeader h = read_snapshot_header(file);
    CHECK(h.config.ram_bytes == 32 * kMiB);
    CHECK(h.identity.image_hash == kImage);
    CHECK(h.identity.boot == "boot words");
}

TEST_CASE("Snapshot: a foreign snapshot is refused", "[machine][snapshot]") {
    auto a = make_machine(kBusy);
    run_to(*a, 5000);
    const std::vector<u8> file = a->save_snapshot({kImage, ""});
    SECTION("another image") {
        auto b = make_machine(kBusy);
        CHECK_THROWS_WITH(b->load_snapshot(file, kImage + 1), Catch::Contains("another image"));
    }
    SECTION("another RAM size") {
        auto b = make_machine(kBusy, 32 * kMiB);
        CHECK_THROWS_WITH(b->load_snapshot(file, kImage), Catch::Contains("RAM size"));
    }
    SECTION("another TLB geometry") {
        MachineConfig cfg;
        cfg.ram_bytes = 16 * kMiB;
        cfg.tlb.dtlb_4k = {128, 4};
        Machine b(cfg);
        CHECK_THROWS_AS(b.load_snapshot(file, kImage), snap::SnapshotError);
    }
}

TEST_CASE("Snapshot file: every damage is detected", "[machine][snapshot]") {
    auto a = make_machine(kBusy);
    run_to(*a, 20'000);
    const std::vector<u8> file = a->save_snapshot({kImage, ""});
    auto b = make_machine(kBusy);
    auto refused = [&](const std::vector<u8>& bad) {
        try {
            b->load_snapshot(bad, kImage);
        } catch (const snap::SnapshotError&) {
            return true;
        }
        return false;
    };
    REQUIRE_FALSE(refused(file));

    SECTION("every truncation") {
        for (size_t len = 0; len < file.size(); len += (len < 256 ? 1 : 97)) {
            INFO("length " << len);
            CHECK(refused(std::vector<u8>(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(len))));
        }
    }
    SECTION("a trailing byte") {
        std::vector<u8> bad = file;
        bad.push_back(0);
        CHECK_THROWS_WITH(b->load_snapshot(bad, kImage), Catch::Contains("unexpected bytes"));
    }
    SECTION("every header byte, every bit") {
        for (size_t i = 0; i < snap::kHeaderSize; ++i) {
            for (unsigned bit = 0; bit < 8; ++bit) {
                std::vector<u8> bad = file;
                bad[i] ^= static_cast<u8>(1u << bit);
                INFO("byte " << i << " bit " << bit);
                CHECK(refused(bad));
            }
        }
    }
    SECTION("a flipped bit anywhere in the compressed payload") {
        for (size_t i = snap::kHeaderSize; i < file.size(); i += 13) {
            std::vector<u8> bad = file;
            bad[i] ^= 0x10;
            INFO("byte " << i);
            CHECK(refused(bad));
        }
    }
    SECTION("the messages say what is wrong") {
        std::vector<u8> bad = file;
        bad[0] = 'X';
        CHECK_THROWS_WITH(b->load_snapshot(bad, kImage), Catch::Contains("not an hm386 snapshot"));
        bad = file;
        bad[8] = 99;
        CHECK_THROWS_WITH(b->load_snapshot(bad, kImage), Catch::Contains("version 99"));
        bad = file;
        bad[16] ^= 1;
        CHECK_THROWS_WITH(b->load_snapshot(bad, kImage), Catch::Contains("incompatible build"));
        bad.assign(file.begin(), file.end() - 1);
        CHECK_THROWS_WITH(b->load_snapshot(bad, kImage), Catch::Contains("truncated"));
    }
}

TEST_CASE("Snapshot payload: a well-packed but impossible state is refused", "[machine][snapshot]") {
    auto a = make_machine(kBusy);
    run_to(*a, 3000);
    const std::vector<u8> file = a->save_snapshot({kImage, ""});
    snap::SnapshotPayload p = snap::decode_snapshot_file(file);
    auto b = make_machine(kBusy);
    SECTION("a payload cut short") {
        p.bytes.resize(p.bytes.size() - 5);
        CHECK_THROWS_WITH(b->load_snapshot(snap::encode_snapshot_file(p.fingerprint, p.bytes), kImage),
                          Catch::Contains("truncated"));
    }
    SECTION("bytes after the state") {
        p.bytes.push_back(7);
        CHECK_THROWS_WITH(b->load_snapshot(snap::encode_snapshot_file(p.fingerprint, p.bytes), kImage),
                          Catch::Contains("after the end"));
    }
    SECTION("a section tag out of place") {
        // The "CPU" section tag follows META and CONF; damage the byte after the config.
        const std::vector<u8> cpu_tag = {0x55, 0x50, 0x43, 0x00};
        auto it = std::search(p.bytes.begin(), p.bytes.end(), cpu_tag.begin(), cpu_tag.end());
        REQUIRE(it != p.bytes.end());
        *it ^= 0xFF;
        CHECK_THROWS_WITH(b->load_snapshot(snap::encode_snapshot_file(p.fingerprint, p.bytes), kImage),
                          Catch::Contains("section tag"));
    }
}

TEST_CASE("Snapshot payload: an inflated payload loads like its file, with the same checks", "[machine][snapshot]") {
    auto a = make_machine(kBusy);
    run_to(*a, 4321);
    const std::vector<u8> file = a->save_snapshot({kImage, ""});
    const u64 h = a->state_hash();
    snap::SnapshotPayload p = snap::decode_snapshot_file(file);
    auto b = make_machine(kBusy);
    SECTION("restores the state, again and again") {
        for (int i = 0; i < 3; ++i) {
            run_to(*b, b->cpu_state().cycles + 5000);
            REQUIRE(b->state_hash() != h);
            b->load_snapshot_payload(p, kImage);
            CHECK(b->state_hash() == h);
        }
    }
    SECTION("another layout fingerprint") {
        p.fingerprint ^= 1;
        CHECK_THROWS_WITH(b->load_snapshot_payload(p, kImage), Catch::Contains("state layout"));
    }
    SECTION("another image") { CHECK_THROWS_WITH(b->load_snapshot_payload(p, kImage + 1), Catch::Contains("another image")); }
    SECTION("a payload cut short") {
        p.bytes.resize(p.bytes.size() - 5);
        CHECK_THROWS_WITH(b->load_snapshot_payload(p, kImage), Catch::Contains("truncated"));
    }
}
