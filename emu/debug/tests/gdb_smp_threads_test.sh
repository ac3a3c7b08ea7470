#!/usr/bin/env bash
# gdb_smp_threads_test.sh HM386 SMP_BOOT_IMAGE
# With -smp 4 the gdb stub shows the CPUs as threads 1-4: qfThreadInfo lists
# them, T says which exist, Hg selects the CPU whose registers `p` reads (the
# BSP at the Multiboot entry, an AP still at the reset vector, waiting for a
# SIPI), qThreadExtraInfo says so; Hc and vCont;s:TID step that CPU and the stop
# is reported on its thread; and the guest then runs to its end.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/gdb_stub_port.sh"
hm386=$1
image=$2
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

timeout 60 "$hm386" run -m 64M -smp 4 "$image" --gdb 0 --serial none >"$work/out" 2>"$work/err" &
port=$(stub_port "$work/err") || { echo "$port"; exit 1; }
exec 3<>"/dev/tcp/127.0.0.1/$port" || { echo "FAIL: cannot connect"; exit 1; }

# send PAYLOAD: frames it as $PAYLOAD#xx.
send() {
  local sum
  sum=$(printf '%s' "$1" | od -An -tu1 -v | awk '{for (i = 1; i <= NF; i++) s += $i} END {print s % 256}')
  printf '$%s#%02x' "$1" "$sum" >&3
}
# reply: the payload of the next packet (skipping acks and O console packets).
reply() {
  local ch body
  while :; do
    IFS= read -r -d '$' -t 20 ch <&3 || { echo "FAIL: no reply"; return 1; }
    IFS= read -r -d '#' -t 20 body <&3 || { echo "FAIL: no reply"; return 1; }
    read -r -N 2 -t 5 ch <&3
    printf '+' >&3
    if [[ $body == O* && $body != OK ]]; then  # console output, hex encoded
      CONSOLE+=$(printf '%b' "$(printf '%s' "${body:1}" | sed 's/../\\x&/g')")
      continue
    fi
    REPLY_BODY=$body
    return 0
  done
}
fail=0
CONSOLE=
check() {  # check WHAT REGEX
  if [[ $REPLY_BODY =~ $2 ]]; then echo "ok   $1: $REPLY_BODY"; else echo "FAIL $1: got '${REPLY_BODY:0:80}'"; fail=1; fi
}


send "qfThreadInfo"
reply && check "qfThreadInfo lists four CPUs" '^m01,02,03,04$'
send "qsThreadInfo"
reply && check "and no more" '^l$'
send "T04"
reply && check "thread 4 is alive" '^OK$'
send "T05"
reply && check "thread 5 is not" '^E[0-9a-f]{2}$'
send "Hg01"
reply && check "Hg01" '^OK$'
send "p8"
reply && check "CPU 0's EIP is the Multiboot entry" '^0c001000$'
send "Hg03"
reply && check "Hg03" '^OK$'
send "qC"
reply && check "qC names thread 3" '^QC03$'
send "p8"
reply && check "CPU 2's EIP is the reset vector's" '^f0ff0000$'
send "qThreadExtraInfo,03"
reply
extra=$(printf '%b' "$(printf '%s' "$REPLY_BODY" | sed 's/../\\x&/g')")
if [[ $extra == "CPU 2 (waiting for SIPI)" ]]; then echo "ok   qThreadExtraInfo: $extra"; else echo "FAIL qThreadExtraInfo: '$extra'"; fail=1; fi
send "Hg09"
reply && check "Hg09 is an error" '^E[0-9a-f]{2}$'
# Run control per thread: Hc picks the CPU a plain `s` steps; vCont's s:TID
# names it; the stop is reported on that thread.
send "Hc09"
reply && check "Hc09 is an error" '^E[0-9a-f]{2}$'
send "Hc02"
reply && check "Hc02" '^OK$'
send "s"
reply && check "s steps CPU 1 (its first instruction, after its SIPI)" '^T05thread:02;$'
send "qC"
reply && check "the stopped thread is selected" '^QC02$'
send "vCont;s:3"
reply && check "vCont;s:3 steps CPU 2" '^T05thread:03;$'
send "p8"
reply && check "CPU 2 left the trampoline's first byte" '^01000000$'
send "vCont;s:1;c"
reply && check "vCont;s:1;c steps CPU 0" '^T05thread:01;$'
send "vCont;s:5"
reply && check "vCont;s:5 names no CPU" '^E[0-9a-f]{2}$'
send "vCont;s:2;x"
reply && check "an unknown action is an error" '^E[0-9a-f]{2}$'
send "c"
reply && check "the start-up runs to its end" '^W00$'
exit $fail
