// Fuzz target: the image-manifest parser (emu/boot/manifest.cpp). Any text is
// either a Manifest or one BootError; nothing else may escape.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "boot/boot_error.hpp"
#include "boot/manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const std::vector<unsigned char> head(data, data + size);
    (void)hm::looks_like_manifest(head);
    // Both with and without a known build folder: ${BUILD} takes another path.
    for (const char* build : {"/build/tree", ""}) {
        try {
            const hm::Manifest m = hm::parse_manifest(text, "images/fuzz", hm::ManifestVars{build});
            // A manifest that parsed names exactly one of kernel and rom.
            if (m.kernel.has_value() == m.rom.has_value()) __builtin_trap();
        } catch (const hm::BootError&) {
        }
    }
    return 0;
}
