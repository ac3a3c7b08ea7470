#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <unistd.h>

#include "png_writer.hpp"

using hm::gui::RgbaImage;

namespace {

std::string temp_path(const char* name) {
    return "/tmp/hm386_gui_png_test_" + std::to_string(::getpid()) + "_" + name;
}

RgbaImage gradient(unsigned w, unsigned h) {
    RgbaImage img;
    img.width = w;
    img.height = h;
    img.pixels.resize(size_t{w} * h * 4);
    for (unsigned y = 0; y < h; ++y) {
        for (unsigned x = 0; x < w; ++x) {
            std::uint8_t* p = &img.pixels[(size_t{y} * w + x) * 4];
            p[0] = static_cast<std::uint8_t>(x * 7);
            p[1] = static_cast<std::uint8_t>(y * 13);
            p[2] = static_cast<std::uint8_t>(x ^ y);
            p[3] = static_cast<std::uint8_t>(255 - x);
        }
    }
    return img;
}

}  // namespace

TEST_CASE("a PNG written and read back has the same size and pixels") {
    const std::string path = temp_path("roundtrip.png");
    const RgbaImage img = gradient(37, 21);
    hm::gui::write_png(path, img);
    const RgbaImage back = hm::gui::read_png(path);
    std::remove(path.c_str());
    CHECK(back.width == 37);
    CHECK(back.height == 21);
    CHECK(back.pixels == img.pixels);
}

TEST_CASE("write_png refuses an image whose pixels do not match its size") {
    RgbaImage img = gradient(4, 4);
    img.pixels.pop_back();
    CHECK_THROWS_AS(hm::gui::write_png(temp_path("bad.png"), img), std::runtime_error);
    RgbaImage empty;
    CHECK_THROWS_AS(hm::gui::write_png(temp_path("empty.png"), empty), std::runtime_error);
}

TEST_CASE("write_png names the file it cannot write") {
    try {
        hm::gui::write_png("/nonexistent-dir/x.png", gradient(2, 2));
        FAIL("no exception");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).find("/nonexistent-dir/x.png") != std::string::npos);
    }
}

TEST_CASE("read_png refuses a file that is not a PNG, and a truncated one") {
    const std::string text = temp_path("text.png");
    {
        std::ofstream(text) << "not a png at all";
    }
    CHECK_THROWS_AS(hm::gui::read_png(text), std::runtime_error);
    std::remove(text.c_str());
    CHECK_THROWS_AS(hm::gui::read_png(temp_path("missing.png")), std::runtime_error);

    const std::string full = temp_path("full.png");
    hm::gui::write_png(full, gradient(64, 64));
    std::ifstream in(full, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    in.close();
    const std::string cut = temp_path("cut.png");
    std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
    CHECK_THROWS_AS(hm::gui::read_png(cut), std::runtime_error);
    std::remove(full.c_str());
    std::remove(cut.c_str());
}

TEST_CASE("a PNG carries its text chunks as plain bytes, so a check can grep the stop it shows") {
    const std::string path = temp_path("text.png");
    RgbaImage img = gradient(8, 8);
    img.text.push_back({"hm386-stop", "cycles 5122663 instructions 2067583"});
    hm::gui::write_png(path, img);
    std::ifstream in(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(bytes.find(std::string("tEXthm386-stop\0cycles 5122663 instructions 2067583", 50)) != std::string::npos);
    const RgbaImage back = hm::gui::read_png(path);  // still an ordinary picture
    CHECK(back.pixels == img.pixels);
    std::remove(path.c_str());
}
