#!/usr/bin/env bash
# check-observers.sh HM386 EVERY -- GUEST-ARGS...
# Observation independence (docs/cpu.md "Timing rules"): boots the guest plain
# and under every observer hm386 has, and succeeds only if every run gives the
# same guest output (serial and port 0xE9, byte for byte) and the same
# --state-hash-every EVERY lines (instruction count, cycle count and state
# hash every EVERY instructions and at the end). The observers:
#   trace       --trace FILE, every event kind (instructions included)
#   trace-io    --trace FILE --trace-events io,int,exc (no instruction events)
#   tlb-check   --tlb-check
#   stats       --stats --stats-json FILE
#   all         --trace --tlb-check --stats together
#   bp-never    debugger: a breakpoint that is never reached, then continue
#   bp-hit      debugger: a breakpoint on printk hit twice, then continue
#   step        debugger: single-step 3000 instructions, then continue
#   watch       debugger: at printk, a watchpoint on its stack frame hit twice, then continue
#   watch-never debugger: a watchpoint on a page nobody touches, then continue
#   gdb         gdb attached through --gdb: a breakpoint on printk, continue,
#               stepi, delete, detach (skipped when gdb is not installed)
#   hash-fine   a state hash every EVERY/8 instructions (its lines at multiples of
#               EVERY must be the plain run's: stopping for a hash is invisible)
# GUEST-ARGS are `hm386 run` arguments (image, -m, --append, --initrd ...).
# OBSERVERS_BREAK names the function the debugger and gdb stop in (default
# printk; a guest without printk names one it calls often), OBSERVERS_WATCH
# the address watched from there (default $esp-8: the function's own frame).
set -u
brk=${OBSERVERS_BREAK:-printk}
watch=${OBSERVERS_WATCH:-'$esp-8'}
hm386=$1
every=$2
shift 2
[[ ${1:-} == -- ]] && shift
args=("$@")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run_mode NAME SUBCOMMAND EXTRA-ARGS...
run_mode() {
  local name=$1 sub=$2
  shift 2
  "$hm386" "$sub" "${args[@]}" --serial "file:$tmp/$name.serial" --debugcon "file:$tmp/$name.dcon" \
    --state-hash-every "${HASH_EVERY:-$every}" --timeout 120 "$@" >"$tmp/$name.stdout" 2>"$tmp/$name.stderr" </dev/null
  echo $? >"$tmp/$name.status"
  grep '^state-hash:' "$tmp/$name.stderr" >"$tmp/$name.hash"
}

script() {  # NAME LINES...: a debugger script
  local name=$1
  shift
  printf '%s\n' "$@" >"$tmp/$name.hm386"
  echo "$tmp/$name.hm386"
}

run_mode plain run
run_mode trace run --trace "$tmp/t1.trace"
run_mode trace-io run --trace "$tmp/t2.trace" --trace-events io,int,exc
run_mode tlb-check run --tlb-check
run_mode stats run --stats --stats-json "$tmp/stats.json"
run_mode all run --trace "$tmp/t3.trace" --tlb-check --stats
run_mode bp-never debug --script "$(script bp-never 'break 0xfffffff0' 'continue')"
run_mode bp-hit debug --script "$(script bp-hit "break $brk" 'continue' 'continue' 'delete' 'continue')"
run_mode step debug --script "$(script step 'step 1000' 'step 2000' 'continue')"
run_mode watch debug --script "$(script watch "break $brk" 'continue' 'delete' "watch rw lin $watch 4" \
  'continue' 'continue' 'delete' 'continue')"
HASH_EVERY=$((every / 8)) run_mode hash-fine run
awk -v e="$every" '/final/ { print; next } { split($2, a, "="); if (a[2] % e == 0) print }' \
  "$tmp/hash-fine.hash" >"$tmp/hash-fine.sub" && mv "$tmp/hash-fine.sub" "$tmp/hash-fine.hash"
run_mode watch-never debug --script "$(script watch-never 'watch rw phys 0xff000 4' 'continue')"

