#!/usr/bin/env bash
# Set-up command 1: install what is missing, build everything, boot the demo image.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
"$root/tools/scripts/install-deps.sh"
"$root/tools/scripts/build.sh" "$root/build" | grep -v '^ninja: no work to do' || true
if [[ -x "$root/build/tools/cli/hm386" ]]; then
  exec "$root/build/tools/cli/hm386" run "$root/images/demo" "$@"
fi
# Until hm386 can boot it, the demo guest runs under QEMU.
exec "$root/tools/scripts/run-qemu.sh" "$root/build/guest/hello.elf"
