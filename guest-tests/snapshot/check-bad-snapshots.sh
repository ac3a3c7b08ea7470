#!/usr/bin/env bash
# check-bad-snapshots.sh HM386 KERNEL: every kind of bad snapshot file given to
# `hm386 run --resume` ends with exit status 65 and a message that says what is
# wrong (docs/snapshots.md, docs/cli.md); a conflicting machine flag is a usage
# error (64). The snapshot is taken of KERNEL booted from a private copy, so the
# "another image" case can change the image afterwards.
set -u
hm386=$1
kernel=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
cp "$kernel" "$tmp/kernel.elf"
"$hm386" run "$tmp/kernel.elf" --snapshot-at 2000000 --snapshot "$tmp/good.snap" --serial none --debugcon none \
  --timeout 60 </dev/null 2>"$tmp/take.err" || { cat "$tmp/take.err"; fail "taking the snapshot failed"; }
size=$(stat -c %s "$tmp/good.snap")

# expect NAME STATUS MESSAGE FILE [ARGS...]: resume FILE and check status and message.
expect() {
  local name=$1 status=$2 message=$3 file=$4
  shift 4
  "$hm386" run --resume "$file" --serial none --debugcon none --timeout 60 "$@" </dev/null >"$tmp/out" 2>"$tmp/err"
  local got=$?
  [[ $got == "$status" ]] || { cat "$tmp/err"; fail "$name: status $got, expected $status"; }
  [[ -z $message ]] || grep -q -- "$message" "$tmp/err" || { cat "$tmp/err"; fail "$name: no message '$message'"; }
  echo "ok: $name -> $status: $(head -1 "$tmp/err")"
}
patch() {  # OUT OFFSET HEXBYTE: a copy of the good file with one byte replaced
  cp "$tmp/good.snap" "$1"
  printf "\\x$3" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

expect "the good file resumes" 0 "" "$tmp/good.snap"
head -c 30 "$tmp/good.snap" >"$tmp/short-header.snap"
expect "truncated inside the header" 65 "truncated" "$tmp/short-header.snap"
head -c $((size - 100)) "$tmp/good.snap" >"$tmp/truncated.snap"
expect "truncated payload" 65 "truncated" "$tmp/truncated.snap"
cp "$tmp/good.snap" "$tmp/long.snap" && printf 'x' >>"$tmp/long.snap"
expect "trailing bytes" 65 "unexpected bytes" "$tmp/long.snap"
patch "$tmp/magic.snap" 0 58
expect "wrong magic" 65 "not an hm386 snapshot" "$tmp/magic.snap"
patch "$tmp/version.snap" 8 07
expect "wrong version" 65 "format version 7" "$tmp/version.snap"
patch "$tmp/layout.snap" 16 00
cmp -s "$tmp/layout.snap" "$tmp/good.snap" && patch "$tmp/layout.snap" 16 01
expect "another build's layout" 65 "incompatible build" "$tmp/layout.snap"
patch "$tmp/corrupt.snap" $((size / 2)) 00
cmp -s "$tmp/corrupt.snap" "$tmp/good.snap" && patch "$tmp/corrupt.snap" $((size / 2)) 01
expect "a corrupt byte in the payload" 65 "CRC-32" "$tmp/corrupt.snap"
: >"$tmp/empty.snap"
expect "an empty file" 65 "not an hm386 snapshot" "$tmp/empty.snap"
expect "a missing file" 65 "cannot open" "$tmp/missing.snap"
expect "a conflicting -m" 64 "conflicts with the snapshot" "$tmp/good.snap" -m 64M
expect "an image on the command line" 64 "give no image" "$tmp/good.snap" --kernel "$tmp/kernel.elf"
printf '\0' >>"$tmp/kernel.elf"
expect "another image" 65 "another image" "$tmp/good.snap"
rm "$tmp/kernel.elf"
expect "the image is gone" 65 "kernel.elf" "$tmp/good.snap"
# A snapshot point the run never reaches writes nothing and says so.
cp "$kernel" "$tmp/kernel.elf"
"$hm386" run "$tmp/kernel.elf" --snapshot-at 999999999999 --snapshot "$tmp/never.snap" --serial none --debugcon none \
  --timeout 60 </dev/null 2>"$tmp/never.err"
[[ ! -e $tmp/never.snap ]] || fail "a snapshot was written for a point after the guest's end"
grep -q "no snapshot written (the run ended at cycle" "$tmp/never.err" || { cat "$tmp/never.err"; fail "no word of the missing snapshot"; }
echo "ok: a point after the end -> $(head -1 "$tmp/never.err")"
echo "OK: every bad snapshot refused"
