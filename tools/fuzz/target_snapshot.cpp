// Fuzz target: the snapshot loader (Machine::load_snapshot, emu/snapshot/). A bad
// file must be one snap::SnapshotError, never a crash, a hang or a huge
// allocation, and whatever state a file manages to load must run without
// crashing the host. Most flipped bytes of a real file only meet the CRCs, so
// the input mostly edits a valid payload, which the target hands to the loader
// as the file container would (Machine::load_snapshot_payload: good CRCs, this
// build's layout fingerprint), so the fuzzer reaches the state reader's checks:
//   byte 0 % 3 == 0: the rest is a whole snapshot file
//   byte 0 % 3 == 1: u32 offset, then bytes written over the payload there
//   byte 0 % 3 == 2: u32 offset: the payload is cut there, the rest appended
// The base payload is a snapshot of the fuzz machine (paging on) after a few
// thousand cycles, so TLBs, devices and timers hold something.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "fuzz_machine.hpp"
#include "snapshot/snapshot_error.hpp"
#include "snapshot/snapshot_file.hpp"

namespace {

constexpr hm::u64 kImage = hm::fuzz::kFuzzImage;

struct Base {
    hm::u64 fingerprint = 0;
    std::vector<hm::u8> payload;
};

const Base& base() {
    static const Base b = [] {
        hm::fuzz::FuzzInput in(true);
        in.machine().run(hm::RunLimits{5000, 0});
        const std::vector<hm::u8> file = in.machine().save_snapshot({kImage, "fuzz"});
        hm::snap::SnapshotPayload p = hm::snap::decode_snapshot_file(file);
        return Base{p.fingerprint, std::move(p.bytes)};
    }();
    return b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const Base& b = base();
    // A load that fails half way leaves the machine half-restored: when the
    // input ends, FuzzInput restores the whole start state again.
    hm::fuzz::FuzzInput in(true);
    const unsigned mode = data[0] % 3;
    try {
        if (mode == 0 || size < 5) {
            const std::vector<hm::u8> file(data + 1, data + size);
            in.machine().load_snapshot(file, kImage);
        } else {
            // The edited payload goes to the loader as the container would
            // hand it over (good CRCs, this build's fingerprint), without the
            // round trip through zlib. Kept across inputs: its bytes are
            // reused, not allocated afresh.
            static hm::snap::SnapshotPayload edited;
            hm::u32 offset;
            std::memcpy(&offset, data + 1, 4);
            edited.fingerprint = b.fingerprint;
            std::vector<hm::u8>& payload = edited.bytes;
            payload.assign(b.payload.begin(), b.payload.end());
            const size_t at = offset % (payload.size() + 1);
            if (mode == 2) payload.resize(at);
            for (size_t i = 5; i < size; ++i) {
                const size_t pos = mode == 1 ? at + (i - 5) : payload.size();
                if (pos < payload.size()) payload[pos] = data[i];
                else payload.push_back(data[i]);
            }
            in.machine().load_snapshot_payload(edited, kImage);
        }
    } catch (const hm::snap::SnapshotError&) {
        return 0;
    }
    // A state the reader accepted must run (an emulator error is a clean
    // exception, as hm386 reports it: exit 70).
    try {
        in.machine().run(hm::RunLimits{in.machine().cpu_state().cycles + 20'000, 0});
    } catch (const std::exception&) {
    }
    return 0;
}
