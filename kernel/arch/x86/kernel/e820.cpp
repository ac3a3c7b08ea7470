// The physical memory map: copied from Multiboot, then sanitised into the map
// the kernel uses (see asm/e820.hpp).
#include <asm/e820.hpp>
#include <asm/multiboot.hpp>
#include <asm/page.hpp>
#include <kernel/bug.hpp>
#include <kernel/printk.hpp>
#include <kernel/sizes.hpp>

constinit e820_table e820_firmware{};
constinit e820_table e820_kernel{};
constinit u64 e820_ignored_ram = 0;

namespace {

void append(e820_table& t, u64 addr, u64 size, e820_type type) {
    if (size == 0) return;
    if (t.nr_entries == E820_MAX_ENTRIES) panic("e820: more than %u memory-map entries", E820_MAX_ENTRIES);
    t.entries[t.nr_entries++] = {addr, size, type};
}

// Later types win where entries overlap: anything but RAM beats RAM.
int precedence(e820_type t) { return t == e820_type::ram ? 0 : static_cast<int>(t); }

}  // namespace

const char* e820_type_name(e820_type t) {
    switch (t) {
    case e820_type::ram: return "usable";
    case e820_type::reserved: return "reserved";
    case e820_type::acpi: return "ACPI data";
    case e820_type::nvs: return "ACPI NVS";
    case e820_type::unusable: return "unusable";
    }
    return "unknown";
}

void e820_from_multiboot(const multiboot_info* mbi) {
    e820_table& t = e820_firmware;
    if (mbi->flags & MULTIBOOT_INFO_MEM_MAP) {
        phys_addr_t pos = mbi->mmap_addr;
        phys_addr_t end = pos + mbi->mmap_length;
        if (!phys_is_direct_mapped(end)) panic("Multiboot memory map at %#llx is not mapped yet", pos);
        while (pos + sizeof(u32) <= end) {
            auto* e = static_cast<const multiboot_mmap_entry*>(__va(pos));
            if (e->size < 20) panic("Multiboot memory map: entry of %u bytes", e->size);
            u32 type = e->type;
            append(t, e->addr, e->len, type >= 1 && type <= 5 ? static_cast<e820_type>(type) : e820_type::reserved);
            pos += e->size + sizeof(u32);
        }
    } else if (mbi->flags & MULTIBOOT_INFO_MEMORY) {
        // No map: the two numbers every Multiboot loader provides.
        append(t, 0, u64{mbi->mem_lower} * SZ_1K, e820_type::ram);
        append(t, SZ_1M, u64{mbi->mem_upper} * SZ_1K, e820_type::ram);
    } else {
        panic("the boot loader gave no memory information");
    }
}

// Splits the firmware map at every boundary and keeps, for each piece below
// limit, the type with the highest precedence; merges neighbours of equal type.
void e820_sanitize(u64 limit) {
    const e820_table& in = e820_firmware;
    u64 points[2 * E820_MAX_ENTRIES + 1];
    unsigned np = 0;
    for (unsigned i = 0; i < in.nr_entries; ++i) {
        points[np++] = in.entries[i].addr;
        points[np++] = in.entries[i].addr + in.entries[i].size;
    }
    for (unsigned i = 1; i < np; ++i)  // insertion sort: tiny arrays
        for (unsigned j = i; j > 0 && points[j - 1] > points[j]; --j) {
            u64 tmp = points[j];
            points[j] = points[j - 1];
            points[j - 1] = tmp;
        }
    e820_table& out = e820_kernel;
    out.nr_entries = 0;
    e820_ignored_ram = 0;
    for (unsigned p = 0; p + 1 < np; ++p) {
        u64 a = points[p], b = points[p + 1];
        if (a == b) continue;
        int best = -1;
        e820_type type = e820_type::ram;
        for (unsigned i = 0; i < in.nr_entries; ++i) {
            const e820_entry& e = in.entries[i];
            if (e.addr <= a && e.addr + e.size >= b && precedence(e.type) > best) {
                best = precedence(e.type);
                type = e.type;
            }
        }
        if (best < 0) continue;  // a gap in the map
        if (a >= limit) {
            if (type == e820_type::ram) e820_ignored_ram += b - a;
            continue;
        }
        if (b > limit) {
            if (type == e820_type::ram) e820_ignored_ram += b - limit;
            b = limit;
        }
        e820_entry* last = out.nr_entries ? &out.entries[out.nr_entries - 1] : nullptr;
        if (last && last->type == type && last->addr + last->size == a) last->size += b - a;
        else append(out, a, b - a, type);
    }
}

void e820_print(const e820_table& table, const char* who) {
    for (unsigned i = 0; i < table.nr_entries; ++i) {
        const e820_entry& e = table.entries[i];
        printk("%s: [mem %#018llx-%#018llx] %s\n", who, e.addr, e.addr + e.size - 1, e820_type_name(e.type));
    }
}

u64 e820_ram_between(const e820_table& table, u64 start, u64 end) {
    u64 total = 0;
    for (unsigned i = 0; i < table.nr_entries; ++i) {
        const e820_entry& e = table.entries[i];
        if (e.type != e820_type::ram) continue;
        u64 a = e.addr > start ? e.addr : start;
        u64 b = e.addr + e.size < end ? e.addr + e.size : end;
        if (b > a) total += b - a;
    }
    return total;
}
