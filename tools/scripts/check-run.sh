#!/usr/bin/env bash
# check-run.sh --status N [--expect REGEX]... [--reject REGEX]... -- COMMAND...
# Runs COMMAND, echoes its output, and succeeds only if it exited with status N, its
# output (stdout + stderr) matches every --expect REGEX and no --reject REGEX
# (grep -E). Status 77 (skip) passes through so CTest can report a skip.
set -u
want=0
expects=()
rejects=()
while [[ $# -gt 0 && "$1" != "--" ]]; do
  case "$1" in
    --status) want=$2; shift 2 ;;
    --expect) expects+=("$2"); shift 2 ;;
    --reject) rejects+=("$2"); shift 2 ;;
    *) echo "check-run.sh: unknown option $1" >&2; exit 64 ;;
  esac
done
[[ "${1:-}" == "--" ]] || { echo "usage: check-run.sh --status N [--expect REGEX]... [--reject REGEX]... -- COMMAND..." >&2; exit 64; }
shift
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$@" >"$out" 2>&1 </dev/null  # never read the terminal CTest runs in
got=$?
cat "$out"
[[ $got -eq 77 ]] && exit 77
fail=0
if [[ $got -ne $want ]]; then
  echo "check-run: wanted exit status $want, got $got" >&2
  fail=1
fi
for re in "${rejects[@]}"; do
  if grep -Eq -- "$re" "$out"; then
    echo "check-run: output matches what it must not: $re" >&2
    fail=1
  fi
done
for re in "${expects[@]}"; do
  if ! grep -Eq -- "$re" "$out"; then
    echo "check-run: output does not match: $re" >&2
    fail=1
  fi
done
exit $fail
