#!/usr/bin/env bash
# Acceptance check for Debian's 686-pae kernel on hm386 (issue 17; docs/linux.md):
# boots images/linux (fetched by tools/scripts/fetch-linux.sh) at MEM, and passes
# when /init printed /proc/meminfo, `poweroff -f` ended the run with status 0,
# the e820 map Linux logged is the one hm386 handed over, and HighTotal is what
# that map implies above the kernel's lowmem boundary (tools/scripts/linux-hightotal.py),
# and "tsc: Detected N MHz processor" is exactly the --cpu-mhz clock (default 100).
# With --qemu-hightotal N, HighTotal must also be N (QEMU's figure for the same
# kernel and RAM size). With --expect-cpus N (pass --smp N to hm386 too), Linux
# must log "smp: Brought up 1 node, N CPUs" and /proc/cpuinfo (printed by /init)
# must list processors 0 to N-1. Prints the host wall and CPU seconds of the run, and fails
# when the CPU time is over $LINUX_CPU_BUDGET seconds (default 90: issue 17). On failure it shows
# where the CPU stopped (with the System.map symbol) and the last exceptions.
# Exit 77 (CTest: skipped) when the kernel has not been fetched.
#
# Usage: linux-boot-check.sh HM386 SOURCE_DIR BUILD_DIR MEM [--qemu-hightotal KB] [--expect-cpus N]
#                            [hm386 run options...]
set -u
hm386=$1 src=$2 build=$3 mem=$4
shift 4
qemu_high=""
if [[ "${1:-}" == --qemu-hightotal ]]; then qemu_high=$2; shift 2; fi
cpus=""
if [[ "${1:-}" == --expect-cpus ]]; then cpus=$2; shift 2; fi
dir="$build/linux"
if [[ ! -s "$dir/vmlinuz" || ! -s "$dir/initramfs.cpio.gz" ]]; then
  echo "skipped: $dir/vmlinuz and initramfs.cpio.gz are not there (run tools/scripts/fetch-linux.sh $build)"
  exit 77
fi
build=$(cd "$build" && pwd)  # ${BUILD} in the manifest must not depend on where we run
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
TIMEFORMAT='%R %U %S'
{ time HM386_BUILD_DIR="$build" "$hm386" run "$src/images/linux" -m "$mem" -v --serial "file:$work/console" --debugcon none \
  --trace "$work/trace" --trace-events exc "$@" >"$work/out" 2>&1 </dev/null; } 2>"$work/time"
status=$?
read -r wall user sys <"$work/time"
cpu=$(echo "$user + $sys" | bc)
printf 'hm386 run images/linux -m %s %s: exit status %d after %.1f s host wall time, %.1f s CPU time\n' "$mem" "$*" "$status" "$wall" "$cpu"
grep -E "^tsc: |^\[ *[0-9.]+\] (tsc: |Run /init|reboot: )" "$work/console" 2>/dev/null
fail=0
# The budget is CPU time: the wall clock of a 2-core machine shared with builds
# measures the other load as much as the emulator.
if (( $(echo "$cpu > ${LINUX_CPU_BUDGET:-90}" | bc) )); then
  echo "FAIL: the boot took $cpu s of CPU time, over the ${LINUX_CPU_BUDGET:-90} s budget"
  fail=1
fi
if [[ $status -ne 0 ]]; then
  echo "FAIL: exit status $status (0 is the guest's ACPI S5 power-off)"
  grep -E "^hm386: " "$work/out" | grep -v -E "^hm386: (0x|e820|entry)" | head -3
  eip=$(grep -oE "^EIP=[0-9a-f]{8}" "$work/out" | head -1 | cut -d= -f2)
  if [[ -n "$eip" ]]; then
    sym=$(python3 - "$dir/System.map" "$eip" <<'PY' 2>/dev/null
import sys
a = int(sys.argv[2], 16)
best = None
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) == 3 and int(f[0], 16) <= a and (best is None or int(f[0], 16) > best[0]):
        best = (int(f[0], 16), f[2])
