// The decode cache: blocks of pre-decoded instructions keyed by the physical
// address of their first byte and the default operand size (CS.D), so paging
// changes (CR3 writes, INVLPG) never throw decoded code away.
//
// A block is straight-line code: it ends after a control transfer or a state
// change (attr::kEndsBlock), at a 4 KiB page end, or at kMaxInsns. An instruction
// that straddles a page end is a block of its own that records the second page's
// physical address, checked against the current translation on every entry.
//
// Self-modifying code: every page holding a block is protected in the MMU, whose
// slow store path then calls on_code_write. A per-page mask of 64-byte lines
// filters stores to data that merely shares the page; a store that overlaps a
// block kills exactly the blocks it overlaps. Killing rewrites the block's
// handlers to `exit`, so if the store came from the block being executed, the
// very next instruction is decoded afresh.
//
// Memory: blocks live in one bump-allocated arena; when it is full the whole
// cache is dropped (at a block boundary, where nothing is executing).
//
// Chaining: after a block that ends in a near transfer or a plain fall-through,
// execution that stays in the same linear page reuses the page's translation
// (nothing in the block can have changed it: CR3/CR0/CR4/EFER writes, INVLPG,
// far transfers and port I/O end their block with attr::kNewContext) and the
// block's two-entry successor cache, so the common case costs neither a
// translation nor a hash probe. The guest cannot tell: the MMU's fetch-page
// register holds that page, so translate_code would not consult the ITLB either.
#pragma once
#include <memory>
#include <unordered_map>
#include <vector>

#include "decode/insn.hpp"
#include "mmu/mmu.hpp"

namespace hm::cpu {

struct Block {
    static constexpr unsigned kMaxInsns = 48;

    u64 key = 0;              // (phys << 1) | code32
    Block* hash_next = nullptr;
    u64 phys = 0;             // physical address of the first byte
    u64 phys2 = ~u64{0};      // the second page of a page-straddling instruction
    u32 span = 0;             // bytes of code covered from phys
    u32 cycles = 0;           // sum of the instructions' base costs
    u16 count = 0;            // instructions, not counting the trailing sentinel
    bool cross_page = false;
    bool dead = false;
    // The block ends with nothing that changes CS, CPL or the translation of its
    // page (attr::kNewContext): a successor in the same linear page may reuse it.
    bool chainable = false;
    // The last two successors found in the same page, so the loop can skip the
    // hash lookup (a successor's `dead` flag is checked on use).
    Block* succ[2] = {nullptr, nullptr};
    u64 succ_key[2] = {~u64{0}, ~u64{0}};
    u8 succ_next = 0;

    Insn* insns() { return reinterpret_cast<Insn*>(this + 1); }
    const Insn* insns() const { return reinterpret_cast<const Insn*>(this + 1); }
};
static_assert(sizeof(Block) % alignof(Insn) == 0);

struct BlockCacheStats {
    u64 blocks_built = 0;
    u64 blocks_invalidated = 0;
    u64 code_writes = 0;       // stores that reached a protected code page
    u64 code_writes_hit = 0;   // ... and overlapped decoded code
    u64 full_flushes = 0;
};

class BlockCache {
public:
    static constexpr u64 kArenaBytes = 16 * kMiB;
    static constexpr unsigned kBuckets = 1u << 16;

    // `exit` is the handler killed blocks get: it leaves the block without
    // executing the instruction it replaced.
    BlockCache(Mmu& mmu, Handler exit);
    ~BlockCache();
    BlockCache(const BlockCache&) = delete;
    BlockCache& operator=(const BlockCache&) = delete;

    static u64 make_key(u64 phys, bool code32) { return (phys << 1) | (code32 ? 1 : 0); }

    HM_ALWAYS_INLINE Block* find(u64 key) const {
        for (Block* b = buckets_[bucket(key)]; b; b = b->hash_next) {
            if (b->key == key) return b;
        }
        return nullptr;
    }

    // True when a block of `count` instructions still fits; otherwise call
    // flush_all() first (only at a block boundary).
    bool has_room(unsigned count) const;
    // Copies the block header and instructions in, links it and protects its pages.
    Block* insert(const Block& header, const Insn* insns);

    void flush_all();
    // A guest store of `size` bytes at `phys` reached a protected page.
    void on_code_write(u64 phys, unsigned size);
    // Drops blocks overlapping [phys, phys + len) (DMA, loaders, debugger edits).
    void invalidate_range(u64 phys, u64 len);
    // Unlinks one block and turns its instructions into exits; if it is executing,
    // the loop leaves it after the current instruction (debugger stops).
    void kill(Block* b);

    const BlockCacheStats& stats() const { return stats_; }

private:
    struct PageInfo {
        u64 lines = 0;  // 64-byte lines of the page that hold decoded code
        std::vector<Block*> blocks;
    };
    static unsigned bucket(u64 key) { return static_cast<unsigned>((key ^ (key >> 15) ^ (key >> 29)) & (kBuckets - 1)); }
    void add_to_page(u64 page, Block* b, u32 first, u32 end);
    void invalidate_in_page(u64 page, u64 start, u64 end);
    static void block_extent_in_page(const Block* b, u64 page, u64& first, u64& end);

    Mmu& mmu_;
    Handler exit_;
    std::unique_ptr<u8[]> arena_;
    u64 used_ = 0;
    u64 blocks_since_flush_ = 0;  // blocks in the arena (flush_all's choice of how to clear)
    std::unique_ptr<Block*[]> buckets_;
    std::unordered_map<u64, PageInfo> pages_;
    BlockCacheStats stats_;
};

}  // namespace hm::cpu
