// The public face of the CPU: construction, reset, entry states for loaders,
// and the controls the machine and debugger use. Execution is in run_loop.cpp.
#include "cpu/cpu.hpp"

#include <algorithm>
#include <utility>
#include <cstdio>

#include "cpu/core.hpp"
#include "cpu/msr.hpp"

namespace hm {

using namespace cpu;
using namespace seg_attr;

const char* stop_reason_name(StopReason r) {
    switch (r) {
        case StopReason::CycleLimit: return "cycle limit";
        case StopReason::Halted: return "halted";
        case StopReason::Shutdown: return "shutdown";
        case StopReason::StopRequested: return "stop requested";
        case StopReason::Breakpoint: return "breakpoint";
    }
    return "?";
}

Cpu::Cpu(CpuState& state, Mmu& mmu, Bus& bus) : core_(std::make_unique<Core>(state, mmu, bus)) {
    core_->apply_model(state.model);
}

void Cpu::set_model(CpuModel m) { core_->apply_model(m); }

void cpu::Core::apply_model(CpuModel m) {
    s.model = m;
    table = &dispatch_table(m);
    profile = &cpu_profile(m);
    extra = profile->extra;
    mmu.set_walk_access_cycles(profile->walk_access_cycles);
    cache.flush_all();
}

Cpu::~Cpu() = default;

void Cpu::reset() { core_->reset(); }

void Cpu::set_interrupt_controller(InterruptController* pic) { core_->pic = pic; }

void Cpu::set_ferr_handler(std::function<void(bool)> handler) { core_->on_ferr = std::move(handler); }
void Cpu::configure_local_apic(u8 initial_apic_id, bool bsp) {
    MsrState& m = core_->s.msr;
    m.local_apic = true;
    m.initial_apic_id = initial_apic_id;
    m.bsp = bsp;
    reset_msrs(core_->s);
}

void Cpu::configure_core_clock(u64 hz) { core_->s.msr.core_clock_hz = hz; }
void Cpu::share_tsc_floor(u64* floor) { core_->tsc_floor = floor; }

bool Cpu::interrupt_would_wake() const {
    return (core_->intr_line && (core_->s.eflags & flag::IF)) || (core_->nmi_latched && !core_->s.nmi_blocked);
}

void Cpu::set_intr(bool asserted) {
    core_->intr_line = asserted;
    if (asserted) core_->block_stop = 0;  // taken at the next instruction boundary, even mid-block
    if (asserted) core_->pending.fetch_or(pending::kIntr, std::memory_order_relaxed);
    else core_->pending.fetch_and(~pending::kIntr, std::memory_order_relaxed);
}

void Cpu::raise_nmi() {
    core_->nmi_latched = true;
    core_->block_stop = 0;
    core_->pending.fetch_or(pending::kNmi, std::memory_order_relaxed);
}

StopReason Cpu::run(u64 cycle_deadline) {
    StopReason r = core_->run(cycle_deadline);
    core_->stats.instructions = core_->s.instructions;
    return r;
}

void Cpu::request_stop() { core_->request_stop(); }
void Cpu::lower_deadline(u64 when) { core_->lower_deadline(when); }

CpuLatches Cpu::latches() const {
    const cpu::Core& c = *core_;
    return {c.intr_line, c.nmi_latched, c.task_trap, c.shutdown, c.data_breakpoints_armed, c.alignment_check,
            c.shutdown_reason};
}

void Cpu::restore_latches(const CpuLatches& l) {
    cpu::Core& c = *core_;
    c.intr_line = l.intr_line;
    c.nmi_latched = l.nmi_latched;
    c.task_trap = l.task_trap;
    c.shutdown = l.shutdown;
    c.shutdown_reason = l.shutdown_reason;
    c.data_breakpoints_armed = l.data_breakpoints_armed;
    c.alignment_check = l.alignment_check;
    c.data_priv = c.s.cpl == 3 ? Priv::User : Priv::Supervisor;
    c.refresh_all_bounds();
    c.cache.flush_all();
    c.cur_block = nullptr;
    c.exit_insn = nullptr;
    c.block_stop = 0;
    c.refresh_pending();
}
void Cpu::set_instruction_stop(u64 instructions) { core_->insn_stop = instructions; }
const std::string& Cpu::shutdown_reason() const { return core_->shutdown_reason; }
std::string Cpu::dump_state() const { return core_->dump_state(); }

const CpuStats& Cpu::stats() const {
    CpuStats& st = core_->stats;
    st.instructions = core_->s.instructions;
    const BlockCacheStats& bc = core_->cache.stats();
    st.blocks_built = bc.blocks_built;
    st.blocks_invalidated = bc.blocks_invalidated;
    return st;
}

void Cpu::set_event_sink(EventSink* sink) { core_->sink = sink; }

void Cpu::set_instruction_trace(InstructionTrace t) {
    core_->trace = t;
    core_->refresh_pending();
}


void Cpu::invalidate_code(u64 phys, u64 len) { core_->invalidate_code(phys, len); }

void Cpu::sync_real_mode_segments() {
    for (u8 sr = 0; sr < 6; ++sr) core_->load_segment_real(sr, core_->s.seg[sr].selector);
}

void Cpu::receive_init() {
    Core& c = *core_;
    const FpuState fpu = c.s.fpu;
    const MsrState msr = c.s.msr;
    c.reset();
    c.s.fpu = fpu;
    c.s.msr = msr;
    c.s.wait_for_sipi = !msr.bsp;
    c.refresh_pending();
}

bool Cpu::receive_startup(u8 vector) {
    Core& c = *core_;
    if (!c.s.wait_for_sipi) return false;
    c.s.wait_for_sipi = false;
    c.s.halted = false;
    c.load_segment_real(sreg::CS, static_cast<u16>(vector << 8));
    c.s.eip = 0;
    c.refresh_all_bounds();
    c.refresh_pending();
    return true;
}

CpuState& Cpu::state() { return core_->s; }
const CpuState& Cpu::state() const { return core_->s; }

void Cpu::enter_multiboot_state(u32 entry, u32 eax, u32 ebx) {
    Core& c = *core_;
    c.reset();
    CpuState& s = c.s;
    c.mmu.write_cr0(cr0::kPE | cr0::kET);
    // Multiboot v1, 3.2: flat 4 GiB code and data segments, exact selectors
    // unspecified; GDTR is undefined and the OS must load its own.
    auto flat = [](u16 sel, u32 type) {
        Segment sg;
        sg.selector = sel;
        sg.base = 0;
        sg.limit = 0xFFFFFFFF;
        sg.attr = type | kS | kP | kDB | kG;
        return sg;
    };
    s.seg[sreg::CS] = flat(0x08, kCode | kReadable | kAccessed);
    for (u8 sr : {sreg::ES, sreg::SS, sreg::DS, sreg::FS, sreg::GS}) s.seg[sr] = flat(0x10, kWritable | kAccessed);
    s.gdtr = {0, 0};
    s.idtr = {0, 0};
    s.eflags = flag::kFixed1;
    s.lazy.kind = FlagKind::None;
    s.r[reg::EAX] = eax;
    s.r[reg::EBX] = ebx;
    s.eip = entry;
    c.set_cpl(0);
    c.refresh_all_bounds();
    c.refresh_pending();
}

}  // namespace hm

