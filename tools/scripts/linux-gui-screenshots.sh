#!/usr/bin/env bash
# Makes docs/images/linux-kmap-*.png, the pictures of docs/linux.md's walkthrough
# of one Linux kmap, with hm386-gui under Xvfb on images/linux at 1 GiB
# (tools/scripts/linux-kmap-walkthrough.hm386). Needs the kernel, initramfs and
# System.map in the build tree (tools/scripts/fetch-linux.sh), so, unlike
# gui-screenshots.sh's pictures, these are not regenerated or checked in CI.
#   linux-gui-screenshots.sh [BUILD_DIR]     (default: build)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
gui=$build/tools/gui/hm386-gui
out=$root/docs/images
for f in "$gui" "$build/linux/vmlinuz" "$build/linux/initramfs.cpio.gz" "$build/linux/System.map"; do
  [[ -e $f ]] || { echo "linux-gui-screenshots: missing $f (build, and run tools/scripts/fetch-linux.sh)" >&2; exit 1; }
done
command -v xvfb-run >/dev/null || { echo "linux-gui-screenshots: xvfb-run is not installed (tools/scripts/install-deps.sh)" >&2; exit 1; }
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$root/tools/scripts/linux-kmap-walkthrough.hm386" "$tmp/script"
mkdir -p "$tmp/docs/images"
cd "$tmp"
# The default window size (1600x1000), the one gui.layout checks for clipped text.
HM386_BUILD_DIR="$build" SDL_FRAMEBUFFER_ACCELERATION=0 SDL_RENDER_DRIVER=software \
  xvfb-run -a -s "-screen 0 1700x1100x24" \
  "$gui" "$root/images/linux" -m 1G --serial none --debugcon none \
  --script "$tmp/script" --echo --timeout 3000 >"$tmp/log" 2>&1 || {
  echo "linux-gui-screenshots: hm386-gui failed:" >&2
  cat "$tmp/log" >&2
  exit 1
}
cp "$tmp"/docs/images/linux-kmap-*.png "$out"/
cp "$tmp/log" "$build/linux/gui-screenshots.log"
if grep "^clipped text:" "$tmp/log" | grep -v "^clipped text: none$"; then
  echo "linux-gui-screenshots: text clipped in the pictures above" >&2
  exit 1
fi
ls -l "$out"/linux-kmap-*.png
