#!/usr/bin/env bash
# repl_sigint_test.sh HM386 SPIN_ELF
# Ctrl-C in `hm386 debug`: while the guest runs it pauses it ("interrupted at");
# at the prompt it does nothing, so the next `continue` runs normally (here: to
# the --max-cycles limit) instead of stopping at once.
set -u
hm386=$1
spin=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

session() {  # session NAME HM386-ARGS...: stdin from a fifo kept open on fd 3
  local name=$1
  shift
  mkfifo "$work/$name.in"
  "$hm386" debug "$spin" --serial none "$@" <"$work/$name.in" >"$work/$name.out" 2>&1 &
  PID=$!
  exec 3>"$work/$name.in"
}
finish() {  # finish NAME: quit, wait (bounded), show the output
  echo quit >&3
  exec 3>&-
  for _ in $(seq 1 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$PID" 2>/dev/null; then echo "FAIL $1: hm386 did not end"; kill -9 "$PID"; fail=1; fi
  wait "$PID" 2>/dev/null
  echo "--- $1"; cat "$work/$1.out"
}

wait_for() {  # wait_for FILE REGEX: up to 30 s (a loaded machine, a sanitizer build)
  for _ in $(seq 1 300); do grep -q "$2" "$1" && return 0; sleep 0.1; done
  return 1
}

# 1. Ctrl-C at the prompt, then continue: runs to the cycle limit.
session prompt --max-cycles 2000000
echo 'step' >&3
wait_for "$work/prompt.out" "stepped to"
sleep 0.3
kill -INT "$PID"
sleep 0.3
echo 'c' >&3
finish prompt
grep -q "cycle limit" "$work/prompt.out" || { echo "FAIL: continue after Ctrl-C at the prompt did not run on"; fail=1; }
grep -q "interrupted at" "$work/prompt.out" && { echo "FAIL: Ctrl-C at the prompt interrupted the next continue"; fail=1; }

# 2. Ctrl-C while the guest runs: it pauses, and the session goes on.
session running
echo 'c' >&3
sleep 0.5
# Until the pause shows (a signal that arrives before `c` starts is ignored).
for _ in $(seq 1 60); do
  kill -INT "$PID"
  sleep 0.5
  grep -q "interrupted at" "$work/running.out" && break
done
echo 'p $eip' >&3
finish running
grep -q "interrupted at" "$work/running.out" || { echo "FAIL: Ctrl-C did not pause the running guest"; fail=1; }
grep -q '\$eip = 0x' "$work/running.out" || { echo "FAIL: no prompt after the pause"; fail=1; }
exit $fail
