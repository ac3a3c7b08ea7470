// A small machine for the debugger-facing fuzz targets (command language, gdb
// packets, snapshots): 4 MiB of RAM, a 20-byte guest loop at 1 MiB that calls a
// function, writes memory and port 0x80 (so stepping, finish, bt, watchpoints
// and port events have something to find), optionally with identity paging on
// (so walk, tlb and info mem have tables to read), and a session cycle limit so
// that `continue` ends.
//
// Every input starts from the same guest-visible state, but the machine is
// built once per process and per paging choice: building one (the MMU's
// code-page bitmap, the decode cache's arena) cost five times more than running
// a typical input. A target opens a FuzzInput for each input; when the input
// ends, its debugger goes and the machine is restored to the start state
// through Machine::load_snapshot_payload (the loadvm path after the file
// container: RAM, every CPU, TLBs, devices), so nothing an input did is visible to the next. The state hash after
// each restore must equal the start state's (a trap otherwise): the restore is
// under test too.
//
// Why the restore happens at the end of an input, not at the start of the next:
// whatever the input allocated in the machine (decoded blocks' page lists, the
// captured serial text) is freed within the same input, so libFuzzer's leak
// check sees as many frees as mallocs and does not run every input twice.
//
// Why the RAM is discarded before each restore: load_snapshot clears every
// non-zero page it finds (mincore(2) skips the ones never touched), and over a
// long run the inputs touch more and more pages. Discarding every resident page
// but the start state's own first (madvise MADV_DONTNEED on the anonymous
// mapping: the pages read as zeros and are no longer resident) leaves the
// reader only the start state's few pages, whatever earlier inputs touched.
//
// HM386_FUZZ_FRESH=1 in the environment builds a new machine for every input
// instead, to rule out carried host state when reproducing a finding.
#pragma once
#include <cstdlib>
#include <exception>
#include <memory>
#include <vector>

#include "debug/debugger.hpp"
#include "machine.hpp"
#include "ram_discard.hpp"
#include "snapshot/ram_pages.hpp"
#include "snapshot/snapshot_file.hpp"

namespace hm::fuzz {

inline constexpr u64 kFuzzImage = 0xF022;

// The session cycle limit of the command and gdb_packet targets: the guest loop
// (nine instructions with a call, a store and a port write, about 36 cycles)
// runs some 55 times in 2 000 cycles (510 instructions), so `continue`,
// `finish`, `until`, watchpoints and port events all have something to stop
// on, while an input that lets the guest run wild (its code overwritten, EIP in
// zeros) costs at most 2 000 cycles. (It was 10 000: the guest's run was then
// half of an input's time in the clang tree, for nothing the debugger code sees.)
inline constexpr u64 kSessionCycles = 2'000;

class FuzzMachine {
public:
    CaptureSink serial;
    std::unique_ptr<Machine> machine;
    std::unique_ptr<dbg::Debugger> dbg;

    // The machine of this paging choice, in its start state.
    static FuzzMachine& get(bool paging) {
        std::unique_ptr<FuzzMachine>& m = kept(paging);
        if (!m) m.reset(new FuzzMachine(paging));
        return *m;
    }

    static bool fresh() {
        static const bool f = [] {
            const char* e = std::getenv("HM386_FUZZ_FRESH");
            return e && *e && *e != '0';
        }();
        return f;
    }

    // Back to the start state (or a new machine if this one cannot get there).
    static void restore(bool paging) {
        std::unique_ptr<FuzzMachine>& m = kept(paging);
        if (!m) return;
        m->dbg.reset();
        m->serial.text.clear();
        m->serial.text.shrink_to_fit();
        if (fresh()) {
            m.reset();
            return;
        }
        try {
            (void)discard_ram(m->machine->ram(), m->start_pages_);  // if not, the reader clears them
            m->machine->load_snapshot_payload(m->start_state_, kFuzzImage);
            // Whatever the input did, the start state must come back whole.
            if (m->machine->state_hash() != m->start_hash_) __builtin_trap();
        } catch (const std::exception&) {
            // An input changed what the snapshot checks against (the
            // machine's configuration): the next input gets a new machine.
            m.reset();
        }
    }

    ~FuzzMachine() { dbg.reset(); }

private:
    snap::SnapshotPayload start_state_;  // inflated once: the restore skips the container
    u64 start_hash_ = 0;
    std::vector<u64> start_pages_;  // physical addresses, ascending

    static std::unique_ptr<FuzzMachine>& kept(bool paging) {
        static std::unique_ptr<FuzzMachine> k[2];
        return k[paging ? 1 : 0];
    }

