#!/usr/bin/env bash
# memory-footprint.sh [BUILD_DIR] [LIMIT_MIB]      (defaults: build, 200)
#
# Host memory of a large, lightly touched guest: hm386 runs the bench guest
# (bench/guest/cpu_workload.cpp) with 8 GiB of RAM, once touching nothing
# (iters=0) and once writing one word in each 4 KiB page of 100 MiB
# (touch=100), and reports the peak resident set size of each whole process
# (/usr/bin/time -v, "Maximum resident set size"). Guest RAM is reserved, not
# committed, so only the touched pages (and the host's own code and tables)
# should be resident. Fails when the touching run reaches LIMIT_MIB (issue 21:
# under 200 MiB). docs/performance.md records the figures.
# Exit: 0; 1 over the limit or a failed run; 64 usage.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd) || exit 64
limit=${2:-200}
hm=$build/tools/cli/hm386
elf=$build/bench/cpu_workload.elf
for f in "$hm" "$elf"; do [[ -e $f ]] || { echo "memory-footprint: missing $f" >&2; exit 64; }; done
[[ -x /usr/bin/time ]] || { echo "memory-footprint: /usr/bin/time is not installed (Debian package time)" >&2; exit 64; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# peak_kib APPEND: the run's maximum RSS in KiB; the guest must print its checksum.
peak_kib() {
  /usr/bin/time -v -o "$tmp/time" "$hm" run "$elf" -m 8G --append "$1" --serial stdio --debugcon none \
    --timeout 120 </dev/null >"$tmp/out" 2>&1 || { cat "$tmp/out" "$tmp/time" >&2; return 1; }
  grep -q "cpu workload checksum" "$tmp/out" || { cat "$tmp/out" >&2; return 1; }
  sed -nE 's/.*Maximum resident set size \(kbytes\): ([0-9]+).*/\1/p' "$tmp/time"
}
idle=$(peak_kib "iters=0") || { echo "memory-footprint: the run touching nothing failed" >&2; exit 1; }
touched=$(peak_kib "iters=0 touch=100") || { echo "memory-footprint: the run touching 100 MiB failed" >&2; exit 1; }
awk -v i="$idle" -v t="$touched" -v l="$limit" 'BEGIN {
  printf "8 GiB guest, hm386 run (peak RSS of the whole process)\n"
  printf "  touching nothing     %7.1f MiB\n", i / 1024
  printf "  touching 100 MiB     %7.1f MiB (limit %d MiB)\n", t / 1024, l
  exit !(t / 1024 < l && t > i)
}' || { echo "memory-footprint: over the limit (or the touch committed nothing)" >&2; exit 1; }
