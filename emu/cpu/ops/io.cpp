// Port I/O: IN and OUT with an immediate or DX port (INS/OUTS are string
// instructions, string.cpp). Protected mode with CPL > IOPL, and virtual-8086
// mode, consult the TSS I/O permission bitmap (Core::check_io_permission).
// Every IN/OUT ends its block, so a device that calls request_stop() (the
// debug-exit port) stops the CPU right after the instruction, and the cycle
// counter the device reads already includes the instruction.
// Costs: the Intel486 real-mode figures (IN 14, OUT 16) in every mode; the
// 486's protected-mode variants (cheaper at CPL <= IOPL, dearer through the
// bitmap) are not modelled (docs/cycle-costs.md).
#include "cpu/ops/families.hpp"
#include "cpu/ops/forms.hpp"

namespace hm::cpu {

namespace {

template <typename T>
T port_in(Core& c, u16 port) {
    c.check_io_permission(port, sizeof(T));
    return static_cast<T>(c.bus.io_read(port, sizeof(T)));
}

template <typename T>
void port_out(Core& c, u16 port, T v) {
    c.check_io_permission(port, sizeof(T));
    c.bus.io_write(port, v, sizeof(T));
}

template <bool Imm>
struct In {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        const u16 port = Imm ? static_cast<u16>(i->imm & 0xFF) : static_cast<u16>(c.s.r[reg::EDX]);
        set_reg<T>(c.s, reg::EAX, port_in<T>(c, port));
        return next(c, i);
    }
};

template <bool Imm>
struct Out {
    template <typename T, Form>
    static const Insn* run(Core& c, const Insn* i) {
        const u16 port = Imm ? static_cast<u16>(i->imm & 0xFF) : static_cast<u16>(c.s.r[reg::EDX]);
        port_out<T>(c, port, get_reg<T>(c.s, reg::EAX));
        return next(c, i);
    }
};

// A port write can remap memory (A20, ROM shadowing): see attr::kNewContext.
constexpr u16 EB = attr::kEndsBlock | attr::kNewContext;

constexpr OpcodeDef kRows[] = {
    {0xE4, 0xE4, -1, "IN AL,Ib", byte<In<true>>(), EB, 14, 14},
    {0xE5, 0xE5, -1, "IN eAX,Ib", sized<In<true>>(), EB, 14, 14},
    {0xE6, 0xE6, -1, "OUT Ib,AL", byte<Out<true>>(), EB, 16, 16},
    {0xE7, 0xE7, -1, "OUT Ib,eAX", sized<Out<true>>(), EB, 16, 16},
    {0xEC, 0xEC, -1, "IN AL,DX", byte<In<false>>(), EB, 14, 14},
    {0xED, 0xED, -1, "IN eAX,DX", sized<In<false>>(), EB, 14, 14},
    {0xEE, 0xEE, -1, "OUT DX,AL", byte<Out<false>>(), EB, 16, 16},
    {0xEF, 0xEF, -1, "OUT DX,eAX", sized<Out<false>>(), EB, 16, 16},
};

}  // namespace

extern const OpcodeFamily kIoFamily{"io", kRows};

// Shared with string.cpp (INS/OUTS).
template <typename T>
T io_in(Core& c, u16 port) {
    return port_in<T>(c, port);
}
template <typename T>
void io_out(Core& c, u16 port, T v) {
    port_out<T>(c, port, v);
}
template u8 io_in<u8>(Core&, u16);
template u16 io_in<u16>(Core&, u16);
template u32 io_in<u32>(Core&, u16);
template void io_out<u8>(Core&, u16, u8);
template void io_out<u16>(Core&, u16, u16);
template void io_out<u32>(Core&, u16, u32);

}  // namespace hm::cpu
