#include "debug/disassembler.hpp"

#include <capstone/capstone.h>

#include <algorithm>
#include <cstring>

namespace hm::dbg {

struct Disassembler::Handles {
    csh h[2][2] = {};  // [code32][syntax]
    bool open[2][2] = {};
    ~Handles() {
        for (auto& row : h) {
            for (csh& c : row) {
                if (c) cs_close(&c);
            }
        }
    }
    csh get(bool code32, Syntax syntax) {
        const unsigned m = code32 ? 1 : 0, s = syntax == Syntax::Att ? 1 : 0;
        if (!open[m][s]) {
            if (cs_open(CS_ARCH_X86, code32 ? CS_MODE_32 : CS_MODE_16, &h[m][s]) != CS_ERR_OK) {
                throw DebugError("Capstone cannot open an x86 disassembler");
            }
            cs_option(h[m][s], CS_OPT_DETAIL, CS_OPT_ON);
            if (syntax == Syntax::Att) cs_option(h[m][s], CS_OPT_SYNTAX, CS_OPT_SYNTAX_ATT);
            open[m][s] = true;
        }
        return h[m][s];
    }
};

Disassembler::Disassembler() : h_(std::make_unique<Handles>()) {}
Disassembler::~Disassembler() = default;

Instruction Disassembler::decode(const u8* bytes, size_t n, u32 addr, bool code32, Syntax syntax) const {
    Instruction out;
    out.linear = addr;
    csh handle = h_->get(code32, syntax);
    cs_insn* insn = nullptr;
    const size_t count = n ? cs_disasm(handle, bytes, std::min<size_t>(n, 15), addr, 1, &insn) : 0;
    if (count == 0) {
        out.valid = false;
        out.length = 1;
        out.bytes[0] = n ? bytes[0] : 0;
        out.mnemonic = ".byte";
        char b[8];
        std::snprintf(b, sizeof b, "0x%02x", out.bytes[0]);
        out.operands = b;
        return out;
    }
    const cs_insn& i = insn[0];
    out.length = static_cast<u8>(i.size);
    std::memcpy(out.bytes.data(), i.bytes, std::min<size_t>(i.size, out.bytes.size()));
    out.mnemonic = i.mnemonic;
    out.operands = i.op_str;
    out.is_call = cs_insn_group(handle, &i, CS_GRP_CALL);
    out.is_jump = cs_insn_group(handle, &i, CS_GRP_JUMP);
    out.is_ret = cs_insn_group(handle, &i, CS_GRP_RET) || cs_insn_group(handle, &i, CS_GRP_IRET);
    if ((out.is_call || out.is_jump) && i.detail && i.detail->x86.op_count == 1 &&
        i.detail->x86.operands[0].type == X86_OP_IMM) {
        out.target = static_cast<u32>(i.detail->x86.operands[0].imm);
    }
    cs_free(insn, count);
    return out;
}

}  // namespace hm::dbg
