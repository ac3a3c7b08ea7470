#!/usr/bin/env bash
# Installs the Debian 12 packages highmem386 needs, and only those that are missing.
# Silent when everything is present; runs `apt-get update` only when it must install.
set -euo pipefail

PACKAGES=(
  libcapstone-dev libsdl2-dev libimgui-dev libpng-dev catch2 libcli11-dev zlib1g-dev
  clang lld libclang-rt-14-dev cmake ninja-build qemu-system-x86 xvfb xauth
  gdb time
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
  [[ "$status" == ii* ]] || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
