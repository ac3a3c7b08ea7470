// The snapshot file container (docs/snapshots.md, "File layout"): a fixed
// 48-byte header, then the zlib-compressed payload.
//
//   offset size  field
//        0    8  magic "HM386SNP"
//        8    4  format version (kFormatVersion)
//       12    4  flags, 0
//       16    8  layout fingerprint of the build that wrote it (layout_visitor.hpp)
//       24    8  payload size, uncompressed
//       32    8  payload size, compressed (the bytes that follow the header)
//       40    4  CRC-32 of the uncompressed payload
//       44    4  CRC-32 of the compressed bytes (deflate can encode one payload
//                in several ways: a damaged stream may still inflate to the
//                same bytes, and a file that is not what was written is refused)
//       48       the zlib stream; nothing may follow it
//
// All integers little-endian. decode_snapshot_file checks every field, both
// CRCs, the ratio of the sizes and the stream's own Adler-32 before it returns
// a payload, and allocates nothing for sizes the file cannot hold.
#pragma once
#include <span>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "snapshot/snapshot_error.hpp"

namespace hm::snap {

constexpr char kMagic[8] = {'H', 'M', '3', '8', '6', 'S', 'N', 'P'};
constexpr u32 kFormatVersion = 1;
constexpr size_t kHeaderSize = 48;
// A payload is at most the largest RAM plus this much state: a header that
// claims more is corrupt, and no allocation is made for it.
constexpr u64 kMaxStateBytes = 64 * kMiB;
// zlib never expands by more than about 1032:1, so a payload larger than this
// times the compressed size is a lie.
constexpr u64 kMaxInflateRatio = 1040;

struct SnapshotPayload {
    u64 fingerprint = 0;
    std::vector<u8> bytes;
};

// Compresses a payload into a complete file image.
std::vector<u8> encode_snapshot_file(u64 fingerprint, std::span<const u8> payload);

// Checks and decompresses a file image. Throws SnapshotError saying what is wrong:
// not a snapshot (magic), another format version, truncated, trailing bytes,
// a size out of range, a broken zlib stream, a CRC mismatch.
SnapshotPayload decode_snapshot_file(std::span<const u8> file);

// Reads a whole file; SnapshotError if it cannot be read.
std::vector<u8> read_file_bytes(const std::string& path);
// Writes a whole file (through a temporary and a rename, so a failed write never
// leaves half a snapshot); SnapshotError on failure.
void write_file_bytes(const std::string& path, std::span<const u8> bytes);

}  // namespace hm::snap
