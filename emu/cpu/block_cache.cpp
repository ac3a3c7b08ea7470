#include "cpu/block_cache.hpp"

#include <algorithm>
#include <cstring>

namespace hm::cpu {

namespace {
u64 line_mask(u64 first, u64 end) {  // offsets within a page, end exclusive
    u64 lo = first >> 6, hi = (end - 1) >> 6;
    u64 mask = (hi >= 63) ? ~u64{0} : ((u64{1} << (hi + 1)) - 1);
    return mask & ~((u64{1} << lo) - 1);
}
}  // namespace

BlockCache::BlockCache(Mmu& mmu, Handler exit)
    : mmu_(mmu), exit_(exit), arena_(new u8[kArenaBytes]), buckets_(new Block*[kBuckets]()) {}

BlockCache::~BlockCache() = default;

bool BlockCache::has_room(unsigned count) const {
    return used_ + sizeof(Block) + sizeof(Insn) * (count + 1) <= kArenaBytes;
}

Block* BlockCache::insert(const Block& header, const Insn* insns) {
    const u64 bytes = sizeof(Block) + sizeof(Insn) * (header.count + 1u);
    Block* b = new (arena_.get() + used_) Block(header);
    used_ += bytes;
    std::memcpy(static_cast<void*>(b->insns()), insns, sizeof(Insn) * (header.count + 1u));
    unsigned k = bucket(b->key);
    b->hash_next = buckets_[k];
    buckets_[k] = b;
    ++stats_.blocks_built;
    ++blocks_since_flush_;

    const u64 page = b->phys >> 12;
    const u64 off = b->phys & 0xFFF;
    if (!b->cross_page) {
        add_to_page(page, b, static_cast<u32>(off), static_cast<u32>(off + b->span));
    } else {
        const u64 first_part = kPageSize - off;
        add_to_page(page, b, static_cast<u32>(off), kPageSize);
        add_to_page(b->phys2 >> 12, b, 0, static_cast<u32>(b->span - first_part));
    }
    return b;
}

void BlockCache::add_to_page(u64 page, Block* b, u32 first, u32 end) {
    auto [it, fresh] = pages_.try_emplace(page);
    it->second.lines |= line_mask(first, end);
    it->second.blocks.push_back(b);
    if (fresh) mmu_.protect_code_page(PhysAddr{page << 12});
}

void BlockCache::block_extent_in_page(const Block* b, u64 page, u64& first, u64& end) {
    const u64 off = b->phys & 0xFFF;
    if (!b->cross_page) {
        first = off;
        end = off + b->span;
    } else if ((b->phys >> 12) == page) {
        first = off;
        end = kPageSize;
    } else {
        first = 0;
        end = b->span - (kPageSize - off);
    }
}

void BlockCache::kill(Block* b) {
    if (b->dead) return;
    b->dead = true;
    ++stats_.blocks_invalidated;
    Block** link = &buckets_[bucket(b->key)];
    while (*link && *link != b) link = &(*link)->hash_next;
    if (*link) *link = b->hash_next;
    // Running into a killed block's instructions leaves it (see the header).
    Insn* in = b->insns();
    for (unsigned i = 0; i < b->count; ++i) in[i].fn = exit_;
}

void BlockCache::invalidate_in_page(u64 page, u64 start, u64 end) {
    auto it = pages_.find(page);
    if (it == pages_.end()) return;
    PageInfo& info = it->second;
    if (!(info.lines & line_mask(start, end))) return;
    ++stats_.code_writes_hit;
    u64 lines = 0;
    auto& blocks = info.blocks;
    for (size_t i = 0; i < blocks.size();) {
        Block* b = blocks[i];
        u64 first, last;
        block_extent_in_page(b, page, first, last);
        if (b->dead || (first < end && start < last)) {
            kill(b);
            blocks[i] = blocks.back();
            blocks.pop_back();
            continue;
        }
        lines |= line_mask(first, last);
        ++i;
    }
    info.lines = lines;
    if (blocks.empty()) {
        pages_.erase(it);
        mmu_.unprotect_code_page(PhysAddr{page << 12});
    }
}

void BlockCache::on_code_write(u64 phys, unsigned size) {
    ++stats_.code_writes;
    const u64 page = phys >> 12;
    const u64 start = phys & 0xFFF;
    const u64 end = std::min<u64>(start + size, kPageSize);
    auto it = pages_.find(page);
    if (it == pages_.end()) {
        // Protected by an earlier generation of the cache: nothing to drop.
        mmu_.unprotect_code_page(PhysAddr{page << 12});
        return;
    }
    invalidate_in_page(page, start, end);
}

void BlockCache::invalidate_range(u64 phys, u64 len) {
    u64 end = phys + len;
    while (phys < end) {
        u64 page = phys >> 12;
        u64 stop = std::min(end, (page + 1) << 12);
        invalidate_in_page(page, phys & 0xFFF, stop - (page << 12));
        phys = stop;
    }
}

void BlockCache::flush_all() {
    // Called only between blocks: nothing executes from the arena being reused.
    for (auto& [page, info] : pages_) {
        mmu_.unprotect_code_page(PhysAddr{page << 12});
    }
    pages_.clear();
    // Every bucket that is not empty holds blocks of the arena, so a cache of a
    // few blocks is emptied by clearing their buckets; sweeping the whole array
    // (512 KiB of stores) is for a full arena. Restoring a snapshot flushes,
    // and the fuzz targets restore one thousands of times a second.
    if (blocks_since_flush_ < kBuckets / 16) {
        for (u64 at = 0; at < used_;) {
            const Block* b = reinterpret_cast<const Block*>(arena_.get() + at);
            buckets_[bucket(b->key)] = nullptr;
            at += sizeof(Block) + sizeof(Insn) * (b->count + 1u);
        }
    } else {
        std::fill(buckets_.get(), buckets_.get() + kBuckets, nullptr);
    }
    used_ = 0;
    blocks_since_flush_ = 0;
    ++stats_.full_flushes;
}

}  // namespace hm::cpu
