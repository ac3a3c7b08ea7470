#!/usr/bin/env bash
# The QEMU reference for the Linux boot: boots Debian's 686-pae kernel with the
# test initramfs (tools/scripts/fetch-linux.sh) on qemu-system-i386 (TCG) and
# prints the e820 map Linux reports, MemTotal/HighTotal and the host seconds
# from start to poweroff.
#
# Usage: tools/scripts/linux-qemu.sh [-m SIZE] [BUILD_DIR]  (default 3G, build)
# The console log is kept in BUILD_DIR/linux/qemu-SIZE.log; QEMU is stopped after
# $LINUX_QEMU_TIMEOUT seconds (default 120).
set -euo pipefail
mem=3G
if [[ "${1:-}" == -m ]]; then mem=$2; shift 2; fi
build=${1:-build}
dir="$build/linux"
[[ -s "$dir/vmlinuz" && -s "$dir/initramfs.cpio.gz" ]] ||
  { echo "linux-qemu: $dir/vmlinuz or initramfs.cpio.gz missing: run tools/scripts/fetch-linux.sh $build" >&2; exit 1; }
command -v qemu-system-i386 >/dev/null || { echo "linux-qemu: qemu-system-i386 not found" >&2; exit 1; }
log="$dir/qemu-$mem.log"
start=$(date +%s.%N)
timeout "${LINUX_QEMU_TIMEOUT:-120}" qemu-system-i386 -m "$mem" -kernel "$dir/vmlinuz" -initrd "$dir/initramfs.cpio.gz" \
  -append "console=ttyS0 earlyprintk=serial,ttyS0,115200 panic=-1" \
  -display none -serial "file:$log" -monitor none -no-reboot || true
end=$(date +%s.%N)
grep -E "BIOS-e820:|Linux version" "$log" || true
grep -E "^(MemTotal|HighTotal|LowTotal):" "$log" || { echo "linux-qemu: no /proc/meminfo in $log (see the log)" >&2; exit 1; }
printf 'qemu-system-i386 -m %s: %.2f s from start to poweroff\n' "$mem" "$(echo "$end - $start" | bc)"
