#!/usr/bin/env bash
# `pkmap` and `kmap-local` on Linux's own data (docs/linux.md, "The debugger on
# Linux's highmem"): boots images/linux at 1G under hm386 debug (the manifest's
# System.map, nokaslr) with guest-tests/linux/pkmap.hm386 and checks
#   - kmap-local at __kmap_local_pfn_prot's return: CPU 0's current task holds a
#     slot at the address returned (EAX), installed, whose saved PTE maps the
#     frame `walk` finds there;
#   - at kmap_high: the call comes from /proc/PID/cmdline's read
#     (proc_pid_cmdline_read), and after it pkmap shows LAST_PKMAP 512 (PAE), the
#     slot at the returned address with count 2 ("1 user"), the frame `walk`
#     finds, and as its struct page the very pointer kmap_high was called with
#     (which also checks sizeof(struct page) = 40);
#   - zones is refused with its reason; the guest powers off with status 0.
# Exit 77 (CTest: skipped) when the kernel or its System.map has not been fetched.
#
# Usage: linux-pkmap-check.sh HM386 SOURCE_DIR BUILD_DIR
set -u
hm386=$1 src=$2 build=$3
dir="$build/linux"
if [[ ! -s "$dir/vmlinuz" || ! -s "$dir/initramfs.cpio.gz" || ! -s "$dir/System.map" ]]; then
  echo "skipped: $dir/vmlinuz, initramfs.cpio.gz and System.map are not there (run tools/scripts/fetch-linux.sh $build)"
  exit 77
fi
build=$(cd "$build" && pwd)
out=$(HM386_BUILD_DIR="$build" "$hm386" debug "$src/images/linux" -m 1G --serial none --debugcon none \
  --script "$src/guest-tests/linux/pkmap.hm386" </dev/null 2>&1)
echo "$out"
python3 - "$out" <<'PY'
import re, sys
out = sys.argv[1]
fail = []
def after(marker):
    i = out.find(marker)
    return out[i:] if i >= 0 else ""
def eax(text):
    m = re.search(r"\$eax = (0x[0-9a-f]+)", text)
    return int(m.group(1), 16) if m else None
def walk_frame(text):
    m = re.search(r"-> frame (0x[0-9a-f]+)", text)
    return int(m.group(1), 16) if m else None

# 1. kmap_local
part = after("kmap_local returned:")
va = eax(part)
m = re.search(r"CPU 0: current task (0x[0-9a-f]+): (\d+) kmap_local slots?", part)
if va is None or not m:
    fail.append("no kmap-local output after __kmap_local_pfn_prot returned")
else:
    slot = re.search(r"\[(\d+)\] 0x%08x pte (0x[0-9a-f]+) -> (0x[0-9a-f]+)  installed" % va, part)
    frame = walk_frame(part)
    if not slot:
        fail.append("kmap-local shows no installed slot at 0x%08x (what kmap_local returned)" % va)
    elif frame is None or int(slot.group(3), 16) != frame:
        fail.append("the slot's saved PTE maps %s, walk finds %s" % (slot.group(3), frame))
    else:
        print("OK: kmap_local slot [%s] at 0x%08x installed, frame %s (as walk)" % (slot.group(1), va, slot.group(3)))

# 2. kmap_high
page = eax(after("kmap_high called with:"))
part = after("kmap_high returned:")
va = eax(part)
if "<proc_pid_cmdline_read" not in out:
    fail.append("kmap_high's call chain does not name proc_pid_cmdline_read")
hdr = re.search(r"pkmap window: LAST_PKMAP (\d+) slots at (0x[0-9a-f]+)", part)
if page is None or va is None or not hdr:
    fail.append("no pkmap output after kmap_high returned")
else:
    last, base = int(hdr.group(1)), int(hdr.group(2), 16)
    if last != 512:
        fail.append("LAST_PKMAP %d, PAE needs 512" % last)
    row = re.search(r"^\s*(\d+)\s+0x%08x\s+(\d+)\s+1 user\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)" % va, part, re.M)
    frame = walk_frame(part)
    if not row:
        fail.append("pkmap has no '1 user' slot at 0x%08x (kmap_high's result)" % va)
    else:
        idx, count, pte, phys, pg = int(row.group(1)), int(row.group(2)), row.group(3), int(row.group(4), 16), int(row.group(5), 16)
        if base + idx * 4096 != va:
            fail.append("slot %d is not at PKMAP_BASE + %d pages" % (idx, idx))
        if count != 2:
            fail.append("pkmap_count %d, expected 2" % count)
        if frame != phys:
            fail.append("pkmap says frame 0x%x, walk 0x%x" % (phys, frame or 0))
        if pg != page:
            fail.append("pkmap's struct page 0x%x is not kmap_high's argument 0x%x" % (pg, page))
        if not fail:
            print("OK: pkmap slot %d at 0x%08x: count 2, frame 0x%x, struct page 0x%x = kmap_high's argument" % (idx, va, phys, pg))
if "error: zones: Linux's struct zone layout" not in out:
    fail.append("zones did not refuse Linux with its reason")
if "the guest exited with status 0" not in out:
    fail.append("the guest did not power off")
for f in fail:
    print("FAIL:", f)
sys.exit(1 if fail else 0)
PY
