# Sourced by the gdb test scripts. stub_port ERR_FILE: waits up to 10 s for the
# "127.0.0.1:PORT" hm386 prints on stderr when its gdb stub listens (--gdb 0:
# any free port) and prints PORT; otherwise says so, shows ERR_FILE and fails.
stub_port() {
  local p
  for _ in $(seq 100); do
    p=$(grep -o '127.0.0.1:[0-9]*' "$1" 2>/dev/null | head -1 | cut -d: -f2)
    [[ -n $p ]] && { echo "$p"; return 0; }
    sleep 0.1
  done
  echo "FAIL: hm386 did not start its gdb stub"
  cat "$1"
  return 1
}