if best and a >= 0xC0000000:
    print(f"{best[1]}+0x{a - best[0]:x}")
PY
)
    echo "stopped at EIP=$eip ${sym:+($sym, System.map)}"
  fi
  [[ -s "$work/trace" ]] && "$hm386" trace "$work/trace" --events exc | tail -3
  echo "--- console (last 20 lines) ---"
  tail -n 20 "$work/console" 2>/dev/null
  echo "---"
  fail=1
fi
if ! grep -q "^hm386-linux: meminfo end" "$work/console" 2>/dev/null; then
  echo "FAIL: /init did not print /proc/meminfo"
  fail=1
fi
grep -E "^(MemTotal|HighTotal|LowTotal):" "$work/console" 2>/dev/null
# TSC: Linux reads the frequency from CPUID leaves 0x15/0x16 (docs/linux.md), so
# it must come out exactly at the CPU clock, with no calibration against the PIT.
mhz=100
args=("$@")
for ((i = 0; i + 1 < ${#args[@]}; i++)); do [[ "${args[i]}" == --cpu-mhz ]] && mhz=${args[i + 1]}; done
want=$(printf '%d.%03d' "$mhz" 0)
if grep -qE "tsc: Detected $want MHz processor" "$work/console" 2>/dev/null; then
  echo "TSC: Detected $want MHz, the --cpu-mhz clock"
else
  echo "FAIL: no \"tsc: Detected $want MHz processor\" line (the CPU runs at $mhz MHz)"
  fail=1
fi
if grep -qE "Fast TSC calibration|Refined TSC clocksource calibration" "$work/console" 2>/dev/null; then
  echo "FAIL: Linux calibrated the TSC instead of reading CPUID leaf 0x15"
  fail=1
fi
if [[ -n "$cpus" ]]; then
  # Linux's own count of the CPUs it started (the MADT lists them; each AP came
  # up through INIT/SIPI), and the processors /proc/cpuinfo lists afterwards.
  if grep -qE "smp: Brought up 1 node, $cpus CPUs?\b" "$work/console" 2>/dev/null; then
    echo "SMP: $(grep -oE "smp: Brought up 1 node, [0-9]+ CPUs?" "$work/console")"
  else
    echo "FAIL: no \"smp: Brought up 1 node, $cpus CPUs\" line; Linux said:"
    grep -E "smp: |CPU[0-9]+ failed|x86: Booting SMP" "$work/console" | head -5
    fail=1
  fi
  # The CPUs' TSCs must look synchronized to Linux's check_tsc_sync_source (the
  # CPUs take turns in quanta; RDTSC never goes below what another CPU read).
  if grep -q "Marking TSC unstable" "$work/console" 2>/dev/null; then
    echo "FAIL: Linux found the CPUs' TSCs out of sync:"
    grep -E "TSC|tsc" "$work/console" | grep -iE "unstable|warp|sync" | head -3
    fail=1
  fi
  listed=$(grep -cE "^processor[[:space:]]+: [0-9]+" "$work/console" 2>/dev/null)
  if [[ "$listed" != "$cpus" ]]; then
    echo "FAIL: /proc/cpuinfo lists ${listed:-no} processors, expected $cpus"
    fail=1
  else
    echo "/proc/cpuinfo lists $listed processors"
  fi
fi
python3 "$src/tools/scripts/linux-hightotal.py" "$work/out" "$work/console" || fail=1
if [[ -n "$qemu_high" ]]; then
  got=$(grep -oE "^HighTotal: +[0-9]+" "$work/console" | grep -oE "[0-9]+$")
  if [[ "$got" != "$qemu_high" ]]; then
    echo "FAIL: HighTotal ${got:-missing} kB, QEMU reports $qemu_high kB for this kernel at $mem"
    fail=1
  else
    echo "HighTotal equals QEMU's $qemu_high kB"
  fi
fi
exit $fail