namespace hm::cpu {

void Core::reset() {
    const u64 cycles = s.cycles, instructions = s.instructions;
    const MsrState msr = s.msr;  // the local APIC configuration is the machine's, not state
    const CpuModel model = s.model;  // so is the CPU profile: a reset does not change the part
    s = CpuState{};
    s.model = model;
    s.cycles = cycles;
    s.instructions = instructions;
    s.msr.local_apic = msr.local_apic;
    s.msr.bsp = msr.bsp;
    s.msr.initial_apic_id = msr.initial_apic_id;
    s.msr.core_clock_hz = msr.core_clock_hz;
    s.r[reg::EDX] = cpu_profile(model).signature;  // family, model, stepping (as CPUID leaf 1)
    Segment data;
    data.limit = 0xFFFF;
    data.attr = kP | kS | kWritable | kAccessed;
    for (Segment& sg : s.seg) sg = data;
    Segment& cs = s.seg[sreg::CS];
    cs.selector = 0xF000;
    cs.base = 0xFFFF0000;
    cs.attr = kP | kS | kCode | kReadable | kAccessed;
    s.eip = 0xFFF0;
    s.ldtr.limit = 0xFFFF;
    s.ldtr.attr = kP | 0x2;
    s.tr.limit = 0xFFFF;
    s.tr.attr = kP | 0xB;
    s.gdtr = {0, 0xFFFF};
    s.idtr = {0, 0xFFFF};
    mmu.write_efer(0);
    reset_msrs(s);
    mmu.write_cr4(0);
    mmu.write_cr3(0);
    mmu.write_cr0(0x60000010);
    mmu.flush_all();  // A20 is the chipset's (the machine's), not the CPU's: left alone
    cache.flush_all();
    intr_line = false;
    nmi_latched = false;
    task_trap = false;
    shutdown = false;
    shutdown_reason.clear();
    data_breakpoints_armed = false;
    alignment_check = false;
    cur_block = nullptr;
    s.cpl = 0;
    data_priv = Priv::Supervisor;
    refresh_all_bounds();
    pending.store(0, std::memory_order_relaxed);
    refresh_pending();
}

std::string Core::dump_state() const {
    char buf[2048];
    const u32 fl = read_eflags(s);
    int n = std::snprintf(buf, sizeof buf,
                          "EAX=%08x EBX=%08x ECX=%08x EDX=%08x\n"
                          "ESI=%08x EDI=%08x EBP=%08x ESP=%08x\n"
                          "EIP=%08x EFL=%08x [%c%c%c%c%c%c%c%c%c] CPL=%u %s%s\n",
                          s.r[reg::EAX], s.r[reg::EBX], s.r[reg::ECX], s.r[reg::EDX], s.r[reg::ESI], s.r[reg::EDI],
                          s.r[reg::EBP], s.r[reg::ESP], s.eip, fl, fl & flag::OF ? 'O' : '-',
                          fl & flag::DF ? 'D' : '-', fl & flag::IF ? 'I' : '-', fl & flag::TF ? 'T' : '-',
                          fl & flag::SF ? 'S' : '-', fl & flag::ZF ? 'Z' : '-', fl & flag::AF ? 'A' : '-',
                          fl & flag::PF ? 'P' : '-', fl & flag::CF ? 'C' : '-', s.cpl,
                          (s.cr.cr0 & cr0::kPE) ? ((fl & flag::VM) ? "v86" : "protected") : "real",
                          s.halted ? " HALTED" : "");
    std::string out(buf, static_cast<size_t>(n));
    static const char* const kNames[6] = {"ES", "CS", "SS", "DS", "FS", "GS"};
    for (int i = 0; i < 6; ++i) {
        const Segment& sg = s.seg[i];
        n = std::snprintf(buf, sizeof buf, "%s =%04x %08x %08x %05x\n", kNames[i], sg.selector, sg.base, sg.limit,
                          sg.attr);
        out.append(buf, static_cast<size_t>(n));
    }
    n = std::snprintf(buf, sizeof buf,
                      "LDT=%04x %08x %08x %05x\nTR =%04x %08x %08x %05x\nGDT=     %08x %08x\nIDT=     %08x %08x\n"
                      "CR0=%08x CR2=%08x CR3=%08x CR4=%08x EFER=%llx\n"
                      "DR0=%08x DR1=%08x DR2=%08x DR3=%08x DR6=%08x DR7=%08x\n"
                      "cycles=%llu instructions=%llu\n",
                      s.ldtr.selector, s.ldtr.base, s.ldtr.limit, s.ldtr.attr, s.tr.selector, s.tr.base, s.tr.limit,
                      s.tr.attr, s.gdtr.base, s.gdtr.limit, s.idtr.base, s.idtr.limit, s.cr.cr0, s.cr.cr2, s.cr.cr3,
                      s.cr.cr4, static_cast<unsigned long long>(s.cr.efer), s.dr[0], s.dr[1], s.dr[2], s.dr[3],
                      s.dr[6], s.dr[7], static_cast<unsigned long long>(s.cycles),
                      static_cast<unsigned long long>(s.instructions));
    out.append(buf, static_cast<size_t>(n));
    return out;
}

void Core::check_io_permission(u16 port, unsigned size) {
    if (!pe() || (!v86() && s.cpl <= iopl())) return;
    // The I/O permission bitmap of a 32-bit TSS (SDM Vol. 1, 19.5.2).
    const Segment& tr = s.tr;
    const u32 type = tr.attr & 0xF;
    if ((type != 9 && type != 11) || tr.limit < 103) raise(Vector::GP, 0);
    const u32 map_base = sys_read<u16>(tr.base + 102);
    const u32 off = map_base + port / 8;
    if (off + 1 > tr.limit) raise(Vector::GP, 0);
    const u16 bits = sys_read<u16>(tr.base + off);
    const u16 mask = static_cast<u16>(((1u << size) - 1) << (port & 7));
    if (bits & mask) raise(Vector::GP, 0);
}

bool test_cond(const CpuState& s, Cond c) {
    switch (c) {
        case Cond::O: return test_cond<Cond::O>(s);
        case Cond::NO: return test_cond<Cond::NO>(s);
        case Cond::B: return test_cond<Cond::B>(s);
        case Cond::AE: return test_cond<Cond::AE>(s);
        case Cond::E: return test_cond<Cond::E>(s);
        case Cond::NE: return test_cond<Cond::NE>(s);
        case Cond::BE: return test_cond<Cond::BE>(s);
        case Cond::A: return test_cond<Cond::A>(s);
        case Cond::S: return test_cond<Cond::S>(s);
        case Cond::NS: return test_cond<Cond::NS>(s);
        case Cond::P: return test_cond<Cond::P>(s);
        case Cond::NP: return test_cond<Cond::NP>(s);
        case Cond::L: return test_cond<Cond::L>(s);
        case Cond::GE: return test_cond<Cond::GE>(s);
        case Cond::LE: return test_cond<Cond::LE>(s);
        case Cond::G: return test_cond<Cond::G>(s);
    }
    return false;
}

}  // namespace hm::cpu
