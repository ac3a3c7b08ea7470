#!/usr/bin/env bash
# gui.screenshot: hm386-gui under Xvfb, driven by a script: boot ktest.elf, run
# to a breakpoint in kmap_local_page (__kmap_local_page_prot), screenshot, step,
# screenshot, walk the address the kmap returned, screenshot. Checks that each
# PNG exists, has the window's size and many colours (not blank), and that the
# registers and page-walk panels changed between the pictures where they must.
# Skips (77) when xvfb-run is missing or no display can start.
#   gui_screenshot_test.sh HM386_GUI PNG_CHECK KTEST_ELF
set -u
gui=$1 check=$2 image=$3

command -v xvfb-run >/dev/null || { echo "SKIP: xvfb-run is not installed"; exit 77; }
timeout 30 xvfb-run -a true >/dev/null 2>&1 || { echo "SKIP: xvfb-run cannot start a display"; exit 77; }
[[ -f $image ]] || { echo "FAIL: missing $image"; exit 1; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() {
    echo "FAIL: $*"
    echo "--- hm386-gui output:"
    cat "$dir/out"
    exit 1
}

cat >"$dir/script" <<SCRIPT
# Runs in the window as typed commands would.
b __kmap_local_page_prot
c
screenshot $dir/at-kmap.png
s 4
screenshot $dir/stepped.png
finish
walk \$eax
screenshot $dir/walk.png
quit
SCRIPT

# Software rendering end to end: SDL_FRAMEBUFFER_ACCELERATION=0 keeps SDL from
# loading Mesa for the window's framebuffer (nothing of GL is needed, and Mesa's
# driver leaks and unloads itself, which LeakSanitizer cannot attribute).
SDL_FRAMEBUFFER_ACCELERATION=0 SDL_RENDER_DRIVER=software timeout 170 xvfb-run -a -s "-screen 0 1400x900x24" \
    "$gui" "$image" -m 64M --append "force_highmem=32M ktest=kmap_local.kunmap_leaves_its_mapping_kunmap_local_removes_it" \
    --size 1280x800 --script "$dir/script" --echo --timeout 150 >"$dir/out" 2>&1
status=$?
if [[ $status -eq 69 ]]; then
    echo "SKIP: hm386-gui could not open its window under Xvfb"
    cat "$dir/out"
    exit 77
fi
[[ $status -eq 0 ]] || fail "hm386-gui exited with status $status"
grep -q "breakpoint 1 at" "$dir/out" || fail "the run did not stop at the breakpoint"

for shot in at-kmap stepped walk; do
    f="$dir/$shot.png"
    [[ -s $f ]] || fail "$shot.png was not written"
    read -r w h n < <("$check" info "$f") || fail "$shot.png is not a readable PNG"
    [[ $w -eq 1280 && $h -eq 800 ]] || fail "$shot.png is ${w}x${h}, not the window's 1280x800"
    # A blank or nearly blank window has a handful of colours; text and panels give hundreds.
    [[ $n -ge 64 ]] || fail "$shot.png has only $n colours: blank?"
    echo "$shot.png: ${w}x${h}, $n colours"
done

# The registers panel (left column, lower part) changes with a step: EIP at least.
regs=$("$check" diff "$dir/at-kmap.png" "$dir/stepped.png" 0.0 0.60 0.30 0.38) || fail "png_check diff failed"
[[ $regs -gt 100 ]] || fail "the registers panel did not change after 4 steps ($regs pixels differ)"
# The page-walk panel (middle column, top) changes when it walks another address.
walk=$("$check" diff "$dir/stepped.png" "$dir/walk.png" 0.32 0.03 0.31 0.40) || fail "png_check diff failed"
[[ $walk -gt 100 ]] || fail "the page-walk panel did not change for walk \$eax ($walk pixels differ)"
echo "registers region: $regs pixels changed; page-walk region: $walk pixels changed"
echo "PASS"
