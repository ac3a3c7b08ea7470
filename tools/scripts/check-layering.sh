#!/usr/bin/env bash
# check-layering.sh SOURCE_DIR
# The emulator's lower layers must not include headers from the layers built on
# them (docs/ARCHITECTURE.md, "Layers"). For every folder below, each project
# include ("dir/file.hpp") in its sources must name a folder from its allowed
# list; anything else (emu/debug, emu/devices, emu/snapshot, emu/boot, the
# machine, the front ends) is an upward include and fails the check. Test code
# (tests/ folders) and the CPU's conformance runner (a test harness) may include
# what they need and are not scanned. Prints every violation; exit 1 if any,
# 2 if the tree is not where it should be.
set -u
src=${1:?usage: check-layering.sh SOURCE_DIR}
cd "$src/emu" 2>/dev/null || { echo "check-layering: no emu/ under '$src'" >&2; exit 2; }

# folder -> folders its includes may name (its own is always allowed). decode is
# the CPU's decoder (docs/ARCHITECTURE.md lists emu/cpu and emu/decode as one
# component), so the two may include each other.
declare -A allowed=(
  [core]="core"
  [observe]="core observe"
  [mem]="core mem"
  [mmu]="core observe mem mmu"
  [decode]="core observe mem mmu decode cpu"
  [cpu]="core observe mem mmu decode cpu"
  [time]="core time"
  [devices]="core observe mem time devices"
)

violations=0
for layer in core observe mem mmu decode cpu time devices; do
  files=$(find "$layer" \( -name tests -o -name conformance \) -prune -o \
               -type f \( -name '*.hpp' -o -name '*.cpp' -o -name '*.h' \) -print 2>/dev/null)
  if [[ -z $files ]]; then
    echo "check-layering: emu/$layer has no sources (moved? update this script)" >&2
    exit 2
  fi
  while IFS= read -r hit; do
    file=${hit%%:*}
    rest=${hit#*:}
    line=${rest%%:*}
    dir=$(sed -E 's/.*#include "([^/"]+)\/.*/\1/' <<<"$rest")
    if [[ " ${allowed[$layer]} " != *" $dir "* ]]; then
      echo "emu/$file:$line includes $dir/ (emu/$layer may include: ${allowed[$layer]})"
      violations=$((violations + 1))
    fi
  done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[^/"]+/' $files)
done
if ((violations)); then
  echo "check-layering: $violations upward include(s)"
  exit 1
fi
echo "check-layering: ok"
