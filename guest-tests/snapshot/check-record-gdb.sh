#!/usr/bin/env bash
# check-record-gdb.sh HM386 KERNEL_ELF: --record logs a gdb session's edits and
# --replay makes them again without gdb (docs/snapshots.md, "Record and replay").
# A real gdb (batch mode) stops twice at printk, writes a word of the kernel's
# memory (spurious_count, which nothing reads back on this run), adds 1 to EAX
# and takes it away again, then detaches; the guest runs to its end. The replay, with no
# gdb, must print the recorded run's --state-hash-every lines (the final one
# included) and end with its status; a plain run must differ (the edit is in
# the hashed RAM), so the comparison can fail. Skipped (77) without gdb.
set -u
hm386=$1
kernel=$2
command -v gdb >/dev/null || { echo "gdb not found: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; [[ -n ${KEEP:-} ]] || rm -rf "$tmp"' EXIT; echo "work: $tmp"
fail() { echo "FAIL: $*"; exit 1; }
common=(--state-hash-every 100000 --serial none --debugcon none --timeout 60)
addr=$(nm "$kernel" | awk '/spurious_count/ { print $1; exit }')
[[ -n $addr ]] || fail "no spurious_count in $kernel"

"$hm386" run "$kernel" "${common[@]}" --gdb 0 --record "$tmp/gdb.rec" >"$tmp/rec.out" 2>"$tmp/rec.err" </dev/null &
stub=$!
port=
for _ in $(seq 100); do
  port=$(grep -o '127.0.0.1:[0-9]*' "$tmp/rec.err" 2>/dev/null | head -1 | cut -d: -f2)
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n $port ]] || { cat "$tmp/rec.err"; fail "hm386 did not start its gdb stub"; }
timeout 60 gdb -batch -nx -ex "target remote :$port" -ex 'break printk' -ex continue -ex continue \
  -ex "set {int}0x$addr = 0x55aa" -ex 'set $eax = $eax + 1' -ex 'set $eax = $eax - 1' -ex detach "$kernel" >"$tmp/gdb.txt" 2>&1
wait "$stub"
rec_status=$?
grep -q "Breakpoint 1" "$tmp/gdb.txt" || { cat "$tmp/gdb.txt"; fail "gdb did not stop at printk"; }
grep -q "debugger edits" "$tmp/rec.err" || { cat "$tmp/rec.err"; fail "no input record written"; }
edits=$(grep -o '[0-9]* debugger edits' "$tmp/rec.err" | cut -d' ' -f1)
[[ $edits -ge 3 ]] || fail "expected the memory edit and two register edits in the record, found $edits"
grep '^state-hash:' "$tmp/rec.err" >"$tmp/rec.hash"
echo "recorded: status $rec_status, $edits edits, $(tail -1 "$tmp/rec.hash")"

"$hm386" run "$kernel" "${common[@]}" --replay "$tmp/gdb.rec" >/dev/null 2>"$tmp/rep.err" </dev/null
rep_status=$?
grep '^state-hash:' "$tmp/rep.err" >"$tmp/rep.hash"
[[ $rep_status == "$rec_status" ]] || { cat "$tmp/rep.err"; fail "the replay ended with $rep_status, the recorded run with $rec_status"; }
grep -q "warning: --replay" "$tmp/rep.err" && { cat "$tmp/rep.err"; fail "the replay warns"; }
cmp -s "$tmp/rec.hash" "$tmp/rep.hash" || { diff "$tmp/rec.hash" "$tmp/rep.hash" | head; fail "the replay's state hashes differ"; }
echo "ok: the replay has the recorded run's $(wc -l <"$tmp/rec.hash") hash lines"

"$hm386" run "$kernel" "${common[@]}" >/dev/null 2>"$tmp/plain.err" </dev/null
grep '^state-hash:' "$tmp/plain.err" >"$tmp/plain.hash"
cmp -s "$tmp/rec.hash" "$tmp/plain.hash" && fail "a run without the edits has the recorded run's hashes"
echo "ok: a run without the edits differs"

"$hm386" run "$kernel" "${common[@]}" --replay "$tmp/gdb.rec" --gdb 0 >/dev/null 2>"$tmp/both.err" </dev/null
[[ $? == 64 ]] || fail "--replay with --gdb is not refused"
echo "ok: --replay with --gdb -> 64"
