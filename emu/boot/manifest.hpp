// Image manifests: small text files in images/ that name what to boot, so
// `hm386 run images/NAME` starts a ready-made guest.
//
//   # comment lines start with '#'
//   description = the bare-metal hello guest
//   kernel  = ${BUILD}/guest/hello.elf   # a Multiboot kernel, or
//   rom     = firmware.bin               # a raw reset-vector ROM
//   module  = ${BUILD}/initrd.img root=1 # repeatable: PATH [ARGS]
//   initrd  = ${BUILD}/linux/initramfs.cpio.gz  # a Linux initrd (for a
//                                          # Multiboot kernel: one more module)
//   mem     = 64M
//   append  = exit=0 verbose
//   cpu-mhz = 100
//   smp     = 4                            # CPUs, as -smp N
//   symbols = ${BUILD}/linux/System.map    # for hm386 debug / hm386-gui (as --symbols)
//
// Paths are relative to the manifest's directory unless absolute. ${BUILD} is
// the build tree (HM386_BUILD_DIR, or the tree hm386 was built in), ${HERE} the
// manifest's directory. Command-line options override the manifest's values.
// Everything after '=' is the value (leading/trailing blanks trimmed), so an
// append line may contain '#' and '='.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace hm {

struct Manifest {
    std::string path;
    std::optional<std::string> description;
    std::optional<std::string> kernel;
    std::optional<std::string> rom;
    std::vector<std::string> modules;  // "PATH [ARGS]" with PATH resolved
    std::optional<std::string> initrd;  // resolved path
    std::optional<std::string> mem;
    std::optional<std::string> append;
    std::optional<std::string> cpu_mhz;
    std::optional<std::string> cpu;  // the CPU profile (--cpu)
    std::optional<std::string> smp;
    std::optional<std::string> symbols;  // resolved path: the debugger's symbols (ELF or System.map)
    // Where mem and cpu-mhz were given: their values are checked later, by the
    // run's option parser, whose errors name the line.
    unsigned mem_line = 0;
    unsigned cpu_mhz_line = 0;
    unsigned cpu_line = 0;
    unsigned smp_line = 0;
};

struct ManifestVars {
    std::string build_dir;
};

// Throws BootError ("images/demo:3: unknown key 'kernal'").
Manifest parse_manifest(const std::string& text, const std::string& path, const ManifestVars& vars);
Manifest load_manifest(const std::string& path, const ManifestVars& vars);

// True if the bytes look like a manifest rather than a binary image (no NUL in
// the first 4 KiB, no ELF magic).
bool looks_like_manifest(const std::vector<unsigned char>& head);

}  // namespace hm
