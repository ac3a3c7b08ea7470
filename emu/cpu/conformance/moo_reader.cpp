#include "moo_reader.hpp"

#include <zlib.h>

#include <cstdio>
#include <cstring>

namespace hm::sst {

namespace {

std::vector<u8> read_gz(const std::string& path) {
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) throw MooError("cannot open " + path);
    std::vector<u8> data;
    u8 buf[1 << 16];
    for (;;) {
        int n = gzread(f, buf, sizeof buf);
        if (n < 0) {
            gzclose(f);
            throw MooError("cannot decompress " + path);
        }
        if (n == 0) break;
        data.insert(data.end(), buf, buf + n);
    }
    gzclose(f);
    return data;
}

class Cursor {
public:
    Cursor(const std::vector<u8>& d, size_t begin, size_t end, const std::string& path)
        : d_(d), pos_(begin), end_(end), path_(path) {}
    bool done() const { return pos_ >= end_; }
    size_t pos() const { return pos_; }
    void need(size_t n) const {
        if (pos_ + n > end_) throw MooError(path_ + ": truncated chunk at offset " + std::to_string(pos_));
    }
    u8 u8v() {
        need(1);
        return d_[pos_++];
    }
    u16 u16v() {
        need(2);
        u16 v;
        std::memcpy(&v, &d_[pos_], 2);
        pos_ += 2;
        return v;
    }
    u32 u32v() {
        need(4);
        u32 v;
        std::memcpy(&v, &d_[pos_], 4);
        pos_ += 4;
        return v;
    }
    std::string id() {
        need(4);
        std::string s(reinterpret_cast<const char*>(&d_[pos_]), 4);
        pos_ += 4;
        return s;
    }
    void skip(size_t n) {
        need(n);
        pos_ += n;
    }
    // The next chunk: its type and a cursor over its payload; advances past it.
    std::pair<std::string, Cursor> chunk() {
        std::string type = id();
        u32 len = u32v();
        need(len);
        Cursor inner(d_, pos_, pos_ + len, path_);
        pos_ += len;
        return {type, inner};
    }

private:
    const std::vector<u8>& d_;
    size_t pos_, end_;
    const std::string& path_;
};

RegState read_regs(Cursor c) {
    RegState r;
    r.mask = c.u16v();
    for (unsigned i = 0; i < kReg16Count; ++i) {
        if (r.mask & (1u << i)) r.v[i] = c.u16v();
    }
    return r;
}

std::vector<std::pair<u32, u8>> read_ram(Cursor c) {
    u32 n = c.u32v();
    std::vector<std::pair<u32, u8>> ram;
    ram.reserve(n);
    for (u32 i = 0; i < n; ++i) {
        u32 addr = c.u32v();
        ram.emplace_back(addr, c.u8v());
    }
    return ram;
}

void read_state(Cursor c, RegState& regs, std::vector<std::pair<u32, u8>>& ram) {
    while (!c.done()) {
        auto [type, body] = c.chunk();
        if (type == "REGS") regs = read_regs(body);
        else if (type == "RAM ") ram = read_ram(body);
        // QUEU, RMSK, RG32 ...: not needed for real-mode 16-bit tests.
    }
}

MooTest read_test(Cursor c) {
    MooTest t;
    t.index = c.u32v();
    while (!c.done()) {
        auto [type, body] = c.chunk();
        if (type == "NAME") {
            u32 n = body.u32v();
            body.need(n);
            for (u32 i = 0; i < n; ++i) t.name.push_back(static_cast<char>(body.u8v()));
        } else if (type == "BYTS") {
            u32 n = body.u32v();
            for (u32 i = 0; i < n; ++i) t.bytes.push_back(body.u8v());
        } else if (type == "INIT") {
            read_state(body, t.init, t.init_ram);
        } else if (type == "FINA") {
            read_state(body, t.final, t.final_ram);
        } else if (type == "EXCP") {
            t.exception = body.u8v();
            t.exception_flags_addr = body.u32v();
        } else if (type == "HASH") {
            char hex[3];
            for (int i = 0; i < 20; ++i) {
                std::snprintf(hex, sizeof hex, "%02x", body.u8v());
                t.hash += hex;
            }
        }
    }
    return t;
}

}  // namespace

const char* reg16_name(unsigned r) {
    static const char* const kNames[kReg16Count] = {"ax", "bx", "cx", "dx", "cs", "ss", "ds",
                                                    "es", "sp", "bp", "si", "di", "ip", "flags"};
    return r < kReg16Count ? kNames[r] : "?";
}

MooFile read_moo(const std::string& path) {
    const std::vector<u8> data = read_gz(path);
    MooFile file;
    Cursor top(data, 0, data.size(), path);
    bool header = false;
    while (!top.done()) {
        auto [type, body] = top.chunk();
        if (type == "MOO ") {
            header = true;
            body.skip(4);  // version, reserved
            body.u32v();   // test count
            file.cpu_id = body.id();
        } else if (type == "META") {
            body.skip(3 + 4);
            for (int i = 0; i < 8; ++i) file.mnemonic.push_back(static_cast<char>(body.u8v()));
        } else if (type == "TEST") {
            file.tests.push_back(read_test(body));
        }
    }
    if (!header) throw MooError(path + ": not a MOO file");
    return file;
}

}  // namespace hm::sst
