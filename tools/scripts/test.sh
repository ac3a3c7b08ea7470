#!/usr/bin/env bash
# Set-up command 2 (and what CI runs): install what is missing, build the normal and
# the sanitizer (ASan + UBSan) trees, run the whole test suite in both.
# Extra arguments go to ctest (e.g. -L unit, -LE slow).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
"$root/tools/scripts/install-deps.sh"
jobs=$(nproc)

"$root/tools/scripts/build.sh" "$root/build"
"$root/tools/scripts/build.sh" "$root/build-asan" -DHM386_SANITIZE=ON

# Debian's Linux (docs/linux.md, docs/testing.md "Linux in CI"): fetched into the
# release tree when apt can reach Debian, without the 768 MB symbols package
# (--no-symbols); HM386_FETCH_LINUX=0 skips it. Of the linux.* tests CI runs only
# linux.boot-1G (the others are `slow` and run with `ctest -L linux`), and none in
# the ASan tree (it has no kernel: they skip there).
linux_skip=()
if [[ "${HM386_FETCH_LINUX:-1}" == 1 ]]; then
  "$root/tools/scripts/fetch-linux.sh" --no-symbols "$root/build" ||
    echo "test.sh: Debian's kernel could not be fetched; the linux.* tests skip"
  linux_skip=(-E '^linux\.(boot-(3G|6G|16G)|tsc-|smp-|serial-|symbols|pkmap|tlb-check)')
fi

status=0
echo "== tests (release build) =="
ctest --test-dir "$root/build" --output-on-failure -j "$jobs" "${linux_skip[@]}" "$@" || status=1
# Guest code is the same in both trees, so QEMU-only tests run once, above.
echo "== tests (ASan + UBSan build) =="
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "$root/build-asan" --output-on-failure -j "$jobs" -LE qemu "$@" || status=1
exit $status
