#!/usr/bin/env bash
# check-calibration.sh PROFILE HM386 CALIBRATION_ELF
#
# Runs calibration.elf on a CPU profile and checks each kernel's cycles per loop
# iteration against the figures of the published instruction tables, written
# here and not taken from hm386 (docs/cycle-costs.md, "Calibration"). A loop
# iteration of a kernel is its 8 (or 2) instructions plus DEC r32 and a taken
# JNZ; the model is additive, so the expected figure is the sum of the table
# figures. Where a table gives a range (the Intel486's IMUL: 13-42 depending on
# the operand), the model's figure must lie in it. A TLB-miss walk has no
# per-part publication: the model's walk (the difference between the two TLB
# kernels less INVLPG's table figure) must lie in Dave Hansen's measured range,
# 34 (iTLB) to 45 (dTLB) cycles per miss (LKML 2014, cost-facts.md).
# Exit 0 when every figure matches, 1 otherwise, 64 on usage errors.
set -u
[[ $# -eq 3 ]] || { echo "usage: check-calibration.sh PROFILE HM386 CALIBRATION_ELF" >&2; exit 64; }
profile=$1 hm386=$2 elf=$3

case $profile in
  486|default)
    # Intel486 Microprocessor Family Programmer's Reference Manual (1992),
    # instruction timings (cache hits); the default profile runs the same table.
    add=1            # ADD r32,r32
    imul_lo=13 imul_hi=42   # IMUL r32,r32: 13-42
    div=40           # DIV r32
    jmp=3            # JMP short
    dec=1            # DEC r32
    jcc_taken=3      # Jcc taken (1 not taken)
    mov_load=1       # MOV r32,m32
    invlpg=12        # INVLPG (12 hit, 11 miss: hm386 charges 12)
    ;;
  p6)
    # Agner Fog, "Instruction tables", PPro/PII/PIII list: latency where given,
    # else 1 per single-uop instruction; jumps: reciprocal throughput 2.
    add=1
    imul_lo=4 imul_hi=4     # IMUL r32,r32: latency 4
    div=39           # DIV r32: latency 39
    jmp=2            # JMP short: throughput 1/2
    dec=1
    jcc_taken=2      # conditional jump taken: throughput 1/2
    mov_load=3       # MOV r32,m32: the P6's L1 load latency, 3 (Intel P6 optimization manual)
    invlpg=25        # no P6 figure published: the Pentium's (Pentium instruction set reference)
    ;;
  *)
    echo "check-calibration: no published figures recorded for profile '$profile'" >&2
    exit 64 ;;
esac
walk_lo=34 walk_hi=45

out=$("$hm386" run --cpu "$profile" --serial none --debugcon stdio --timeout 60 "$elf" 2>&1 </dev/null)
status=$?
echo "$out"
if [[ $status -ne 0 ]]; then
  echo "check-calibration: hm386 exited with status $status" >&2
  exit 1
fi

fail=0
# per_iteration NAME: the kernel's cycles per loop iteration (D / N, exact).
per_iteration() {
  local line
  line=$(grep -E "^calib: $1 iterations=[0-9]+ cycles=[0-9]+" <<<"$out")
  if [[ -z $line ]]; then
    echo "check-calibration: no line for kernel $1" >&2
    fail=1
    echo 0
    return
  fi
  local n d
  n=$(sed -E 's/.*iterations=([0-9]+).*/\1/' <<<"$line")
  d=$(sed -E 's/.*cycles=([0-9]+).*/\1/' <<<"$line")
  if (( d % n != 0 )); then
    echo "check-calibration: $1: $d cycles is not a whole number of $n iterations" >&2
    fail=1
  fi
  echo $((d / n))
}
expect() {  # NAME GOT WANT WHY
  if [[ $2 -eq $3 ]]; then
    echo "calibration $profile: $1: $2 cycles per iteration, as published ($4)"
  else
    echo "check-calibration: $profile: $1: $2 cycles per iteration, the tables say $3 ($4)" >&2
    fail=1
  fi
}
within() {  # NAME GOT LO HI WHY
  if (( $2 >= $3 && $2 <= $4 )); then
    echo "calibration $profile: $1: $2 cycles, within the published $3-$4 ($5)"
  else
    echo "check-calibration: $profile: $1: $2 cycles, outside the published $3-$4 ($5)" >&2
    fail=1
  fi
}

loop=$((dec + jcc_taken))
expect add_chain "$(per_iteration add_chain)" $((8 * add + loop)) "8 ADD + DEC + taken JNZ"
imul_it=$(per_iteration imul_chain)
within "imul_chain: one IMUL r32,r32" $(((imul_it - loop) / 8)) $imul_lo $imul_hi "(iteration $imul_it - DEC - JNZ) / 8"
if (( (imul_it - loop) % 8 != 0 )); then echo "check-calibration: imul_chain: not 8 equal IMULs" >&2; fail=1; fi
expect div_chain "$(per_iteration div_chain)" $((8 * div + loop)) "8 DIV r32 + DEC + taken JNZ"
expect taken_jmp "$(per_iteration taken_jmp)" $((8 * jmp + loop)) "8 JMP short + DEC + taken JNZ"
hit=$(per_iteration invlpg_other_page)
expect invlpg_other_page "$hit" $((invlpg + mov_load + loop)) "INVLPG + MOV r32,m32 (a TLB hit) + DEC + taken JNZ"
miss=$(per_iteration tlb_miss)
within "tlb_miss: one page walk" $((miss - hit)) $walk_lo $walk_hi "tlb_miss - invlpg_other_page"
exit $fail
