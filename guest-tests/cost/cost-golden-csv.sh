#!/usr/bin/env bash
# cost-golden-csv.sh [--update] PROFILE BUILD_DIR
#
# `hm386 cost-report --cpu PROFILE`'s CSV against its recorded copy,
# guest-tests/golden/cost-PROFILE.csv, byte for byte: the runs are
# deterministic, so any difference is a real change of a cost or a kernel path.
# --update writes the fresh CSV there instead (then regenerate the table in
# docs/highmem-costs.md with cost-csv-table.sh --update).
# PROFILE smp: `hm386 cost-report --smp 1,2,4` (cost-smp.elf, default profile)
# against guest-tests/golden/cost-smp.csv, and its plot against the committed
# docs/images/highmem-costs-smp.svg, byte for byte too (--update writes both).
# Exit: 0 equal (or updated), 1 different or the report failed, 64 usage.
set -u
update=0
if [[ ${1:-} == --update ]]; then update=1; shift; fi
[[ $# -eq 2 ]] || { echo "usage: cost-golden-csv.sh [--update] PROFILE BUILD_DIR" >&2; exit 64; }
profile=$1 build=$2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
golden=$root/guest-tests/golden/cost-$profile.csv
svg=$root/docs/images/highmem-costs-smp.svg
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The image is named relative to the build tree: its path is the first word of
# the guest's command line (as QEMU's -kernel passes it), and the multi-CPU
# figures follow from the CPUs' interleaving, which a few cycles more or less of
# command-line parsing at boot can change (docs/highmem-costs.md). So every tree
# (release, ASan, anywhere on disk) runs the same guest.
if [[ $profile == smp ]]; then
  args=(--smp 1,2,4 --image guest/cost-smp.elf --svg "$tmp/plot.svg")
else
  args=(--cpu "$profile" --image guest/cost.elf)
fi
if ! (cd "$build" && ./tools/cli/hm386 cost-report "${args[@]}" --csv "$tmp/cost.csv") >"$tmp/out" 2>&1; then
  echo "cost-golden-csv: hm386 cost-report ${args[*]} failed:" >&2
  tail -20 "$tmp/out" >&2
  exit 1
fi
if [[ $update -eq 1 ]]; then
  cp "$tmp/cost.csv" "$golden"
  echo "cost-golden-csv: wrote $golden"
  if [[ $profile == smp ]]; then cp "$tmp/plot.svg" "$svg" && echo "cost-golden-csv: wrote $svg"; fi
  exit 0
fi
if ! diff -u "$golden" "$tmp/cost.csv"; then
  echo "cost-golden-csv: $profile: the figures differ from $golden (above: - recorded, + now)." >&2
  echo "  If the change is intended: $0 --update $profile $build, then cost-csv-table.sh --update" >&2
  exit 1
fi
if [[ $profile == smp ]] && ! cmp -s "$svg" "$tmp/plot.svg"; then
  diff -u "$svg" "$tmp/plot.svg" | head -40
  echo "cost-golden-csv: $svg is not the plot a fresh run writes (above: - committed, + now); $0 --update smp $build" >&2
  exit 1
fi
echo "cost-golden-csv: $profile matches $golden ($(($(wc -l <"$golden") - 1)) rows)"
