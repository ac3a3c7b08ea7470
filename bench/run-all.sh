#!/usr/bin/env bash
# run-all.sh [--repeat R] [--quick] [--hm386 FILE] [BUILD_DIR]   (defaults: 3, BUILD_DIR's hm386, build)
#
# Every benchmark workload on hm386 and on QEMU (qemu-system-i386, TCG, run as
# tools/scripts/run-qemu.sh runs it) in the same run, one table:
#
#   integer   bench/guest/cpu_workload.elf iters=N: sieve, CRC, sorts, matrix, copies, calls
#   memory    the same guest, tlb=N: remap + INVLPG + touch, plus 64 pages over 16 MiB per round
#   x87       bench/guest/x87_workload.elf iters=N (bench/x87_vs_qemu.sh's guest)
#   strings   bench/guest/string_workload.elf iters=N: REP MOVS/STOS page clears and copies,
#             unaligned, backward and overlapping runs (MIPS counts each REP as one instruction)
#   kmap      build/guest/ktest.elf, 1 GiB PAE, the highmem, pkmap and kmap_local suites
#   syscall   build/guest/ktest.elf, 64 MiB 2-level, the process and sched suites
#             (system calls, page faults, timer interrupts, context switches)
#   linux     bench/linux-boot.sh when build/linux holds a kernel (else skipped, with a message)
#
# Times are host CPU seconds (user + system, bash's `time`: getrusage) of the whole
# process, the least of R runs, so the load of other jobs on the machine skews
# them far less than wall time. For each workload the same image is also run
# with its work set to nothing (iters=0, or ktest=lib: the smallest suite,
# three cases) and that baseline (start-up, firmware, boot) is subtracted: "work s".
# MIPS divide hm386's instruction count of the work (count of the run minus the
# baseline's, from --stats-json) by each emulator's work seconds; the bench
# guests are deterministic, so QEMU runs the same instructions. The kernel runs
# are not (timer interrupts land on host time under QEMU): their QEMU MIPS is
# hm386's count over QEMU's time, marked "~". "speed" = QEMU work s / hm386
# work s: above 1.0 hm386 is faster.
#
# --hm386 FILE: another hm386 binary (an older build, for before/after figures).
# --quick: small sizes (a smoke run: the script works, both emulators agree).
# Each pair of runs must print the same checksum (bench guests) or pass
# (ktest); a mismatch or a failed run fails the script.
# Exit: 0; 1 when a run fails or results differ; 64 usage; 77 without QEMU.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repeat=3
quick=0
hm=""
while [[ $# -gt 0 && $1 == --* ]]; do
  case $1 in
    --repeat) repeat=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    --hm386) hm=$2; shift 2 ;;
    *) echo "run-all: unknown option $1" >&2; exit 64 ;;
  esac
done
build=$(cd "${1:-$root/build}" && pwd) || exit 64
[[ -n $hm ]] || hm=$build/tools/cli/hm386
for f in "$hm" "$build/bench/cpu_workload.elf" "$build/bench/x87_workload.elf" "$build/bench/string_workload.elf" \
         "$build/guest/ktest.elf"; do
  [[ -e $f ]] || { echo "run-all: missing $f (build hm386, bench_cpu and ktest)" >&2; exit 64; }
