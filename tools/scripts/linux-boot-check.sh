#!/usr/bin/env bash
# Boots Debian's 686-pae kernel (images/linux, fetched by tools/scripts/fetch-linux.sh)
# on hm386 and reports how far it got: the exit status, where the CPU stopped
# (EIP, with the System.map symbol when the address is the kernel's), and the
# console. Exit 77 (CTest: skipped) when the kernel has not been fetched.
#
# Usage: linux-boot-check.sh HM386 SOURCE_DIR BUILD_DIR MEM [hm386 run options...]
#
# Passes when the kernel's own code ran from our boot_params: the decompressor
# read the command line through cmd_line_ptr and, for earlyprintk=serial,ttyS0,115200,
# programmed COM1's divisor latch to 1 (an OUT of 0x01 to 0x3F8 with DLAB set),
# and the run ended without a bad-image (65) or internal (70) status and without
# the decompressor's "-- System halted" error. How much further it gets depends on
# the x87 FPU and the APIC (docs/linux.md, issue 17).
set -u
hm386=$1 src=$2 build=$3 mem=$4
shift 4
dir="$build/linux"
if [[ ! -s "$dir/vmlinuz" || ! -s "$dir/initramfs.cpio.gz" ]]; then
  echo "skipped: $dir/vmlinuz and initramfs.cpio.gz are not there (run tools/scripts/fetch-linux.sh $build)"
  exit 77
fi
build=$(cd "$build" && pwd)  # ${BUILD} in the manifest must not depend on where we run
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
HM386_BUILD_DIR="$build" "$hm386" run "$src/images/linux" -m "$mem" --serial "file:$work/console" --debugcon none \
  --trace "$work/trace" --trace-events io,exc "$@" >"$work/out" 2>&1 </dev/null
status=$?
echo "hm386 run images/linux -m $mem $*: exit status $status"
grep -E "^hm386: " "$work/out" | head -3
eip=$(grep -oE "^EIP=[0-9a-f]{8}" "$work/out" | head -1 | cut -d= -f2)
if [[ -n "$eip" ]]; then
  # The kernel proper runs at 0xC1000000 virtual, loaded at 0x1000000 physical.
  addr=$((16#$eip))
  (( addr >= 0x1000000 && addr < 0x40000000 )) && addr=$((addr + 0xC0000000))
  sym=$(awk -v a="$addr" 'BEGIN{best=""} { v=strtonum("0x" $1); if (v <= a && v > bv) { bv=v; best=$3 } } END { if (best != "") printf "%s+0x%x", best, a-bv }' "$dir/System.map" 2>/dev/null)
  if (( addr >= 0xC0000000 )) && [[ -n "$sym" ]]; then
    echo "stopped at EIP=$eip: $sym (System.map)"
  else
    echo "stopped at EIP=$eip: not in the kernel proper (the decompressor or setup code, which System.map does not cover)"
  fi
fi
[[ -s "$work/trace" ]] && "$hm386" trace "$work/trace" --events exc | tail -3
echo "--- console (last 20 lines) ---"
tail -n 20 "$work/console" 2>/dev/null
echo "---"
fail=0
if [[ $status -eq 65 || $status -eq 70 || $status -eq 64 ]]; then echo "FAIL: exit status $status"; fail=1; fi
if grep -q -- "-- System halted" "$work/console" 2>/dev/null; then echo "FAIL: the decompressor stopped with an error"; fail=1; fi
# DLAB set (LCR 0x83), then divisor low byte 0x01: 115200 baud, from our command line.
if [[ ! -s "$work/trace" ]] || ! "$hm386" trace "$work/trace" --events io | grep -A1 -E "out8 0x03fb <- 0x83" | grep -qE "out8 0x03f8 <- 0x01"; then
  echo "FAIL: COM1 was never set to 115200 baud: the decompressor did not run or did not read the command line"
  fail=1
fi
exit $fail
