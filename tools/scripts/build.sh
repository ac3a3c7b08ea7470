#!/usr/bin/env bash
# Configures (once) and builds one build tree. Reuses the tree on later runs, so a
# second invocation rebuilds only what changed.
#   build.sh DIR [extra cmake -D options for the first configure]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$1
shift
if [[ ! -f "$dir/CMakeCache.txt" ]]; then
  cmake -S "$root" -B "$dir" -G Ninja "$@" >/dev/null
fi
cmake --build "$dir"
