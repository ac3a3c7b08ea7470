#!/usr/bin/env bash
# gui.smp: hm386-gui on an -smp 2 guest (smp_boot.elf) at its default size. A
# breakpoint in ap_main stops CPU 1, which the panels then show; the CPU
# selector's command (`cpu 0`, `cpu 1`) switches them: the Registers panel's
# region differs between CPU 0 and CPU 1 and is pixel-identical when CPU 1 is
# selected again; the Statistics panel follows too. After each screenshot the
# layout audit must print "clipped text: none" (the selector in the menu bar
# included). Skips (77) when xvfb-run is missing or no display can start.
#   gui_smp_test.sh HM386_GUI PNG_CHECK SMP_BOOT_ELF
set -u
gui=$1 check=$2 image=$3

command -v xvfb-run >/dev/null || { echo "SKIP: xvfb-run is not installed"; exit 77; }
timeout 30 xvfb-run -a true >/dev/null 2>&1 || { echo "SKIP: xvfb-run cannot start a display"; exit 77; }
[[ -f $image ]] || { echo "FAIL: missing $image"; exit 1; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/script" <<SCRIPT
b ap_main
c
screenshot $dir/cpu1.png
cpu 0
screenshot $dir/cpu0.png
cpu 1
screenshot $dir/cpu1-again.png
quit
SCRIPT

SDL_FRAMEBUFFER_ACCELERATION=0 SDL_RENDER_DRIVER=software timeout 170 xvfb-run -a -s "-screen 0 1700x1100x24" \
    "$gui" "$image" -m 64M -smp 2 --script "$dir/script" --echo --timeout 150 >"$dir/out" 2>&1
status=$?
if [[ $status -eq 69 ]]; then
    echo "SKIP: hm386-gui could not open its window under Xvfb"
    exit 77
fi
fail() {
    echo "FAIL: $*"
    echo "--- hm386-gui output:"
    cat "$dir/out"
    exit 1
}
[[ $status -eq 0 ]] || fail "hm386-gui exited with status $status"
grep -q "cpu 1: breakpoint 1 at 0x00100050 <ap_main>" "$dir/out" || fail "the breakpoint did not stop CPU 1"
grep "clipped text:" "$dir/out"
[[ $(grep -c "^clipped text: none$" "$dir/out") -eq 3 ]] || fail "text clipped at the default window size"
for f in cpu1 cpu0 cpu1-again; do
    read -r w h colours < <("$check" info "$dir/$f.png") || fail "png_check info $f failed"
    [[ $w -eq 1600 && $h -eq 1000 ]] || fail "$f.png is ${w}x$h, not the default 1600x1000"
done
# The Registers panel (tools/gui/layout.hpp kRegisters, below its title bar).
regs01=$("$check" diff "$dir/cpu1.png" "$dir/cpu0.png" 0.0 0.58 0.31 0.40) || fail "png_check diff failed"
regs11=$("$check" diff "$dir/cpu1.png" "$dir/cpu1-again.png" 0.0 0.58 0.31 0.40) || fail "png_check diff failed"
stats01=$("$check" diff "$dir/cpu1.png" "$dir/cpu0.png" 0.79 0.60 0.21 0.13) || fail "png_check diff failed"
echo "registers: CPU 1 vs CPU 0: $regs01 pixels differ; CPU 1 vs CPU 1 again: $regs11"
echo "statistics: CPU 1 vs CPU 0: $stats01 pixels differ"
[[ $regs01 -gt 1000 ]] || fail "the Registers panel did not change with the CPU"
[[ $regs11 -eq 0 ]] || fail "the Registers panel differs for the same CPU"
[[ $stats01 -gt 100 ]] || fail "the Statistics panel did not change with the CPU"
echo "PASS: the panels follow the CPU selector"
