#!/usr/bin/env bash
# check-reverse-step.sh HM386 N BREAK -- GUEST-ARGS...: reverse-stepi in `hm386 debug`
# (docs/snapshots.md, "Reverse stepping"). With `record on` from the start, at the second hit of BREAK (a
# breakpoint expression; `io:PORT` for a break on port I/O; `sti-hlt-in:SYMBOL`
# for the STI of the first STI; HLT pair in the function SYMBOL of the image, found
# with objdump, so that the steps run through the halt and the interrupt that ends it), the script records
# the state (cycles, instructions, every register) after each of N single steps,
# then steps back N times with reverse-stepi; each state on the way back must be
# the recorded one, in reverse order, down to the state before the first step.
# Then the guest runs to its end: its final state hash must be a plain run's.
set -u
hm386=$1
n=$2
where=$3
shift 3
[[ ${1:-} == -- ]] && shift
args=("$@")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

"$hm386" run "${args[@]}" --state-hash-every 100000000 --serial none --debugcon none --timeout 60 </dev/null \
  2>"$tmp/plain.err" >/dev/null
plain_final=$(grep 'state-hash: final' "$tmp/plain.err") || fail "the plain run printed no final hash"

{
  echo 'record on'
  case $where in
    io:*) echo "break-on io ${where#io:}" ;;
    sti-hlt-in:*)
      addr=$(objdump -d --no-show-raw-insn "--disassemble=${where#sti-hlt-in:}" "${args[0]}" |
        awk '$2 == "hlt" && prev_op == "sti" { print prev_addr; exit } { prev_op = $2; prev_addr = $1 }')
      [[ -n $addr ]] || fail "no STI; HLT in ${where#sti-hlt-in:}"
      echo "break 0x${addr%:}" ;;
    *) echo "break $where" ;;
  esac
  echo continue
  echo continue
  echo delete
  echo 'echo STATE'; echo stats; echo regs
  for _ in $(seq "$n"); do echo step; echo 'echo STATE'; echo stats; echo regs; done
  for _ in $(seq "$n"); do echo reverse-stepi; echo 'echo STATE'; echo stats; echo regs; done
  echo continue
} >"$tmp/script.hm386"
"$hm386" debug "${args[@]}" --state-hash-every 100000000 --serial none --debugcon none --timeout 120 \
  --script "$tmp/script.hm386" </dev/null >"$tmp/out" 2>"$tmp/err" || { tail -20 "$tmp/out" "$tmp/err"; fail "the session failed"; }

# One state per "STATE" marker: cycles, instructions and halted cycles, the TLB
# counters, #PF count, stale reports and PDPTE loads, and the registers, with the
# change marks (which depend on the direction) removed. Not the exception and
# interrupt counts or block counts of `stats`: host statistics, not snapshot state.
awk -v dir="$tmp" '
  /^STATE$/ { n++; keep = 1; next }
  /^\(hm386\) (step|reverse-stepi|continue)/ { keep = 0 }
  keep && (/^cycles / || /^[ID]TLB: / || /^page faults / || /^e[a-z][a-z] / || /^cs:eip /) {
    gsub(/\*/, " "); gsub(/ +/, " "); print > (dir "/state." n)
  }
' "$tmp/out"
states=$(ls "$tmp"/state.* 2>/dev/null | wc -l)
[[ $states == $((2 * n + 1)) ]] || fail "expected $((2 * n + 1)) states, found $states"
for i in $(seq 0 "$n"); do
  fwd=$((i + 1))           # state after i forward steps
  back=$((2 * n + 1 - i))  # state after n - i reverse steps
  [[ -s $tmp/state.$fwd ]] || fail "state $fwd is empty"
  cmp -s "$tmp/state.$fwd" "$tmp/state.$back" || {
    diff "$tmp/state.$fwd" "$tmp/state.$back"
    fail "after stepping back to step $i the state differs from the one recorded going forward"
  }
done
cmp -s "$tmp/state.1" "$tmp/state.2" && fail "the first step changed nothing: the comparison would prove nothing"
if [[ $where == sti-hlt-in:* ]]; then
  halted() { sed -n 's/.*halted cycles \([0-9]*\).*/\1/p' "$1" | head -1; }
  (($(halted "$tmp/state.$((n + 1))") > $(halted "$tmp/state.1"))) || fail "the steps did not run through a halt"
fi
final=$(grep 'state-hash: final' "$tmp/err")
[[ $final == "$plain_final" ]] || fail "after going back and on, the end differs: '$final', plain '$plain_final'"
# Where re-execution cannot help, reverse-stepi says why and changes nothing.
expect_refusal() {  # NAME MESSAGE COMMANDS...
  local name=$1 message=$2
  shift 2
  printf '%s\n' "$@" >"$tmp/refuse.hm386"
  "$hm386" debug "${args[@]}" --serial none --debugcon none --timeout 60 --script "$tmp/refuse.hm386" </dev/null \
    >"$tmp/refuse.out" 2>&1 && fail "$name: the session succeeded"
  grep -q "reverse-stepi: no checkpoint before this point$message" "$tmp/refuse.out" ||
    { cat "$tmp/refuse.out"; fail "$name: no reason given"; }
}
expect_refusal "without recording" ": turn recording on" step reverse-stepi
expect_refusal "at the point recording began" " (loadvm" 'record on' reverse-stepi
expect_refusal "after a register edit" " (loadvm" 'record on' step 'set eax 0x1234' reverse-stepi

echo "OK: $n steps forward and back retrace the same $((n + 1)) states ($(head -1 "$tmp/state.1"));" \
  "the run then ends as a plain run"
