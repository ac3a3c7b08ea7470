// Symbols from an ELF file's symbol table (.symtab) or a Linux System.map, for breakpoints by name,
// "function+offset" in disassembly and stops, and the kernel-awareness readers.
// C++ names are demangled; a symbol can be named by its raw (mangled) name, its
// demangled name, its qualified name without parameters ("ktest::diag_command"),
// or its last component ("kmap_high", "pkmap_count" for a static in an anonymous
// namespace). The reader validates every offset: a bad file is a DebugError.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/types.hpp"

namespace hm::dbg {

struct Symbol {
    std::string raw;        // as stored: "_Z9kmap_highP4page"
    std::string demangled;  // "kmap_high(page*)"
    std::string qualified;  // without parameters or anonymous namespaces: "kmap_high"
    std::string short_name; // last component: "kmap_high"
    u32 addr = 0;
    u32 size = 0;
    bool function = false;
    bool local = false;
};

class SymbolTable {
public:
    // Replaces the table with the symbols of an ELF32 file. Throws DebugError.
    void load(const std::string& path);
    // An ELF32 image, or a Linux System.map (text: "ADDRESS TYPE NAME" lines).
    void load_image(const std::vector<u8>& file, const std::string& name);
    bool empty() const { return syms_.empty(); }
    size_t size() const { return syms_.size(); }
    const std::string& path() const { return path_; }

    // Every symbol the name designates (see the top of this file), best first:
    // exact matches before short-name matches, functions before data.
    std::vector<const Symbol*> find(const std::string& name) const;
    // The address of the best match, or nullopt.
    std::optional<u32> address_of(const std::string& name) const;
    // The symbol whose [addr, addr + size) covers `addr` (the closest one below
    // when sizes are 0), or nullptr.
    const Symbol* covering(u32 addr) const;
    // "name+0x12" / "name", or empty.
    std::string describe(u32 addr) const;

private:
    void load_system_map(const std::vector<u8>& file, const std::string& name);
    std::vector<Symbol> syms_;  // sorted by address
    std::string path_;
};

}  // namespace hm::dbg
