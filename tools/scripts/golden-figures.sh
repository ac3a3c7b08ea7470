#!/usr/bin/env bash
# golden-figures.sh [--update | --figures-only | --screenshots-only] [BUILD_DIR]   (default: build)
#
# The figures the documentation quotes, measured afresh and compared with their
# one recorded copy, guest-tests/golden/figures.txt. Runs are deterministic, so
# any difference is a real change: a cost, a cycle count or a kernel path moved.
#
#   check (default): measure, then fail (exit 1) with a diff when
#     - a figure differs from guest-tests/golden/figures.txt, or
#     - a document quotes a figure other than the golden one (the cost table in
#       docs/highmem-costs.md, the mapping costs in docs/highmem-costs.md and
#       docs/kernel-ktest.md, the demo line in docs/kernel.md), or
#     - a screenshot in docs/images does not show the stop a fresh run of the
#       walkthrough reaches (each PNG names its cycle and instruction counts in
#       a tEXt chunk, "hm386-stop", written by hm386-gui).
#   --update: write the fresh figures to the golden file and into those documents.
#     Screenshots are not redrawn here: run tools/scripts/gui-screenshots.sh.
#   --figures-only / --screenshots-only: one half of the check (two CTests:
#     figures.golden and figures.screenshots).
#
# What is measured (each in a few seconds):
#   [mapping-costs MODE]  ktest's tlb.mapping_costs_in_cycles "# cost:" line
#   [demo MODE]           the demo's "cycles per map + unmap" line
#   [cost-report]         `hm386 cost-report`'s table and derived figures
#   [walkthrough]         cycles and instructions at each screenshot stop of
#                         tools/scripts/kmap-walkthrough.hm386
set -u
update=0 figures=1 screenshots=1
case ${1:-} in
  --update) update=1; shift ;;
  --figures-only) screenshots=0; shift ;;
  --screenshots-only) figures=0; shift ;;
esac
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd) || exit 64
hm386=$build/tools/cli/hm386
golden=$root/guest-tests/golden/figures.txt
for f in "$hm386" "$build/guest/ktest.elf" "$build/guest/cost.elf" "$build/kernel.elf"; do
  [[ -e $f ]] || { echo "golden-figures: missing $f (build first)" >&2; exit 64; }
done
export HM386_BUILD_DIR=$build
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The boot of the walkthrough: the same as gui-screenshots.sh's.
walk_append="force_highmem=32M ktest=kmap_local.kunmap_leaves_its_mapping_kunmap_local_removes_it"

# line CMD... : the output lines of CMD matching the regex in $want (exactly one expected).
measure() {
  local want=$1
  shift
  local out
  out=$("$@" 2>&1 | tr -d "\r")  # the serial console ends lines with CR LF
  local got
  got=$(grep -E -- "$want" <<<"$out")
  if [[ $(grep -c . <<<"$got") -ne 1 ]]; then
    echo "golden-figures: '$*' printed no single line matching /$want/:" >&2
    tail -20 <<<"$out" >&2
    exit 1
  fi
  echo "$got"
}

{
  echo "# The figures the documentation quotes, from deterministic runs: the one copy."
  echo "# Check: tools/scripts/golden-figures.sh build (the CTest figures.golden)."
  echo "# Regenerate after a change that moves them: tools/scripts/golden-figures.sh --update build"
  for mode in 2level pae; do
    echo "[mapping-costs $mode]"
    measure '^# cost: kmap_local\+kunmap_local' "$hm386" run -m 64M --timeout 300 \
      --append "paging=$mode force_highmem=32M ktest=tlb.mapping_costs_in_cycles" "$build/guest/ktest.elf"
  done
  for mode in 2level pae; do
    echo "[demo $mode]"
    measure '^demo: cycles per map \+ unmap' "$hm386" run -m 64M --timeout 300 \
      --append "paging=$mode demo force_highmem=32M" "$build/kernel.elf"
  done
  echo "[cost-report]"
  "$hm386" cost-report --image "$build/guest/cost.elf" >"$tmp/cost" 2>&1 || { cat "$tmp/cost" >&2; exit 1; }
  sed -n '/^per unit/,/^structural checks/p' "$tmp/cost"
  echo "[walkthrough]"
  # Each "#gui screenshot FILE" becomes: say the picture's name, then regs.
  sed -E 's|^#gui screenshot (.*)$|echo stop \1\nregs|' "$root/tools/scripts/kmap-walkthrough.hm386" >"$tmp/walk.hm386"
  # "ktest.elf" on the command line, as gui-screenshots.sh names it: the Multiboot
  # command line starts with the image's name, and its length moves the stops.
  ln -s "$build/guest/ktest.elf" "$tmp/ktest.elf"
  (cd "$tmp" && "$hm386" debug -m 64M --serial none --append "$walk_append" ktest.elf --script "$tmp/walk.hm386") \
    >"$tmp/walk.out" 2>&1 || { tail -20 "$tmp/walk.out" >&2; exit 1; }
  awk '/^stop / && !/^\(hm386\)/ {name = $2} /cycles [0-9]+ +instructions [0-9]+/ && name != "" {
         for (i = 1; i < NF; i++) { if ($i == "cycles") c = $(i + 1); if ($i == "instructions") n = $(i + 1) }
         print name " cycles " c " instructions " n; name = "" }' "$tmp/walk.out"
} >"$tmp/fresh" || exit 1

