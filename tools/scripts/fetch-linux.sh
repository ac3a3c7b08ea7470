#!/usr/bin/env bash
# Fetches Debian 12's 686-pae kernel and busybox-static (both i386) into the
# build tree and builds the test initramfs there (never in the source tree):
#
#   BUILD/linux/vmlinuz          the bzImage
#   BUILD/linux/System.map       its symbols (the image package's System.map is a
#                                placeholder: the real one is taken out of the
#                                768 MB linux-image-*-dbg package, which is then deleted)
#   BUILD/linux/initramfs.cpio.gz  /init prints /proc/meminfo and powers off
#   BUILD/linux/VERSION          the kernel package fetched
#
# Usage: tools/scripts/fetch-linux.sh [--no-symbols] [BUILD_DIR]   (default: build)
# --no-symbols: no System.map (the 768 MB -dbg download is skipped; what CI
# fetches, docs/testing.md): the boot tests run, the debugger ones skip.
# Idempotent: does nothing when the files are there. Needs apt (and root or sudo
# only when the i386 architecture must be added). Exit 1 with one line saying why
# when the packages cannot be fetched.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
symbols=1
if [[ "${1:-}" == --no-symbols ]]; then symbols=0; shift; fi
build=${1:-build}
out="$build/linux"
fail() { echo "fetch-linux: $*" >&2; exit 1; }

# The initramfs is rebuilt (from the busybox package kept in debs/) whenever
# make-initramfs.py changes: its hash is the stamp.
stamp=$(sha256sum "$here/make-initramfs.py" | cut -c1-16)
if [[ -s "$out/vmlinuz" && ( $symbols == 0 || -s "$out/System.map" ) && -s "$out/initramfs.cpio.gz" ]]; then
  [[ "$(cat "$out/initramfs.stamp" 2>/dev/null)" == "$stamp" ]] && exit 0
  bdeb=$(ls -t "$out"/debs/busybox-static_*_i386.deb 2>/dev/null | head -1)
  if [[ -n "$bdeb" ]]; then
    work=$(mktemp -d "$out/tmp.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    dpkg-deb -x "$bdeb" "$work/b" || fail "cannot unpack $bdeb"
    python3 "$here/make-initramfs.py" "$work/b/bin/busybox" "$work/initramfs.cpio.gz"
    mv "$work/initramfs.cpio.gz" "$out/initramfs.cpio.gz"
    echo "$stamp" > "$out/initramfs.stamp"
    echo "fetch-linux: rebuilt $out/initramfs.cpio.gz (make-initramfs.py changed)" >&2
    exit 0
  fi
fi
command -v apt-get >/dev/null || fail "apt-get not found (a Debian 12 host is needed)"
command -v dpkg-deb >/dev/null || fail "dpkg-deb not found"
command -v python3 >/dev/null || fail "python3 not found"

SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"
if ! dpkg --print-foreign-architectures | grep -qx i386; then
  echo "fetch-linux: adding the i386 dpkg architecture" >&2
  $SUDO dpkg --add-architecture i386 || fail "cannot add the i386 architecture (need root or sudo)"
  $SUDO apt-get update -qq || fail "apt-get update failed"
fi

# The newest 6.1 686-pae kernel (not the -rt one) the package lists know.
pkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-686-pae-unsigned$' | awk '{print $1}' | sort -V | tail -1)
if [[ -z "$pkg" ]]; then
  $SUDO apt-get update -qq || true
  pkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-686-pae-unsigned$' | awk '{print $1}' | sort -V | tail -1)
fi
[[ -n "$pkg" ]] || fail "no linux-image-6.1.0-*-686-pae-unsigned package in the apt lists (is the i386 architecture enabled?)"

mkdir -p "$out/debs"
work=$(mktemp -d "$out/tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT
(cd "$out/debs" && apt-get download -q "$pkg:i386" "busybox-static:i386" >&2) ||
  fail "apt-get download $pkg:i386 busybox-static:i386 failed"
kdeb=$(ls -t "$out"/debs/"$pkg"_*_i386.deb | head -1)
bdeb=$(ls -t "$out"/debs/busybox-static_*_i386.deb | head -1)
dpkg-deb -x "$kdeb" "$work/k" || fail "cannot unpack $kdeb"
dpkg-deb -x "$bdeb" "$work/b" || fail "cannot unpack $bdeb"
vmlinuz=$(ls "$work"/k/boot/vmlinuz-* 2>/dev/null | head -1)
[[ -n "$vmlinuz" ]] || fail "$kdeb has no /boot/vmlinuz-*"
if [[ $symbols == 1 ]]; then
  dbg=${pkg%-unsigned}-dbg
  (cd "$out/debs" && apt-get download -q "$dbg:i386" >&2) || fail "apt-get download $dbg:i386 failed"
  ddeb=$(ls -t "$out"/debs/"$dbg"_*_i386.deb | head -1)
  # System.map comes before the 300 MB vmlinux in the archive: stop at the first
  # match (dpkg-deb then dies of SIGPIPE, which is expected).
  set +o pipefail
  dpkg-deb --fsys-tarfile "$ddeb" 2>/dev/null | tar -x -C "$work" --wildcards --occurrence=1 './usr/lib/debug/boot/System.map-*'
  set -o pipefail
  sysmap=$(ls "$work"/usr/lib/debug/boot/System.map-* 2>/dev/null | head -1)
  [[ -n "$sysmap" ]] || fail "$ddeb has no usr/lib/debug/boot/System.map-*"
  rm -f "$ddeb"
fi
[[ -x "$work/b/bin/busybox" ]] || fail "$bdeb has no /bin/busybox"
python3 "$here/make-initramfs.py" "$work/b/bin/busybox" "$work/initramfs.cpio.gz"
if [[ $symbols == 1 ]]; then cp "$sysmap" "$out/System.map"; fi
cp "$work/initramfs.cpio.gz" "$out/initramfs.cpio.gz"
echo "$stamp" > "$out/initramfs.stamp"
basename "$kdeb" > "$out/VERSION"
cp "$vmlinuz" "$out/vmlinuz"   # last: its presence means the rest is there
echo "fetch-linux: $(cat "$out/VERSION") and $(basename "$bdeb") in $out" >&2
