#include "debug/symbols.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>

#include "debug/debugger_types.hpp"

namespace hm::dbg {

namespace {

constexpr u32 kShtSymtab = 2;
constexpr u8 kSttObject = 1, kSttFunc = 2, kSttSection = 3, kSttFile = 4;
constexpr u8 kStbLocal = 0;

struct Reader {
    const std::vector<u8>& f;
    const std::string& name;
    [[noreturn]] void fail(const std::string& why) const { throw DebugError(name + ": " + why); }
    void need(u64 off, u64 len, const char* what) const {
        if (off > f.size() || len > f.size() - off) fail(std::string(what) + " lies outside the file");
    }
    u16 u16_at(u64 off) const { return static_cast<u16>(f[off] | (f[off + 1] << 8)); }
    u32 u32_at(u64 off) const {
        return u32{f[off]} | (u32{f[off + 1]} << 8) | (u32{f[off + 2]} << 16) | (u32{f[off + 3]} << 24);
    }
};

std::string demangle(const std::string& raw) {
    if (raw.rfind("_Z", 0) != 0) return raw;
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> out(abi::__cxa_demangle(raw.c_str(), nullptr, nullptr, &status), std::free);
    return status == 0 && out ? std::string(out.get()) : raw;
}

// "(anonymous namespace)::pkmap_count" -> "pkmap_count"; "kmap_high(page*)" ->
// "kmap_high"; "ktest::diag_command(unsigned int, unsigned long long)" -> "ktest::diag_command".
std::string qualified_of(std::string d) {
    const std::string anon = "(anonymous namespace)::";
    for (size_t p; (p = d.find(anon)) != std::string::npos;) d.erase(p, anon.size());
    if (size_t paren = d.find('('); paren != std::string::npos && paren > 0) d.resize(paren);
    // Local statics: "foo()::bar" keeps "foo" after the cut above; good enough for lookup.
    return d;
}

std::string short_of(const std::string& q) {
    int depth = 0;
    for (size_t i = q.size(); i-- > 0;) {
        if (q[i] == '>') ++depth;
        else if (q[i] == '<') --depth;
        else if (depth == 0 && q[i] == ':' && i > 0 && q[i - 1] == ':') return q.substr(i + 1);
    }
    return q;
}

}  // namespace

void SymbolTable::load(const std::string& path) {
    // An ifstream opens a directory and then fails its first read with a stream error.
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw DebugError("cannot read symbol file '" + path + "': it is a directory");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw DebugError("cannot read symbol file '" + path + "'");
    std::vector<u8> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    load_image(file, path);
}

void SymbolTable::load_image(const std::vector<u8>& file, const std::string& name) {
    // A System.map starts with an address in hex; an ELF file with 0x7F.
    if (!file.empty() && std::isxdigit(file[0])) return load_system_map(file, name);
    Reader r{file, name};
    if (file.size() < 4 || std::memcmp(file.data(), "\x7f" "ELF", 4) != 0) r.fail("not an ELF file (nor a Linux System.map)");
    r.need(0, 52, "the ELF header");
    if (file[4] != 1 || file[5] != 1) r.fail("not a 32-bit little-endian ELF file");
    const u32 shoff = r.u32_at(32);
    const u16 shentsize = r.u16_at(46), shnum = r.u16_at(48);
    if (shnum == 0) r.fail("no section headers (stripped?): no symbols");
    if (shentsize < 40) r.fail("bad section header size");
    r.need(shoff, u64{shentsize} * shnum, "the section header table");
    auto sh = [&](unsigned i, unsigned field) { return r.u32_at(shoff + u64{i} * shentsize + field * 4); };

    std::vector<Symbol> out;
    bool found = false;
    for (unsigned i = 0; i < shnum; ++i) {
        if (sh(i, 1) != kShtSymtab) continue;
        found = true;
        const u32 off = sh(i, 4), size = sh(i, 5), link = sh(i, 6), entsize = sh(i, 9);
        if (entsize < 16) r.fail("bad symbol entry size");
        r.need(off, size, "the symbol table");
        if (link >= shnum) r.fail("the symbol table names a missing string table");
        const u32 stroff = sh(link, 4), strsize = sh(link, 5);
        r.need(stroff, strsize, "the string table");
        for (u64 e = off; e + 16 <= u64{off} + size; e += entsize) {
            const u32 name_off = r.u32_at(e), value = r.u32_at(e + 4), sz = r.u32_at(e + 8);
            const u8 info = file[e + 12];
            const u16 shndx = r.u16_at(e + 14);
            const u8 type = info & 0xF;
            if (type == kSttSection || type == kSttFile || shndx == 0) continue;  // undefined or bookkeeping
            if (name_off >= strsize) r.fail("a symbol name lies outside the string table");
            const char* start = reinterpret_cast<const char*>(file.data() + stroff + name_off);
            const size_t len = strnlen(start, strsize - name_off);
            if (len == 0) continue;
            Symbol s;
            s.raw.assign(start, len);
            s.demangled = demangle(s.raw);
            s.qualified = qualified_of(s.demangled);
            s.short_name = short_of(s.qualified);
            s.addr = value;
            s.size = sz;
            s.function = type == kSttFunc;
            s.local = (info >> 4) == kStbLocal;
            if (type != kSttFunc && type != kSttObject && type != 0) continue;
            out.push_back(std::move(s));
        }
    }
    if (!found) r.fail("no symbol table (.symtab): stripped?");
    std::stable_sort(out.begin(), out.end(), [](const Symbol& a, const Symbol& b) { return a.addr < b.addr; });
    syms_ = std::move(out);
    path_ = name;
}

// `nm` output as Linux's System.map has it: "c1000000 T _text", one symbol a line.
// t/T/w/W are code; everything else (data, bss, rodata, absolute) is an object.
// Sizes are unknown (0): an address is described by the closest function below.
void SymbolTable::load_system_map(const std::vector<u8>& file, const std::string& name) {
    std::vector<Symbol> out;
    size_t pos = 0;
    unsigned lineno = 0;
    while (pos < file.size()) {
        size_t end = pos;
        while (end < file.size() && file[end] != '\n') ++end;
        const std::string line(file.begin() + static_cast<std::ptrdiff_t>(pos), file.begin() + static_cast<std::ptrdiff_t>(end));
        pos = end + 1;
        ++lineno;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        char addr[17] = {}, type = 0, sym[256] = {};
        int used = 0;
        if (std::sscanf(line.c_str(), "%16[0-9a-fA-F] %c %255s %n", addr, &type, sym, &used) != 3 ||
            line.find_first_not_of(" \t\r", static_cast<size_t>(used)) != std::string::npos) {
            throw DebugError(name + ":" + std::to_string(lineno) + ": not a System.map line (ADDRESS TYPE NAME)");
        }
        const unsigned long long value = std::strtoull(addr, nullptr, 16);
        if (value > 0xFFFFFFFFull) throw DebugError(name + ":" + std::to_string(lineno) + ": address above 4 GiB");
        Symbol s;
        s.raw = s.demangled = s.qualified = s.short_name = sym;
        s.addr = static_cast<u32>(value);
        s.function = type == 't' || type == 'T' || type == 'w' || type == 'W';
        s.local = std::islower(static_cast<unsigned char>(type)) != 0;
        out.push_back(std::move(s));
    }
    if (out.empty()) throw DebugError(name + ": no symbols");
    std::stable_sort(out.begin(), out.end(), [](const Symbol& a, const Symbol& b) { return a.addr < b.addr; });
    syms_ = std::move(out);
    path_ = name;
}

std::vector<const Symbol*> SymbolTable::find(const std::string& name) const {
    std::vector<const Symbol*> exact, shorts;
    for (const Symbol& s : syms_) {
        if (s.raw == name || s.demangled == name || s.qualified == name) exact.push_back(&s);
        else if (s.short_name == name) shorts.push_back(&s);
    }
    auto functions_first = [](std::vector<const Symbol*>& v) {
        std::stable_sort(v.begin(), v.end(), [](const Symbol* a, const Symbol* b) { return a->function > b->function; });
    };
    functions_first(exact);
    functions_first(shorts);
    exact.insert(exact.end(), shorts.begin(), shorts.end());
    return exact;
}

std::optional<u32> SymbolTable::address_of(const std::string& name) const {
    auto v = find(name);
    if (v.empty()) return std::nullopt;
    return v.front()->addr;
}

const Symbol* SymbolTable::covering(u32 addr) const {
    auto it = std::upper_bound(syms_.begin(), syms_.end(), addr, [](u32 a, const Symbol& s) { return a < s.addr; });
    // Among the symbols at or below addr, prefer one whose size covers it; the
    // table may hold several symbols at one address (aliases, size-0 labels).
    const Symbol* best = nullptr;
    for (auto i = it; i != syms_.begin();) {
        --i;
        if (i->size && addr - i->addr < i->size) return &*i;
        if (!best && !i->size && i->function) best = &*i;
        if (addr - i->addr > (1u << 20)) break;  // far below: stop looking
    }
    return best;
}

std::string SymbolTable::describe(u32 addr) const {
    const Symbol* s = covering(addr);
    if (!s) return {};
    const u32 off = addr - s->addr;
    if (off == 0) return s->qualified;
    char buf[24];
    std::snprintf(buf, sizeof buf, "+0x%x", off);
    return s->qualified + buf;
}

}  // namespace hm::dbg
