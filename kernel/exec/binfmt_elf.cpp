// Loading an ELF32 executable into a new address space: each PT_LOAD segment
// becomes a region with the segment's permissions. Its file bytes are copied
// in through get_user_pages + kmap_local, which populates the pages they
// cover (highmem pages, not mapped anywhere the kernel could reach them
// directly); the rest of the segment (bss) is left to demand paging. The heap
// starts on the page after the highest segment.
#include <kernel/binfmt.hpp>
#include <kernel/errno.hpp>
#include <kernel/mm_struct.hpp>
#include <kernel/printk.hpp>

namespace {

struct Elf32_Ehdr {
    u8 e_ident[16];
    u16 e_type, e_machine;
    u32 e_version, e_entry, e_phoff, e_shoff, e_flags;
    u16 e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};
struct Elf32_Phdr {
    u32 p_type, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_flags, p_align;
};
static_assert(sizeof(Elf32_Ehdr) == 52 && sizeof(Elf32_Phdr) == 32);

constexpr u32 PT_LOAD = 1;
constexpr u32 PF_X = 1, PF_W = 2, PF_R = 4;
constexpr u16 ET_EXEC = 2, EM_386 = 3;

}  // namespace

int load_elf_binary(mm_struct* mm, const void* image, unsigned long size, unsigned long* entry) {
    const auto* file = static_cast<const u8*>(image);
    if (size < sizeof(Elf32_Ehdr)) return -ENOEXEC;
    const auto* eh = static_cast<const Elf32_Ehdr*>(image);
    if (eh->e_ident[0] != 0x7F || eh->e_ident[1] != 'E' || eh->e_ident[2] != 'L' || eh->e_ident[3] != 'F' ||
        eh->e_ident[4] != 1 /* 32-bit */ || eh->e_ident[5] != 1 /* little endian */ || eh->e_type != ET_EXEC ||
        eh->e_machine != EM_386 || eh->e_phentsize != sizeof(Elf32_Phdr) || eh->e_phnum == 0 ||
        eh->e_phoff > size || eh->e_phnum > (size - eh->e_phoff) / sizeof(Elf32_Phdr))
        return -ENOEXEC;
    const auto* ph = reinterpret_cast<const Elf32_Phdr*>(file + eh->e_phoff);
    bool entry_ok = false;
    unsigned long brk = 0;
    for (unsigned i = 0; i < eh->e_phnum; ++i) {
        const Elf32_Phdr& p = ph[i];
        if (p.p_type != PT_LOAD || p.p_memsz == 0) continue;
        if (p.p_filesz > p.p_memsz || p.p_offset > size || p.p_filesz > size - p.p_offset ||
            p.p_vaddr >= TASK_SIZE || p.p_memsz > TASK_SIZE - p.p_vaddr)
            return -ENOEXEC;
        unsigned long start = p.p_vaddr & PAGE_MASK;
        unsigned long end = (p.p_vaddr + p.p_memsz + PAGE_SIZE - 1) & PAGE_MASK;
        unsigned long flags = (p.p_flags & PF_R ? VM_READ : 0) | (p.p_flags & PF_W ? VM_WRITE : 0) |
                              (p.p_flags & PF_X ? VM_EXEC : 0);
        int err;
        {
            MutexGuard lock(mm->mmap_lock);
            err = mmap_region(mm, start, end - start, flags);
        }
        if (err) return err == -EINVAL ? -ENOEXEC : err;  // -EINVAL: overlapping segments
        if (end > brk) brk = end;
        // Read-only text is written once, as exec does: FOLL_FORCE.
        long copied = access_process_vm(mm, p.p_vaddr, const_cast<u8*>(file + p.p_offset), p.p_filesz,
                                        FOLL_WRITE | FOLL_FORCE);
        if (copied != static_cast<long>(p.p_filesz)) return -ENOEXEC;
        if ((p.p_flags & PF_X) && eh->e_entry >= p.p_vaddr && eh->e_entry < p.p_vaddr + p.p_memsz) entry_ok = true;
    }
    if (!entry_ok) return -ENOEXEC;
    mm->start_brk = mm->brk = brk;
    *entry = eh->e_entry;
    return 0;
}

// The initial stack, as the i386 ELF ABI wants it at the entry point:
//   sp -> argc, argv[0..argc-1], NULL, envp: NULL, auxv: AT_NULL
// with the argument strings above.
int setup_arg_pages(mm_struct* mm, const char* const* argv, unsigned long* sp_out) {
    constexpr unsigned MAX_ARGS = 32;
    u8 area[512];
    unsigned argc = 0;
    unsigned long strings_len = 0;
    for (; argv && argv[argc]; ++argc) {
        if (argc == MAX_ARGS) return -E2BIG;
        strings_len += strlen(argv[argc]) + 1;
    }
    unsigned long vec_len = (argc + 1 + 1 + 1) * sizeof(u32) + 2 * sizeof(u32);  // argc, argv, NULL, envp NULL, auxv
    unsigned long top = STACK_TOP;
    unsigned long strings_at = top - round_up(strings_len, 16ul);
    unsigned long sp = strings_at - vec_len;
    sp &= ~15ul;  // 16-byte aligned entry stack
    unsigned long base = sp;
    if (top - base > sizeof area) return -E2BIG;
    memset(area, 0, sizeof area);
    auto put32 = [&](unsigned long addr, u32 v) { memcpy(area + (addr - base), &v, 4); };
    unsigned long at = sp;
    put32(at, argc);
    at += 4;
    unsigned long s = strings_at;
    for (unsigned i = 0; i < argc; ++i) {
        put32(at, static_cast<u32>(s));
        at += 4;
        size_t len = strlen(argv[i]) + 1;
        memcpy(area + (s - base), argv[i], len);
        s += len;
    }
    // argv NULL, envp NULL, AT_NULL pair: already zero.
    long n = access_process_vm(mm, base, area, top - base, FOLL_WRITE);
    if (n != static_cast<long>(top - base)) return -EFAULT;
    *sp_out = sp;
    return 0;
}
