#include "core/fault.hpp"

namespace hm {

const char* vector_name(Vector v) {
    switch (v) {
        case Vector::DE: return "#DE divide error";
        case Vector::DB: return "#DB debug";
        case Vector::NMI: return "NMI";
        case Vector::BP: return "#BP breakpoint";
        case Vector::OF: return "#OF overflow";
        case Vector::BR: return "#BR bound range";
        case Vector::UD: return "#UD invalid opcode";
        case Vector::NM: return "#NM device not available";
        case Vector::DF: return "#DF double fault";
        case Vector::TS: return "#TS invalid TSS";
        case Vector::NP: return "#NP segment not present";
        case Vector::SS: return "#SS stack fault";
        case Vector::GP: return "#GP general protection";
        case Vector::PF: return "#PF page fault";
        case Vector::MF: return "#MF x87 error";
        case Vector::AC: return "#AC alignment check";
        case Vector::MC: return "#MC machine check";
    }
    return "reserved vector";
}

}  // namespace hm
