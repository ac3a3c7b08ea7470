// The execution loop. Between blocks it checks the deadline, then one word
// (`pending`) for anything unusual; then it translates CS:EIP for fetch
// (the MMU's fetch-page register or its one-compare hit), finds or builds the
// block for that physical address and runs its handlers back to back.
//
// Observation independence (docs/cpu.md, "Timing rules"): every instruction
// is charged its base cost just before its handler runs, in a block and in
// step_one alike, so the cycle counter at every instruction boundary (what
// RDTSC, port I/O and device events see) is the same however the code was
// cut into blocks. A block runs only while the counter is below `block_stop`
// (one compare per instruction): the next device deadline, lowered to 0 by
// anything that makes an interrupt or a stop pending. So device events fire,
// and interrupts are taken, at the first instruction boundary whose cycle
// count reaches the deadline, in every mode.
//
// Unusual paths: a guest fault unwinds to run(), which takes back the counts
// of the instruction that did not retire and delivers the exception;
// single-stepping (TF, debug registers, interrupt shadows, instruction
// tracing, code near the CS limit or outside RAM, an instruction-count stop
// inside the block) decodes and runs one instruction at a time in step_one().
#include <algorithm>
#include <cstring>

#include "cpu/core.hpp"
#include "decode/decoder.hpp"

