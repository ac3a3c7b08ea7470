#!/usr/bin/env python3
"""HighTotal that an e820 map implies for a 32-bit Linux, and the checks around it.

Usage: linux-hightotal.py HM386_OUTPUT CONSOLE_LOG

HM386_OUTPUT is what `hm386 run -v` printed (its "hm386: e820 START-END TYPE"
lines: the map the emulator handed to the kernel in boot_params); CONSOLE_LOG is
the kernel's serial console. Prints the expected HighTotal and what Linux
reported, and exits 1 when they differ or something is missing.

Why the figure follows from the map: a 32-bit kernel direct-maps physical
memory only up to its lowmem boundary (max_low_pfn, which it logs as
"low ram: 0 - BOUNDARY"; 0x36ffe000 = 879 MiB - 8 KiB for Debian's 686-pae).
Every whole 4 KiB page of usable e820 RAM at or above that boundary goes to
ZONE_HIGHMEM, and /proc/meminfo's HighTotal is those pages (none of them is
reserved by the boot allocator, which takes low memory). The boundary is the
kernel's (it depends on its vmalloc and fixmap sizes); the map is the emulator's.
"""
import re
import sys

PAGE = 4096


def emulator_e820(text):
    """The e820 ranges hm386 -v printed: list of (start, end_inclusive, type)."""
    ranges = []
    for m in re.finditer(r"^hm386: e820 0x([0-9a-f]+)-0x([0-9a-f]+) (\w+)", text, re.M):
        ranges.append((int(m.group(1), 16), int(m.group(2), 16), m.group(3)))
    return ranges


def linux_e820(text):
    """The map as Linux logged it ("BIOS-e820: [mem 0x...-0x...] usable")."""
    ranges = []
    for m in re.finditer(r"BIOS-e820: \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\] (\w+)", text):
        ranges.append((int(m.group(1), 16), int(m.group(2), 16), m.group(3)))
    return ranges


def expected_hightotal_kb(ranges, low_boundary):
    pages = 0
    low_pfn = low_boundary // PAGE
    for start, end, kind in ranges:
        if kind != "usable":
            continue
        first = -(-start // PAGE)      # whole pages only: round the start up
        last = (end + 1) // PAGE        # and the end down
        pages += max(0, last - max(first, low_pfn))
    return pages * PAGE // 1024


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 64
    emu = open(sys.argv[1], errors="replace").read()
    con = open(sys.argv[2], errors="replace").read()
    ok = True
    ranges = emulator_e820(emu)
    if not ranges:
        print("FAIL: hm386 -v printed no e820 map")
        return 1
    if linux_e820(con) != ranges:
        print("FAIL: the e820 map Linux logged differs from the one hm386 handed over")
        ok = False
    low = re.search(r"low ram: 0 - ([0-9a-f]+)", con)
    if not low:
        print("FAIL: the console has no \"low ram: 0 - BOUNDARY\" line (the kernel's lowmem boundary)")
        return 1
    boundary = int(low.group(1), 16)
    expected = expected_hightotal_kb(ranges, boundary)
    got = re.search(r"^HighTotal:\s+(\d+) kB", con, re.M)
    print(f"lowmem boundary 0x{boundary:x} (kernel); usable e820 RAM above it: HighTotal {expected} kB expected")
    if not got:
        print("FAIL: /proc/meminfo has no HighTotal line")
        return 1
    print(f"/proc/meminfo HighTotal {got.group(1)} kB")
    if int(got.group(1)) != expected:
        print("FAIL: HighTotal differs from what the e820 map implies")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
