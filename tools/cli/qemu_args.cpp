#include "qemu_args.hpp"

#include <map>

namespace hm {

namespace {
bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }
}  // namespace

std::vector<std::string> translate_qemu_args(const std::vector<std::string>& args) {
    static const std::map<std::string, std::string> renamed = {
        {"-kernel", "--kernel"}, {"-append", "--append"},     {"-initrd", "--initrd"},
        {"-bios", "--rom"},      {"-serial", "--serial"},     {"-debugcon", "--debugcon"},
        {"-smp", "--smp"},
    };
    std::vector<std::string> out;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--") {  // everything after is positional
            out.insert(out.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
            break;
        }
        if (auto it = renamed.find(a); it != renamed.end()) {
            out.push_back(it->second);
            continue;
        }
        if (a == "-no-reboot" || a == "-nographic") continue;
        auto need_value = [&](const std::string& opt) -> const std::string& {
            if (i + 1 >= args.size()) throw UsageError(opt + " needs a value");
            return args[++i];
        };
        if (a == "-display") {
            const std::string& v = need_value(a);
            if (v != "none") throw UsageError("-display " + v + ": hm386 has no display here (use hm386-gui)");
            continue;
        }
        if (a == "-rtc") {
            const std::string& v = need_value(a);
            std::string base;
            size_t pos = 0;
            while (pos <= v.size()) {
                size_t comma = v.find(',', pos);
                std::string item = v.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
                pos = comma == std::string::npos ? v.size() + 1 : comma + 1;
                if (starts_with(item, "base=")) {
                    base = item.substr(5);
                } else if (item != "clock=vm") {
                    throw UsageError("-rtc " + item + ": hm386's RTC always runs on virtual time from a fixed base");
                }
            }
            if (base == "utc" || base == "localtime") {
                throw UsageError("-rtc base=" + base + ": host time would make runs irreproducible; give a date");
            }
            if (!base.empty()) {
                out.push_back("--rtc-base");
                out.push_back(base);
            }
            continue;
        }
        // QEMU's gdb options: -s is -gdb tcp::1234; hm386 always waits for gdb
        // before running (as with -S), so -S alone changes nothing.
        if (a == "-s") {
            out.push_back("--gdb");
            out.push_back("1234");
            continue;
        }
        if (a == "-S") continue;
        if (a == "-gdb") {
            const std::string& v = need_value(a);
            std::string port;
            if (starts_with(v, "tcp::")) port = v.substr(5);
            else if (starts_with(v, "tcp:localhost:")) port = v.substr(14);
            else if (starts_with(v, "tcp:127.0.0.1:")) port = v.substr(14);
            else throw UsageError("-gdb " + v + ": hm386's gdb stub listens on localhost only: -gdb tcp::PORT");
            out.push_back("--gdb");
            out.push_back(port);
            continue;
        }
        if (a == "-device") {
            const std::string& v = need_value(a);
            if (v == "pc-testdev") {
                out.push_back("--device");
                out.push_back("pc-testdev");
                continue;
            }
            if (!starts_with(v, "isa-debug-exit")) throw UsageError("-device " + v + ": hm386's devices are fixed");
            std::string rest = v.substr(std::string("isa-debug-exit").size());
            size_t pos = 0;
            while (pos < rest.size()) {
                if (rest[pos] == ',') ++pos;
                size_t comma = rest.find(',', pos);
                std::string item = rest.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
                pos = comma == std::string::npos ? rest.size() : comma;
                if (item.empty()) continue;
                if (item != "iobase=0xf4" && item != "iosize=0x04" && item != "iosize=4" && item != "iobase=244") {
                    throw UsageError("-device isa-debug-exit," + item + ": hm386's debug-exit device is at 0xf4, 4 ports");
                }
            }
            out.push_back("--debug-exit-qemu");
            continue;
        }
        out.push_back(a);
    }
    return out;
}

std::vector<std::string> split_initrd_list(const std::string& list) {
    std::vector<std::string> mods;
    std::string cur;
    for (size_t i = 0; i < list.size(); ++i) {
        if (list[i] == ',') {
            if (i + 1 < list.size() && list[i + 1] == ',') {
                cur.push_back(',');
                ++i;
                continue;
            }
            mods.push_back(cur);
            cur.clear();
            continue;
        }
        cur.push_back(list[i]);
    }
    mods.push_back(cur);
    return mods;
}

}  // namespace hm
