// Decodes one instruction from a byte window into an Insn: prefixes, opcode,
// ModRM/SIB/displacement, immediates, then the handler chosen from the dispatch
// table by operand size, address size and register/memory form. It reads only
// the bytes it is given and never touches guest memory, so the block builder
// decides how page boundaries and segment limits are handled.
#pragma once
#include "decode/dispatch_table.hpp"
#include "decode/insn.hpp"

namespace hm::cpu {

enum class DecodeStatus : u8 {
    Ok,
    NeedMoreBytes,  // the instruction continues past `avail`
    TooLong,        // more than 15 bytes: #GP(0)
};

struct DecodeInfo {
    DecodeStatus status = DecodeStatus::Ok;
    u16 opcode = 0;     // 0x000-0x1FF
    u16 attrs = 0;      // the row's attr bits (attr::kEndsBlock also for #UD)
    bool undefined = false;
    const OpcodeDef* def = nullptr;
};

// `code32`: the default operand/address size (CS.D). On Ok, `out` is complete
// (fn, len and operands set).
DecodeInfo decode_one(const DispatchTable& table, const u8* bytes, unsigned avail, bool code32, Insn& out);

}  // namespace hm::cpu
