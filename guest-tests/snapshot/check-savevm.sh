#!/usr/bin/env bash
# check-savevm.sh HM386 KERNEL: savevm/loadvm in the debugger's command language
# (docs/snapshots.md). A plain run of KERNEL with --state-hash-every gives the
# reference. In `hm386 debug`, at printk's second call: savevm; the guest runs
# to its end; loadvm (EIP must be printk again); the guest runs to its end again.
# The session must print the reference's hash lines, then again every line after
# the saved instruction (the final line included), and its serial output must be
# the reference's followed by the reference's output after the saved point.
set -u
hm386=$1
kernel=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
every=1000000

"$hm386" run "$kernel" --state-hash-every $every --serial "file:$tmp/plain.serial" --debugcon none --timeout 60 \
  </dev/null 2>"$tmp/plain.err" >/dev/null
grep '^state-hash:' "$tmp/plain.err" >"$tmp/plain.hash"

printf '%s\n' 'break printk' 'continue' 'continue' "savevm $tmp/s.snap" 'delete' 'continue' \
  "loadvm $tmp/s.snap" 'assert $eip == printk' 'continue' >"$tmp/script.hm386"
"$hm386" debug "$kernel" --state-hash-every $every --serial "file:$tmp/dbg.serial" --debugcon none --timeout 60 \
  --script "$tmp/script.hm386" </dev/null >"$tmp/dbg.out" 2>"$tmp/dbg.err" || { cat "$tmp/dbg.out" "$tmp/dbg.err"; fail "the session failed"; }
grep '^state-hash:' "$tmp/dbg.err" >"$tmp/dbg.hash"
saved=$(grep -o 'snapshot written to .* at cycle [0-9]*, instruction [0-9]*' "$tmp/dbg.out") || fail "no savevm output"
cycle=$(echo "$saved" | sed 's/.*at cycle \([0-9]*\),.*/\1/')
insn=$(echo "$saved" | sed 's/.*instruction //')
grep -q "machine restored from .*: cycle $cycle, instruction $insn" "$tmp/dbg.out" || fail "loadvm did not report the saved point"
echo "savevm at cycle $cycle, instruction $insn"

# The reference lines, then those after the saved instruction again (both runs
# print a final line only at the very end of the session).
grep -v final "$tmp/plain.hash" >"$tmp/expect.hash"
awk -v n="$insn" '{ split($0, a, "instructions="); split(a[2], b, " "); if (b[1] + 0 > n) print }' \
  "$tmp/plain.hash" >>"$tmp/expect.hash"
diff "$tmp/expect.hash" "$tmp/dbg.hash" || fail "the hashes after loadvm differ from the plain run's"

"$hm386" run "$kernel" --max-cycles "$cycle" --serial "file:$tmp/prefix.serial" --debugcon none </dev/null 2>/dev/null
cat "$tmp/plain.serial" <(tail -c +$(($(stat -c %s "$tmp/prefix.serial") + 1)) "$tmp/plain.serial") |
  cmp -s - "$tmp/dbg.serial" || fail "the serial output after loadvm differs from the plain run's"
echo "OK: after loadvm the guest ran to the plain run's final state ($(tail -1 "$tmp/dbg.hash"))"
