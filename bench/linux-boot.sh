#!/usr/bin/env bash
# Linux boot-to-poweroff time, hm386 against QEMU, in one run: Debian's 686-pae
# kernel with the test initramfs (tools/scripts/fetch-linux.sh), whose /init
# prints /proc/meminfo and powers off. Both get the same kernel, initramfs,
# command line and RAM (default 3G); each time is the host wall clock from start to
# the process's exit, and each run must end in the guest's power-off (hm386 exit
# status 0; QEMU's console ending in "reboot: Power down"). Also reports the
# process CPU time (user + system), which the other load on the machine disturbs less.
#
# Usage: bench/linux-boot.sh [-m SIZE] [BUILD_DIR]   (default 3G, build)
# QEMU: qemu-system-i386 (TCG, Debian's package), run as tools/scripts/linux-qemu.sh does.
set -euo pipefail
mem=3G
if [[ "${1:-}" == -m ]]; then mem=$2; shift 2; fi
build=${1:-build}
dir="$build/linux"
append="console=ttyS0 earlyprintk=serial,ttyS0,115200 panic=-1"
[[ -s "$dir/vmlinuz" && -s "$dir/initramfs.cpio.gz" ]] ||
  { echo "linux-boot: $dir/vmlinuz or initramfs.cpio.gz missing: run tools/scripts/fetch-linux.sh $build" >&2; exit 1; }
[[ -x "$build/tools/cli/hm386" ]] || { echo "linux-boot: $build/tools/cli/hm386 not built" >&2; exit 1; }
command -v qemu-system-i386 >/dev/null || { echo "linux-boot: qemu-system-i386 not found" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# timed NAME COMMAND...: runs the command, leaves "wall user+sys status" in $work/NAME.time.
timed() {
  local name=$1
  shift
  local status=0
  /usr/bin/time -f "%e %U %S" -o "$work/$name.time" "$@" </dev/null >"$work/$name.out" 2>&1 || status=$?
  # /usr/bin/time writes "Command exited with non-zero status N" first when N != 0.
  wall=$(tail -n 1 "$work/$name.time" | cut -d' ' -f1)
  user=$(tail -n 1 "$work/$name.time" | cut -d' ' -f2)
  sys=$(tail -n 1 "$work/$name.time" | cut -d' ' -f3)
  echo "$wall $(echo "$user + $sys" | bc) $status" >"$work/$name.result"
}

timed hm386 "$build/tools/cli/hm386" run --kernel "$dir/vmlinuz" --initrd "$dir/initramfs.cpio.gz" --append "$append" \
  -m "$mem" --serial "file:$work/hm386.console" --debugcon none --timeout 600
timed qemu timeout 600 qemu-system-i386 -m "$mem" -kernel "$dir/vmlinuz" -initrd "$dir/initramfs.cpio.gz" \
  -append "$append" -display none -serial "file:$work/qemu.console" -monitor none -no-reboot

read -r h_wall h_cpu h_status <"$work/hm386.result"
read -r q_wall q_cpu q_status <"$work/qemu.result"
fail=0
[[ $h_status -eq 0 ]] || { echo "linux-boot: hm386 ended with status $h_status, not the guest's power-off" >&2; fail=1; }
grep -q "reboot: Power down" "$work/qemu.console" || { echo "linux-boot: QEMU's guest did not power off (status $q_status)" >&2; fail=1; }
high() { grep -oE "^HighTotal: +[0-9]+" "$1" | grep -oE "[0-9]+$" || echo "?"; }
printf 'Linux 686-pae boot to poweroff at %s (%s)\n' "$mem" "$(cat "$dir/VERSION" 2>/dev/null || echo "kernel $dir/vmlinuz")"
printf '  %-8s %8s s wall %8s s cpu   HighTotal %s kB\n' hm386 "$h_wall" "$h_cpu" "$(high "$work/hm386.console")"
printf '  %-8s %8s s wall %8s s cpu   HighTotal %s kB\n' qemu "$q_wall" "$q_cpu" "$(high "$work/qemu.console")"
printf '  ratio hm386/qemu: %.2f (wall), %.2f (cpu)\n' "$(echo "$h_wall / $q_wall" | bc -l)" "$(echo "$h_cpu / $q_cpu" | bc -l)"
exit $fail
