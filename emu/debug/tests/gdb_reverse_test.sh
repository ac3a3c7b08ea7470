#!/usr/bin/env bash
# gdb_reverse_test.sh HM386 KERNEL_ELF
# gdb's reverse-stepi and reverse-continue through hm386's stub (the bs/bc
# packets, docs/debugger.md), driven by a real gdb in batch mode: recording on
# (`monitor record on`), three hits of a breakpoint on printk, two stepi, then
# back. After every command the registers, cycle and instruction counts
# (`monitor regs`) are taken; each reverse command must land exactly on the
# state recorded going forward: reverse-stepi x2 on the first stepi's state and
# the third hit; reverse-continue on the second hit, then the first, then gdb
# says there is no more history and the machine is where recording began.
# Skipped (77) when gdb is not installed.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/gdb_stub_port.sh"
hm386=$1
kernel=$2
command -v gdb >/dev/null || { echo "gdb not found: skipped"; exit 77; }
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
fail=0

timeout 120 "$hm386" run "$kernel" --gdb 0 --serial "file:$work/serial" >"$work/out" 2>"$work/err" &
stub=$!
port=$(stub_port "$work/err") || { echo "$port"; exit 1; }

cmds=(-ex "target remote :$port" -ex "monitor record on")
state() { cmds+=(-ex "echo STATE $1\\n" -ex "monitor regs"); }
run() { cmds+=(-ex "$1"); state "$2"; }
state start
cmds+=(-ex "break printk")
run continue hit1
run continue hit2
run continue hit3
run stepi step1
run stepi step2
run reverse-stepi rsi1
run reverse-stepi rsi2
run reverse-continue rc1
run reverse-continue rc2
run reverse-continue rc3
cmds+=(-ex kill)
timeout 120 gdb -batch -nx "${cmds[@]}" "$kernel" >"$work/gdb.txt" 2>&1
echo "--- gdb"; cat "$work/gdb.txt"
wait "$stub"

# STATE NAME -> the registers (change marks removed) and the counts after it.
awk -v dir="$work" '
  /^STATE / { name = $2; next }
  name != "" && (/^e[a-z][a-z] / || /^cs:eip /) { gsub(/\*/, " "); gsub(/ +/, " "); print > (dir "/state." name) }
' "$work/gdb.txt"
same() {  # same A B WHAT
  if [[ -s $work/state.$1 ]] && cmp -s "$work/state.$1" "$work/state.$2"; then
    echo "ok   $3"
  else
    echo "FAIL $3 ($1 and $2 differ or are missing)"
    diff "$work/state.$1" "$work/state.$2" 2>&1 | head -10
    fail=1
  fi
}
differ() {  # differ A B WHAT: a step must have moved the machine
  if [[ -s $work/state.$1 && -s $work/state.$2 ]] && ! cmp -s "$work/state.$1" "$work/state.$2"; then
    echo "ok   $3"
  else
    echo "FAIL $3"
    fail=1
  fi
}
differ hit1 hit2 "the breakpoint hits are distinct states"
differ hit3 step1 "stepi moved"
same rsi1 step1 "reverse-stepi: back to the first stepi's state"
same rsi2 hit3 "reverse-stepi: back to the third hit"
same rc1 hit2 "reverse-continue: back to the second hit"
same rc2 hit1 "reverse-continue: back to the first hit"
same rc3 start "reverse-continue: back where recording began"
if grep -q 'No more reverse-execution history' "$work/gdb.txt"; then
  echo "ok   gdb reports the start of the history"
else
  echo "FAIL gdb does not report the start of the history"
  fail=1
fi
if grep -Eq 'Breakpoint 1, .*printk' "$work/gdb.txt"; then echo "ok   gdb names the breakpoint"; else echo "FAIL no breakpoint report"; fail=1; fi
exit $fail
