#!/usr/bin/env bash
# gdb_batch_test.sh HM386 KTEST_ELF KERNEL_ELF
# Drives hm386's gdb stub with a real gdb in batch mode, as a user would with
# `gdb kernel.elf -ex 'target remote :PORT'`: breakpoints (software and hardware,
# one on an inline function), continue, registers (general and CR0/CR3), memory,
# a watchpoint with old and new values, stepi, register writes, a monitor
# command, then detach (the guest runs on to its end) and kill. Skipped (77)
# when gdb is not installed.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/gdb_stub_port.sh"
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
  PORT=$(stub_port "$work/$name.err") || { echo "$PORT"; exit 1; }
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
start_stub ktest -m 64M --append "force_highmem=32M ktest=kmap_local.nests_in_fixmap_slots_lifo_with_preemption_on" "$ktest"
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

# ---- session 1b: the x87 registers, read and written -------------------------
# At x87_state_loaded (guest-tests/kernel/x87_test.cpp) the guest has loaded
# CW 0x087f, pushed pi and then 1/3 (FIDIV by the integer 3): TOP 6, R7 and R6
# valid, the rest empty. gdb writes ST(0) and the control word and reads them
# back; the case then checks the control word it set is there again.
start_stub x87 -m 64M --append "force_highmem=32M ktest=x87.new_thread_starts_from_the_fninit_state" "$ktest"
timeout 120 gdb -batch -nx \
  -ex "target remote :$PORT" \
  -ex 'b x87_state_loaded' \
  -ex 'c' \
  -ex 'p/x $fctrl' \
  -ex 'p/x $fstat & 0x3800' \
  -ex 'p/x $ftag' \
  -ex 'p $st0' \
  -ex 'p $st1' \
  -ex 'p $st1 == 3.14159265358979323846264338327950288L' \
  -ex 'p/x $fop & 0x738' \
  -ex 'p/x $fioff' \
  -ex 'p/x $fooff' \
  -ex 'info float' \
  -ex 'set var $st0 = 2.5' \
  -ex 'p $st0' \
  -ex 'p $st1 == 3.14159265358979323846264338327950288L' \
  -ex 'set var $fctrl = 0x37f' \
  -ex 'p/x $fctrl' \
  -ex 'set var $fctrl = 0x87f' \
  -ex 'p/x $ftag' \
  -ex 'detach' \
  "$ktest" >"$work/gdb1b.txt" 2>&1
echo "--- gdb session 1b"; cat "$work/gdb1b.txt"
wait "$STUB_PID"
status=$?
echo "--- hm386 (session 1b): status $status"; cat "$work/x87.err"
expect "$work/gdb1b.txt" 'Breakpoint 1, (0x[0-9a-f]+ in )?x87_state_loaded' "breakpoint at the x87 stop"
expect "$work/gdb1b.txt" '^\$1 = 0x87f$' "fctrl"
expect "$work/gdb1b.txt" '^\$2 = 0x3000$' "fstat TOP = 6"
expect "$work/gdb1b.txt" '^\$3 = 0xfff$' "ftag: R7, R6 valid, the rest empty"
expect "$work/gdb1b.txt" '^\$4 = 0\.33333' "st0 = 1/3"
expect "$work/gdb1b.txt" '^\$5 = 3\.14159265358979' "st1 = pi"
expect "$work/gdb1b.txt" '^\$7 = 0x230$' "fop: DA /6 (FIDIV m32int)"
expect "$work/gdb1b.txt" '^\$8 = 0xc01[0-9a-f]{5}$' "fioff in kernel text"
expect "$work/gdb1b.txt" '^\$9 = 0xc01[0-9a-f]{5}$' "fooff in kernel data"
expect "$work/gdb1b.txt" '^=>R6: Valid +0x3ffd' "info float: R6 on top"
expect "$work/gdb1b.txt" '^  R7: Valid +0x4000c90fdaa22168c2' "info float: R7 holds pi"
expect "$work/gdb1b.txt" '^  R0: Empty' "info float: R0 empty"
expect "$work/gdb1b.txt" '^\$10 = 2\.5$' "st0 written and read back"
expect "$work/gdb1b.txt" '^\$12 = 0x37f$' "fctrl written and read back"
expect "$work/gdb1b.txt" '^\$13 = 0xfff$' "ftag unchanged by the writes"
expect "$work/x87.serial" 'ok 1 - x87.new_thread_starts_from_the_fninit_state' "the case passed after the writes"
[[ $status -eq 0 ]] || { echo "FAIL hm386 exit status $status after detach (x87)"; fail=1; }

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
