// Multiboot modules (see kernel/bootmodule.hpp).
#include <asm/multiboot.hpp>
#include <asm/page.hpp>
#include <asm/setup.hpp>
#include <kernel/bootmodule.hpp>
#include <kernel/memblock.hpp>
#include <kernel/printk.hpp>
#include <kernel/process.hpp>
#include <kernel/string.hpp>

namespace {

struct multiboot_module {
    u32 mod_start, mod_end, string, reserved;
};

constinit boot_module modules[MAX_BOOT_MODULES]{};
constinit unsigned nr_modules = 0;

const char* file_name(const char* cmdline, char* out, size_t size) {
    size_t len = 0;
    while (cmdline[len] && cmdline[len] != ' ') ++len;
    size_t start = len;
    while (start > 0 && cmdline[start - 1] != '/') --start;
    size_t n = len - start < size - 1 ? len - start : size - 1;
    memcpy(out, cmdline + start, n);
    out[n] = 0;
    return out;
}

constinit char names[MAX_BOOT_MODULES][64]{};

}  // namespace

void save_boot_modules(const multiboot_info* mbi) {
    if (!(mbi->flags & MULTIBOOT_INFO_MODS) || mbi->mods_count == 0) return;
    unsigned count = mbi->mods_count;
    if (count > MAX_BOOT_MODULES) {
        printk("Multiboot: %u modules, only the first %u are kept\n", count, MAX_BOOT_MODULES);
        count = MAX_BOOT_MODULES;
    }
    if (!phys_is_direct_mapped(mbi->mods_addr + count * sizeof(multiboot_module)))
        panic("Multiboot module list at %#x is beyond the boot mapping", mbi->mods_addr);
    const auto* list = static_cast<const multiboot_module*>(__va(mbi->mods_addr));
    for (unsigned i = 0; i < count; ++i) {
        boot_module& m = modules[i];
        m.start = list[i].mod_start;
        m.end = list[i].mod_end;
        m.cmdline[0] = 0;
        if (list[i].string && phys_is_direct_mapped(list[i].string + 1)) {
            const char* s = static_cast<const char*>(__va(list[i].string));
            size_t n = 0;
            while (n + 1 < sizeof m.cmdline && phys_is_direct_mapped(list[i].string + n + 1) && s[n]) {
                m.cmdline[n] = s[n];
                ++n;
            }
            m.cmdline[n] = 0;
        }
        m.name = file_name(m.cmdline, names[i], sizeof names[i]);
    }
    nr_modules = count;
}

void reserve_boot_modules() {
    for (unsigned i = 0; i < nr_modules; ++i) {
        const boot_module& m = modules[i];
        printk("Multiboot module %u: [%#llx-%#llx) %s\n", i, m.start, m.end, m.cmdline);
        if (m.end > m.start) memblock_reserve(m.start, m.end - m.start);
    }
}

void map_boot_modules() {
    for (unsigned i = 0; i < nr_modules; ++i) {
        boot_module& m = modules[i];
        if (m.end > m.start && m.end <= PFN_PHYS(max_low_pfn)) m.data = __va(m.start);
        else printk("Multiboot module %s lies outside lowmem: not usable\n", m.name);
    }
}

unsigned nr_boot_modules() { return nr_modules; }
const boot_module* boot_module_at(unsigned i) { return i < nr_modules ? &modules[i] : nullptr; }

const boot_module* find_boot_module(const char* name) {
    for (unsigned i = 0; i < nr_modules; ++i)
        if (strcmp(modules[i].name, name) == 0) return &modules[i];
    return nullptr;
}

unsigned run_boot_modules() {
    unsigned failed = 0;
    for (unsigned i = 0; i < nr_modules; ++i) {
        const boot_module& m = modules[i];
        if (!m.data) {
            ++failed;
            continue;
        }
        // argv: the file name, then the module string's other words.
        constexpr unsigned MAX_ARGS = 16;
        char words[sizeof m.cmdline];
        strlcpy(words, m.cmdline, sizeof words);
        const char* argv[MAX_ARGS + 1] = {m.name};
        unsigned argc = 1;
        char* p = strchr(words, ' ');
        while (p && argc < MAX_ARGS) {
            while (*p == ' ') *p++ = 0;
            if (!*p) break;
            argv[argc++] = p;
            p = strchr(p, ' ');
        }
        argv[argc] = nullptr;
        int err = 0;
        task_struct* t = process_spawn(m.data, static_cast<unsigned long>(m.end - m.start), argv, m.name, &err);
        if (!t) {
            printk("module %s: cannot run it (error %d)\n", m.name, err);
            ++failed;
            continue;
        }
        printk("module %s: started as pid %d\n", m.name, t->pid);
        int code = kthread_join(t);
        put_task_struct(t);
        printk("module %s: exited with status %d\n", m.name, code);
    }
    return failed;
}
