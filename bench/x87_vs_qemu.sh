#!/usr/bin/env bash
# x87_vs_qemu.sh [BUILD_DIR] [ITERS] [REPEAT]     (defaults: build, 400, 3)
#
# The x87 benchmark guest (bench/guest/x87_workload.cpp) under hm386 and under
# QEMU (TCG, run-qemu.sh's pentium3) in one run, figures side by side:
#   hm386: bench_cpu --elf x87_workload.elf (the CPU, MMU and bus alone; host
#          CPU time of the run, best of REPEAT);
#   QEMU:  qemu-system-i386 -kernel x87_workload.elf -append iters=N, host CPU
#          time (user + system) of the QEMU process, best of REPEAT, minus the
#          same for iters=0 (firmware, boot and paging set-up, no x87 work).
# Both MIPS figures divide the workload's instructions (hm386's count at ITERS
# minus its count at 0: the guest is deterministic, QEMU runs the same
# instructions) by the workload's CPU time. Both must print the same checksum
# (the host x87 gives it too: 0xf494ccb9 at 400 iterations); a mismatch fails.
# Exit: 0; 1 when a run fails or the checksums differ; 77 without QEMU.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd) || exit 64
iters=${2:-400}
repeat=${3:-3}
bench=$build/bench/bench_cpu
elf=$build/bench/x87_workload.elf
for f in "$bench" "$elf"; do
  [[ -e $f ]] || { echo "x87_vs_qemu: missing $f (build the bench_cpu target)" >&2; exit 64; }
done
command -v qemu-system-i386 >/dev/null || { echo "x87_vs_qemu: SKIP: qemu-system-i386 is not installed" >&2; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# hm386 -------------------------------------------------------------------------
"$bench" --elf "$elf" --iters "$iters" --repeat "$repeat" >"$tmp/hm.out" || { cat "$tmp/hm.out"; exit 1; }
"$bench" --elf "$elf" --iters 0 --repeat 1 >"$tmp/hm0.out" || { cat "$tmp/hm0.out"; exit 1; }
field() { sed -nE "s/^$2 +([0-9.]+).*/\\1/p" "$1"; }
hm_insns=$(field "$tmp/hm.out" instructions)
hm0_insns=$(field "$tmp/hm0.out" instructions)
hm_cpu=$(sed -nE 's/^host CPU time +([0-9.]+) s.*/\1/p' "$tmp/hm.out")
hm0_cpu=$(sed -nE 's/^host CPU time +([0-9.]+) s.*/\1/p' "$tmp/hm0.out")
hm_sum=$(sed -nE 's/.*x87 workload checksum (0x[0-9a-f]+).*/\1/p' "$tmp/hm.out")

# QEMU: CPU seconds (user + system) of one run, its checksum in $tmp/q.out.
qemu_cpu() {
  local n=$1 t
  TIMEFORMAT='%3U %3S'
  t=$( { time "$root/tools/scripts/run-qemu.sh" --append "iters=$n" --timeout 300 "$elf" >"$tmp/q.out" 2>"$tmp/q.err"; } 2>&1 )
  [[ $(tail -c 64 "$tmp/q.out") == *checksum* ]] || { cat "$tmp/q.out" "$tmp/q.err" >&2; return 1; }
  awk '{ printf "%.3f", $1 + $2 }' <<<"$t"
}
best() {  # best N: the least CPU time of $repeat QEMU runs at N iterations
  local n=$1 b="" c
  for _ in $(seq "$repeat"); do
    c=$(qemu_cpu "$n") || return 1
    if [[ -z $b ]] || awk -v a="$c" -v b="$b" 'BEGIN { exit !(a < b) }'; then b=$c; fi
  done
  echo "$b"
}
q_cpu=$(best "$iters") || { echo "x87_vs_qemu: QEMU run failed" >&2; exit 1; }
q_sum=$(sed -nE 's/.*x87 workload checksum (0x[0-9a-f]+).*/\1/p' "$tmp/q.out")
q0_cpu=$(best 0) || { echo "x87_vs_qemu: QEMU run failed" >&2; exit 1; }

awk -v it="$iters" -v rep="$repeat" -v hi="$hm_insns" -v h0i="$hm0_insns" -v hc="$hm_cpu" -v h0c="$hm0_cpu" \
    -v qc="$q_cpu" -v q0c="$q0_cpu" -v hs="$hm_sum" -v qs="$q_sum" 'BEGIN {
  w = hi - h0i
  printf "x87 workload, iters=%d (bench/guest/x87_workload.cpp), best of %d runs, host CPU seconds\n", it, rep
  printf "workload instructions   %d (hm386 count at %d iterations minus at 0)\n", w, it
  printf "%-8s %-12s %10s %12s %10s %8s\n", "", "checksum", "run s", "baseline s", "work s", "MIPS"
  printf "%-8s %-12s %10.3f %12.3f %10.3f %8.1f\n", "hm386", hs, hc, h0c, hc - h0c, w / (hc - h0c) / 1e6
  printf "%-8s %-12s %10.3f %12.3f %10.3f %8.1f\n", "QEMU", qs, qc, q0c, qc - q0c, w / (qc - q0c) / 1e6
  printf "hm386 / QEMU time       %.2f\n", (hc - h0c) / (qc - q0c)
}'
[[ -n $hm_sum && $hm_sum == "$q_sum" ]] || { echo "x87_vs_qemu: checksums differ (hm386 $hm_sum, QEMU $q_sum)" >&2; exit 1; }
