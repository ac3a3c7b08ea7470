#include "boot/boot_error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <sys/stat.h>

namespace hm {

std::vector<u8> read_file_bytes(const std::string& path, u64 max_bytes, const char* what) {
    struct stat st {};
    if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        throw BootError(std::string("cannot read ") + what + " '" + path + "': it is a directory");
    }
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw BootError(std::string("cannot read ") + what + " '" + path + "': " + std::strerror(errno));
    std::streamoff size = in.tellg();
    if (size < 0) throw BootError(std::string("cannot read ") + what + " '" + path + "': not a regular file");
    if (static_cast<u64>(size) > max_bytes) {
        throw BootError(std::string(what) + " '" + path + "' is " + std::to_string(size) + " bytes; at most " +
                        std::to_string(max_bytes) + " fit");
    }
    std::vector<u8> data(static_cast<size_t>(size));
    in.seekg(0);
    if (size > 0 && !in.read(reinterpret_cast<char*>(data.data()), size)) {
        throw BootError(std::string("cannot read ") + what + " '" + path + "'");
    }
    return data;
}

std::string read_file_text(const std::string& path, u64 max_bytes, const char* what) {
    std::vector<u8> b = read_file_bytes(path, max_bytes, what);
    return std::string(b.begin(), b.end());
}

std::string hex32(u64 v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, v > 0xFFFFFFFFull ? "0x%llx" : "0x%08llx", static_cast<unsigned long long>(v));
    return buf;
}

}  // namespace hm
