#include "decode/dispatch_table.hpp"

#include <cstdio>
#include <stdexcept>

namespace hm::cpu {

namespace {
std::string opcode_name(u16 op) {
    char buf[16];
    if (op & k0F) std::snprintf(buf, sizeof buf, "0F %02X", op & 0xFF);
    else std::snprintf(buf, sizeof buf, "%02X", op);
    return buf;
}
}  // namespace

DispatchTable::DispatchTable(std::span<const OpcodeFamily> families, Handler undefined_opcode)
    : undefined_(undefined_opcode) {
    bool modrm_known[kOpcodes] = {};
    for (const OpcodeFamily& fam : families) {
        for (const OpcodeDef& def : fam.defs) {
            OperandSpec spec = parse_operand_spec(def.syntax);
            const bool modrm = spec.modrm != ModrmUse::None;
            if (def.group >= 0 && !modrm) {
                throw std::logic_error(std::string("group row without a ModRM operand: ") + def.syntax);
            }
            if (def.last < def.first || def.last >= kOpcodes) {
                throw std::logic_error(std::string("bad opcode range in row ") + def.syntax);
            }
            if ((def.last != def.first) != spec.opcode_reg) {
                throw std::logic_error(std::string("an opcode range needs a Z operand and vice versa: ") + def.syntax);
            }
            bool any_handler = false;
            for (auto& a : def.forms.h)
                for (auto& b : a)
                    for (Handler h : b) any_handler |= h != nullptr;
            if (!any_handler) throw std::logic_error(std::string("row without handlers: ") + def.syntax);
            for (unsigned op = def.first; op <= def.last; ++op) {
                if (modrm_known[op] && has_modrm_[op] != modrm) {
                    throw std::logic_error("opcode " + opcode_name(static_cast<u16>(op)) +
                                           ": rows disagree about the ModRM byte (" + def.syntax + ")");
                }
                modrm_known[op] = true;
                has_modrm_[op] = modrm;
                for (unsigned r = 0; r < 8; ++r) {
                    if (def.group >= 0 && static_cast<unsigned>(def.group) != r) continue;
                    DispatchEntry& e = grid_[op][r];
                    if (e.def) {
                        throw std::logic_error("opcode " + opcode_name(static_cast<u16>(op)) + " /" +
                                               std::to_string(r) + " claimed twice: \"" + e.def->syntax + "\" (" +
                                               e.family + ") and \"" + def.syntax + "\" (" + fam.name + ")");
                    }
                    e.def = &def;
                    e.family = fam.name;
                    e.spec = spec;
                }
            }
        }
    }
}

unsigned DispatchTable::claimed_cells() const {
    unsigned n = 0;
    for (const auto& row : grid_)
        for (const DispatchEntry& e : row) n += e.def != nullptr;
    return n;
}

std::vector<std::string> DispatchTable::describe_claimed() const {
    std::vector<std::string> out;
    for (unsigned op = 0; op < kOpcodes; ++op) {
        const DispatchEntry* prev = nullptr;
        for (unsigned r = 0; r < 8; ++r) {
            const DispatchEntry& e = grid_[op][r];
            if (!e.def || (prev && prev->def == e.def)) {
                prev = &e;
                continue;
            }
            std::string line = opcode_name(static_cast<u16>(op));
            if (e.def->group >= 0) line += " /" + std::to_string(r);
            line += "  " + std::string(e.def->syntax) + "  [" + e.family + "]";
            out.push_back(line);
            prev = &e;
        }
    }
    return out;
}

}  // namespace hm::cpu
