#!/usr/bin/env bash
# gui.no-display: with no display (DISPLAY and WAYLAND_DISPLAY unset) SDL falls
# back to its offscreen driver on its own; hm386-gui must say there is no window
# and exit 69 (docs/gui.md), not run unseen until --timeout, and --screenshot must
# write nothing. Asked for explicitly (SDL_VIDEODRIVER=offscreen), offscreen is
# allowed: that is how pictures are made without a window.
#   gui_no_display_test.sh HM386_GUI IMAGE
set -u
gui=$1 image=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0

env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER XDG_RUNTIME_DIR="$dir" timeout -s KILL 30 \
    "$gui" "$image" -m 64M --timeout 20 --screenshot "$dir/shot.png" >"$dir/out" 2>&1
rc=$?
cat "$dir/out"
if [[ $rc -ne 69 ]]; then echo "FAIL: no display: exit status $rc, wanted 69"; fail=1; fi
if ! grep -q "no display" "$dir/out"; then echo "FAIL: no display: the message does not say so"; fail=1; fi
if [[ -e $dir/shot.png ]]; then echo "FAIL: no display: a screenshot was written"; fail=1; fi

env -u DISPLAY -u WAYLAND_DISPLAY SDL_VIDEODRIVER=offscreen SDL_RENDER_DRIVER=software SDL_FRAMEBUFFER_ACCELERATION=0 XDG_RUNTIME_DIR="$dir" \
    timeout -s KILL 60 "$gui" "$image" -m 64M --timeout 50 --screenshot "$dir/asked.png" >"$dir/out2" 2>&1
rc=$?
if [[ $rc -ne 0 || ! -s $dir/asked.png ]]; then
    cat "$dir/out2"
    echo "FAIL: SDL_VIDEODRIVER=offscreen: status $rc, wanted 0 and a picture"
    fail=1
fi
[[ $fail -eq 0 ]] && echo "ok: exit 69 without a display, a picture with SDL_VIDEODRIVER=offscreen"
exit $fail