# section NAME FILE: the lines of one [NAME] section.
section() { awk -v s="[$1]" '$0 == s {on = 1; next} /^\[/ {on = 0} on' "$2"; }

# render_docs FIGURES DIR: copies of the documents with the quoted figures replaced
# by those in FIGURES (what --update writes; the check compares them).
render_docs() {
  local fig=$1 dir=$2
  mkdir -p "$dir"
  local m2 mp d2 dp
  m2=$(section "mapping-costs 2level" "$fig")
  mp=$(section "mapping-costs pae" "$fig")
  d2=$(section "demo 2level" "$fig")
  # "# cost: kmap_local+kunmap_local 288, kmap_atomic+kunmap_atomic 307, kmap+kunmap (same page) 466 cycles per pair"
  local l2 a2 k2 lp ap kp
  read -r l2 a2 k2 < <(sed -E 's/.*kunmap_local ([0-9]+), .*kunmap_atomic ([0-9]+), .*\(same page\) ([0-9]+) .*/\1 \2 \3/' <<<"$m2")
  read -r lp ap kp < <(sed -E 's/.*kunmap_local ([0-9]+), .*kunmap_atomic ([0-9]+), .*\(same page\) ([0-9]+) .*/\1 \2 \3/' <<<"$mp")
  # docs/highmem-costs.md: the table block and the mapping-cost sentence.
  section cost-report "$fig" | sed -n '/^ *2-level/,/^switch_slots_15/p' >"$dir/table"
  awk -v table="$dir/table" '
    /<!-- golden: cost-report table -->/ {print; getline; print; while ((getline line < table) > 0) print line; skip = 1; next}
    skip && /^```$/ {skip = 0}
    !skip' "$root/docs/highmem-costs.md" |
    sed -E "s/map \+ unmap is [0-9]+ cycles/map + unmap is $l2 cycles/" >"$dir/highmem-costs.md"
  # docs/kernel-ktest.md: the mapping-cost table.
  sed -E -e "s/^(\| \`kmap_local_page\` \+ \`kunmap_local\` \| )[0-9]+ \| [0-9]+ \|/\1$l2 | $lp |/" \
         -e "s/^(\| \`kmap_atomic\` \+ \`kunmap_atomic\` \| )[0-9]+ \| [0-9]+ \|/\1$a2 | $ap |/" \
         -e "s/^(\| \`kmap\` \+ \`kunmap\`, page already in its pkmap slot \| )[0-9]+ \| [0-9]+ \|/\1$k2 | $kp |/" \
         "$root/docs/kernel-ktest.md" >"$dir/kernel-ktest.md"
  # docs/kernel.md: the demo's line.
  sed -E "s/^demo: cycles per map \+ unmap: .*/$d2/" "$root/docs/kernel.md" >"$dir/kernel.md"
}

status=0
if [[ $update -eq 1 ]]; then
  cp "$tmp/fresh" "$golden"
  render_docs "$golden" "$tmp/docs"
  for d in highmem-costs.md kernel-ktest.md kernel.md; do cp "$tmp/docs/$d" "$root/docs/$d"; done
  echo "golden-figures: wrote $golden and the figures in docs/highmem-costs.md, docs/kernel-ktest.md, docs/kernel.md"
elif [[ $figures -eq 1 ]]; then
  if ! diff -u "$golden" "$tmp/fresh"; then
    echo "golden-figures: the figures above moved (- golden, + fresh run); if that is intended:"
    echo "  tools/scripts/golden-figures.sh --update build   (then regenerate the screenshots if [walkthrough] moved)"
    status=1
  fi
  render_docs "$golden" "$tmp/docs"
  for d in highmem-costs.md kernel-ktest.md kernel.md; do
    if ! diff -u "$root/docs/$d" "$tmp/docs/$d"; then
      echo "golden-figures: docs/$d quotes figures other than the golden ones (- doc, + golden)"
      status=1
    fi
  done
fi

# The screenshots: each must show the stop a fresh run of the walkthrough reaches.
# The text of the PNG's "hm386-stop" tEXt chunk, read by the chunk's length: the
# CRC after it may well start with a digit, so a pattern match alone overruns.
png_stop() {
  local off len
  off=$(grep -a -b -o 'tEXthm386-stop' "$1" | head -1 | cut -d: -f1)
  [[ -n $off && $off -ge 4 ]] || return 0
  len=$(od -An -tu1 -j $((off - 4)) -N4 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
  # keyword "hm386-stop", a NUL, then the text
  dd if="$1" bs=1 skip=$((off + 4 + 11)) count=$((len - 11)) 2>/dev/null
}

[[ $screenshots -eq 1 ]] && while read -r name _ cycles _ insns; do
  png=$root/$name
  want="cycles $cycles instructions $insns"
  if [[ ! -f $png ]]; then
    echo "golden-figures: missing $name (tools/scripts/gui-screenshots.sh makes it)"
    status=1
    continue
  fi
  got=$(png_stop "$png")
  if [[ "$got" != "$want" ]]; then
    echo "golden-figures: $name shows ${got:-an unrecorded stop (made by an older hm386-gui)}; a fresh run stops at $want: run tools/scripts/gui-screenshots.sh"
    status=1
  fi
done < <(section walkthrough "$tmp/fresh")

[[ $status -eq 0 ]] && echo "golden-figures: what was checked matches a fresh run"
exit $status
