// A small machine for the debugger-facing fuzz targets (command language, gdb
// packets): 4 MiB of RAM, a 20-byte guest loop at 1 MiB that calls a function,
// writes memory and port 0x80 (so stepping, finish, bt, watchpoints and port
// events have something to find), optionally with identity paging on (so walk,
// tlb and info mem have tables to read), and a session cycle limit so that
// `continue` ends. Built fresh for every input: nothing carries over.
#pragma once
#include <memory>

#include "debug/debugger.hpp"
#include "machine.hpp"

namespace hm::fuzz {

struct FuzzMachine {
    CaptureSink serial;
    std::unique_ptr<Machine> machine;
    std::unique_ptr<dbg::Debugger> dbg;

    explicit FuzzMachine(bool paging, u64 cycle_limit = 10'000) {
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
        bus.write_bytes(0x100000, guest, sizeof guest);
        machine->cpu().invalidate_code(0x100000, sizeof guest);
        machine->cpu().enter_multiboot_state(0x100000, 0x2BADB002, 0x9500);
        if (paging) {
            // PD at 0x10000, one table at 0x11000 mapping the first 4 MiB, page
            // 0x3000 absent and 0x4000 read-only, so walks see every outcome.
            bus.write(0x10000, 0x11000 | 7, 4);
            for (u32 i = 0; i < 1024; ++i) bus.write(0x11000 + 4 * i, (i << 12) | 7, 4);
            bus.write(0x11000 + 3 * 4, 0x3000 | 6, 4);
            bus.write(0x11000 + 4 * 4, 0x4000 | 5, 4);
            machine->mmu().write_cr3(0x10000);
            machine->mmu().write_cr0(machine->cpu_state().cr.cr0 | 0x80000000u);
        }
        dbg = std::make_unique<dbg::Debugger>(*machine);
        dbg->set_cycle_limit(cycle_limit);
    }
    ~FuzzMachine() { dbg.reset(); }
};

}  // namespace hm::fuzz
