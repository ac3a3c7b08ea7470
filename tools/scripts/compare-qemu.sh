#!/usr/bin/env bash
# compare-qemu.sh HM386 [--mem SIZE] [--append CMDLINE] [--timeout S] (KERNEL | --bios ROM)
# Runs the same guest under `hm386 run` and under qemu-system-i386 (through
# run-qemu.sh) and succeeds only if both print the same serial output, byte for
# byte, and end with the same exit status. 77 (skip) when QEMU is missing.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
hm386=$1
shift
mem=64M
append=""
timeout=60
bios=""
while [[ $# -gt 0 && "$1" == --* ]]; do
  case "$1" in
    --mem) mem=$2; shift 2 ;;
    --append) append=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --bios) bios=$2; shift 2 ;;
    *) echo "compare-qemu.sh: unknown option $1" >&2; exit 64 ;;
  esac
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

hm_args=(run -m "$mem" --timeout "$timeout" --debugcon none)
qemu_args=(--mem "$mem" --timeout "$timeout")
if [[ -n "$bios" ]]; then
  hm_args+=(--rom "$bios")
  qemu_args+=(--bios "$bios")
else
  [[ $# -eq 1 ]] || { echo "usage: compare-qemu.sh HM386 [options] KERNEL | --bios ROM" >&2; exit 64; }
  hm_args+=(--append "$append" "$1")
  [[ -n "$append" ]] && qemu_args+=(--append "$append")
  qemu_args+=("$1")
fi

"$here/run-qemu.sh" "${qemu_args[@]}" >"$tmp/qemu.out" 2>"$tmp/qemu.err" </dev/null
qemu_status=$?
[[ $qemu_status -eq 77 ]] && { cat "$tmp/qemu.err"; exit 77; }
"$hm386" "${hm_args[@]}" >"$tmp/hm386.out" 2>"$tmp/hm386.err" </dev/null
hm_status=$?

echo "== hm386 (status $hm_status)"
cat "$tmp/hm386.out" "$tmp/hm386.err"
echo "== qemu (status $qemu_status)"
cat "$tmp/qemu.out" "$tmp/qemu.err"
fail=0
if [[ $hm_status -ne $qemu_status ]]; then
  echo "compare-qemu: exit status differs: hm386 $hm_status, qemu $qemu_status" >&2
  fail=1
fi
if ! cmp -s "$tmp/hm386.out" "$tmp/qemu.out"; then
  echo "compare-qemu: serial output differs:" >&2
  diff "$tmp/hm386.out" "$tmp/qemu.out" >&2
  fail=1
fi
exit $fail
