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
// Where a walk's entry points: "-> frame 0x000105000", "-> table 0x000102000",
// or, for an entry that is not present, that it points nowhere.
std::string walk_target_text(const WalkLevel& l);
// "off", "two-level", "PAE": the paging mode after the word "paging".
const char* paging_word(PagingMode m);
// "1 entry", "3 entries".
std::string count_text(u64 n, const char* one, const char* many);
// The kind of a system descriptor (S = 0) by its type: "32-bit TSS (busy)", "LDT".
std::string system_type_text(u32 type);
// "16-bit" or "32-bit" for code, data and gate/TSS descriptors; empty for an LDT
// or task gate, which have no width. `attr` is a segment cache's attributes.
const char* segment_width_text(u32 attr);

}  // namespace hm::dbg
