#!/usr/bin/env bash
# check-snapshot.sh HM386 EVERY -- GUEST-ARGS...
# Snapshot and resume against a straight run (docs/snapshots.md):
#   straight  the guest runs to its end with --state-hash-every EVERY
#   prefix    the same guest stopped by --max-cycles AT (its output up to AT)
#   snap      the straight run with --snapshot-at AT --snapshot FILE: writing the
#             snapshot must change nothing (same output, hashes, status)
#   resume    run --resume FILE --state-hash-every EVERY
# AT is a third of the straight run's final cycle count (or $SNAPSHOT_AT).
# Succeeds only if the resumed run's status equals the straight run's, every
# state-hash line after the snapshot point (instruction count, cycles, hash, the
# final line included) equals the straight run's, at least one checkpoint lies
# between the snapshot and the end, and prefix + resumed output equals the
# straight run's output byte for byte (serial and port 0xE9).
set -u
hm386=$1
every=$2
shift 2
[[ ${1:-} == -- ]] && shift
args=("$@")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

run() {  # NAME ARGS...: a run with both consoles to files
  local name=$1
  shift
  "$hm386" run "$@" --serial "file:$tmp/$name.serial" --debugcon "file:$tmp/$name.dcon" --timeout 120 \
    >"$tmp/$name.stdout" 2>"$tmp/$name.stderr" </dev/null
  echo $? >"$tmp/$name.status"
  grep '^state-hash:' "$tmp/$name.stderr" >"$tmp/$name.hash"
}

run straight "${args[@]}" --state-hash-every "$every"
final=$(grep -o 'final instructions=[0-9]* cycles=[0-9]*' "$tmp/straight.hash" | sed 's/.*cycles=//')
[[ -n $final ]] || { cat "$tmp/straight.stderr"; fail "the straight run printed no final state hash"; }
at=${SNAPSHOT_AT:-$((final / 3 + 7))}
echo "straight run: status $(cat "$tmp/straight.status"), $final cycles; snapshot at cycle $at"

run prefix "${args[@]}" --max-cycles "$at"
[[ $(cat "$tmp/prefix.status") == 125 ]] || fail "the guest ended before cycle $at (status $(cat "$tmp/prefix.status"))"

run snap "${args[@]}" --state-hash-every "$every" --snapshot-at "$at" --snapshot "$tmp/s.snap"
msg=$(grep 'snapshot written' "$tmp/snap.stderr") || { cat "$tmp/snap.stderr"; fail "no snapshot written"; }
echo "$msg ($(stat -c %s "$tmp/s.snap") bytes)"
insn=$(echo "$msg" | sed 's/.*(instruction \([0-9]*\)).*/\1/')
for f in status hash serial dcon; do
  cmp -s "$tmp/straight.$f" "$tmp/snap.$f" || fail "taking the snapshot changed the run's $f"
done

run resume --resume "$tmp/s.snap" --state-hash-every "$every"
grep -v '^state-hash:' "$tmp/resume.stderr"
[[ $(cat "$tmp/resume.status") == $(cat "$tmp/straight.status") ]] ||
  fail "resumed status $(cat "$tmp/resume.status"), straight $(cat "$tmp/straight.status")"
awk -v n="$insn" '{ split($0, a, "instructions="); split(a[2], b, " "); if (b[1] + 0 > n) print }' \
  "$tmp/straight.hash" >"$tmp/straight.after"
[[ $(grep -vc final "$tmp/straight.after") -ge 1 ]] || fail "no checkpoint between the snapshot and the end"
if ! cmp -s "$tmp/straight.after" "$tmp/resume.hash"; then
  diff "$tmp/straight.after" "$tmp/resume.hash" | head -20
  fail "the resumed run's state hashes differ from the straight run's"
fi
for f in serial dcon; do
  cat "$tmp/prefix.$f" "$tmp/resume.$f" | cmp -s - "$tmp/straight.$f" ||
    fail "prefix + resumed $f output differs from the straight run's"
done
echo "OK: $(wc -l <"$tmp/resume.hash") state hashes after instruction $insn equal the straight run's, output identical"
