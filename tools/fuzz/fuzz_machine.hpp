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
// a typical input, which held the gdb_packet target at ~60 executions/s. Each
// input restores the start state through Machine::load_snapshot (the loadvm
// path: RAM, every CPU, TLBs, devices) and gets a new Debugger, so nothing a
// previous input did is visible; the state hash after each restore must equal
// the start state's (a trap otherwise). HM386_FUZZ_FRESH=1 in the environment builds a
// new machine for every input instead, to rule out carried host state when
// reproducing a finding.
#pragma once
#include <cstdlib>
#include <exception>
#include <memory>
#include <vector>

#include "debug/debugger.hpp"
#include "machine.hpp"

namespace hm::fuzz {

inline constexpr u64 kFuzzImage = 0xF022;

class FuzzMachine {
public:
    CaptureSink serial;
    std::unique_ptr<Machine> machine;
    std::unique_ptr<dbg::Debugger> dbg;

    // The machine of this paging choice in its start state, with a new
    // debugger whose session ends after cycle_limit cycles.
    static FuzzMachine& start(bool paging, u64 cycle_limit = 10'000) {
        static const bool fresh = [] {
            const char* e = std::getenv("HM386_FUZZ_FRESH");
            return e && *e && *e != '0';
        }();
        static std::unique_ptr<FuzzMachine> kept[2];
        std::unique_ptr<FuzzMachine>& m = kept[paging ? 1 : 0];
        if (!m || fresh) {
            m.reset();  // the old debugger and machine go before a new one is built
            m.reset(new FuzzMachine(paging));
        } else {
            m->dbg.reset();
            try {
                m->machine->load_snapshot(m->start_state_, kFuzzImage);
                m->serial.text.clear();
                // The restore is itself under test: whatever the last input
                // did, the start state must come back whole.
                if (m->machine->state_hash() != m->start_hash_) __builtin_trap();
            } catch (const std::exception&) {
                // An input changed what the snapshot checks against (the
                // machine's configuration): start from a new machine.
                m.reset();
                m.reset(new FuzzMachine(paging));
            }
        }
        m->dbg = std::make_unique<dbg::Debugger>(*m->machine);
        m->dbg->set_cycle_limit(cycle_limit);
        return *m;
    }

    ~FuzzMachine() { dbg.reset(); }

private:
    std::vector<u8> start_state_;
    u64 start_hash_ = 0;

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
            // PD at 0x10000, one table at 0x11000 mapping the first 4 MiB, page
            // 0x3000 absent and 0x4000 read-only, so walks see every outcome.
            bus.write(PhysAddr{0x10000}, 0x11000 | 7, 4);
            for (u32 i = 0; i < 1024; ++i) bus.write(PhysAddr{0x11000 + 4 * i}, (i << 12) | 7, 4);
            bus.write(PhysAddr{0x11000 + 3 * 4}, 0x3000 | 6, 4);
            bus.write(PhysAddr{0x11000 + 4 * 4}, 0x4000 | 5, 4);
            machine->mmu().write_cr3(0x10000);
            machine->mmu().write_cr0(machine->cpu_state().cr.cr0 | 0x80000000u);
        }
        start_state_ = machine->save_snapshot({kFuzzImage, "fuzz"});
        start_hash_ = machine->state_hash();
    }
};

}  // namespace hm::fuzz
