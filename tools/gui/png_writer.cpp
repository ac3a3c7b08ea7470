// libpng reports errors through longjmp. The functions that call setjmp hold
// only plain pointers and C resources, so a longjmp out of libpng skips no
// destructor; the C++ wrappers around them turn a failure into an exception.
#include "png_writer.hpp"

#include <png.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace hm::gui {

namespace {

// 0 on success; on failure, `why` holds libpng's message.
// `text` is built by the caller: nothing with a destructor may live in this frame.
int write_rows(std::FILE* f, const RgbaImage& img, png_text* text, int n_text, char* why, size_t why_len) {
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    if (!png) return -1;
    png_infop info = png_create_info_struct(png);
    if (!info || setjmp(png_jmpbuf(png))) {
        std::snprintf(why, why_len, "libpng failed");
        png_destroy_write_struct(&png, info ? &info : nullptr);
        return -1;
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, img.width, img.height, 8, PNG_COLOR_TYPE_RGBA, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    // Screenshots are flat colours and text: the highest compression keeps the
    // committed documentation images small.
    png_set_compression_level(png, 9);
    if (n_text) png_set_text(png, info, text, n_text);
    png_write_info(png, info);
    for (unsigned y = 0; y < img.height; ++y) {
        png_write_row(png, const_cast<png_bytep>(&img.pixels[size_t{y} * img.width * 4]));
    }
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return 0;
}

int read_rows(std::FILE* f, RgbaImage* out, char* why, size_t why_len) {
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    if (!png) return -1;
    png_infop info = png_create_info_struct(png);
    if (!info || setjmp(png_jmpbuf(png))) {
        std::snprintf(why, why_len, "not a readable PNG");
        png_destroy_read_struct(&png, info ? &info : nullptr, nullptr);
        return -1;
    }
    png_init_io(png, f);
    png_read_info(png, info);
    const png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    if (w == 0 || h == 0 || w > 16384 || h > 16384) {
        std::snprintf(why, why_len, "unexpected size %ux%u", static_cast<unsigned>(w), static_cast<unsigned>(h));
        png_destroy_read_struct(&png, &info, nullptr);
        return -1;
    }
    // Whatever the stored format, hand back 8-bit RGBA.
    png_set_expand(png);
    png_set_strip_16(png);
    png_set_gray_to_rgb(png);
    png_set_add_alpha(png, 0xFF, PNG_FILLER_AFTER);
    png_read_update_info(png, info);
    out->width = w;
    out->height = h;
    out->pixels.resize(size_t{w} * h * 4);
    for (png_uint_32 y = 0; y < h; ++y) png_read_row(png, &out->pixels[size_t{y} * w * 4], nullptr);
    png_read_end(png, nullptr);
    png_destroy_read_struct(&png, &info, nullptr);
    return 0;
}

}  // namespace

void write_png(const std::string& path, const RgbaImage& image) {
    if (image.width == 0 || image.height == 0 || image.pixels.size() != size_t{image.width} * image.height * 4) {
        throw std::runtime_error("screenshot: the image is empty or its size does not match its pixels");
    }
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) throw std::runtime_error("cannot write '" + path + "': " + std::strerror(errno));
    std::vector<png_text> text(image.text.size());
    for (size_t i = 0; i < image.text.size(); ++i) {
        text[i].compression = PNG_TEXT_COMPRESSION_NONE;  // plain bytes: greppable in the file
        text[i].key = const_cast<png_charp>(image.text[i].first.c_str());
        text[i].text = const_cast<png_charp>(image.text[i].second.c_str());
        text[i].text_length = image.text[i].second.size();
    }
    char why[128] = "";
    const int rc = write_rows(f, image, text.data(), static_cast<int>(text.size()), why, sizeof why);
    const bool closed = std::fclose(f) == 0;
    if (rc != 0 || !closed) throw std::runtime_error("cannot write '" + path + "': " + (rc ? why : "close failed"));
}

RgbaImage read_png(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw std::runtime_error("cannot read '" + path + "': " + std::strerror(errno));
    unsigned char sig[8] = {};
    if (std::fread(sig, 1, 8, f) != 8 || png_sig_cmp(sig, 0, 8) != 0) {
        std::fclose(f);
        throw std::runtime_error("'" + path + "' is not a PNG file");
    }
    std::rewind(f);
    RgbaImage img;
    char why[128] = "";
    const int rc = read_rows(f, &img, why, sizeof why);
    std::fclose(f);
    if (rc != 0) throw std::runtime_error("'" + path + "': " + why);
    return img;
}

}  // namespace hm::gui