done
command -v qemu-system-i386 >/dev/null || { echo "run-all: SKIP: qemu-system-i386 is not installed" >&2; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# cpu_time OUT -- CMD...: runs CMD (stdin /dev/null, output to OUT), prints its
# user+system seconds; returns CMD's status.
cpu_time() {
  local out=$1 st t
  shift 2
  TIMEFORMAT='%3U %3S'
  { time "$@" </dev/null >"$out" 2>&1; } 2>"$tmp/time"
  st=$?
  awk '{ printf "%.3f", $1 + $2 }' "$tmp/time"
  return $st
}
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# hm_run NAME MEM APPEND IMAGE: best CPU time of $repeat hm386 runs; leaves the
# output in $tmp/NAME.out and the instruction count in $tmp/NAME.insns.
hm_run() {
  local name=$1 mem=$2 append=$3 image=$4 best="" t
  for _ in $(seq "$repeat"); do
    t=$(cpu_time "$tmp/$name.out" -- "$hm" run "$image" -m "$mem" --append "$append" --serial stdio \
        --debugcon none --timeout 600 --stats-json "$tmp/$name.json") ||
      { echo "run-all: hm386 $name failed:" >&2; tail -n 5 "$tmp/$name.out" >&2; return 1; }
    if [[ -z $best ]] || lt "$t" "$best"; then best=$t; fi
  done
  jq -r '.instructions' "$tmp/$name.json" >"$tmp/$name.insns"
  echo "$best"
}
# qemu_run NAME MEM APPEND IMAGE: the same under QEMU; output in $tmp/NAME.qout.
qemu_run() {
  local name=$1 mem=$2 append=$3 image=$4 best="" t
  for _ in $(seq "$repeat"); do
    t=$(cpu_time "$tmp/$name.qout" -- "$root/tools/scripts/run-qemu.sh" --mem "$mem" --append "$append" \
        --timeout 600 "$image") ||
      { echo "run-all: QEMU $name failed:" >&2; tail -n 5 "$tmp/$name.qout" >&2; return 1; }
    if [[ -z $best ]] || lt "$t" "$best"; then best=$t; fi
  done
  echo "$best"
}

rows=()
# workload NAME MEM IMAGE WORK_APPEND BASE_APPEND RESULT_REGEX EXACT
#   RESULT_REGEX: the line both emulators must print (compared when EXACT=1, else only present).
workload() {
  local name=$1 mem=$2 image=$3 work=$4 base=$5 re=$6 exact=$7 hw hb qw qb hres qres
  hw=$(hm_run "$name" "$mem" "$work" "$image") || { fail=1; return; }
  hb=$(hm_run "$name-0" "$mem" "$base" "$image") || { fail=1; return; }
  qw=$(qemu_run "$name" "$mem" "$work" "$image") || { fail=1; return; }
  qb=$(qemu_run "$name-0" "$mem" "$base" "$image") || { fail=1; return; }
  hres=$(grep -aoE "$re" "$tmp/$name.out" | tail -n 1)
  qres=$(grep -aoE "$re" "$tmp/$name.qout" | tail -n 1)
  if [[ -z $hres || -z $qres ]] || { [[ $exact == 1 && $hres != "$qres" ]]; }; then
    echo "run-all: $name: results differ or missing (hm386 '$hres', QEMU '$qres')" >&2
    fail=1
    return
  fi
  local insns
  insns=$(( $(cat "$tmp/$name.insns") - $(cat "$tmp/$name-0.insns") ))
  rows+=("$(awk -v n="$name" -v i="$insns" -v hw="$hw" -v hb="$hb" -v qw="$qw" -v qb="$qb" -v ex="$exact" 'BEGIN {
    h = hw - hb; q = qw - qb; if (h <= 0) h = 0.001; if (q <= 0) q = 0.001
    printf "| %-8s | %8.1f M | %7.3f | %7.3f | %7.3f | %7.3f | %7.0f | %s%6.0f | %5.2f |", n, i / 1e6, hw, h, qw, q, i / h / 1e6, ex ? " " : "~", i / q / 1e6, q / h
  }')")
}

if [[ $quick == 1 ]]; then
  ni=2 nt=20000 nx=20 ns=5 ksel_k="highmem" ksel_s="process"
else
  ni=200 nt=1000000 nx=2000 ns=2000 ksel_k="highmem,pkmap,kmap_local,kmap_misuse,tlb,vmalloc" ksel_s="process,demand,sched"
fi
echo "hm386 $(git -C "$root" describe --always --dirty 2>/dev/null) vs $(qemu-system-i386 --version | head -n 1)"
echo "host: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); best of $repeat runs; host CPU seconds (user + system)"
workload integer 128M "$build/bench/cpu_workload.elf" "iters=$ni" "iters=0" "cpu workload checksum [0-9a-fx]+" 1
workload memory 128M "$build/bench/cpu_workload.elf" "iters=0 tlb=$nt" "iters=0" "cpu workload checksum [0-9a-fx]+" 1
workload x87 128M "$build/bench/x87_workload.elf" "iters=$nx" "iters=0" "x87 workload checksum [0-9a-fx]+" 1
workload strings 128M "$build/bench/string_workload.elf" "iters=$ns" "iters=0" "string workload checksum [0-9a-fx]+" 1
workload kmap 1G "$build/guest/ktest.elf" "paging=pae ktest=$ksel_k" "paging=pae ktest=lib" \
  "# ktest: [0-9]+ passed, 0 failed" 0
workload syscall 64M "$build/guest/ktest.elf" "paging=2level force_highmem=32M ktest=$ksel_s" \
  "paging=2level force_highmem=32M ktest=lib" "# ktest: [0-9]+ passed, 0 failed" 0

echo
echo "| workload | instructions | hm386 s | work s | QEMU s | work s | hm386 MIPS | QEMU MIPS | speed |"
echo "|---|---|---|---|---|---|---|---|---|"
for r in "${rows[@]}"; do echo "$r"; done
if [[ -s $build/linux/vmlinuz && -s $build/linux/initramfs.cpio.gz ]]; then
  echo
  "$root/bench/linux-boot.sh" "$build" || fail=1
else
  echo
  echo "linux: skipped: $build/linux/vmlinuz is not there (tools/scripts/fetch-linux.sh $build fetches it)"
fi
exit $fail
