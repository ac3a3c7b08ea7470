#include "boot_record.hpp"

namespace hm {

const char* boot_end_name(BootEnd e) {
    switch (e) {
        case BootEnd::Exited: return "exited";
        case BootEnd::Shutdown: return "triple fault / shutdown";
        case BootEnd::Reset: return "reset requested";
        case BootEnd::Hang: return "hang";
        case BootEnd::Timeout: return "host timeout";
        case BootEnd::CycleLimit: return "cycle limit";
        case BootEnd::InternalError: return "emulator internal error";
    }
    return "?";
}

}  // namespace hm
