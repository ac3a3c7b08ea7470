// Writes an RGBA image as a PNG file (libpng), and reads one back for the
// screenshot tests. Errors are one-line std::runtime_error messages; libpng's
// longjmp never crosses C++ frames with destructors (see png_writer.cpp).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace hm::gui {

struct RgbaImage {
    unsigned width = 0, height = 0;
    std::vector<std::uint8_t> pixels;  // width * height * 4 bytes, rows top to bottom, R G B A
    // Uncompressed tEXt chunks (keyword, text), written before the pixels. A
    // screenshot records the machine state it shows ("hm386-stop": cycles and
    // instructions), so a check can tell whether a picture is still what a fresh
    // run shows (tools/scripts/golden-figures.sh). Not read back by read_png.
    std::vector<std::pair<std::string, std::string>> text;
};

// Throws std::runtime_error naming the file when it cannot be written.
void write_png(const std::string& path, const RgbaImage& image);
// Throws std::runtime_error when the file is missing or not a PNG libpng can read.
RgbaImage read_png(const std::string& path);

}  // namespace hm::gui
