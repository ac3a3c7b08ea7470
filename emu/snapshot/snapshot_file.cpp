#include "snapshot/snapshot_file.hpp"

#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

#include "mem/phys_memory.hpp"

namespace hm::snap {

namespace {

void put_at(std::vector<u8>& out, size_t at, u64 v, unsigned width) {
    for (unsigned i = 0; i < width; ++i) out[at + i] = static_cast<u8>(v >> (8 * i));
}

u64 get(std::span<const u8> in, size_t at, unsigned width) {
    u64 v = 0;
    for (unsigned i = 0; i < width; ++i) v |= u64{in[at + i]} << (8 * i);
    return v;
}

u32 crc_of(std::span<const u8> bytes) {
    uLong c = crc32(0L, Z_NULL, 0);
    size_t done = 0;
    while (done < bytes.size()) {  // zlib counts in uInt
        const uInt n = static_cast<uInt>(std::min<size_t>(bytes.size() - done, 1u << 30));
        c = crc32(c, bytes.data() + done, n);
        done += n;
    }
    return static_cast<u32>(c);
}

}  // namespace

std::vector<u8> encode_snapshot_file(u64 fingerprint, std::span<const u8> payload) {
    uLongf bound = compressBound(static_cast<uLong>(payload.size()));
    std::vector<u8> out(kHeaderSize + bound, 0);
    std::memcpy(out.data(), kMagic, sizeof kMagic);
    put_at(out, 8, kFormatVersion, 4);
    put_at(out, 16, fingerprint, 8);
    put_at(out, 24, payload.size(), 8);
    put_at(out, 40, crc_of(payload), 4);
    // Level 1: RAM pages compress well even at the fastest level, and a snapshot
    // of a large guest should take seconds, not minutes.
    if (compress2(out.data() + kHeaderSize, &bound, payload.data(), static_cast<uLong>(payload.size()), 1) != Z_OK) {
        throw SnapshotError("zlib could not compress the snapshot");
    }
    out.resize(kHeaderSize + bound);
    put_at(out, 32, bound, 8);
    put_at(out, 44, crc_of(std::span<const u8>(out).subspan(kHeaderSize)), 4);
    return out;
}

SnapshotPayload decode_snapshot_file(std::span<const u8> file) {
    if (file.size() < 8 || std::memcmp(file.data(), kMagic, 8) != 0) {
        throw SnapshotError("not an hm386 snapshot (the file does not start with \"HM386SNP\")");
    }
    if (file.size() < kHeaderSize) throw SnapshotError("truncated: the file ends inside its 48-byte header");
    const u64 version = get(file, 8, 4);
    if (version != kFormatVersion) {
        throw SnapshotError("snapshot format version " + std::to_string(version) + ", but this build reads version " +
                            std::to_string(kFormatVersion));
    }
    if (get(file, 12, 4) != 0) throw SnapshotError("corrupt header: the flags field is not 0");
    SnapshotPayload p;
    p.fingerprint = get(file, 16, 8);
    const u64 size = get(file, 24, 8);
    const u64 packed = get(file, 32, 8);
    const u32 crc = static_cast<u32>(get(file, 40, 4));
    const u64 present = file.size() - kHeaderSize;
    if (packed > present) {
        throw SnapshotError("truncated: the header announces " + std::to_string(packed) + " compressed bytes, the file has " +
                            std::to_string(present));
    }
    if (packed < present) {
        throw SnapshotError(std::to_string(present - packed) + " unexpected bytes after the compressed payload");
    }
    if (size > PhysicalMemory::kMaxRam + kMaxStateBytes || size > packed * kMaxInflateRatio + 1024) {
        throw SnapshotError("corrupt header: a payload of " + std::to_string(size) + " bytes is impossible");
    }
    if (crc_of(file.subspan(kHeaderSize)) != static_cast<u32>(get(file, 44, 4))) {
        throw SnapshotError("corrupt: the compressed bytes' CRC-32 does not match the header");
    }
    p.bytes.resize(size);
    uLongf out_len = static_cast<uLongf>(size);
    const int z = uncompress(p.bytes.data(), &out_len, file.data() + kHeaderSize, static_cast<uLong>(packed));
    if (z != Z_OK || out_len != size) {
        throw SnapshotError(std::string("corrupt: the compressed payload does not inflate to its announced size (zlib: ") +
                            (z == Z_OK ? "short" : zError(z)) + ")");
    }
    if (crc_of(p.bytes) != crc) throw SnapshotError("corrupt: the payload's CRC-32 does not match the header");
    return p;
}

std::vector<u8> read_file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw SnapshotError("cannot open '" + path + "'");
    std::vector<u8> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw SnapshotError("cannot read '" + path + "'");
    return bytes;
}

void write_file_bytes(const std::string& path, std::span<const u8> bytes) {
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw SnapshotError("cannot create '" + tmp + "'");
        out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        out.close();
        if (!out) {
            std::remove(tmp.c_str());
            throw SnapshotError("cannot write '" + tmp + "'");
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        throw SnapshotError("cannot rename '" + tmp + "' to '" + path + "'");
    }
}

}  // namespace hm::snap
