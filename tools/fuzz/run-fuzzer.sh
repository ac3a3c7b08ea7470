#!/usr/bin/env bash
# Runs one libFuzzer target from the clang fuzz tree (docs/testing.md, "Fuzzing"):
#
#   tools/fuzz/run-fuzzer.sh TARGET [SECONDS] [libFuzzer options...]
#
# TARGET is cpu, multiboot, bzimage, rom, manifest, trace, gdb_packet, command or snapshot. The run
# starts from the committed seed corpus (read only) and keeps what it finds in
# build-fuzz/corpus/TARGET; crashers go to build-fuzz/crashes/TARGET/. It prints
# libFuzzer's own final statistics (stat::number_of_executed_units and
# stat::average_exec_per_sec) and exits with libFuzzer's status (0: nothing found).
# HM386_FUZZ_BUILD overrides the tree (default: build-fuzz next to this checkout).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${HM386_FUZZ_BUILD:-$root/build-fuzz}
[[ $# -ge 1 ]] || { echo "usage: $0 TARGET [SECONDS] [libFuzzer options...]" >&2; exit 64; }
target=$1
seconds=${2:-600}
shift $(( $# >= 2 ? 2 : 1 ))
bin=$build/tools/fuzz/fuzz_$target
[[ -x $bin ]] || { echo "$bin not built: cmake --build $build --target fuzz_$target" >&2; exit 64; }
mkdir -p "$build/corpus/$target" "$build/crashes/$target"
# The command language and the gdb stub use inputs as scripts: longer inputs
# mean more commands, not more coverage per byte; 4 KiB is libFuzzer's default.
# -timeout: one input taking more than 10 s of host time counts as a hang.
exec "$bin" "$build/corpus/$target" "$root/tools/fuzz/corpus/$target" \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$build/crashes/$target/" "$@"
