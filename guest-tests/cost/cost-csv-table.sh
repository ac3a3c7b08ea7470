#!/usr/bin/env bash
# cost-csv-table.sh [--check | --update] [DOC]
#
# The per-profile table of docs/highmem-costs.md, made from the golden CSVs of
# `hm386 cost-report --cpu NAME` (guest-tests/golden/cost-NAME.csv): guest
# cycles per unit for every measurement, one column per profile and paging
# mode. Without an option it prints the table; --check fails (exit 1) when the
# block between the "cost-csv-table" markers in DOC (default
# docs/highmem-costs.md) differs from it; --update rewrites that block.
# The same for the per-CPU-count table between the "cost-smp-table" markers,
# made from guest-tests/golden/cost-smp.csv (`hm386 cost-report --smp 1,2,4`).
set -u
mode=print
case ${1:-} in
  --check) mode=check; shift ;;
  --update) mode=update; shift ;;
esac
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
doc=${1:-$root/docs/highmem-costs.md}
profiles=(default p6)
csvs=()
for p in "${profiles[@]}"; do
  f=$root/guest-tests/golden/cost-$p.csv
  [[ -r $f ]] || { echo "cost-csv-table: missing $f" >&2; exit 64; }
  csvs+=("$f")
done

table() {
  # Columns of the CSV: mode,measurement,unit,n,<counters>,cycles_per_unit (the last one).
  awk -F, -v profiles="${profiles[*]}" '
    FNR == 1 { file++; next }
    {
      key = $2; if (!(key in unit)) { order[++rows] = key; unit[key] = $3 }
      cell[file, $1, key] = $NF
    }
    END {
      np = split(profiles, name, " ")
      head = "| measurement | unit |"; rule = "|---|---|"
      for (p = 1; p <= np; p++) {
        head = head " " name[p] " 2-level | " name[p] " PAE |"; rule = rule "---:|---:|"
      }
      print head; print rule
      for (r = 1; r <= rows; r++) {
        k = order[r]; line = "| " k " | " unit[k] " |"
        for (p = 1; p <= np; p++)
          for (m = 1; m <= 2; m++) {
            mode = (m == 1) ? "2level" : "pae"
            v = ((p, mode, k) in cell) ? cell[p, mode, k] : "-"
            line = line " " v " |"
          }
        print line
      }
    }' "${csvs[@]}"
}

smp_csv=$root/guest-tests/golden/cost-smp.csv
[[ -r $smp_csv ]] || { echo "cost-csv-table: missing $smp_csv" >&2; exit 64; }
smp_table() {
  # Columns: cpus,mode,measurement,unit,n,cycles,ipis,cycles_per_unit. A cell is
  # the cycles per unit, then [IPIs] where the row counts them.
  awk -F, '
    NR == 1 { next }
    {
      if (!($1 in seen)) { seen[$1] = 1; cpus[++nc] = $1 }
      if (!($3 in unit)) { order[++rows] = $3; unit[$3] = $4 }
      cell[$1, $2, $3] = $8 ($7 == "" ? "" : " [" $7 "]")
    }
    END {
      head = "| measurement | unit |"; rule = "|---|---|"
      for (c = 1; c <= nc; c++) {
        n = cpus[c] " CPU" (cpus[c] == 1 ? "" : "s"); head = head " " n " 2-level | " n " PAE |"; rule = rule "---:|---:|"
      }
      print head; print rule
      for (r = 1; r <= rows; r++) {
        k = order[r]; line = "| " k " | " unit[k] " |"
        for (c = 1; c <= nc; c++)
          for (m = 1; m <= 2; m++) {
            mode = (m == 1) ? "2level" : "pae"
            line = line " " (((cpus[c], mode, k) in cell) ? cell[cpus[c], mode, k] : "-") " |"
          }
        print line
      }
    }' "$smp_csv"
}

# block NAME FUNCTION: check or update the block between NAME's markers.
block() {
    local begin="<!-- $1:begin -->" end="<!-- $1:end -->"
    grep -qF "$begin" "$doc" && grep -qF "$end" "$doc" || { echo "cost-csv-table: no $1 markers in $doc" >&2; exit 1; }
    fresh=$($2)
    current=$(sed -n "/^$begin\$/,/^$end\$/p" "$doc" | sed '1d;$d')
    if [[ $mode == check ]]; then
      if [[ "$fresh" != "$current" ]]; then
        diff -u <(echo "$current") <(echo "$fresh")
        echo "cost-csv-table: $doc does not show the golden CSVs in $1 (above: - the document, + the CSVs); run $0 --update" >&2
        exit 1
      fi
      echo "cost-csv-table: $doc shows the golden CSVs in $1"
    else
      tmp=$(mktemp)
      awk -v b="$begin" -v e="$end" -v t="$fresh" '
        $0 == b { print; print t; skip = 1; next }
        $0 == e { skip = 0 }
        !skip { print }' "$doc" >"$tmp" && mv "$tmp" "$doc"
      echo "cost-csv-table: updated $1 in $doc"
    fi
}

case $mode in
  print) table; echo; smp_table ;;
  check|update)
    block cost-csv-table table
    block cost-smp-table smp_table ;;
esac
