// Merges every family's rows into the dispatch table the decoder reads, one
// table per CPU model: the model's profile (cpu_profile.hpp) removes the
// encodings the part lacks (no handler: #UD) and replaces base costs. Building
// it checks for duplicate claims (dispatch_table.cpp); whatever no row claims
// decodes to #UD.
#include "cpu/ops/families.hpp"

#include <iterator>
#include <memory>
#include <vector>

#include "cpu/core.hpp"

namespace hm::cpu {

namespace {
const Insn* op_undefined_opcode(Core&, const Insn*) { raise(Vector::UD); }

// A function, not a namespace-scope array: the families live in other files,
// whose initialisation order relative to this one is unspecified.
std::span<const OpcodeFamily> all_families() {
    static const OpcodeFamily families[] = {
        kAluFamily,    kMovFamily, kStackFamily,  kControlFamily, kFarFamily,        kShiftFamily,
        kMulDivFamily, kBitFamily, kStringFamily, kBcdFamily,     kFlagFamily,       kIoFamily,
        kSystemFamily, kDescriptorFamily, kExchangeFamily, kX87Family,
    };
    return families;
}

bool covers(u16 first, u16 last, i8 group, const OpcodeDef& d) {
    return d.first >= first && d.last <= last && (group < 0 || d.group == group);
}

// A profile's rows: copies of the families' rows, edited. The spans of
// `families` point into `rows`, and the table points into both.
struct ProfileTable {
    std::vector<std::vector<OpcodeDef>> rows;
    std::vector<OpcodeFamily> families;
    std::unique_ptr<DispatchTable> table;
};

ProfileTable build(const CpuProfile& p) {
    ProfileTable t;
    for (const OpcodeFamily& fam : all_families()) {
        std::vector<OpcodeDef> rows;
        for (OpcodeDef d : fam.defs) {
            for (const MissingEncoding& m : p.missing) {
                if (!covers(m.opcode, m.opcode, m.group, d)) continue;
                for (auto& by_o32 : d.forms.h)
                    for (auto& by_a32 : by_o32) {
                        if (m.forms & form_bit::kReg) by_a32[0] = nullptr;
                        if (m.forms & form_bit::kMem) by_a32[1] = nullptr;
                    }
            }
            for (const CostOverride& o : p.costs) {
                if (!covers(o.first, o.last, o.group, d)) continue;
                if (o.cost_reg != kKeep) d.cost_reg = o.cost_reg;
                if (o.cost_mem != kKeep) d.cost_mem = o.cost_mem;
            }
            bool any = false;
            for (auto& by_o32 : d.forms.h)
                for (auto& by_a32 : by_o32)
                    for (Handler h : by_a32) any |= h != nullptr;
            if (any) rows.push_back(d);  // a row with no form left is not claimed at all
        }
        t.rows.push_back(std::move(rows));
    }
    for (size_t i = 0; i < t.rows.size(); ++i) t.families.push_back({all_families()[i].name, t.rows[i]});
    t.table = std::make_unique<DispatchTable>(t.families, &op_undefined_opcode);
    return t;
}
}  // namespace

const DispatchTable& dispatch_table(CpuModel m) {
    static const ProfileTable tables[] = {
        build(cpu_profile(CpuModel::Default)),
        build(cpu_profile(CpuModel::I486)),
        build(cpu_profile(CpuModel::Pentium)),
        build(cpu_profile(CpuModel::P6)),
        build(cpu_profile(CpuModel::I486NoCpuid)),
    };
    static_assert(static_cast<int>(CpuModel::I486NoCpuid) == 4, "one table per model, in enum order");
    const unsigned n = static_cast<unsigned>(m);
    return *tables[n < std::size(tables) ? n : 0].table;
}

}  // namespace hm::cpu

namespace hm::cpu {

std::optional<u32> base_cost(CpuModel m, u16 opcode, u8 reg, bool mem) {
    if (opcode >= DispatchTable::kOpcodes) return std::nullopt;
    const DispatchEntry& e = dispatch_table(m).entry(opcode, reg);
    if (!e.def) return std::nullopt;
    bool any = false;
    for (auto& by_o32 : e.def->forms.h)
        for (auto& by_a32 : by_o32) any |= by_a32[mem] != nullptr;
    if (!any) return std::nullopt;
    return mem ? e.def->cost_mem : e.def->cost_reg;
}

}  // namespace hm::cpu
