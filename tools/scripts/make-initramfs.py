#!/usr/bin/env python3
"""Writes the Linux test initramfs as a gzip'd newc cpio archive.

Usage: make-initramfs.py BUSYBOX OUT.cpio.gz

The archive holds busybox (static, i386), a /bin/sh link to it, the mount
points, /dev/console and /init: mount proc and sysfs, print /proc/meminfo
between two marker lines and the processor lines of /proc/cpuinfo (the SMP
tests count them), read /proc/1/cmdline (Linux reads /init's argv out of its
user page with kmap(), i.e. kmap_high() when that page is in highmem: the path
docs/linux.md walks through), power off. The newc format (the kernel's
Documentation/driver-api/early-userspace/buffer-format.rst) is written here so
that no cpio tool or root privilege is needed for the device node. Every
timestamp is 0, so the archive is byte-for-byte reproducible.
"""
import gzip
import sys

INIT = b"""#!/bin/sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
echo "hm386-linux: meminfo begin"
/bin/busybox cat /proc/meminfo
echo "hm386-linux: meminfo end"
/bin/busybox grep -E '^processor' /proc/cpuinfo
echo "hm386-linux: cmdline $(/bin/busybox tr '\\0' ' ' </proc/1/cmdline)"
/bin/busybox poweroff -f
"""


def entry(ino, name, mode, data=b"", nlink=1, rdev=(0, 0)):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_b), 0]
    head = b"070701" + b"".join(b"%08X" % f for f in fields)
    out = head + name_b
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(out) % 4)
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make-initramfs.py BUSYBOX OUT.cpio.gz")
    with open(sys.argv[1], "rb") as f:
        busybox = f.read()
    if busybox[:4] != b"\x7fELF":
        sys.exit("make-initramfs.py: %s is not an ELF file" % sys.argv[1])
    items = [
        ("bin", 0o040755, b""), ("dev", 0o040755, b""), ("proc", 0o040755, b""),
        ("sys", 0o040755, b""), ("sbin", 0o040755, b""),
        ("bin/busybox", 0o100755, busybox), ("bin/sh", 0o120777, b"busybox"),
        ("init", 0o100755, INIT),
    ]
    blob = b""
    ino = 1
    for name, mode, data in items:
        blob += entry(ino, name, mode, data, nlink=2 if mode & 0o040000 else 1)
        ino += 1
    blob += entry(ino, "dev/console", 0o020600, rdev=(5, 1))
    blob += entry(0, "TRAILER!!!", 0)
    blob += b"\0" * (-len(blob) % 512)
    with open(sys.argv[2], "wb") as f:
        f.write(gzip.compress(blob, mtime=0))


main()
