#!/usr/bin/env bash
# gdb_raw_packets_test.sh HM386 IMAGE
# Speaks the remote protocol to hm386's gdb stub directly, with packets gdb
# itself would not send: an invalid vCont action must be answered with an error
# (not run the guest), and `monitor` (qRcmd) with 20,000 nested parentheses must
# be answered with the command language's error (not crash the stub). Then the
# guest still runs to its end under a plain `c`.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/gdb_stub_port.sh"
hm386=$1
image=$2
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

timeout 60 "$hm386" run -m 64M "$image" --gdb 0 --serial none >"$work/out" 2>"$work/err" &
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

send "vCont;x"
reply && check "vCont with an invalid action is an error" '^E[0-9a-f]{2}$'
send "vCont;s"
reply && check "vCont;s still steps" '^T05'
hex=$(printf 'p %s1' "$(printf '(%.0s' $(seq 20000))" | od -An -tx1 -v | tr -d ' \n')
send "qRcmd,$hex"
CONSOLE=
reply
# The monitor output comes as O packets, then OK.
check "monitor with deep nesting is answered" '^(OK|E[0-9a-f]{2})$'
REPLY_BODY=$CONSOLE
check "... with the command language's error" 'error: .*nested too deeply'
send "qRcmd,$(printf 'p 1+1' | od -An -tx1 -v | tr -d ' \n')"
reply && check "the stub still answers monitor commands" '^(OK|[0-9a-f]+)$'
send "c"
reply && check "the guest runs to its end" '^W00$'
exec 3>&-
wait
exit $fail
