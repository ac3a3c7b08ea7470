#include "mmu/access.hpp"

namespace hm {

const char* access_name(Access a) {
    switch (a) {
        case Access::Read: return "read";
        case Access::Write: return "write";
        case Access::Execute: return "execute";
    }
    return "?";
}

const char* paging_mode_name(PagingMode m) {
    switch (m) {
        case PagingMode::None: return "no paging";
        case PagingMode::TwoLevel: return "two-level";
        case PagingMode::Pae: return "PAE";
    }
    return "?";
}

}  // namespace hm