namespace hm::cpu {

namespace {

const Insn* op_end_block(Core&, const Insn*) { return nullptr; }

// What a killed block's instructions become: leave without executing.
const Insn* op_exit_killed(Core& c, const Insn* i) {
    c.exit_insn = i;
    return nullptr;
}

const Insn* op_instruction_too_long(Core&, const Insn*) { raise(Vector::GP, 0); }

}  // namespace

Core::Core(CpuState& state, Mmu& m, Bus& b)
    : s(state), mmu(m), bus(b), table(&dispatch_table(state.model)), profile(&cpu_profile(state.model)),
      extra(profile->extra), cache(m, &op_exit_killed) {
    mmu.set_code_write_hook(
        [](void* ctx, PhysAddr phys, unsigned size) { static_cast<Core*>(ctx)->cache.on_code_write(phys.value, size); }, this);
    mmu.set_eip_source(&s.eip);  // the coherence checker reports the guest's EIP
    data_priv = s.cpl == 3 ? Priv::User : Priv::Supervisor;
}

void Core::refresh_pending() {
    u32 p = 0;
    if (intr_line) p |= pending::kIntr;
    if (nmi_latched) p |= pending::kNmi;
    if (s.halted) p |= pending::kHalt;
    // RF and a pending task-switch trap need step_one too: it clears RF after
    // one instruction and delivers the T-bit #DB before the new task's first.
    if ((s.eflags & (flag::TF | flag::RF)) || s.interrupt_shadow || s.held_dr6 || (s.dr[7] & 0xFF) || task_trap ||
        trace == InstructionTrace::On) {
        p |= pending::kSlow;
    }
    // Called on every EFLAGS.IF/TF change (local_irq_save/restore in a kernel):
    // skip the atomic read-modify-write when nothing changes. Only request_stop
    // may run on another thread, and it only sets kStop, which is preserved.
    // Something to look at before the next instruction: a running block stops here.
    if (p) block_stop = 0;
    u32 old = pending.load(std::memory_order_relaxed);
    while ((old & ~pending::kStop) != p &&
           !pending.compare_exchange_weak(old, (old & pending::kStop) | p, std::memory_order_relaxed)) {
    }
}

u64 Core::cycles_now(const Insn*) const {
    // Each instruction is charged before its handler runs: the counter is exact.
    return s.cycles;
}

void Core::correct_counts(const Insn* first_not_retired, bool charged) {
    // The block's instructions were counted on entry; the cycles only of those
    // that started. `charged`: first_not_retired started (and was charged).
    const Insn* first = cur_block->insns();
    s.instructions -= cur_block->count - static_cast<u64>(first_not_retired - first);
    if (charged) s.cycles -= first_not_retired->cycles;
}

void Core::fix_counts_after_fault() {
    if (step_charged) {  // step_one's instruction faulted: it did not retire
        s.cycles -= step_cost;
        s.instructions -= 1;
        step_charged = false;
    }
    if (!cur_block) return;
    // Only a block's last instruction transfers control, so the faulting one is
    // the instruction that starts at the (unadvanced) EIP.
    const Insn* p = cur_block->insns();
    const Insn* end = p + cur_block->count;
    u32 eip = cur_block_eip;
    while (p < end && eip != s.eip) {
        eip += p->len;
        ++p;
    }
    if (p < end) correct_counts(p, true);
    cur_block = nullptr;
}

StopReason Core::run(u64 deadline) {
    if (shutdown) return StopReason::Shutdown;
    run_deadline = deadline;  // once: a fault below must not undo lower_deadline()
    for (;;) {
        try {
            return run_inner();
        } catch (const GuestFault& f) {
            fix_counts_after_fault();
            deliver_exception(f, ImageRf::Fault);
            refresh_pending();
            if (shutdown) return StopReason::Shutdown;
        } catch (...) {
            cur_block = nullptr;
            throw;
        }
    }
}

Core::Pending Core::service_pending() {
    const u32 p = pending.load(std::memory_order_relaxed);
    if (p & pending::kStop) {
        pending.fetch_and(~pending::kStop, std::memory_order_relaxed);
        return Pending::Stop;
    }
    if (task_trap) {  // a trap of the task switch: ahead of NMI and INTR (SDM 6.9)
        task_trap = false;
        s.dr[6] |= kDr6Bt;
        deliver_exception(GuestFault::without_code(Vector::DB), ImageRf::Keep);
        refresh_pending();
        return Pending::Stepped;
    }
    if (!s.interrupt_shadow) {
        if (nmi_latched && !s.nmi_blocked) {
            nmi_latched = false;
            s.nmi_blocked = true;
            s.halted = false;
            refresh_pending();
            deliver_interrupt(2, EventSource::External, s.eip);
            refresh_pending();
            return Pending::Stepped;
        }
        if (intr_line && (s.eflags & flag::IF)) {
            s.halted = false;
            refresh_pending();
            const u8 vector = pic ? pic->acknowledge() : 0xFF;
            deliver_interrupt(vector, EventSource::External, s.eip);
            refresh_pending();
            return Pending::Stepped;
        }
    }
    if (s.halted) return Pending::Halted;
    if (p & pending::kSlow) {
        if (breakpoints_armed) {
            const u32 lin = s.seg[sreg::CS].base + s.eip;
            if (breakpoint_at(lin) && lin != breakpoint_resume) {
                breakpoint_resume = lin;
                return Pending::Breakpoint;
            }
        }
        step_one();
        breakpoint_resume = 1;
        return Pending::Stepped;
    }
    return Pending::Proceed;
}

StopReason Core::run_inner() {
    Block* prev = nullptr;  // the block just run, if its successor may reuse the page translation
    u32 page_lin = 0;       // linear page of the last fetch translation
    u64 page_phys = 0;      // ... its physical page
    const u8* page_host = nullptr;
    for (;;) {
        // The deadline first: at the boundary that reaches it nothing more runs,
        // not even a pending single step, whichever way the boundary was reached.
        if (HM_UNLIKELY(s.cycles >= run_deadline || s.instructions >= insn_stop)) return StopReason::CycleLimit;
        block_stop = run_deadline;
        if (HM_UNLIKELY(pending.load(std::memory_order_relaxed) != 0)) {
            switch (service_pending()) {
                case Pending::Proceed: break;  // nothing done: prev's page translation still holds
                case Pending::Stepped:
                    prev = nullptr;
                    if (shutdown) return StopReason::Shutdown;
                    continue;
                case Pending::Halted: return StopReason::Halted;
                case Pending::Stop: return StopReason::StopRequested;
                case Pending::Breakpoint: return StopReason::Breakpoint;
            }
            block_stop = run_deadline;  // servicing may have lowered it
        }

        const Segment& cs = s.seg[sreg::CS];
        const u32 eip = s.eip;
        const u32 lin = cs.base + eip;
        const bool c32 = code32();
        // A breakpoint stops before the fetch, as an instruction-count stop does:
        // the ITLB lookup (and a walk) belong to the instruction's execution, so a
        // stop there must not have made them (breakpoint_at only probes the MMU).
        if (HM_UNLIKELY(breakpoints_armed) && lin != breakpoint_resume && breakpoint_at(lin)) {
            breakpoint_resume = lin;
            return StopReason::Breakpoint;
        }
        Block* b = nullptr;
        u64 key;
        if (prev && (lin & ~0xFFFu) == page_lin) {
            // Same page as the block just run, and nothing in it could change the
            // translation: the MMU's fetch-page register holds this page, so the
            // fetch would not consult the ITLB (mmu.hpp) and the lookup is skipped.
            key = BlockCache::make_key(page_phys | (lin & 0xFFF), c32);
            if (prev->succ_key[0] == key) b = prev->succ[0];
            else if (prev->succ_key[1] == key) b = prev->succ[1];
            if (!b || b->dead) {
                b = cache.find(key);
                if (b) {
                    prev->succ[prev->succ_next] = b;
                    prev->succ_key[prev->succ_next] = key;
                    prev->succ_next ^= 1;
                }
            }
        } else {
            const CodeTranslation t = mmu.translate_code(LinearAddr{lin}, data_priv);
            page_lin = lin & ~0xFFFu;
            page_phys = t.phys.page_base();
            page_host = t.host ? t.host - (lin & 0xFFF) : nullptr;
            key = BlockCache::make_key(t.phys.value, c32);
            b = cache.find(key);
        }
        prev = nullptr;
        if (HM_UNLIKELY(!b)) {
            if (!page_host) {  // code outside RAM/ROM (MMIO, open bus): no caching
                step_one();
                continue;
            }
            b = build_block(lin, {PhysAddr{page_phys | (lin & 0xFFF)}, page_host + (lin & 0xFFF)}, c32);
            if (!b) {  // straddles into a page outside RAM/ROM
                step_one();
                continue;
            }
        }
        if (HM_UNLIKELY(u64{eip} + b->span - 1 > cs.limit)) {
            step_one();  // the block runs past the CS limit: fetch byte by byte
            continue;
        }
        if (HM_UNLIKELY(b->cross_page)) {
            const u32 lin2 = (lin & ~0xFFFu) + kPageSize;
            if (mmu.translate_code(LinearAddr{lin2}, data_priv).phys.page_base() != b->phys2) {
                step_one();
                continue;
            }
        }
        if (HM_UNLIKELY(breakpoints_armed) && breakpoint_in_block(*b, lin)) {
            // A breakpoint inside this block: go one instruction at a time.
            if (breakpoint_at_block_start(*b, lin) && lin != breakpoint_resume) {
                breakpoint_resume = lin;
                return StopReason::Breakpoint;
            }
            step_one();
            breakpoint_resume = 1;
            continue;
        }
        if (HM_UNLIKELY(s.instructions + b->count > insn_stop)) {
            step_one();  // an instruction-count stop (state hash) inside the block
            continue;
        }
        for (;;) {  // runs b, then its successors while the short path below finds them
            prev = nullptr;  // set again below only after b completes and may pass on its page
            s.instructions += b->count;
            ++stats.blocks_executed;
            cur_block = b;
            cur_block_eip = s.eip;
            exit_insn = nullptr;
            const Insn* i = b->insns();
            u64* const cycles = &s.cycles;  // locals: kept in registers across the calls
            const u64* const stop = &block_stop;
            // Handlers chain to the next instruction themselves (next(), core.hpp)
            // and return here at the block's end, a branch, or block_stop.
            do {
                *cycles += i->cycles;  // the sentinel costs 0
                i = i->fn(*this, i);
            } while (i && *cycles < *stop);
            if (HM_UNLIKELY(i != nullptr) && i != b->insns() + b->count) {
                // The deadline (or a newly pending event) fell inside the block: the
                // rest has not run and is decoded afresh from EIP next time.
                correct_counts(i, false);
                cur_block = nullptr;
                break;
            }
            if (HM_UNLIKELY(exit_insn != nullptr)) {
                correct_counts(exit_insn, true);
                cur_block = nullptr;
                break;
            }
            cur_block = nullptr;
            if (!b->chainable) break;
            prev = b;
            // The short path to the successor: what the top of the outer loop
            // would decide, for the common case only. block_stop is the deadline
            // or lower (0 once anything became pending), so below it the deadline
            // is not reached; request_stop sets only `pending`, checked too. The
            // successor must be in the same linear page (the fetch-page register
            // holds it: no ITLB lookup, as at the top), in the two-entry cache,
            // alive, within the CS limit, on one page, below the instruction
            // stop, with no debugger breakpoints armed. Anything else goes round
            // the outer loop, which decides it with prev = b, as before.
            // Pending work stops the chain, except the INTR line alone with IF
            // clear (a guest running with interrupts off while a device waits),
            // where service_pending would do nothing (Pending::Proceed).
            const u32 p = pending.load(std::memory_order_relaxed);
            if (HM_UNLIKELY(s.cycles >= block_stop || breakpoints_armed ||
                            (p != 0 && (p != pending::kIntr || (s.eflags & flag::IF))))) {
                break;
            }
            const u32 lin2 = cs.base + s.eip;
            if ((lin2 & ~0xFFFu) != page_lin) break;
            const u64 key2 = BlockCache::make_key(page_phys | (lin2 & 0xFFF), c32);
            Block* nb = b->succ_key[0] == key2 ? b->succ[0] : b->succ_key[1] == key2 ? b->succ[1] : nullptr;
            if (!nb || nb->dead || nb->cross_page || u64{s.eip} + nb->span - 1 > cs.limit ||
                s.instructions + nb->count > insn_stop) {
                break;
            }
            b = nb;
        }
    }
}

Block* Core::build_block(u32 lin, CodeTranslation t, bool c32) {
    Insn insns[Block::kMaxInsns + 1];
    Block hdr;
    hdr.key = BlockCache::make_key(t.phys.value, c32);
    hdr.phys = t.phys.value;
    const u32 room = kPageSize - t.phys.page_offset();
    unsigned count = 0;
    u32 span = 0;
    u32 cycles = 0;
    while (count < Block::kMaxInsns && span < room) {
        Insn& in = insns[count];
        DecodeInfo info = decode_one(*table, t.host + span, room - span, c32, in);
        if (info.status == DecodeStatus::NeedMoreBytes) {
            if (count > 0) break;  // a page-straddling instruction gets a block of its own
            u8 buf[16] = {};
            std::memcpy(buf, t.host, room);
            const CodeTranslation t2 = mmu.translate_code(LinearAddr{lin + room}, data_priv);
            if (!t2.host) return nullptr;
            const unsigned more = 15 - room;
            std::memcpy(buf + room, t2.host, more);
            info = decode_one(*table, buf, 15, c32, in);
            hdr.cross_page = true;
            hdr.phys2 = t2.phys.page_base();
        }
        if (info.status != DecodeStatus::Ok) {  // longer than 15 bytes
            in = Insn{};
            in.fn = &op_instruction_too_long;
            in.len = 1;
            span += 1;
            ++count;
            break;
        }
        cycles += in.cycles;
        span += in.len;
        ++count;
        hdr.chainable = !(info.attrs & attr::kNewContext);
        if (info.attrs & attr::kEndsBlock) break;
        if (hdr.cross_page) break;
    }
    if (hdr.cross_page) hdr.chainable = false;
    insns[count] = Insn{};
    insns[count].fn = &op_end_block;
    hdr.count = static_cast<u16>(count);
    hdr.span = span;
    hdr.cycles = cycles;
    if (!cache.has_room(count)) {
        cache.flush_all();
        ++stats.code_cache_flushes;
    }
    return cache.insert(hdr, insns);
}

void Core::step_one() {
    ++stats.slow_steps;
    const Segment& cs = s.seg[sreg::CS];
    const u32 eip = s.eip;
    const bool tf = s.eflags & flag::TF;
    const bool c32 = code32();
    const bool debug_held_off = s.debug_shadow;  // this instruction follows MOV SS / POP SS
    s.interrupt_shadow = false;
    s.debug_shadow = false;

    // Instruction breakpoints (DR0-3 with R/W = 00) fault before the instruction,
    // unless RF is set. The fault's image keeps RF clear, so a handler that
    // returns without setting it meets the breakpoint again (SDM 17.3.1.1).
    const u32 dr7 = s.dr[7];
    if ((dr7 & 0xFF) && !(s.eflags & flag::RF) && !debug_held_off) {
        u32 hits = 0;
        for (unsigned n = 0; n < 4; ++n) {
            if (((dr7 >> (n * 2)) & 3) && ((dr7 >> (16 + n * 4)) & 3) == 0 && s.dr[n] == cs.base + eip) hits |= 1u << n;
        }
        if (hits) {
            s.dr[6] = (s.dr[6] & ~0xFu) | hits;
            deliver_exception(GuestFault::without_code(Vector::DB), ImageRf::Keep);
            refresh_pending();
            return;
        }
    }
    // RF lasts one instruction. Cleared before it runs, so an IRETD or task
    // switch that loads RF leaves it set for the instruction after; a fault
    // of this instruction sets it in its image again (deliver_exception).
    s.eflags &= ~flag::RF;

    // Fetch with per-byte CS limit and per-page translation.
    const u64 limit_room = eip > cs.limit ? 0 : u64{cs.limit} - eip + 1;
    if (limit_room == 0) raise(Vector::GP, 0);
    u8 bytes[16] = {};
    unsigned have = 0;
    auto fetch_upto = [&](unsigned want) {
        while (have < want) {
            const u32 lin = cs.base + eip + have;
            const CodeTranslation t = mmu.translate_code(LinearAddr{lin}, data_priv);
            const unsigned chunk = std::min<unsigned>(want - have, kPageSize - (lin & 0xFFF));
            if (t.host) {
                std::memcpy(bytes + have, t.host, chunk);
            } else {
                for (unsigned k = 0; k < chunk; ++k) bytes[have + k] = static_cast<u8>(bus.read(t.phys + k, 1));
            }
            have += chunk;
        }
    };
    const u32 lin0 = cs.base + eip;
    const unsigned max_len = static_cast<unsigned>(std::min<u64>(15, limit_room));
    fetch_upto(std::min<unsigned>(max_len, kPageSize - (lin0 & 0xFFF)));
    Insn insns[2];
    DecodeInfo info;
    for (;;) {
        info = decode_one(*table, bytes, have, c32, insns[0]);
        if (info.status == DecodeStatus::Ok) break;
        if (info.status == DecodeStatus::TooLong || have >= max_len) raise(Vector::GP, 0);
        fetch_upto(max_len);
    }
    insns[1].fn = &op_end_block;

    if (sink && trace == InstructionTrace::On) {
        InstructionEvent ev{};
        ev.cycle = s.cycles;
        ev.eip = eip;
        ev.cs = cs.selector;
        ev.linear = lin0;
        ev.length = insns[0].len;
        std::memcpy(ev.bytes, bytes, std::min<unsigned>(insns[0].len, 15));
        sink->on_instruction(ev);
    }

    data_breakpoint_hits = 0;
    cur_block = nullptr;
    // Charged before it runs, as in a block (RDTSC and port I/O see the same
    // counter); taken back by fix_counts_after_fault if it faults.
    step_cost = insns[0].cycles;
    step_charged = true;
    s.cycles += step_cost;
    s.instructions += 1;
    insns[0].fn(*this, &insns[0]);
    step_charged = false;

    // Traps after the instruction: single step, data breakpoints and a task
    // switch into a TSS with the T bit, reported together in one #DB. After
    // MOV SS / POP SS they wait one instruction; its single step is dropped (the
    // next instruction, run with TF too, reports BS).
    if (s.debug_shadow) {
        s.held_dr6 |= data_breakpoint_hits;
        data_breakpoint_hits = 0;
    } else if (tf || data_breakpoint_hits || task_trap || s.held_dr6) {
        u32 dr6 = s.dr[6] & ~0xFu;
        dr6 |= data_breakpoint_hits | s.held_dr6;
        s.held_dr6 = 0;
        if (tf) dr6 |= kDr6Bs;
        if (task_trap) dr6 |= kDr6Bt;
        s.dr[6] = dr6;
        data_breakpoint_hits = 0;
        task_trap = false;
        deliver_exception(GuestFault::without_code(Vector::DB), ImageRf::Keep);
    }
    refresh_pending();
}

}  // namespace hm::cpu
