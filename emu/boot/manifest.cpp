#include "boot/manifest.hpp"

#include <algorithm>

#include "boot/boot_error.hpp"

namespace hm {

namespace {
std::string trim(const std::string& s) {
    size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    size_t e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

std::string dir_of(const std::string& path) {
    size_t slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}
}  // namespace

bool looks_like_manifest(const std::vector<unsigned char>& head) {
    if (head.size() >= 4 && head[0] == 0x7F && head[1] == 'E' && head[2] == 'L' && head[3] == 'F') return false;
    size_t n = std::min<size_t>(head.size(), 4096);
    return std::find(head.begin(), head.begin() + static_cast<std::ptrdiff_t>(n), 0) ==
           head.begin() + static_cast<std::ptrdiff_t>(n);
}

Manifest parse_manifest(const std::string& text, const std::string& path, const ManifestVars& vars) {
    Manifest m;
    m.path = path;
    const std::string here = dir_of(path);
    unsigned lineno = 0;
    size_t pos = 0;
    auto fail = [&](const std::string& why) -> BootError {
        return BootError(path + ":" + std::to_string(lineno) + ": " + why);
    };
    auto expand = [&](const std::string& v) {
        std::string out;
        for (size_t i = 0; i < v.size(); ++i) {
            if (v[i] == '$' && i + 1 < v.size() && v[i + 1] == '{') {
                size_t close = v.find('}', i);
                if (close == std::string::npos) throw fail("unterminated ${ in '" + v + "'");
                std::string name = v.substr(i + 2, close - i - 2);
                if (name == "BUILD") {
                    if (vars.build_dir.empty()) throw fail("${BUILD} is not known (set HM386_BUILD_DIR)");
                    out += vars.build_dir;
                } else if (name == "HERE") {
                    out += here;
                } else {
                    throw fail("unknown variable ${" + name + "} (known: ${BUILD}, ${HERE})");
                }
                i = close;
            } else {
                out.push_back(v[i]);
            }
        }
        return out;
    };
    auto resolve = [&](const std::string& p) { return (!p.empty() && p[0] == '/') ? p : here + "/" + p; };
    auto set_once = [&](std::optional<std::string>& slot, const std::string& key, std::string value) {
        if (slot) throw fail("'" + key + "' given twice");
        slot = std::move(value);
    };
    while (pos <= text.size()) {
        size_t nl = text.find('\n', pos);
        std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        pos = nl == std::string::npos ? text.size() + 1 : nl + 1;
        ++lineno;
        std::string t = trim(line);
        if (t.empty() || t[0] == '#') continue;
        size_t eq = t.find('=');
        if (eq == std::string::npos) throw fail("expected 'key = value', got '" + t + "'");
        std::string key = trim(t.substr(0, eq));
        std::string value = trim(t.substr(eq + 1));
        if (key.empty()) throw fail("missing key before '='");
        if (key == "append") {  // taken literally: the guest's command line
            set_once(m.append, key, value);
            continue;
        }
        if (value.empty()) throw fail("'" + key + "' has no value");
        value = expand(value);
        if (key == "kernel") {
            set_once(m.kernel, key, resolve(value));
        } else if (key == "rom") {
            set_once(m.rom, key, resolve(value));
        } else if (key == "module") {
            size_t sp = value.find_first_of(" \t");
            std::string file = value.substr(0, sp);
            std::string args = sp == std::string::npos ? "" : value.substr(sp);
            m.modules.push_back(resolve(file) + args);
        } else if (key == "initrd") {
            set_once(m.initrd, key, resolve(value));
        } else if (key == "mem") {
            set_once(m.mem, key, value);
            m.mem_line = lineno;
        } else if (key == "cpu-mhz") {
            set_once(m.cpu_mhz, key, value);
            m.cpu_mhz_line = lineno;
        } else if (key == "cpu") {
            set_once(m.cpu, key, value);
            m.cpu_line = lineno;
        } else if (key == "smp") {
            set_once(m.smp, key, value);
            m.smp_line = lineno;
        } else if (key == "symbols") {
            set_once(m.symbols, key, resolve(value));
        } else if (key == "description") {
            set_once(m.description, key, value);
        } else {
            throw fail("unknown key '" + key + "' (known: kernel, rom, module, initrd, mem, append, cpu-mhz, cpu, smp, symbols, description)");
        }
    }
    lineno = 0;
    if (m.kernel && m.rom) throw BootError(path + ": names both a kernel and a rom; choose one");
    if (!m.kernel && !m.rom) throw BootError(path + ": names neither a kernel nor a rom");
    if (m.rom && (!m.modules.empty() || m.initrd)) throw BootError(path + ": modules need a Multiboot kernel, not a rom");
    return m;
}

Manifest load_manifest(const std::string& path, const ManifestVars& vars) {
    std::string text = read_file_text(path, 1 * kMiB, "manifest");
    std::vector<unsigned char> head(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(std::min<size_t>(text.size(), 4096)));
    if (!looks_like_manifest(head)) throw BootError(path + ": not a manifest, an ELF kernel or a Multiboot image");
    return parse_manifest(text, path, vars);
}

}  // namespace hm
