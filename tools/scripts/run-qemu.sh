#!/usr/bin/env bash
# Runs a Multiboot guest under qemu-system-i386 the way hm386 runs it, and maps
# QEMU's exit status onto hm386's documented exit codes (docs/cli.md), so tests
# can compare the two emulators directly.
#
#   run-qemu.sh [--mem SIZE] [--append CMDLINE] [--timeout SECONDS] [--initrd MODS]
#               [--cpu MODEL] KERNEL
#   run-qemu.sh [--mem SIZE] [--timeout SECONDS] [--cpu MODEL] --bios ROM   (firmware-style guest)
#
# --device NAME adds a QEMU device (e.g. pc-testdev); repeatable.
# --smp N gives QEMU N CPUs (as hm386's -smp N).
# --cpu replaces the default CPU model (pentium3: PAE and PGE but no NX), e.g.
# "pentium3,+nx" to test PAE with NX.
#
# Exit status: the guest's debug-exit value; 122 when the guest shut down or
# triple-faulted without writing to the debug-exit port; 124 on timeout;
# 77 (CTest's skip code) when QEMU is not installed; 64 on bad usage.
set -uo pipefail

mem=64M
append=""
timeout=60
initrd=""
bios=""
cpu=pentium3
smp=1
devices=()
while [[ $# -gt 0 && "$1" == --* ]]; do
  case "$1" in
    --mem) mem=$2; shift 2 ;;
    --append) append=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --initrd) initrd=$2; shift 2 ;;
    --bios) bios=$2; shift 2 ;;
    --cpu) cpu=$2; shift 2 ;;
    --smp) smp=$2; shift 2 ;;
    --device) devices+=(-device "$2"); shift 2 ;;
    *) echo "run-qemu.sh: unknown option $1" >&2; exit 64 ;;
  esac
done
usage="usage: run-qemu.sh [--mem SIZE] [--append CMDLINE] [--timeout S] [--initrd MODS] [--cpu MODEL] KERNEL | --bios ROM"
if [[ -n "$bios" ]]; then
  [[ $# -eq 0 ]] || { echo "$usage" >&2; exit 64; }
  image=$bios
else
  [[ $# -eq 1 ]] || { echo "$usage" >&2; exit 64; }
  image=$1
fi
qemu=$(command -v qemu-system-i386) || { echo "run-qemu.sh: SKIP: qemu-system-i386 is not installed" >&2; exit 77; }
[[ -r "$image" ]] || { echo "run-qemu.sh: cannot read $image" >&2; exit 64; }

args=(-m "$mem" -display none -serial stdio -monitor none
      -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -cpu "$cpu" -smp "$smp" ${devices[@]+"${devices[@]}"})
if [[ -n "$bios" ]]; then
  args+=(-bios "$bios")
else
  args+=(-kernel "$image")
fi
[[ -n "$append" ]] && args+=(-append "$append")
[[ -n "$initrd" ]] && args+=(-initrd "$initrd")

timeout --foreground "$timeout" "$qemu" "${args[@]}" </dev/null
rc=$?
if [[ $rc -eq 124 ]]; then
  echo "run-qemu.sh: timeout after ${timeout}s" >&2
  exit 124
elif [[ $rc -eq 0 ]]; then
  echo "run-qemu.sh: guest stopped without writing to the debug-exit port (shutdown or triple fault)" >&2
  exit 122
elif (( rc % 2 == 1 )); then
  exit $(( (rc - 1) / 2 ))
fi
echo "run-qemu.sh: qemu failed with status $rc" >&2
exit 70