# gdb: hm386 waits for it on a free port, it stops at $brk twice, steps,
# then detaches and the guest runs on to its end.
modes="trace trace-io tlb-check stats all bp-never bp-hit step watch watch-never hash-fine"
# gdb needs the kernel's symbols: the image itself, or $OBSERVERS_SYMBOLS (for a manifest).
symbols=${OBSERVERS_SYMBOLS:-${args[0]}}
if [[ $(head -c 4 "$symbols" 2>/dev/null | od -An -c | tr -d ' ') != '177ELF' ]]; then
  echo "gdb: skipped (no ELF symbols for ${args[0]}; set OBSERVERS_SYMBOLS)"
elif command -v gdb >/dev/null; then
  "$hm386" run "${args[@]}" --serial "file:$tmp/gdb.serial" --debugcon "file:$tmp/gdb.dcon" \
    --state-hash-every "$every" --timeout 120 --gdb 0 >"$tmp/gdb.stdout" 2>"$tmp/gdb.stderr" </dev/null &
  stub=$!
  port=
  for _ in $(seq 100); do
    port=$(grep -o '127.0.0.1:[0-9]*' "$tmp/gdb.stderr" 2>/dev/null | head -1 | cut -d: -f2)
    [[ -n $port ]] && break
    sleep 0.1
  done
  if [[ -n $port ]]; then
    timeout 120 gdb -batch -nx -ex "target remote :$port" -ex "b *$brk" -ex 'c' -ex 'c' -ex 'stepi' \
      -ex 'stepi' -ex 'delete' -ex 'detach' "$symbols" >"$tmp/gdb.session" 2>&1
  fi
  wait $stub
  grep '^state-hash:' "$tmp/gdb.stderr" >"$tmp/gdb.hash"
  grep -q 'Breakpoint 1, ' "$tmp/gdb.session" || { echo "check-observers: gdb never stopped at $brk" >&2; cat "$tmp/gdb.session" >&2; exit 1; }
  modes+=" gdb"
else
  echo "gdb: skipped (gdb not installed)"
fi

fail=0
if [[ ! -s $tmp/plain.hash ]] || ! grep -q '^state-hash: final' "$tmp/plain.hash"; then
  echo "check-observers: the plain run printed no final state hash" >&2
  cat "$tmp/plain.stderr" >&2
  exit 1
fi
if [[ ! -s $tmp/plain.serial && ! -s $tmp/plain.dcon ]]; then
  echo "check-observers: the plain run printed nothing" >&2
  exit 1
fi
echo "plain: $(tail -1 "$tmp/plain.hash")"
# The debugger runs must really have stopped where the script says.
grep -qE 'breakpoint [0-9]+ at 0x' "$tmp/bp-hit.stdout" || { echo "check-observers: bp-hit never stopped at $brk" >&2; fail=1; }
grep -qE 'watchpoint [0-9]+: (read|write) of' "$tmp/watch.stdout" || { echo "check-observers: watch never stopped" >&2; fail=1; }
for mode in $modes; do
  bad=""
  cmp -s "$tmp/plain.serial" "$tmp/$mode.serial" || bad+=" serial-output"
  cmp -s "$tmp/plain.dcon" "$tmp/$mode.dcon" || bad+=" debugcon-output"
  cmp -s "$tmp/plain.hash" "$tmp/$mode.hash" || bad+=" state-hashes"
  case $mode in bp-* | step | watch* | gdb) ;; *)
    cmp -s "$tmp/plain.status" "$tmp/$mode.status" || bad+=" exit-status" ;;
  esac
  if [[ -n $bad ]]; then
    echo "check-observers: $mode differs from plain in:$bad" >&2
    diff "$tmp/plain.hash" "$tmp/$mode.hash" | head -6 >&2
    grep -v '^state-hash:' "$tmp/$mode.stderr" | head -5 >&2
    fail=1
  else
    echo "$mode: identical"
  fi
done
exit $fail
