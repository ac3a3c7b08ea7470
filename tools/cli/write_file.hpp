// Output files of the test commands (JUnit XML, CSV, logs): their folders are
// created on demand, so `--junit build/results/x.xml` works in a fresh tree.
#pragma once
#include <filesystem>
#include <fstream>
#include <string>

namespace hm {

// Creates the file's folder if needed and opens the file (truncating it).
inline std::ofstream open_for_writing(const std::string& path) {
    std::filesystem::path parent = std::filesystem::path(path).parent_path();
    std::error_code ec;
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);
    return std::ofstream(path, std::ios::binary);
}

inline bool write_file(const std::string& path, const std::string& text) {
    std::ofstream out = open_for_writing(path);
    out << text;
    return static_cast<bool>(out);
}

}  // namespace hm
