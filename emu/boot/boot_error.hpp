// A bad kernel, module, ROM or manifest: one readable line naming the file and
// the problem. Front ends print it and exit with the "bad image" status (65).
#pragma once
#include <stdexcept>
#include <string>
#include <vector>

#include "core/types.hpp"

namespace hm {

class BootError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Reads a whole file; BootError if it cannot be read or exceeds max_bytes.
// `what` names the role in messages ("kernel", "module", "ROM image").
std::string read_file_text(const std::string& path, u64 max_bytes, const char* what);
std::vector<u8> read_file_bytes(const std::string& path, u64 max_bytes, const char* what);

std::string hex32(u64 v);  // "0x0010a000"

}  // namespace hm
