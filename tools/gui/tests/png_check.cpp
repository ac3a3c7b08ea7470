// png_check: what the screenshot tests need to know about a PNG, without
// asserting pixel-exact rendering.
//   png_check info FILE              -> "WIDTH HEIGHT DISTINCT_COLOURS"
//   png_check diff A B X Y W H       -> pixels that differ inside the region
//                                       (X Y W H as fractions of the size, 0..1)
// Exit status 2 with a message on bad usage or an unreadable file.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <unordered_set>

#include "png_writer.hpp"

using hm::gui::RgbaImage;

namespace {

unsigned colours(const RgbaImage& img) {
    std::unordered_set<std::uint32_t> seen;
    for (size_t i = 0; i + 3 < img.pixels.size(); i += 4) {
        seen.insert(std::uint32_t{img.pixels[i]} << 16 | std::uint32_t{img.pixels[i + 1]} << 8 | img.pixels[i + 2]);
    }
    return static_cast<unsigned>(seen.size());
}

double fraction(const char* s) {
    char* end = nullptr;
    const double v = std::strtod(s, &end);
    if (*end != '\0' || v < 0 || v > 1) throw std::runtime_error(std::string("not a fraction between 0 and 1: ") + s);
    return v;
}

unsigned long differing(const RgbaImage& a, const RgbaImage& b, double fx, double fy, double fw, double fh) {
    if (a.width != b.width || a.height != b.height) throw std::runtime_error("the two images differ in size");
    const unsigned x0 = static_cast<unsigned>(fx * a.width), y0 = static_cast<unsigned>(fy * a.height);
    const unsigned x1 = std::min(a.width, static_cast<unsigned>((fx + fw) * a.width));
    const unsigned y1 = std::min(a.height, static_cast<unsigned>((fy + fh) * a.height));
    unsigned long n = 0;
    for (unsigned y = y0; y < y1; ++y) {
        for (unsigned x = x0; x < x1; ++x) {
            const size_t i = (size_t{y} * a.width + x) * 4;
            n += std::memcmp(&a.pixels[i], &b.pixels[i], 3) != 0;
        }
    }
    return n;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        if (argc == 3 && std::strcmp(argv[1], "info") == 0) {
            const RgbaImage img = hm::gui::read_png(argv[2]);
            std::printf("%u %u %u\n", img.width, img.height, colours(img));
            return 0;
        }
        if (argc == 8 && std::strcmp(argv[1], "diff") == 0) {
            const RgbaImage a = hm::gui::read_png(argv[2]);
            const RgbaImage b = hm::gui::read_png(argv[3]);
            std::printf("%lu\n", differing(a, b, fraction(argv[4]), fraction(argv[5]), fraction(argv[6]), fraction(argv[7])));
            return 0;
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "png_check: %s\n", e.what());
        return 2;
    }
    std::fprintf(stderr, "usage: png_check info FILE | png_check diff A B X Y W H\n");
    return 2;
}
