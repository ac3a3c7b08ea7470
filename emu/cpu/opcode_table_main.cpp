// hm386-opcode-table: prints the merged opcode table (every row of every
// instruction family, with its base cycle costs) as a Markdown table, or with
// --check FILE verifies that the table between the markers in FILE
// (docs/cycle-costs.md) is exactly what the emulator runs with.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cpu/core.hpp"

using namespace hm;
using namespace hm::cpu;

namespace {

constexpr const char* kBegin = "<!-- opcode-table:begin -->";
constexpr const char* kEnd = "<!-- opcode-table:end -->";

std::string render() {
    const DispatchTable& t = dispatch_table();
    std::ostringstream out;
    out << "| opcode | instruction | family | cycles: register or implicit operands | cycles: memory operand |\n";
    out << "|---|---|---|---|---|\n";
    for (unsigned op = 0; op < DispatchTable::kOpcodes; ++op) {
        const OpcodeDef* prev = nullptr;
        for (unsigned r = 0; r < 8; ++r) {
            const DispatchEntry& e = t.entry(static_cast<u16>(op), static_cast<u8>(r));
            if (!e.def || e.def == prev) continue;
            prev = e.def;
            if (op != e.def->first) continue;  // print a +r range once
            char code[32];
            if (op & k0F) std::snprintf(code, sizeof code, "0F %02X", op & 0xFF);
            else std::snprintf(code, sizeof code, "%02X", op);
            std::string opcode = code;
            if (e.def->last != e.def->first) {
                char last[8];
                std::snprintf(last, sizeof last, "-%02X", e.def->last & 0xFF);
                opcode += last;
            }
            if (e.def->group >= 0) opcode += " /" + std::to_string(e.def->group);
            const bool mem_only = e.spec.modrm == ModrmUse::MemOnly;
            const bool has_mem = e.spec.modrm == ModrmUse::Any || mem_only || e.spec.imm1 == ImmKind::O;
            out << "| " << opcode << " | " << e.def->syntax << " | " << e.family << " | "
                << (mem_only ? std::string("—") : std::to_string(e.def->cost_reg)) << " | "
                << (has_mem ? std::to_string(e.def->cost_mem) : std::string("—")) << " |\n";
        }
    }
    return out.str();
}

}  // namespace

int main(int argc, char** argv) {
    const std::string table = render();
    if (argc == 3 && std::string(argv[1]) == "--check") {
        std::ifstream in(argv[2]);
        if (!in) {
            std::fprintf(stderr, "cannot read %s\n", argv[2]);
            return 2;
        }
        std::stringstream ss;
        ss << in.rdbuf();
        const std::string doc = ss.str();
        const size_t b = doc.find(kBegin), e = doc.find(kEnd);
        if (b == std::string::npos || e == std::string::npos || e < b) {
            std::fprintf(stderr, "%s: opcode-table markers missing\n", argv[2]);
            return 1;
        }
        const size_t start = doc.find('\n', b) + 1;
        if (doc.substr(start, e - start) != table) {
            std::fprintf(stderr, "%s: the opcode table differs from the emulator's; regenerate it with "
                                 "hm386-opcode-table and paste it between the markers\n", argv[2]);
            return 1;
        }
        std::printf("%s matches the opcode table (%u cells claimed)\n", argv[2], dispatch_table().claimed_cells());
        return 0;
    }
    if (argc != 1) {
        std::fprintf(stderr, "usage: hm386-opcode-table [--check FILE]\n");
        return 2;
    }
    std::fputs(table.c_str(), stdout);
    return 0;
}
