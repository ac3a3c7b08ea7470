// Merges every family's rows into the one dispatch table the decoder reads.
// Building it checks for duplicate claims (dispatch_table.cpp); whatever no
// row claims decodes to #UD.
#include "cpu/ops/families.hpp"

#include "cpu/core.hpp"

namespace hm::cpu {

namespace {
const Insn* op_undefined_opcode(Core&, const Insn*) { raise(Vector::UD); }
}  // namespace

const DispatchTable& dispatch_table() {
    static const OpcodeFamily families[] = {
        kAluFamily,   kMovFamily,  kStackFamily, kControlFamily, kFarFamily,
        kShiftFamily, kMulDivFamily, kBitFamily, kStringFamily,  kBcdFamily,
        kFlagFamily,  kIoFamily,   kSystemFamily, kDescriptorFamily, kExchangeFamily,
        kX87Family,
    };
    static const DispatchTable table(families, &op_undefined_opcode);
    return table;
}

}  // namespace hm::cpu