    explicit FuzzMachine(bool paging) {
        MachineConfig cfg;
        cfg.ram_bytes = 4 * kMiB;
        cfg.serial_out = &serial;
        cfg.debugcon_out = &serial;
        machine = std::make_unique<Machine>(cfg);
        static const u8 guest[] = {
            0xBC, 0x00, 0x00, 0x09, 0x00,  // 100000: mov esp, 0x90000
            0xE8, 0x05, 0x00, 0x00, 0x00,  // 100005: call f
            0xE6, 0x80,                    // 10000a: out 0x80, al
            0x40,                          // 10000c: inc eax
            0xEB, 0xF6,                    // 10000d: jmp 100005
            0x55,                          // 10000f: f: push ebp
            0x89, 0xE5,                    //         mov ebp, esp
            0xA3, 0x00, 0x20, 0x00, 0x00,  //         mov [0x2000], eax
            0x5D,                          //         pop ebp
            0xC3,                          //         ret
        };
        Bus& bus = machine->bus();
        bus.write_bytes(PhysAddr{0x100000}, guest, sizeof guest);
        machine->cpu().invalidate_code(0x100000, sizeof guest);
        machine->cpu().enter_multiboot_state(0x100000, 0x2BADB002, 0x9500);
        if (paging) {
            // PD at 0x10000 and one table at 0x11000. Only what the guest uses
            // and a few pages of every kind are mapped, not the whole 4 MiB:
            // `info tlb`, `info mem`, `aliases` and walks of the full map then
            // cost tens of leaves, not a thousand, and still meet every case.
            //   0x000000-0x00ffff  identity (the data at 0x2000, the Multiboot
            //                      info at 0x9500), 0x3000 absent, 0x4000 read-only
            //   0x080000-0x08ffff  identity (the stack below 0x90000)
            //   0x100000-0x103fff  identity (the code)
            //   0x200000           -> 0x100000 (a second alias of the code), supervisor
            //   0x201000           -> 0x7000, read-only user, global
            //   0x400000-0x7fffff  one 4 MiB page (CR4.PSE) -> 0 (a third alias of everything)
            bus.write(PhysAddr{0x10000}, 0x11000 | 7, 4);
            auto map = [&](u32 lin, u32 phys, u32 flags) { bus.write(PhysAddr{0x11000 + 4 * ((lin >> 12) & 1023)}, phys | flags, 4); };
            for (u32 p = 0; p < 0x10; ++p) map(p << 12, p << 12, 7);
            map(0x3000, 0x3000, 6);
            map(0x4000, 0x4000, 5);
            for (u32 p = 0x80; p < 0x90; ++p) map(p << 12, p << 12, 7);
            for (u32 p = 0x100; p < 0x104; ++p) map(p << 12, p << 12, 7);
            map(0x200000, 0x100000, 3);
            map(0x201000, 0x7000, 0x105);
            bus.write(PhysAddr{0x10000 + 4}, 0x000000 | 0x87, 4);
            machine->mmu().write_cr4(machine->cpu_state().cr.cr4 | 0x10);
            machine->mmu().write_cr3(0x10000);
            machine->mmu().write_cr0(machine->cpu_state().cr.cr0 | 0x80000000u);
        }
        // The pages that hold the start state: the only ones a restore needs
        // resident (discard_ram keeps them).
        snap::for_each_nonzero_page(machine->ram(), [&](u64 pa, const u8*, u64) { start_pages_.push_back(pa); });
        start_state_ = snap::decode_snapshot_file(machine->save_snapshot({kFuzzImage, "fuzz"}));
        start_hash_ = machine->state_hash();
    }
};

// One input's use of the machine: a new debugger whose session ends after
// cycle_limit cycles; when the input ends (this object goes), the debugger goes
// and the machine is restored to its start state.
class FuzzInput {
public:
    explicit FuzzInput(bool paging, u64 cycle_limit = kSessionCycles) : paging_(paging), fm_(FuzzMachine::get(paging)) {
        fm_.dbg = std::make_unique<dbg::Debugger>(*fm_.machine);
        fm_.dbg->set_cycle_limit(cycle_limit);
        // No input may read or write a host file (savevm, loadvm, sym-file):
        // the debugger refuses them itself, whichever way a command reaches it.
        fm_.dbg->set_host_files(false);
    }
    ~FuzzInput() { FuzzMachine::restore(paging_); }
    FuzzInput(const FuzzInput&) = delete;
    FuzzInput& operator=(const FuzzInput&) = delete;

    Machine& machine() { return *fm_.machine; }
    dbg::Debugger& debugger() { return *fm_.dbg; }

private:
    bool paging_;
    FuzzMachine& fm_;
};

}  // namespace hm::fuzz
