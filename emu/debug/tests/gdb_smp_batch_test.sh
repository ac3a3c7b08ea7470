#!/usr/bin/env bash
# gdb_smp_batch_test.sh HM386 SMP_BOOT_IMAGE
# A real gdb in batch mode on the smp.boot guest at -smp 2: the CPUs are
# threads (`info threads`), a thread-specific breakpoint (`break ap_main thread
# 2`) stops on CPU 1 and gdb says so, `thread 2` + `stepi` steps CPU 1 (its
# instruction count grows by exactly one per stepi, as `monitor cpu` shows),
# `thread 1` + `stepi` steps CPU 0 and the stop is reported on thread 1, and the
# guest then runs to its end. Skipped (77) when gdb is not installed.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/gdb_stub_port.sh"
hm386=$1
image=$2
command -v gdb >/dev/null || { echo "gdb not found: skipped"; exit 77; }
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
fail=0

timeout 120 "$hm386" run -m 64M -smp 2 "$image" --gdb 0 --serial "file:$work/serial" >"$work/out" 2>"$work/err" &
port=$(stub_port "$work/err") || { echo "$port"; exit 1; }

timeout 120 gdb -batch -nx \
  -ex "target remote :$port" \
  -ex 'info threads' \
  -ex 'break ap_main thread 2' \
  -ex 'c' \
  -ex 'info threads' \
  -ex 'monitor cpu' \
  -ex 'thread 2' \
  -ex 'stepi' \
  -ex 'p/x $pc' \
  -ex 'monitor cpu' \
  -ex 'stepi' \
  -ex 'p/x $pc' \
  -ex 'monitor cpu' \
  -ex 'thread 1' \
  -ex 'stepi' \
  -ex 'monitor cpu' \
  -ex 'delete' \
  -ex 'c' \
  "$image" >"$work/gdb" 2>&1
status=$?
cat "$work/gdb"

expect() {  # expect REGEX WHAT
  if grep -Eq -- "$1" "$work/gdb"; then echo "ok   $2"; else echo "FAIL $2 (no match for /$1/)"; fail=1; fi
}
expect '^\* 1 +Thread 1 \(CPU 0\)' "info threads: thread 1 is CPU 0, selected"
expect '^  2 +Thread 2 \(CPU 1 \(waiting for SIPI\)\)' "info threads: thread 2 is CPU 1, waiting for its SIPI"
expect 'Thread 2 .*hit Breakpoint 1.*ap_main' "the thread breakpoint stops CPU 1"
expect '^\* 2 +Thread 2 \(CPU 1\) .*ap_main' "info threads: thread 2 selected at ap_main"
expect '^\$1 = 0x100058$' "stepi on thread 2: from ap_main+3 (after the prologue) to +8"
expect '^\$2 = 0x10005d$' "stepi again: ap_main+0xd"
expect 'exited normally' "the guest runs to its end"

# CPU 1's instruction count, from each `monitor cpu` listing in order.
mapfile -t cpu1 < <(grep -E '^[ *] cpu 1 ' "$work/gdb" | sed -E 's/.*instructions ([0-9]+).*/\1/')
mapfile -t cpu0 < <(grep -E '^[ *] cpu 0 ' "$work/gdb" | sed -E 's/.*instructions ([0-9]+).*/\1/')
if [[ ${#cpu1[@]} -eq 4 && $((cpu1[1] - cpu1[0])) -eq 1 && $((cpu1[2] - cpu1[1])) -eq 1 ]]; then
  echo "ok   each stepi on thread 2 retires one CPU 1 instruction (${cpu1[*]})"
else
  echo "FAIL stepi on thread 2 should retire one CPU 1 instruction each: ${cpu1[*]:-none}"; fail=1
fi
if [[ ${#cpu0[@]} -eq 4 && $((cpu0[3] - cpu0[2])) -eq 1 ]]; then
  echo "ok   stepi on thread 1 retires one CPU 0 instruction (${cpu0[*]})"
else
  echo "FAIL stepi on thread 1 should retire one CPU 0 instruction: ${cpu0[*]:-none}"; fail=1
fi
wait
grep -q "smp-boot: PASS" "$work/serial" && echo "ok   the guest passed" || { echo "FAIL the guest's output"; fail=1; }
exit $fail
