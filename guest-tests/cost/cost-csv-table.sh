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
#
# And every figure the prose quotes from those CSVs, between inline markers
# (HTML comments, invisible in the rendered page):
#   <!--c:PROFILE:MODE:MEASUREMENT:COLUMN:DECIMALS-->349<!--/c-->
#     one CSV cell. PROFILE is default or p6 (cost-PROFILE.csv) or smpN (the
#     rows of cost-smp.csv with cpus = N); MODE 2level or pae; COLUMN a header
#     name of the CSV, or NAME/n for that column per unit (divided by n).
#   <!--d:FORMULA:ARG...:DECIMALS-->39.8<!--/d-->
#     a derived figure, one of the named formulas in derived() below.
# --check fails when a marked figure differs from the CSVs, or names a cell or
# formula that does not exist; --update rewrites the figures between markers.
# The words around them are the document's: reread them after an update.
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
        failed=1
        return
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

failed=0  # --check: set by a block or the prose that differs; every one is reported
# prose: DOC with every inline figure marker filled in from the CSVs.
prose() {
  awk -F, -v docfile="$doc" '
    # The CSVs: val[profile, mode, measurement, column].
    FILENAME != docfile && FNR == 1 {
      file++; ncol = split($0, col, ",")
      prof = (FILENAME ~ /cost-smp\.csv$/) ? "smp" : FILENAME
      sub(/.*cost-/, "", prof); sub(/\.csv$/, "", prof)
      next
    }
    FILENAME != docfile {
      if (prof == "smp") {
        p = "smp" $1
        for (i = 4; i <= ncol; i++) val[p, $2, $3, col[i]] = $i
      } else {
        for (i = 3; i <= ncol; i++) val[prof, $1, $2, col[i]] = $i
      }
    }
    function fail(msg) { printf "cost-csv-table: %s:%d: %s\n", docfile, line_no, msg > "/dev/stderr"; bad = 1 }
    function cell(p, m, k, c,   per) {
      per = sub(/\/n$/, "", c)
      if (!((p, m, k, c) in val) || val[p, m, k, c] == "") {
        fail("no CSV figure " p ":" m ":" k ":" c); return 0
      }
      return per ? val[p, m, k, c] / val[p, m, k, "n"] : val[p, m, k, c] + 0
    }
    function cpu(p, m, k) { return cell(p, m, k, "cycles_per_unit") }
    # The derived figures the prose quotes; a[1..na] are the marker arguments.
    function derived(name, a, na,   m) {
      m = a[1]
      # A TLB-miss walk alone: INVLPG + a read that misses, less INVLPG alone and a hit.
      if (name == "walk" && na == 1)
        return cpu("default", m, "tlb_miss") - cpu("default", m, "invlpg_only") - cpu("default", m, "tlb_hit")
      # Per live kmap_local slot per context-switch round trip (as hm386 cost-report derives it).
      if (name == "slot" && na == 1)
        return (cpu("default", m, "switch_slots_15") - cpu("default", m, "switch_slots_0")) / 15
      # MEASUREMENT with PAE less with 2-level paging.
      if (name == "pae_extra" && na == 1)
        return cpu("default", "pae", a[1]) - cpu("default", "2level", a[1])
      # B less A, and that as a percentage of A (MODE A B).
      if (name == "minus" && na == 3)
        return cpu("default", m, a[3]) - cpu("default", m, a[2])
      if (name == "pct_more" && na == 3)
        return 100 * (cpu("default", m, a[3]) - cpu("default", m, a[2])) / cpu("default", m, a[2])
      # A over B (MODE A B).
      if (name == "ratio" && na == 3)
        return cpu("default", m, a[2]) / cpu("default", m, a[3])
      # Walks per unit beyond the one the touch needs.
      if (name == "extra_walks" && na == 2)
        return cell("default", m, a[2], "walks/n") - 1
      # The pkmap wrap per slot of the window (LAST_PKMAP: 1024, 512 with PAE).
      if (name == "wrap_per_slot" && na == 1)
        return cpu("default", m, "kmap_wrap") / (m == "pae" ? 512 : 1024)
      # The wrap pair 2-level over PAE.
      if (name == "wrap_ratio" && na == 0)
        return cpu("default", "2level", "kmap_wrap") / cpu("default", "pae", "kmap_wrap")
      # A global flush and its refills (a 32-page working set) as a percentage of a wrap.
      if (name == "flush_share_pct" && na == 1)
        return 100 * cpu("default", m, "refill_after_global_flush") / cpu("default", m, "kmap_wrap")
      # The second wrap PAE pays per 1024 new kmaps: its flush and refills spread over them.
      if (name == "pae_flush_per_kmap" && na == 0)
        return cpu("default", "pae", "refill_after_global_flush") / 1024
      # How much less the p6 profile pays for MEASUREMENT (percent, 2-level).
      if (name == "p6_drop_pct" && na == 1)
        return 100 * (1 - cpu("p6", "2level", a[1]) / cpu("default", "2level", a[1]))
      # The bookkeeping of a vmap: instructions per page of a one-page vmap beyond a kmap_local.
      if (name == "vmap_bookkeeping_instructions" && na == 0)
        return cell("default", "2level", "vmap_1", "instructions/n") - cell("default", "2level", "kmap_local_page", "instructions/n")
      # A row of cost-smp.csv less a one-CPU row of cost-default.csv (MODE CPUS SMP_ROW ROW).
      if (name == "smp_less" && na == 4)
        return cpu("smp" a[2], m, a[3]) - cpu("default", m, a[4])
      fail("no formula " name " with " na " arguments"); return 0
    }
    function figure(marker,   f, nf, a, i, v, d) {
      # marker: c:... or d:... (without the comment delimiters)
      nf = split(marker, f, ":")
      d = f[nf]
      if (d !~ /^[0-9]$/) { fail("last field of " marker " is not a number of decimals"); return "?" }
      if (f[1] == "c") {
        if (nf != 6) { fail("want c:PROFILE:MODE:MEASUREMENT:COLUMN:DECIMALS, got " marker); return "?" }
        v = cell(f[2], f[3], f[4], f[5])
      } else {
        for (i = 3; i < nf; i++) a[i - 2] = f[i]
        v = derived(f[2], a, nf - 3)
      }
      v = sprintf("%." d "f", v)
      if (v ~ /^-0(\.0*)?$/) sub(/^-/, "", v)
      return v
    }
    FILENAME == docfile {
      line_no = FNR; out = ""; rest = $0
      while (match(rest, /<!--[cd]:[^>]*-->[^<]*<!--\/[cd]-->/)) {
        m = substr(rest, RSTART, RLENGTH)
        open = index(m, "-->"); kind = substr(m, 5, 1)
        if (substr(m, RLENGTH - 3, 1) != kind) fail("marker " m " closed by the other kind")
        out = out substr(rest, 1, RSTART - 1) substr(m, 1, open + 2) figure(substr(m, 5, open - 5)) "<!--/" kind "-->"
        rest = substr(rest, RSTART + RLENGTH)
      }
      if (rest ~ /<!--[cd]:/) fail("unclosed figure marker")
      print out rest
    }
    END { exit bad }' "${csvs[@]}" "$smp_csv" "$doc"
}

# prose_check_or_update: the figure markers in DOC against the CSVs.
prose_check_or_update() {
  local tmp; tmp=$(mktemp)
  prose >"$tmp" || { rm -f "$tmp"; echo "cost-csv-table: bad figure markers in $doc" >&2; exit 1; }
  if [[ $mode == check ]]; then
    if ! cmp -s "$doc" "$tmp"; then
      diff -u "$doc" "$tmp"
      rm -f "$tmp"
      echo "cost-csv-table: $doc quotes figures in its prose that the golden CSVs do not give (above: - the document, + the CSVs); run $0 --update" >&2
      failed=1
      return
    fi
    rm -f "$tmp"
    echo "cost-csv-table: $doc quotes the golden CSVs in its prose figures"
  else
    cat "$tmp" >"$doc"; rm -f "$tmp"
    echo "cost-csv-table: updated the prose figures in $doc"
  fi
}

case $mode in
  print) table; echo; smp_table ;;
  check|update)
    block cost-csv-table table
    block cost-smp-table smp_table
    prose_check_or_update
    exit $failed ;;
esac
