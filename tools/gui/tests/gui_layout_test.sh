#!/usr/bin/env bash
# gui.layout: at its default window size (1600x1000), hm386-gui shows every panel's
# text whole. Screenshots at several stops of a kmap_local test (the first
# instruction, a breakpoint in kmap_local_page, after steps, after a page walk,
# after kunmap_local); after each, the GUI's layout audit (tools/gui/layout_audit.hpp)
# prints "clipped text: none" or the panels whose text runs past their edge.
# Skips (77) when xvfb-run is missing or no display can start.
#   gui_layout_test.sh HM386_GUI KTEST_ELF
set -u
gui=$1 image=$2

command -v xvfb-run >/dev/null || { echo "SKIP: xvfb-run is not installed"; exit 77; }
timeout 30 xvfb-run -a true >/dev/null 2>&1 || { echo "SKIP: xvfb-run cannot start a display"; exit 77; }
[[ -f $image ]] || { echo "FAIL: missing $image"; exit 1; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/script" <<SCRIPT
screenshot $dir/start.png
b __kmap_local_page_prot
c
screenshot $dir/at-kmap.png
s 4
screenshot $dir/stepped.png
finish
walk \$eax
screenshot $dir/walk.png
b kunmap_local_indexed
c
finish
screenshot $dir/unmapped.png
quit
SCRIPT

SDL_FRAMEBUFFER_ACCELERATION=0 SDL_RENDER_DRIVER=software timeout 170 xvfb-run -a -s "-screen 0 1700x1100x24" \
    "$gui" "$image" -m 64M --append "force_highmem=32M ktest=kmap_local.kunmap_leaves_its_mapping_kunmap_local_removes_it" \
    --script "$dir/script" --echo --timeout 150 >"$dir/out" 2>&1
status=$?
if [[ $status -eq 69 ]]; then
    echo "SKIP: hm386-gui could not open its window under Xvfb"
    exit 77
fi
grep "clipped text:" "$dir/out"
fail() {
    echo "FAIL: $*"
    echo "--- hm386-gui output:"
    cat "$dir/out"
    exit 1
}
[[ $status -eq 0 ]] || fail "hm386-gui exited with status $status"
shots=$(grep -c "^wrote .*\.png" "$dir/out")
[[ $shots -eq 5 ]] || fail "$shots screenshots written, not 5"
audits=$(grep -c "^clipped text: " "$dir/out")
[[ $audits -eq 5 ]] || fail "$audits layout audits printed, not one per screenshot"
if grep "^clipped text: " "$dir/out" | grep -qv "^clipped text: none$"; then
    fail "text clipped at the default window size"
fi
echo "PASS: 5 stops at 1600x1000, no panel clips its text"
