#!/usr/bin/env bash
# Debian's kernel under the TLB coherence checker (docs/linux.md, "TLB coherence
# checker through a Linux boot"): boots images/linux at MEM with --tlb-check and
# passes when the guest powers off with status 0 and every stale report is the
# kind docs/linux.md explains: a write through a DTLB entry that has D set while
# the PTE in memory maps the same frame with the same rights but D (and A)
# clear (Linux's two-pass rebuild of the direct map in kernel_physical_mapping_init,
# before its __flush_tlb_all). Any other report fails the test. Prints the count
# and each report's EIP by System.map name.
# Exit 77 (CTest: skipped) when the kernel has not been fetched.
#
# Usage: linux-tlb-check.sh HM386 SOURCE_DIR BUILD_DIR MEM
set -u
hm386=$1 src=$2 build=$3 mem=$4
dir="$build/linux"
if [[ ! -s "$dir/vmlinuz" || ! -s "$dir/initramfs.cpio.gz" ]]; then
  echo "skipped: $dir/vmlinuz and initramfs.cpio.gz are not there (run tools/scripts/fetch-linux.sh $build)"
  exit 77
fi
build=$(cd "$build" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
TIMEFORMAT='%R %U %S'
{ time HM386_BUILD_DIR="$build" "$hm386" run "$src/images/linux" -m "$mem" --tlb-check --stats \
  --serial "file:$work/console" --debugcon none --timeout 3000 >"$work/out" 2>&1 </dev/null; } 2>"$work/time"
status=$?
read -r wall user sys <"$work/time"
printf 'hm386 run images/linux -m %s --tlb-check: exit status %d after %.1f s wall, %.1f s CPU\n' "$mem" "$status" "$wall" "$(echo "$user + $sys" | bc)"
python3 - "$work/out" "$dir/System.map" "$status" <<'PY'
import re, sys, os
out = open(sys.argv[1], errors="replace").read()
status = int(sys.argv[3])
syms = []
if os.path.exists(sys.argv[2]):
    for line in open(sys.argv[2]):
        f = line.split()
        if len(f) == 3 and f[1] in "tTwW":
            syms.append((int(f[0], 16), f[2]))
    syms.sort()
def name(a):
    best = None
    for addr, n in syms:
        if addr > a: break
        best = (addr, n)
    return f"{best[1]}+0x{a - best[0]:x}" if best else "?"
fail = []
reports = re.findall(r"^\s*(\d+) STALE (\S+) (\S+) lin=(\w+) eip=(\w+) tlb=(\w+) (\S+) memory=(\w+) (\S+)", out, re.M)
print(f"{len(reports)} stale reports")
for cyc, tlb, acc, lin, eip, tframe, trights, mframe, mrights in reports:
    line = f"  cycle {cyc}: {tlb} {acc} lin={lin} eip={eip} <{name(int(eip, 16))}> tlb {tframe} {trights}, memory {mframe} {mrights}"
    print(line)
    # The explained kind: a write, same frame, the TLB's rights = memory's + D.
    if not (tlb == "dtlb" and acc == "write" and tframe == mframe and "D" in trights
            and trights.replace("D", "-") == mrights):
        fail.append("a stale report of a kind docs/linux.md does not explain:" + line)
m = re.search(r"stale translations\s+(\d+)", out)
if m and int(m.group(1)) != len(reports):
    fail.append(f"--stats counts {m.group(1)} stale translations, {len(reports)} reports printed")
if status != 0:
    fail.append(f"exit status {status} (0 is the guest's power-off)")
for f in fail:
    print("FAIL:", f)
sys.exit(1 if fail else 0)
PY
