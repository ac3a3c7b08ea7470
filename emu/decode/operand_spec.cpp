#include "decode/operand_spec.hpp"

#include <cctype>
#include <stdexcept>
#include <vector>

namespace hm::cpu {

namespace {

std::vector<std::string> split_operands(const std::string& syntax) {
    std::vector<std::string> ops;
    size_t sp = syntax.find(' ');
    if (sp == std::string::npos) return ops;
    std::string rest = syntax.substr(sp + 1);
    size_t start = 0;
    while (start <= rest.size()) {
        size_t comma = rest.find(',', start);
        if (comma == std::string::npos) comma = rest.size();
        ops.push_back(rest.substr(start, comma - start));
        start = comma + 1;
    }
    return ops;
}

bool is_size(const std::string& s) {
    static const char* const kSizes[] = {"b", "w", "d", "v", "z", "p", "a", "s", "q", "bs"};
    for (const char* k : kSizes) {
        if (s == k) return true;
    }
    return false;
}

[[noreturn]] void bad(const std::string& syntax, const std::string& why) {
    throw std::invalid_argument("opcode table row \"" + syntax + "\": " + why);
}

void set_modrm(OperandSpec& spec, ModrmUse use, const std::string& syntax) {
    if (spec.modrm != ModrmUse::None && spec.modrm != ModrmUse::Any && use != ModrmUse::Any && spec.modrm != use) {
        bad(syntax, "conflicting ModRM uses");
    }
    if (spec.modrm == ModrmUse::None || spec.modrm == ModrmUse::Any) spec.modrm = use;
}

void add_imm(OperandSpec& spec, ImmKind k, const std::string& syntax) {
    if (spec.imm1 == ImmKind::None) {
        spec.imm1 = k;
    } else if (spec.imm2 == ImmKind::None) {
        spec.imm2 = k;
    } else {
        bad(syntax, "more than two immediates");
    }
}

}  // namespace

OperandSpec parse_operand_spec(const std::string& syntax) {
    OperandSpec spec;
    for (const std::string& op : split_operands(syntax)) {
        if (op.empty()) bad(syntax, "empty operand");
        char letter = op[0];
        std::string size = op.substr(1);
        bool addressing = std::isupper(static_cast<unsigned char>(letter)) && (size.empty() || is_size(size));
        if (!addressing) continue;  // implicit operand (AL, eAX, DX, 1, CS ...)
        if (size.empty() && letter != 'M') bad(syntax, "operand " + op + " needs a size letter");
        const bool byte = size == "b";
        switch (letter) {
            case 'E':
                set_modrm(spec, ModrmUse::Any, syntax);
                spec.rm_byte = byte;
                break;
            case 'M': set_modrm(spec, ModrmUse::MemOnly, syntax); break;
            case 'R':
                set_modrm(spec, ModrmUse::RegOnly, syntax);
                spec.rm_byte = byte;
                break;
            case 'G':
                set_modrm(spec, ModrmUse::Any, syntax);
                spec.reg_byte = byte;
                break;
            case 'S':
            case 'C':
            case 'D': set_modrm(spec, ModrmUse::Any, syntax); break;
            case 'Z':
                spec.opcode_reg = true;
                spec.reg_byte = byte;
                break;
            case 'I':
                if (size == "b") add_imm(spec, ImmKind::Ib, syntax);
                else if (size == "bs") add_imm(spec, ImmKind::Ibs, syntax);
                else if (size == "w") add_imm(spec, ImmKind::Iw, syntax);
                else if (size == "z" || size == "v") add_imm(spec, ImmKind::Iz, syntax);
                else bad(syntax, "unsupported immediate " + op);
                break;
            case 'J':
                if (size == "b") add_imm(spec, ImmKind::Jb, syntax);
                else if (size == "z") add_imm(spec, ImmKind::Jz, syntax);
                else bad(syntax, "unsupported displacement " + op);
                break;
            case 'A':
                if (size != "p") bad(syntax, "far pointer must be Ap");
                add_imm(spec, ImmKind::Ap, syntax);
                break;
            case 'O': add_imm(spec, ImmKind::O, syntax); break;
            case 'X':
            case 'Y': break;
            default: bad(syntax, "unknown addressing letter in " + op);
        }
    }
    return spec;
}

}  // namespace hm::cpu
