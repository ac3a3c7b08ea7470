#!/usr/bin/env bash
# `hm386 debug --symbols System.map` on Debian's kernel (docs/linux.md): boots
# images/linux at 1G with nokaslr (System.map's link addresses then hold) under the
# debugger with guest-tests/linux/poweroff-break.hm386, which breaks at
# acpi_enter_sleep_state by name and asserts the stop. Passes when the script
# succeeded, the call chain names the kernel's power-off path
# (kernel_power_off) and the guest then powered off.
# Exit 77 (CTest: skipped) when the kernel has not been fetched.
#
# Usage: linux-symbols-check.sh HM386 SOURCE_DIR BUILD_DIR
set -u
hm386=$1 src=$2 build=$3
dir="$build/linux"
if [[ ! -s "$dir/vmlinuz" || ! -s "$dir/initramfs.cpio.gz" || ! -s "$dir/System.map" ]]; then
  echo "skipped: $dir/vmlinuz, initramfs.cpio.gz and System.map are not there (run tools/scripts/fetch-linux.sh $build)"
  exit 77
fi
build=$(cd "$build" && pwd)
out=$(HM386_BUILD_DIR="$build" "$hm386" debug "$src/images/linux" -m 1G \
  --append "console=ttyS0 earlyprintk=serial,ttyS0,115200 panic=-1 nokaslr" --symbols "$dir/System.map" \
  --serial none --debugcon none --script "$src/guest-tests/linux/poweroff-break.hm386" </dev/null 2>&1)
status=$?
echo "$out"
fail=0
[[ $status -eq 0 ]] || { echo "FAIL: hm386 debug exited with status $status"; fail=1; }
grep -qE "^#[0-9]+ 0x[0-9a-f]+ <kernel_power_off" <<<"$out" ||
  { echo "FAIL: the call chain does not name kernel_power_off"; fail=1; }
grep -q "the guest exited with status 0" <<<"$out" || { echo "FAIL: the guest did not power off after the breakpoint"; fail=1; }
exit $fail
