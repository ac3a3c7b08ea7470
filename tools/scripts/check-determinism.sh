#!/usr/bin/env bash
# check-determinism.sh HM386 RUN-ARGS...
# Runs `hm386 run RUN-ARGS` twice and succeeds only if both runs print the same
# output, end with the same status and report the same statistics (cycles,
# instructions, TLB and device counters: everything but host time and MIPS).
set -u
hm386=$1
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for i in 1 2; do
  "$hm386" run --stats-json "$tmp/stats$i.json" "$@" >"$tmp/out$i" 2>&1 </dev/null
  echo $? >"$tmp/status$i"
  grep -v -E '"(host_seconds|mips)"' "$tmp/stats$i.json" >"$tmp/det$i.json" 2>/dev/null
done
cat "$tmp/out1"
grep -E '"(cycles|instructions)"' "$tmp/stats1.json"
fail=0
cmp -s "$tmp/status1" "$tmp/status2" || { echo "check-determinism: exit status differs" >&2; fail=1; }
cmp -s "$tmp/out1" "$tmp/out2" || { echo "check-determinism: output differs" >&2; diff "$tmp/out1" "$tmp/out2" >&2; fail=1; }
if [[ ! -s "$tmp/det1.json" ]]; then
  echo "check-determinism: no statistics written" >&2
  fail=1
elif ! cmp -s "$tmp/det1.json" "$tmp/det2.json"; then
  echo "check-determinism: statistics differ:" >&2
  diff "$tmp/det1.json" "$tmp/det2.json" >&2
  fail=1
fi
exit $fail
