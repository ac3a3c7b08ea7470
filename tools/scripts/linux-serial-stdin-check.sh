#!/usr/bin/env bash
# Serial console input from stdin, through the I/O APIC (issue 17; docs/linux.md):
# boots images/linux at 1G with `--serial stdio` and `rdinit=/bin/sh` (busybox's
# shell on ttyS0 instead of the meminfo /init), types commands into hm386's stdin
# (a FIFO) one at a time, each after the shell's prompt, and passes when the shell
# ran them: it printed the value of $((6*7)) (the typed line itself only holds the
# expression), /proc/interrupts shows ttyS0's IRQ 4 delivered through the I/O APIC
# with a nonzero count, and `poweroff -f` ended the run with status 0.
# Exit 77 (CTest: skipped) when the kernel has not been fetched.
#
# Usage: linux-serial-stdin-check.sh HM386 SOURCE_DIR BUILD_DIR
set -u
hm386=$1 src=$2 build=$3
dir="$build/linux"
if [[ ! -s "$dir/vmlinuz" || ! -s "$dir/initramfs.cpio.gz" ]]; then
  echo "skipped: $dir/vmlinuz and initramfs.cpio.gz are not there (run tools/scripts/fetch-linux.sh $build)"
  exit 77
fi
build=$(cd "$build" && pwd)
work=$(mktemp -d)
pid=""
trap '[[ -n "$pid" ]] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
mkfifo "$work/in"
HM386_BUILD_DIR="$build" "$hm386" run "$src/images/linux" -m 1G --append "console=ttyS0 panic=-1 rdinit=/bin/sh" \
  --serial stdio --debugcon none --timeout 1200 <"$work/in" >"$work/out" 2>"$work/err" &
pid=$!
exec 4>"$work/in"  # hm386's stdin stays open until we close it

prompts() { grep -o "/ # " "$work/out" 2>/dev/null | wc -l; }
# type LINE: waits for one more prompt than there were before the previous line
# (up to 1100 s of wall time for the first, which follows the boot; 300 s for the
# others), then writes LINE.
seen=0
type_line() {
  local i limit=$(( seen == 0 ? 1100 : 300 ))
  for ((i = 0; i < limit; i++)); do
    (( $(prompts) > seen )) && break
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 1
  done
  seen=$(prompts)
  printf '%s\n' "$1" >&4
}
fail=0
for line in '/bin/busybox mount -t proc proc /proc' 'echo hm386-stdin-$((6*7))' '/bin/busybox cat /proc/interrupts' \
            '/bin/busybox poweroff -f'; do
  type_line "$line" || { echo "FAIL: hm386 ended before the shell prompt for: $line"; fail=1; break; }
done
wait "$pid"
status=$?
pid=""
exec 4>&-
echo "hm386 run images/linux -m 1G --serial stdio (rdinit=/bin/sh): exit status $status"
tr -d '\r' <"$work/out" | sed -n '/^\/ # /,$p' | tr -d '\033' | head -40
if [[ $status -ne 0 ]]; then echo "FAIL: exit status $status (0 is the guest's power-off)"; head -3 "$work/err"; fail=1; fi
if ! tr -d '\r' <"$work/out" | grep -qx "hm386-stdin-42"; then
  echo "FAIL: the shell did not run the typed echo (no line hm386-stdin-42)"
  fail=1
fi
if ! tr -d '\r' <"$work/out" | grep -qE "^ *4: +[1-9][0-9]* +IO-APIC +4-edge +ttyS0"; then
  echo "FAIL: /proc/interrupts shows no ttyS0 interrupts through the I/O APIC (IRQ 4)"
  fail=1
fi
exit $fail
