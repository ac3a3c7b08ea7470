#!/usr/bin/env bash
# check-record-replay.sh HM386 ECHO_ELF: --record / --replay of serial input
# (docs/snapshots.md, "Record and replay"). The echo guest reads lines from the
# serial port (interrupt-driven with irq=1, polled without), input typed through a
# pipe with a pause between lines, so where the input lands depends on the host.
# The replay, with stdin closed, must print exactly the recorded run's
# --state-hash-every lines (every 1000 instructions, the final one included), the
# same serial output and the same status. A run without the record (no input)
# must differ, so the comparison can fail. Then every kind of bad record file
# ends with exit status 65 and says what is wrong.
set -u
hm386=$1
echo_elf=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
common=(-m 64M --timeout 30 --debugcon none --state-hash-every 1000)

for mode in irq=1 irq=0; do
  (printf 'hello, world\n'; sleep 0.5; printf 'second line\n'; sleep 0.5; printf 'quit\n') |
    "$hm386" run "${common[@]}" --append "$mode" "$echo_elf" --record "$tmp/in.rec" >"$tmp/rec.out" 2>"$tmp/rec.err"
  rec_status=$?
  [[ $rec_status == 0 ]] || { cat "$tmp/rec.err"; fail "$mode: the recorded run ended with $rec_status"; }
  grep -q "echo: SECOND LINE" "$tmp/rec.out" || fail "$mode: the recorded run did not see the input"
  grep -q "input record written to" "$tmp/rec.err" || fail "$mode: no record written"
  grep '^state-hash:' "$tmp/rec.err" >"$tmp/rec.hash"

  "$hm386" run "${common[@]}" --append "$mode" "$echo_elf" --replay "$tmp/in.rec" </dev/null >"$tmp/rep.out" 2>"$tmp/rep.err"
  rep_status=$?
  grep '^state-hash:' "$tmp/rep.err" >"$tmp/rep.hash"
  [[ $rep_status == "$rec_status" ]] || { cat "$tmp/rep.err"; fail "$mode: the replay ended with $rep_status"; }
  cmp -s "$tmp/rec.hash" "$tmp/rep.hash" || { diff "$tmp/rec.hash" "$tmp/rep.hash" | head; fail "$mode: the replay's state hashes differ"; }
  cmp -s "$tmp/rec.out" "$tmp/rep.out" || fail "$mode: the replay's serial output differs"
  grep -q "went elsewhere" "$tmp/rep.err" && fail "$mode: the replay reports a divergence"
  echo "ok: $mode: replay = record ($(wc -l <"$tmp/rec.hash") hash lines, $(tail -1 "$tmp/rec.hash"))"

  # Without the input the run is another run.
  "$hm386" run "${common[@]}" --append "$mode" "$echo_elf" </dev/null >/dev/null 2>"$tmp/none.err"
  grep '^state-hash:' "$tmp/none.err" >"$tmp/none.hash"
  cmp -s "$tmp/rec.hash" "$tmp/none.hash" && fail "$mode: a run without input has the recorded run's hashes"
  echo "ok: $mode: a run without the input differs"
done

# expect NAME STATUS MESSAGE FILE [ARGS...]: replay FILE and check status and message.
expect() {
  local name=$1 status=$2 message=$3 file=$4
  shift 4
  "$hm386" run "${common[@]}" --append irq=0 "$echo_elf" --replay "$file" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
  local got=$?
  [[ $got == "$status" ]] || { grep -v "^state-hash" "$tmp/err" | tail -5; fail "$name: status $got, expected $status"; }
  [[ -z $message ]] || grep -q -- "$message" "$tmp/err" || { grep -v "^state-hash" "$tmp/err" | tail -5; fail "$name: no message '$message'"; }
  echo "ok: $name -> $status: $(grep -v '^state-hash' "$tmp/err" | head -1)"
}
good=$tmp/in.rec
size=$(stat -c %s "$good")
patch() {  # OUT OFFSET HEXBYTE: a copy of the good file with one byte replaced
  cp "$good" "$1"
  printf "\\x$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
expect "the good file replays" 0 "" "$good"
expect "a missing file" 65 "bad --replay file" "$tmp/missing.rec"
head -c 20 "$good" >"$tmp/short.rec"
expect "truncated in the header" 65 "truncated" "$tmp/short.rec"
head -c $((size - 2)) "$good" >"$tmp/cut.rec"
expect "truncated in a chunk" 65 "truncated" "$tmp/cut.rec"
cp "$good" "$tmp/long.rec" && printf 'x' >>"$tmp/long.rec"
expect "trailing bytes" 65 "follow the last edit" "$tmp/long.rec"
patch "$tmp/magic.rec" 0 58
expect "bad magic" 65 "not an hm386 input record" "$tmp/magic.rec"
patch "$tmp/version.rec" 8 07
expect "another format version" 65 "format version 7" "$tmp/version.rec"
patch "$tmp/end.rec" 24 09
expect "a bad end-of-input flag" 65 "end-of-input flag is 9" "$tmp/end.rec"
patch "$tmp/count.rec" 48 ff
expect "an impossible chunk count" 65 "cannot fit in the file" "$tmp/count.rec"
patch "$tmp/len.rec" 65 00
expect "a chunk of no bytes" 65 "has 0 bytes" "$tmp/len.rec"
"$hm386" run "${common[@]}" --append "irq=0 other" "$echo_elf" --replay "$good" </dev/null >/dev/null 2>"$tmp/err"
[[ $? == 65 ]] && grep -q "another image" "$tmp/err" || { cat "$tmp/err"; fail "another command line is not refused"; }
echo "ok: another image -> 65: $(head -1 "$tmp/err")"
exit 0
