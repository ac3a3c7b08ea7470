// One-line descriptions of emulator events and #PF error codes, shared by the
// debugger core's stop messages, the command language and the gdb stub's
// monitor output.
#pragma once
#include <string>

#include "debug/debugger_types.hpp"

namespace hm::dbg {

// "not present, write, supervisor" (+ ", reserved bit", ", instruction fetch").
std::string pf_error_text(u32 error_code);
// "#PF" for 14, "#GP" for 13, "vector 0x20" beyond the exceptions.
std::string vector_text(u8 vector);
std::string describe_record(const EventRecord& r);
std::string describe_event(const EventHit& e);

}  // namespace hm::dbg
