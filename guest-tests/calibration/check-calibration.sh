#!/usr/bin/env bash
# check-calibration.sh PROFILE HM386 CALIBRATION_ELF
#
# Runs calibration.elf on a CPU profile and checks its kernels against the
# figures of the published instruction tables, written here and not taken from
# hm386 (docs/cycle-costs.md, "Calibration"). Every kernel is a loop of DEC r32
# and a taken JNZ around its body; `loop_only` is the loop alone, so a body's
# cost is (iteration - loop_only), compared with the sum of its instructions'
# table figures (the model is additive). Where a table gives a range (the
# Intel486's IMUL: 13-42 by operand), the model's figure must lie in it. Where
# the table has a jump figure, the loop itself and 8 taken JMPs are checked too.
# A TLB-miss walk has no per-part publication: the model's walk (tlb_miss -
# invlpg_other_page) must lie in Dave Hansen's measured 34 (iTLB) to 45 (dTLB)
# cycles per miss (LKML 2014, ../shared/docs/cost-facts.md).
# Exit 0 when every figure matches, 1 otherwise, 64 on usage errors.
set -u
[[ $# -eq 3 ]] || { echo "usage: check-calibration.sh PROFILE HM386 CALIBRATION_ELF" >&2; exit 64; }
profile=$1 hm386=$2 elf=$3

jmp="" dec="" jcc_taken=""
case $profile in
  486|default)
    # Intel486 Microprocessor Family Programmer's Reference Manual (1992),
    # instruction timings (cache hits); the default profile runs the same table.
    add=1                   # ADD r32,r32
    imul_lo=13 imul_hi=42   # IMUL r32,r32: 13-42
    div=40                  # DIV r32
    mov_load=1              # MOV r32,m32
    invlpg=12               # INVLPG (12 hit, 11 miss: hm386 charges 12)
    jmp=3 dec=1 jcc_taken=3 # JMP short; DEC r32; Jcc taken (1 not taken)
    ;;
  pentium)
    # Agner Fog, "How to optimize for the Pentium family of microprocessors"
    # (2004), "List of instruction timings for P1 and PMMX"; INVLPG from the
    # Pentium instruction set reference. His jump figures are not used: the
    # pentium profile keeps the Intel486's jumps, so no jump is checked here.
    add=1
    imul_lo=9 imul_hi=9     # MUL/IMUL, 32-bit ("all other versions"): 9
    div=41                  # DIV r32/m32: 41
    mov_load=1              # MOV r/m, r/m/i: 1
    invlpg=25
    ;;
  p6)
    # Agner Fog, "Instruction tables", PPro/PII/PIII list: latency where given,
    # else 1 per single-uop instruction; jumps: reciprocal throughput 2.
    add=1
    imul_lo=4 imul_hi=4     # IMUL r32,r32: latency 4
    div=39                  # DIV r32: latency 39
    mov_load=3              # MOV r32,m32: the P6's L1 load latency, 3 (Intel P6 optimization manual)
    invlpg=25               # no P6 figure published: the Pentium's (Pentium instruction set reference)
    jmp=2 dec=1 jcc_taken=2 # JMP short and a taken Jcc: throughput 1/2; DEC 1
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
expect() {  # WHAT GOT WANT WHY
  if [[ $2 -eq $3 ]]; then
    echo "calibration $profile: $1: $2 cycles, as published ($4)"
  else
    echo "check-calibration: $profile: $1: $2 cycles, the tables say $3 ($4)" >&2
    fail=1
  fi
}
within() {  # WHAT GOT LO HI WHY
  if (( $2 >= $3 && $2 <= $4 )); then
    echo "calibration $profile: $1: $2 cycles, within the published $3-$4 ($5)"
  else
    echo "check-calibration: $profile: $1: $2 cycles, outside the published $3-$4 ($5)" >&2
    fail=1
  fi
}
# body NAME COUNT: one instruction of the kernel's body (COUNT equal ones per iteration).
body() {
  local it
  it=$(per_iteration "$1")
  if (( (it - loop) % $2 != 0 )); then
    echo "check-calibration: $1: $((it - loop)) cycles are not $2 equal instructions" >&2
    fail=1
  fi
  echo $(((it - loop) / $2))
}

loop=$(per_iteration loop_only)
if [[ -n $jcc_taken ]]; then
  expect "loop_only: DEC + taken JNZ" "$loop" $((dec + jcc_taken)) "DEC r32 + Jcc taken"
fi
expect "add_chain: one ADD r32,r32" "$(body add_chain 8)" $add "8 per iteration"
within "imul_chain: one IMUL r32,r32" "$(body imul_chain 8)" $imul_lo $imul_hi "8 per iteration"
expect "div_chain: one DIV r32" "$(body div_chain 8)" $div "8 per iteration"
if [[ -n $jmp ]]; then
  expect "taken_jmp: one JMP short" "$(body taken_jmp 8)" $jmp "8 per iteration"
fi
hit=$(per_iteration invlpg_other_page)
expect "invlpg_other_page: INVLPG + MOV r32,m32 (a hit)" $((hit - loop)) $((invlpg + mov_load)) "INVLPG + MOV"
miss=$(per_iteration tlb_miss)
within "tlb_miss: one page walk" $((miss - hit)) $walk_lo $walk_hi "tlb_miss - invlpg_other_page"
exit $fail
