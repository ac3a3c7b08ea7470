#!/usr/bin/env bash
# gdb_batch_test.sh HM386 KTEST_ELF KERNEL_ELF
# Drives hm386's gdb stub with a real gdb in batch mode, as a user would with
# `gdb kernel.elf -ex 'target remote :PORT'`: breakpoints (software and hardware,
# one on an inline function), continue, registers (general and CR0/CR3), memory,
# a watchpoint with old and new values, stepi, register writes, a monitor
# command, then detach (the guest runs on to its end) and kill. Skipped (77)
# when gdb is not installed.
set -u
hm386=$1
ktest=$2
kernel=$3
command -v gdb >/dev/null || { echo "gdb not found: skipped"; exit 77; }
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
fail=0

# start_stub NAME IMAGE [hm386 options...]: runs hm386 in the background and sets PORT.
start_stub() {
  local name=$1
  shift
  timeout 120 "$hm386" run "$@" --gdb 0 --serial "file:$work/$name.serial" >"$work/$name.out" 2>"$work/$name.err" &
  STUB_PID=$!
  PORT=
  for _ in $(seq 100); do
    PORT=$(grep -o '127.0.0.1:[0-9]*' "$work/$name.err" 2>/dev/null | head -1 | cut -d: -f2)
    [[ -n "$PORT" ]] && break
    sleep 0.1
  done
  [[ -n "$PORT" ]] || { echo "FAIL: hm386 did not start its gdb stub"; cat "$work/$name.err"; exit 1; }
}

expect() {  # expect FILE REGEX WHAT
  if grep -Eq -- "$2" "$1"; then
    echo "ok   $3"
  else
    echo "FAIL $3 (no match for /$2/)"
    fail=1
  fi
}

# ---- session 1: ktest.elf running kmap_local cases; ends with detach ----------
start_stub ktest -m 64M --append "highmem=32M ktest=kmap_local.nests_in_fixmap_slots_lifo_with_preemption_on" "$ktest"
timeout 120 gdb -batch -nx \
  -ex "target remote :$PORT" \
  -ex 'b kmap_local_page' \
  -ex 'c' \
  -ex 'info registers eip' \
  -ex 'x/4xw $esp' \
  -ex 'delete' \
  -ex 'hbreak __kmap_local_page_prot' \
  -ex 'c' \
  -ex 'bt 2' \
  -ex 'delete' \
  -ex 'watch highmem_stats.kmap_local_maps' \
  -ex 'c' \
  -ex 'delete' \
  -ex 'stepi' \
  -ex 'info registers cr0 cr3' \
  -ex 'set $saved = $eax' \
  -ex 'p $eax = 0x1234' \
  -ex 'p/x $eax' \
  -ex 'set $eax = $saved' \
  -ex 'monitor kmap-local' \
  -ex 'monitor walk 0xc0100000' \
  -ex 'detach' \
  "$ktest" >"$work/gdb1.txt" 2>&1
echo "--- gdb session 1"; cat "$work/gdb1.txt"
wait "$STUB_PID"
status=$?
echo "--- hm386 (session 1): status $status"; cat "$work/ktest.err"
expect "$work/gdb1.txt" 'Breakpoint 1(\.[0-9]+)?, kmap_local_page' "software breakpoint on an inline function"
expect "$work/gdb1.txt" '^eip +0xc0[0-9a-f]+ ' "info registers eip"
expect "$work/gdb1.txt" '^0xc[0-9a-f]+:[[:space:]]+0x[0-9a-f]{8}[[:space:]]+0x[0-9a-f]{8}' "x/4xw \$esp"
expect "$work/gdb1.txt" 'Breakpoint 2, __kmap_local_page_prot' "hardware breakpoint"
expect "$work/gdb1.txt" '#1 .* in ' "backtrace"
expect "$work/gdb1.txt" 'Hardware watchpoint 3: highmem_stats.kmap_local_maps' "watchpoint set"
expect "$work/gdb1.txt" 'Old value = [0-9]+' "watchpoint old value"
expect "$work/gdb1.txt" 'New value = [0-9]+' "watchpoint new value"
expect "$work/gdb1.txt" '^cr0 +0x8[0-9a-f]+' "CR0 with PG"
expect "$work/gdb1.txt" '^cr3 +0x[0-9a-f]+' "CR3"
expect "$work/gdb1.txt" '= 0x1234' "register write"
expect "$work/gdb1.txt" 'ktest-case \(current\)' "monitor kmap-local"
expect "$work/gdb1.txt" 'PTE +\[ 256\]' "monitor walk"
expect "$work/gdb1.txt" 'detached' "detach"
expect "$work/ktest.serial" 'ktest: [0-9]+ passed, 0 failed' "the guest ran on to its end after detach"
[[ $status -eq 0 ]] || { echo "FAIL hm386 exit status $status after detach"; fail=1; }

# ---- session 2: kernel.elf; read-only watch, registers, kill ------------------
start_stub kernel "$kernel"
timeout 120 gdb -batch -nx \
  -ex "target remote :$PORT" \
  -ex 'b machine_power_off' \
  -ex 'c' \
  -ex 'info registers eip' \
  -ex 'p status' \
  -ex 'kill' \
  "$kernel" >"$work/gdb2.txt" 2>&1
echo "--- gdb session 2"; cat "$work/gdb2.txt"
wait "$STUB_PID"
status=$?
echo "--- hm386 (session 2): status $status"; cat "$work/kernel.err"
expect "$work/gdb2.txt" 'Breakpoint 1, machine_power_off' "breakpoint in kernel.elf"
expect "$work/gdb2.txt" 'eip +0xc0[0-9a-f]+ +0xc0[0-9a-f]+ <machine_power_off' "eip symbolised"
expect "$work/gdb2.txt" '\$1 = 0' "argument read from the stack"
expect "$work/kernel.err" 'gdb killed the session' "kill ends the session"
[[ $status -eq 0 ]] || { echo "FAIL hm386 exit status $status after kill"; fail=1; }
exit $fail
