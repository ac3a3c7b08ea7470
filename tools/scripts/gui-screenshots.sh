#!/usr/bin/env bash
# Regenerates the documentation's screenshots (docs/images/*.png) with hm386-gui
# itself under Xvfb: one scripted session on ktest.elf that follows a kmap() and
# a kmap_local_page() through the MMU (docs/walkthrough-kmap.md tells the story;
# docs/gui.md shows the first picture). Needs a built tree and xvfb-run.
#   gui-screenshots.sh [BUILD_DIR]     (default: build)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
gui=$build/tools/gui/hm386-gui
image=$build/guest/ktest.elf
out=$root/docs/images
for f in "$gui" "$image"; do
  [[ -e $f ]] || { echo "gui-screenshots: missing $f (build first: tools/scripts/build.sh build)" >&2; exit 1; }
done
command -v xvfb-run >/dev/null || { echo "gui-screenshots: xvfb-run is not installed (tools/scripts/install-deps.sh)" >&2; exit 1; }
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The session (deterministic stops; `#gui screenshot` lines make the pictures).
# golden-figures.sh runs the same file and flags pictures that no longer match.
# The image is named "ktest.elf" on the command line whatever the checkout: the
# Multiboot command line starts with it (as QEMU's does), so its length moves the
# stops by a few hundred cycles (golden-figures.sh runs it the same way).
# The pictures are written under the session's own directory as docs/images/...,
# so the command log they show names that path, not this checkout's.
cp "$root/tools/scripts/kmap-walkthrough.hm386" "$tmp/script"
ln -s "$image" "$tmp/ktest.elf"
mkdir -p "$tmp/docs/images"

cd "$tmp"
# The default window size (1600x1000), the one gui.layout checks for clipped text.
SDL_FRAMEBUFFER_ACCELERATION=0 SDL_RENDER_DRIVER=software xvfb-run -a -s "-screen 0 1700x1100x24" \
  "$gui" ktest.elf -m 64M --append "force_highmem=32M ktest=kmap_local.kunmap_leaves_its_mapping_kunmap_local_removes_it" \
  --script "$tmp/script" --echo --timeout 300 >"$tmp/log" 2>&1 || {
  echo "gui-screenshots: hm386-gui failed:" >&2
  cat "$tmp/log" >&2
  exit 1
}
cp "$tmp"/docs/images/kmap-*.png "$out"/
# The layout audit after each picture (docs/gui.md): a picture with clipped text
# is not one for the documentation.
if grep "^clipped text:" "$tmp/log" | grep -v "^clipped text: none$"; then
  echo "gui-screenshots: text clipped in the pictures above (fix the panel, then run again)" >&2
  exit 1
fi
ls -l "$out"/kmap-*.png
du -ch "$out"/*.png | tail -1
