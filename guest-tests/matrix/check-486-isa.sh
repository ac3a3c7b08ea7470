#!/usr/bin/env bash
# check-486-isa.sh OBJDUMP ALLOWLIST IMAGE|DIRECTORY...
# The guest images are built for the Intel486 (-march=i486, cmake/GuestToolchain.cmake)
# so that they boot under --cpu 486 and pentium. This disassembles each IMAGE and
# fails on any instruction a 486 lacks:
#   * never allowed (the compiler must not emit them, and no guest code may assume
#     them): CMOVcc, FCMOVcc, FCOMI/FUCOMI(P), the long NOP, SYSENTER/SYSEXIT;
#   * allowed only where the code asks CPUID first (or runs only on a profile that
#     has the instruction), in the functions ALLOWLIST names: CPUID, RDTSC, RDMSR,
#     WRMSR, RDPMC, CMPXCHG8B, FXSAVE, FXRSTOR.
# A DIRECTORY stands for every *.elf under it but objects and the kernels' first
# link passes (*/guest-obj/*, *.link/*): a new guest image is checked unasked.
# ALLOWLIST lines: "image-file-name function mnemonic" (# starts a comment).
# Exit 0: clean; 1: a forbidden or unlisted instruction (each one named).
set -u
objdump=$1 allow=$2
shift 2
never='cmov[a-z]*|fcmov[a-z]*|fcomip?|fucomip?|nop[wl]|sysenter|sysexit'
gated='cpuid|rdtsc|rdmsr|wrmsr|rdpmc|cmpxchg8b|fxsave|fxrstor'
status=0
images=()
for arg in "$@"; do
  if [[ -d $arg ]]; then
    while IFS= read -r f; do images+=("$f"); done < <(find "$arg" -name '*.elf' -not -path '*/guest-obj/*' -not -path '*.link/*' | sort)
  else
    images+=("$arg")
  fi
done
[[ ${#images[@]} -gt 0 ]] || { echo "check-486-isa: no image to check" >&2; exit 1; }
for image in "${images[@]}"; do
  name=$(basename "$image")
  [[ -r $image ]] || { echo "check-486-isa: cannot read $image" >&2; status=1; continue; }
  # "function<TAB>mnemonic" for every instruction of interest.
  hits=$("$objdump" -d --no-show-raw-insn --demangle "$image" | awk -v re="^($never|$gated)\$" '
    /^[0-9a-f]+ <.*>:$/ { fn = $0; sub(/^[0-9a-f]+ </, "", fn); sub(/>:$/, "", fn); sub(/\(.*$/, "", fn); next }
    { n = split($0, f, "\t"); if (n >= 2) { m = f[2]; sub(/ .*/, "", m); if (m ~ re) print fn "\t" m } }') || {
    echo "check-486-isa: $objdump failed on $image" >&2; status=1; continue; }
  count=0
  while IFS=$'\t' read -r fn m; do
    [[ -z $fn ]] && continue
    count=$((count + 1))
    if [[ $m =~ ^($never)$ ]]; then
      echo "FAIL $name: $fn uses $m, which a 486 lacks (and no CPUID check can excuse)"
      status=1
    elif ! grep -v '^[[:space:]]*#' "$allow" | awk -v i="$name" -v f="$fn" -v m="$m" \
        '$1 == i && $2 == f && $3 == m { found = 1 } END { exit !found }'; then
      echo "FAIL $name: $fn uses $m, which a 486 lacks, and is not in $(basename "$allow") (does it ask CPUID first?)"
      status=1
    fi
  done <<<"$hits"
  echo "$name: $count instruction(s) a 486 lacks found" >&2
done
[[ $status -eq 0 ]] && echo "every image is Intel486 code outside the listed feature-checked functions"
exit $status
