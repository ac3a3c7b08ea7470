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

status=0
echo "== tests (release build) =="
ctest --test-dir "$root/build" --output-on-failure -j "$jobs" "$@" || status=1
# Guest code is the same in both trees, so QEMU-only tests run once, above.
echo "== tests (ASan + UBSan build) =="
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "$root/build-asan" --output-on-failure -j "$jobs" -LE qemu "$@" || status=1
exit $status
